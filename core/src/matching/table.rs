//! A hash index from keys to `u32` handles that stores no keys (docs/spec.md §4).
//!
//! The matcher indexes invoice ids and allocation families by handle into its slabs; the
//! keys themselves are already stored there, so this table keeps only an 8-byte slot per
//! entry: 32 bits of the key's hash, then the handle. A probe compares the hash bits
//! first and asks the caller to compare the key behind a handle only when they agree; the
//! stored bits also give each slot's home position, so the table grows and deletes
//! without hashing any key again. Open addressing with linear probing, at most 7/8 full,
//! deletion by shifting back (no tombstones).

/// An empty slot (no real slot has handle `u32::MAX`: handles stay below 2^31).
const EMPTY: u64 = u64::MAX;

enum Probe {
    Found(usize),
    Vacant(usize),
}

#[derive(Clone, Debug, Default)]
pub(super) struct Table {
    /// Power-of-two many slots (or none): `EMPTY` or `hash32 << 32 | handle`.
    slots: Vec<u64>,
    used: usize,
}

impl Table {
    /// Whether one more entry fits without the table outgrowing the 32 hash bits that
    /// place its slots. Checked before a change starts.
    pub(super) fn has_room(&self) -> bool {
        !self.needs_growth() || self.slots.len() <= 1 << 30
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.used
    }

    /// The handle with hash bits `tag` that `is` accepts.
    pub(super) fn find(&self, tag: u32, is: impl Fn(u32) -> bool) -> Option<u32> {
        match self.probe(tag, is)? {
            Probe::Found(i) => self.slots.get(i).map(|&s| s as u32),
            Probe::Vacant(_) => None,
        }
    }

    /// Adds `handle` (for a key not in the table) under hash bits `tag`.
    pub(super) fn insert(&mut self, tag: u32, handle: u32) {
        if self.needs_growth() {
            self.grow();
        }
        if let Some(Probe::Vacant(i)) = self.probe(tag, |_| false) {
            if let Some(s) = self.slots.get_mut(i) {
                *s = u64::from(tag) << 32 | u64::from(handle);
                self.used += 1;
            }
        }
    }

    /// Removes the handle with hash bits `tag` that `is` accepts, and returns it.
    pub(super) fn remove(&mut self, tag: u32, is: impl Fn(u32) -> bool) -> Option<u32> {
        let Probe::Found(i) = self.probe(tag, is)? else {
            return None;
        };
        let handle = self.slots.get(i).map(|&s| s as u32)?;
        self.delete_slot(i);
        self.used = self.used.saturating_sub(1);
        Some(handle)
    }

    fn needs_growth(&self) -> bool {
        self.used.saturating_add(1).saturating_mul(8) > self.slots.len().saturating_mul(7)
    }

    fn mask(&self) -> usize {
        self.slots.len().saturating_sub(1)
    }

    /// Linear probing from the tag's home slot, up to the slot holding a handle that has
    /// this tag and that `is` accepts, or up to the first empty slot.
    fn probe(&self, tag: u32, is: impl Fn(u32) -> bool) -> Option<Probe> {
        let mask = self.mask();
        let mut i = tag as usize & mask;
        // The table always keeps an empty slot, so this ends early; the bound is a guard.
        for _ in 0..self.slots.len() {
            let s = *self.slots.get(i)?;
            if s == EMPTY {
                return Some(Probe::Vacant(i));
            }
            if (s >> 32) as u32 == tag && is(s as u32) {
                return Some(Probe::Found(i));
            }
            i = (i + 1) & mask;
        }
        None
    }

    /// Empties slot `hole`, shifting later slots of the same run back so every lookup
    /// still reaches its slot without crossing an empty one.
    fn delete_slot(&mut self, hole: usize) {
        let mask = self.mask();
        let mut hole = hole;
        let mut j = hole;
        for _ in 0..self.slots.len() {
            j = (j + 1) & mask;
            let Some(&s) = self.slots.get(j) else {
                break;
            };
            if s == EMPTY {
                break;
            }
            let home = (s >> 32) as usize & mask;
            // `s` may move into the hole unless its home lies cyclically in (hole, j].
            if j.wrapping_sub(home) & mask >= j.wrapping_sub(hole) & mask {
                if let Some(h) = self.slots.get_mut(hole) {
                    *h = s;
                }
                hole = j;
            }
        }
        if let Some(h) = self.slots.get_mut(hole) {
            *h = EMPTY;
        }
    }

    /// Doubles the table (8 slots at first), placing every slot by its stored hash bits.
    fn grow(&mut self) {
        let len = self.slots.len().saturating_mul(2).max(8);
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; len]);
        let mask = len - 1;
        for s in old.into_iter().filter(|&s| s != EMPTY) {
            let mut i = (s >> 32) as usize & mask;
            for _ in 0..len {
                match self.slots.get_mut(i) {
                    Some(slot) if *slot == EMPTY => {
                        *slot = s;
                        break;
                    }
                    Some(_) => i = (i + 1) & mask,
                    None => break,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Colliding hash bits, removals in the middle of runs and growth, against a plain list.
    #[test]
    fn finds_what_it_holds_through_collisions_removals_and_growth() {
        let mut t = Table::default();
        // Keys are handles; tags collide in groups of 5 and wrap around the table's end.
        let tag = |h: u32| (h / 5).wrapping_mul(0x9E37_79B9) | 7;
        let mut held: Vec<u32> = Vec::new();
        for h in 0..400u32 {
            assert!(t.has_room());
            t.insert(tag(h), h);
            held.push(h);
            if h % 3 == 0 {
                let gone = h / 2;
                if let Some(pos) = held.iter().position(|&x| x == gone) {
                    assert_eq!(t.remove(tag(gone), |x| x == gone), Some(gone));
                    held.remove(pos);
                }
            }
            assert_eq!(t.len(), held.len());
        }
        for h in 0..400u32 {
            let expected = held.contains(&h).then_some(h);
            assert_eq!(t.find(tag(h), |x| x == h), expected, "{h}");
        }
        assert_eq!(t.remove(tag(1), |x| x == 1000), None);
    }
}
