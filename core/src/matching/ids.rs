//! Invoice ids, each stored once (docs/spec.md §4).
//!
//! A matcher holds a million open invoices on one account without trouble, so an id
//! costs what its bytes cost plus a few bytes of index: every id's text lives in one
//! string, a window refers to it by position ([`IdRef`]), and the index from id to window
//! handle is a [`Table`] of 8-byte slots that holds no copy of the id.

use std::hash::BuildHasher;
use std::num::NonZeroU8;

use super::table::Table;

/// Where an id's text is. Ids are 1 to 128 bytes, so the length is a non-zero byte (which
/// also lets `Option<Window>` cost nothing over `Window`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct IdRef {
    at: u32,
    len: NonZeroU8,
}

#[derive(Clone, Debug, Default)]
pub(super) struct Ids {
    /// Every id's text; released ids stay until [`Ids::compact`] drops them.
    text: String,
    /// Bytes of `text` no longer referred to.
    garbage: usize,
    /// Id -> window handle.
    index: Table,
    /// Keyed per process like the standard `HashMap`, so chosen ids cannot pile up in one
    /// run of slots.
    hasher: super::FixedHasher,
}

impl Ids {
    /// The text of an id stored here.
    pub(super) fn text(&self, r: IdRef) -> &str {
        text_of(&self.text, r)
    }

    /// Whether `id` can be added: its text fits the 4 GiB of positions and the index can
    /// grow. Checked before a change starts.
    pub(super) fn has_room(&self, id: &str) -> bool {
        self.text.len().saturating_add(id.len()) <= u32::MAX as usize && self.index.has_room()
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
        self.index.insert(self.tag(id), handle);
    }

    /// The handle of `id`; `resolve` gives where the text of a handle's id is.
    pub(super) fn find(&self, id: &str, resolve: impl Fn(u32) -> Option<IdRef>) -> Option<u32> {
        self.index.find(self.tag(id), |h| {
            resolve(h).is_some_and(|r| self.text(r) == id)
        })
    }

    /// Removes `id` from the index and counts its text as garbage; returns its handle.
    pub(super) fn remove(
        &mut self,
        id: &str,
        resolve: impl Fn(u32) -> Option<IdRef>,
    ) -> Option<u32> {
        let text = &self.text;
        let handle = self.index.remove(self.hasher.hash_one(id) as u32, |h| {
            resolve(h).is_some_and(|r| text_of(text, r) == id)
        })?;
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
}

fn text_of(text: &str, r: IdRef) -> &str {
    let at = r.at as usize;
    text.get(at..at.saturating_add(usize::from(r.len.get())))
        .unwrap_or_default()
}
