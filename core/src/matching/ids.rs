//! Invoice ids, each stored once (docs/spec.md §4).
//!
//! A matcher holds a million open invoices on one account without trouble, so an id
//! costs what its bytes cost plus a few bytes of index: every id's text lives in one
//! string, a window refers to it by position ([`IdRef`]), and the index from id to window
//! handle is an open-addressing table of `u64` slots, each packing 32 bits of the id's
//! hash and the handle. Comparing the hash bits first means a probe reads the id's text
//! only when it very probably is the one sought; the stored bits also give each slot's
//! home position, so the table grows and deletes without hashing any id again.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::num::NonZeroU8;

/// An empty index slot (no real slot has handle `u32::MAX`: handles stay below 2^31).
const EMPTY: u64 = u64::MAX;

/// Where an id's text is. Ids are 1 to 128 bytes, so the length is a non-zero byte (which
/// also lets `Option<Window>` cost nothing over `Window`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct IdRef {
    at: u32,
    len: NonZeroU8,
}

enum Probe {
    Found(usize),
    Vacant(usize),
}

#[derive(Clone, Debug, Default)]
pub(super) struct Ids {
    /// Every id's text; released ids stay until [`Ids::compact`] drops them.
    text: String,
    /// Bytes of `text` no longer referred to.
    garbage: usize,
    /// Power-of-two many slots (or none), at most 7/8 used: `EMPTY` or `hash32 << 32 | handle`.
    slots: Vec<u64>,
    used: usize,
    /// Keyed per process like the standard `HashMap`, so chosen ids cannot pile up in one
    /// run of slots.
    hasher: RandomState,
}

impl Ids {
    /// The text of an id stored here.
    pub(super) fn text(&self, r: IdRef) -> &str {
        let at = r.at as usize;
        self.text
            .get(at..at.saturating_add(usize::from(r.len.get())))
            .unwrap_or_default()
    }

    /// Whether `id` can be added: its text fits the 4 GiB of positions and the index can
    /// grow. Checked before a change starts.
    pub(super) fn has_room(&self, id: &str) -> bool {
        self.text.len().saturating_add(id.len()) <= u32::MAX as usize
            && (self.used.saturating_add(1).saturating_mul(8) <= self.slots.len().saturating_mul(7)
                || self.slots.len() <= 1 << 30)
    }

    /// Stores the text of `id` (1 to 128 bytes); `None` when it does not fit.
    pub(super) fn push(&mut self, id: &str) -> Option<IdRef> {
        let len = NonZeroU8::new(u8::try_from(id.len()).ok()?)?;
        let at = u32::try_from(self.text.len()).ok()?;
        u32::try_from(self.text.len().checked_add(id.len())?).ok()?;
        self.text.push_str(id);
        Some(IdRef { at, len })
    }

    /// Indexes `id` (not indexed yet) as `handle`.
    pub(super) fn index(&mut self, id: &str, handle: u32) {
        if self.used.saturating_add(1).saturating_mul(8) > self.slots.len().saturating_mul(7) {
            self.grow();
        }
        let tag = self.tag(id);
        if let Some(Probe::Vacant(i)) = self.probe(tag, |_| false) {
            if let Some(s) = self.slots.get_mut(i) {
                *s = u64::from(tag) << 32 | u64::from(handle);
                self.used += 1;
            }
        }
    }

    /// The handle of `id`; `resolve` gives where the text of a handle's id is.
    pub(super) fn find(&self, id: &str, resolve: impl Fn(u32) -> Option<IdRef>) -> Option<u32> {
        match self.probe(self.tag(id), |h| {
            resolve(h).is_some_and(|r| self.text(r) == id)
        })? {
            Probe::Found(i) => self.slots.get(i).map(|&s| s as u32),
            Probe::Vacant(_) => None,
        }
    }

    /// Removes `id` from the index and counts its text as garbage; returns its handle.
    pub(super) fn remove(
        &mut self,
        id: &str,
        resolve: impl Fn(u32) -> Option<IdRef>,
    ) -> Option<u32> {
        let Probe::Found(i) = self.probe(self.tag(id), |h| {
            resolve(h).is_some_and(|r| self.text(r) == id)
        })?
        else {
            return None;
        };
        let handle = self.slots.get(i).map(|&s| s as u32)?;
        self.delete_slot(i);
        self.used = self.used.saturating_sub(1);
        self.garbage = self.garbage.saturating_add(id.len());
        Some(handle)
    }

    /// Whether released text outweighs the live text (then [`Ids::compact`] is due).
    pub(super) fn wants_compaction(&self) -> bool {
        self.garbage > 4096 && self.garbage.saturating_mul(2) > self.text.len()
    }

    /// Rewrites the text with only the ids still referred to, updating each reference.
    /// Runs after the garbage has grown to the live size, so its cost is spread over as
    /// many releases as it copies bytes.
    pub(super) fn compact<'a>(&mut self, refs: impl Iterator<Item = &'a mut IdRef>) {
        let mut text = String::with_capacity(self.text.len().saturating_sub(self.garbage));
        for r in refs {
            let Ok(at) = u32::try_from(text.len()) else {
                return;
            };
            text.push_str(self.text(*r));
            r.at = at;
        }
        self.text = text;
        self.garbage = 0;
    }

    fn tag(&self, id: &str) -> u32 {
        self.hasher.hash_one(id) as u32
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

    /// Empties slot `i`, shifting later slots of the same run back so every lookup still
    /// reaches its slot without crossing an empty one (deletion without tombstones).
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
