//! Header lookup: case-insensitive, no allocation per lookup.

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

/// Read access to request headers, matched case-insensitively (ASCII).
///
/// Implemented for slices and arrays of `(name, value)` pairs (the cheapest form: what a
/// binding builds from its request object without a map), for `Vec<(String, String)>`,
/// and for string maps. With repeated names the first one wins.
pub trait Headers {
    /// The value of header `name`, whatever its case on the wire.
    fn header(&self, name: &str) -> Option<&str>;
}

fn find<'a, I>(mut it: I, name: &str) -> Option<&'a str>
where
    I: Iterator<Item = (&'a str, &'a str)>,
{
    it.find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

impl Headers for [(&str, &str)] {
    fn header(&self, name: &str) -> Option<&str> {
        find(self.iter().map(|(k, v)| (*k, *v)), name)
    }
}

impl<const N: usize> Headers for [(&str, &str); N] {
    fn header(&self, name: &str) -> Option<&str> {
        self.as_slice().header(name)
    }
}

impl Headers for Vec<(&str, &str)> {
    fn header(&self, name: &str) -> Option<&str> {
        self.as_slice().header(name)
    }
}

impl Headers for [(String, String)] {
    fn header(&self, name: &str) -> Option<&str> {
        find(self.iter().map(|(k, v)| (k.as_str(), v.as_str())), name)
    }
}

impl Headers for Vec<(String, String)> {
    fn header(&self, name: &str) -> Option<&str> {
        self.as_slice().header(name)
    }
}

impl<S: BuildHasher> Headers for HashMap<String, String, S> {
    fn header(&self, name: &str) -> Option<&str> {
        // Exact hit first (the common case when the host lower-cases names), then a scan.
        if let Some(v) = self.get(name) {
            return Some(v);
        }
        find(self.iter().map(|(k, v)| (k.as_str(), v.as_str())), name)
    }
}

impl Headers for BTreeMap<String, String> {
    fn header(&self, name: &str) -> Option<&str> {
        if let Some(v) = self.get(name) {
            return Some(v);
        }
        find(self.iter().map(|(k, v)| (k.as_str(), v.as_str())), name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_insensitive_first_wins() {
        let h = [("X-Webhook-Signature", "a"), ("x-webhook-signature", "b")];
        assert_eq!(h.header("x-WEBHOOK-signature"), Some("a"));
        assert_eq!(h.header("missing"), None);
        let mut m = HashMap::new();
        m.insert("Webhook-Id".to_string(), "1".to_string());
        assert_eq!(m.header("webhook-id"), Some("1"));
        let mut b = BTreeMap::new();
        b.insert("webhook-id".to_string(), "2".to_string());
        assert_eq!(b.header("WEBHOOK-ID"), Some("2"));
        let v = vec![("A".to_string(), "x".to_string())];
        assert_eq!(v.header("a"), Some("x"));
    }
}
