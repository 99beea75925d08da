//! Values addressed by `u32` handles (docs/spec.md §4): the matcher's windows, accounts
//! and allocation families live in slabs, and its indexes hold 4-byte handles instead of
//! copies of keys and strings.

/// Most values a slab holds. Handles stay below 2^31, so the id index (whose slots pack a
/// handle and 32 bits of hash) never needs more than 2^32 slots.
pub(super) const MAX_HANDLES: u32 = 1 << 31;

/// A vector of values with reusable holes: removing leaves `None` and remembers the handle,
/// which the next insert takes. Its size follows the peak number of values held.
#[derive(Clone, Debug)]
pub(super) struct Slab<T> {
    items: Vec<Option<T>>,
    vacant: Vec<u32>,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            vacant: Vec::new(),
        }
    }
}

impl<T> Slab<T> {
    /// Whether one more value fits (checked before a change starts, so the change cannot
    /// fail half-way).
    pub(super) fn has_room(&self) -> bool {
        !self.vacant.is_empty() || self.items.len() < MAX_HANDLES as usize
    }

    /// Stores `value` and returns its handle; `None` (nothing stored) when full.
    pub(super) fn insert(&mut self, value: T) -> Option<u32> {
        if let Some(h) = self.vacant.pop() {
            if let Some(slot @ None) = self.items.get_mut(h as usize) {
                *slot = Some(value);
                return Some(h);
            }
            // A handle listed as vacant always is; should it not be, forget it.
        }
        let h = u32::try_from(self.items.len())
            .ok()
            .filter(|&h| h < MAX_HANDLES)?;
        self.items.push(Some(value));
        Some(h)
    }

    pub(super) fn get(&self, h: u32) -> Option<&T> {
        self.items.get(h as usize).and_then(Option::as_ref)
    }

    pub(super) fn get_mut(&mut self, h: u32) -> Option<&mut T> {
        self.items.get_mut(h as usize).and_then(Option::as_mut)
    }

    /// Takes the value out; its handle is handed out again later.
    pub(super) fn remove(&mut self, h: u32) -> Option<T> {
        let value = self.items.get_mut(h as usize)?.take()?;
        self.vacant.push(h);
        Some(value)
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = (u32, &T)> {
        (0u32..)
            .zip(&self.items)
            .filter_map(|(h, v)| v.as_ref().map(|v| (h, v)))
    }

    pub(super) fn values_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.items.iter_mut().filter_map(Option::as_mut)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_reused() {
        let mut s = Slab::default();
        assert_eq!(s.insert("a"), Some(0));
        assert_eq!(s.insert("b"), Some(1));
        assert_eq!(s.remove(0), Some("a"));
        assert_eq!(s.remove(0), None);
        assert_eq!(s.get(0), None);
        assert_eq!(s.insert("c"), Some(0), "a freed handle is taken first");
        assert_eq!(s.insert("d"), Some(2));
        assert_eq!(
            s.iter().collect::<Vec<_>>(),
            vec![(0, &"c"), (1, &"b"), (2, &"d")]
        );
        assert_eq!(s.get(7), None);
        assert!(s.has_room());
    }
}
