//! Native values held per thread in a slab and reached from JavaScript by a number.
//!
//! Why not only napi-rs `External`: every call that takes an `External` looks its pointer up
//! in napi-rs's process-wide registry of live payloads (a `Mutex<HashMap>` holding every
//! live invoice). With tens of thousands of invoices alive that lookup was ~10 % of
//! `Invoice.observeTransfer` (issue 14). A slab slot is one bounds-checked index on this
//! thread. Who frees a slot is the caller's business (invoices: an `External` owner that V8
//! finalizes with the `Invoice`, see `invoice.rs`).
//!
//! A handle is `generation << 32 | index`: a stale handle (its slot freed and reused) is
//! refused like any other unknown number, so it can never reach another value.

use std::cell::RefCell;
use std::rc::Rc;

/// The generations a slot counts through before wrapping (handles stay below 2^53, exact in
/// a JavaScript number).
const GENERATIONS: u32 = 1 << 20;

struct Slot<T> {
    generation: u32,
    value: Option<Rc<RefCell<T>>>,
}

/// Values of one type owned by this thread's JavaScript.
pub(crate) struct Slab<T> {
    slots: Vec<Slot<T>>,
    free: Vec<u32>,
}

impl<T> Slab<T> {
    pub(crate) const fn new() -> Self {
        Slab {
            slots: Vec::new(),
            free: Vec::new(),
        }
    }

    /// Stores `value`; `None` only if this thread already holds 2^32 values.
    pub(crate) fn insert(&mut self, value: T) -> Option<i64> {
        let value = Some(Rc::new(RefCell::new(value)));
        let index = match self.free.pop() {
            Some(i) => i,
            None => {
                let i = u32::try_from(self.slots.len()).ok()?;
                self.slots.push(Slot {
                    generation: 0,
                    value: None,
                });
                i
            }
        };
        let slot = self.slots.get_mut(index as usize)?;
        slot.value = value;
        Some(i64::from(slot.generation) << 32 | i64::from(index))
    }

    fn slot(&self, handle: i64) -> Option<&Slot<T>> {
        let index = usize::try_from(handle & 0xffff_ffff).ok()?;
        let generation = u32::try_from(handle >> 32).ok()?;
        self.slots
            .get(index)
            .filter(|s| s.generation == generation && s.value.is_some())
    }

    /// The value behind `handle`, if it is live.
    pub(crate) fn get(&self, handle: i64) -> Option<Rc<RefCell<T>>> {
        self.slot(handle)?.value.clone()
    }

    /// Frees the slot of `handle`; false (and nothing done) if it is not live.
    pub(crate) fn remove(&mut self, handle: i64) -> bool {
        if self.slot(handle).is_none() {
            return false;
        }
        let index = handle & 0xffff_ffff;
        if let (Some(slot), Ok(i)) = (
            usize::try_from(index)
                .ok()
                .and_then(|i| self.slots.get_mut(i)),
            u32::try_from(index),
        ) {
            slot.value = None;
            slot.generation = (slot.generation + 1) % GENERATIONS;
            self.free.push(i);
            return true;
        }
        false
    }

    /// Values live now.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.slots.len() - self.free.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_freed_handle_never_reaches_the_next_value_of_its_slot() {
        let mut s = Slab::new();
        let a = s.insert("a").unwrap_or(-1);
        assert_eq!(a, 0);
        assert!(s.remove(a));
        let b = s.insert("b").unwrap_or(-1);
        assert_eq!(b, 1 << 32, "the slot is reused, a generation later");
        assert!(s.get(a).is_none());
        assert_eq!(s.get(b).map(|v| *v.borrow()), Some("b"));
        assert!(!s.remove(a));
        assert_eq!(s.len(), 1, "a stale handle frees nothing");
        assert!(s.get(-1).is_none() && s.get(1 << 40).is_none());
    }
}
