//! Free step indices of one allocation family (docs/spec.md §4).

use std::collections::BTreeMap;

/// A set of step indices kept as disjoint, non-adjacent ranges `start -> end` (end
/// exclusive), so its size follows the number of gaps, not their width: a stored matcher
/// claiming index 10^18 costs one range on load, not 10^18 entries (F7). Ranges are always
/// merged, so equal sets are equal values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Holes(BTreeMap<u64, u64>);

impl Holes {
    /// Adds `start..end` (not overlapping what is held), merging with its neighbours.
    pub(super) fn insert_range(&mut self, mut start: u64, mut end: u64) {
        if start >= end {
            return;
        }
        if let Some((&s, &e)) = self.0.range(..start).next_back() {
            if e == start {
                self.0.remove(&s);
                start = s;
            }
        }
        if let Some(e) = self.0.remove(&end) {
            end = e;
        }
        self.0.insert(start, end);
    }

    pub(super) fn insert(&mut self, k: u64) {
        self.insert_range(k, k.saturating_add(1));
    }

    /// The smallest index held that is `>= j`.
    pub(super) fn first_at_or_after(&self, j: u64) -> Option<u64> {
        if let Some((_, &e)) = self.0.range(..=j).next_back() {
            if j < e {
                return Some(j);
            }
        }
        self.0.range(j..).next().map(|(&s, _)| s)
    }

    /// Removes `k`, splitting its range; whether it was there.
    pub(super) fn remove(&mut self, k: u64) -> bool {
        let Some((&s, &e)) = self.0.range(..=k).next_back() else {
            return false;
        };
        if k >= e {
            return false;
        }
        self.0.remove(&s);
        if s < k {
            self.0.insert(s, k);
        }
        if k + 1 < e {
            self.0.insert(k + 1, e);
        }
        true
    }

    /// Removes the range ending exactly at `top`, returning its start.
    pub(super) fn take_last_ending_at(&mut self, top: u64) -> Option<u64> {
        let (&s, &e) = self.0.iter().next_back()?;
        (e == top).then(|| {
            self.0.remove(&s);
            s
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holes_are_merged_ranges() {
        let mut h = Holes::default();
        h.insert_range(2, 5);
        h.insert(5);
        h.insert(1);
        assert_eq!(h.0, BTreeMap::from([(1, 6)]), "adjacent ranges merge");
        assert!(h.remove(3));
        assert!(!h.remove(3));
        assert!(!h.remove(9));
        assert_eq!(h.0, BTreeMap::from([(1, 3), (4, 6)]));
        assert_eq!(h.first_at_or_after(0), Some(1));
        assert_eq!(h.first_at_or_after(3), Some(4));
        assert_eq!(h.first_at_or_after(5), Some(5));
        assert_eq!(h.first_at_or_after(6), None);
        h.insert(3);
        assert_eq!(
            h.0,
            BTreeMap::from([(1, 6)]),
            "refilling a split merges back"
        );
        assert_eq!(h.take_last_ending_at(7), None);
        assert_eq!(h.take_last_ending_at(6), Some(1));
        assert_eq!(h, Holes::default());
        h.insert_range(0, u64::MAX);
        assert!(h.remove(u64::MAX - 1));
        assert_eq!(h.0, BTreeMap::from([(0, u64::MAX - 1)]));
    }
}
