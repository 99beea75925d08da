//! Header lookup: case-insensitive, no allocation per lookup.

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

/// Read access to request headers, matched case-insensitively (ASCII).
///
/// Implemented for slices and arrays of `(name, value)` pairs (the cheapest form: what a
/// binding builds from its request object without a map), for `Vec<(String, String)>`,
/// and for string maps. With repeated names the first one wins; a map has no order, so in a
/// map the exact spelling wins, then the smallest key in byte order (the same for a
/// `HashMap` and a `BTreeMap`, and from one process to the next).
pub trait Headers {
    /// The value of header `name`, whatever its case on the wire.
    fn header(&self, name: &str) -> Option<&str>;
}

/// Header values a host looked up itself: one per name of the scheme's
/// [`Scheme::header_names`](super::Scheme::header_names), in that order (`None`: absent).
/// What a binding passes when it reads those names from its own request object, so that
/// only a few strings cross its boundary.
#[derive(Clone, Copy)]
pub struct HeaderValues<'a> {
    /// The names, as `Scheme::header_names` gives them.
    pub names: &'a [&'a str],
    /// The value of each name, at the same index.
    pub values: &'a [Option<&'a str>],
}

impl Headers for HeaderValues<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        let i = self
            .names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(name))?;
        *self.values.get(i)?
    }
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
        // The iteration order of a `HashMap` changes from one process to the next: among
        // several spellings, take the one a `BTreeMap` would find first, the smallest key.
        self.iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .min_by(|(a, _), (b, _)| a.cmp(b))
            .map(|(_, v)| v.as_str())
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

    #[test]
    fn header_values_answer_by_the_position_of_the_name() {
        let names = ["webhook-id", "webhook-timestamp", "webhook-signature"];
        let values = [Some("msg_1"), None, Some("v1,abc")];
        let h = HeaderValues {
            names: &names,
            values: &values,
        };
        assert_eq!(h.header("Webhook-Id"), Some("msg_1"));
        assert_eq!(h.header("webhook-timestamp"), None);
        assert_eq!(h.header("WEBHOOK-SIGNATURE"), Some("v1,abc"));
        assert_eq!(h.header("svix-id"), None);
        // Fewer values than names: the rest are absent.
        let short = HeaderValues {
            names: &names,
            values: &values[..1],
        };
        assert_eq!(short.header("webhook-signature"), None);
    }

    #[test]
    fn a_map_with_several_spellings_answers_the_same_every_time() {
        let spellings = ["WEBHOOK-ID", "Webhook-Id", "webhook-ID", "wEbHoOk-Id"];
        // Many maps, each with its own random hasher state: one answer, the smallest key's,
        // as the BTreeMap gives; the exact spelling wins whenever it is there.
        let mut b = BTreeMap::new();
        for (i, k) in spellings.iter().enumerate() {
            b.insert((*k).to_owned(), i.to_string());
        }
        let want = b.header("webhook-id").map(str::to_owned);
        assert_eq!(want.as_deref(), Some("0"));
        for _ in 0..64 {
            let m: HashMap<String, String> =
                b.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            assert_eq!(m.header("webhook-id").map(str::to_owned), want);
            assert_eq!(m.header("Webhook-Id"), Some("1"));
        }
    }
}
