//! Telling transfers apart by amount (docs/spec.md §4).
//!
//! Payments into one shared account (a Bybit internal transfer, an exchange deposit
//! address, a memo-less wallet) carry nothing but an amount. The matcher gives each open
//! invoice on an account its own payable amount `P` and window `[P − allowance, P]`, so
//! an incoming amount points at exactly one invoice — or the matcher says `ambiguous` or
//! `unmatched`, and never guesses.
//!
//! Cost: windows live in an ordered set per account, so a lookup is `O(log n + k)` with
//! `k` the windows within the largest allowance of the amount. Allocation searches
//! `due + k·step` upward; each "family" of allocations (same account, due, step and
//! allowance) remembers the steps it already holds, so a thousand invoices for the same
//! price do not make the thousand-and-first walk past every one of them.
//!
//! Memory: a host keeps every open invoice here, so an open invoice costs about 115 bytes
//! plus the length of its id (measured in BENCHMARKS.md, "Matcher memory"). Each id is stored
//! once (`ids`); a window is a 40-byte record in a slab addressed by `u32` handles
//! (`slab`); the account, the allowance and the lattice searched are stored once per
//! family, not per window; the window start `P − allowance` is computed when a scan meets
//! a window ending above the range, never stored; and the per-account ordered set holds
//! only a 28-byte key of `(P, handle)` (`key`). The id and family indexes hold handles,
//! not keys (`table`).

mod holes;
mod ids;
mod key;
mod slab;
mod table;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
use std::ops::Bound;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::money::Amount;
use holes::Holes;
use ids::{IdRef, Ids};
use key::{key, Key};
use slab::{Slab, MAX_HANDLES};
use table::Table;

/// The allowance of a window when the host gives none: zero, so only the exact payable
/// amount matches (docs/spec.md §4). Bindings use this for an omitted `allowance` rather
/// than a default of their own.
pub const DEFAULT_ALLOWANCE: Amount = Amount::ZERO;

/// The answer to "whose payment is this amount?".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Match {
    /// Exactly one window holds the amount.
    Matched(String),
    /// Several windows hold it (ids sorted): a human must decide.
    Ambiguous(Vec<String>),
    /// No window holds it.
    Unmatched,
}

/// One open invoice: its window is `[payable − allowance, payable]`, with the allowance
/// (and the account) of its family.
#[derive(Clone, Debug)]
struct Window {
    payable: Decimal,
    /// The step index on the family's lattice (0 for a registered window).
    k: u64,
    family: u32,
    /// Registration order, which the stored form keeps.
    slot: u32,
    id: IdRef,
}

/// Windows that share an account and an allowance and, for allocated ones, the lattice
/// `due + k·step` they were found on. Registered windows (no lattice) make one family per
/// account and allowance. A family goes with its last window.
#[derive(Clone, Debug)]
struct Family {
    account: u32,
    allowance: Decimal,
    lattice: Option<Lattice>,
    windows: u32,
}

impl Family {
    fn key(&self) -> FamilyKey {
        (
            self.account,
            self.allowance,
            self.lattice.as_ref().map(|l| (l.due, l.step)),
        )
    }
}

/// The step indices an allocation family holds: every index below `top` except `holes`.
#[derive(Clone, Debug)]
struct Lattice {
    due: Decimal,
    step: Decimal,
    /// Every step index below `top` that this family does not currently hold.
    holes: Holes,
    /// One past the highest step index this family has tried.
    top: u64,
}

impl Lattice {
    /// Takes index `k`; false when it was already held.
    fn hold(&mut self, k: u64) -> bool {
        if k >= self.top {
            self.holes.insert_range(self.top, k);
            self.top = k.saturating_add(1);
            true
        } else {
            self.holes.remove(k)
        }
    }

    /// Gives index `k` back, trimming holes at the top so an emptied family costs nothing.
    fn free(&mut self, k: u64) {
        self.holes.insert(k);
        if let Some(start) = self.holes.take_last_ending_at(self.top) {
            self.top = start;
        }
    }
}

/// (account, allowance, the lattice's due and step for allocations).
type FamilyKey = (u32, Decimal, Option<(Decimal, Decimal)>);

#[derive(Clone, Debug)]
struct Account {
    name: Box<str>,
    /// The windows in amount order (payable, then handle): what match and allocate scan.
    windows: BTreeSet<Key>,
    /// How many windows have each allowance: the largest bounds every range scan.
    allowances: BTreeMap<Decimal, u32>,
}

impl Account {
    fn max_allowance(&self) -> Decimal {
        self.allowances
            .keys()
            .next_back()
            .copied()
            .unwrap_or(Decimal::ZERO)
    }
}

/// Payable amounts per receiving account. Plain data: it serialises as the list of its
/// windows and rebuilds its indexes when read back. Two matchers are equal when they
/// hold the same windows in the same registration order.
/// SipHash with fixed keys. `std`'s `RandomState` would draw OS randomness, and the core
/// draws none (docs/spec.md §1): the same commands give the same tables in every process.
/// The keys are ids and accounts the host chose, so a fixed hash gives no outsider a lever.
pub(crate) type FixedHasher = BuildHasherDefault<DefaultHasher>;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(into = "MatcherData", try_from = "MatcherData")]
pub struct Matcher {
    windows: Slab<Window>,
    ids: Ids,
    accounts: Slab<Account>,
    account_names: HashMap<Box<str>, u32, FixedHasher>,
    families: Slab<Family>,
    /// Family key -> family handle (the keys live in `families`).
    family_index: Table,
    family_hasher: FixedHasher,
    next_slot: u32,
    len: usize,
}

/// Most step increments an allocation tries before giving up (a pathological account).
const MAX_PROBES: u64 = 1_000_000;

impl Matcher {
    /// An empty matcher.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of registered windows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing is registered.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Allocates and registers the smallest `due + k·step` (k = 0, 1, …) whose window
    /// `[P − allowance, P]` overlaps no other window on `account`, and returns it. Pass
    /// [`DEFAULT_ALLOWANCE`] when the caller named none.
    pub fn allocate(
        &mut self,
        account: &str,
        invoice_id: &str,
        due: Amount,
        step: Amount,
        allowance: Amount,
    ) -> Result<Amount> {
        check_name(account, "account")?;
        self.check_new(invoice_id)?;
        if due.is_zero() {
            return Err(Error::InvalidAmount {
                field: "due".into(),
                value: due.to_string(),
                reason: "must be greater than zero",
            });
        }
        if step.is_zero() {
            return Err(Error::InvalidAmount {
                field: "step".into(),
                value: step.to_string(),
                reason: "must be greater than zero",
            });
        }
        let (due_d, step_d, allow_d) =
            (due.as_decimal(), step.as_decimal(), allowance.as_decimal());
        // The search only reads; the matcher changes once an amount is chosen, so a
        // refused allocation leaves it exactly as it was.
        let account_h = self.account_names.get(account).copied();
        let acct = account_h.and_then(|h| self.accounts.get(h));
        let family_h =
            account_h.and_then(|h| self.find_family(&(h, allow_d, Some((due_d, step_d)))));
        let lattice = family_h
            .and_then(|h| self.families.get(h))
            .and_then(|f| f.lattice.as_ref());
        let top = lattice.map_or(0, |l| l.top);

        // Candidates in increasing order: the family's holes, then top, top+1, ... A
        // candidate that meets windows jumps past the highest of them (every index in
        // between meets that same window), so a wide window costs one probe, not one per
        // step it covers. What is passed above top becomes holes.
        let holes = lattice.map(|l| &l.holes);
        let next_free = |j: u64| match holes.and_then(|h| h.first_at_or_after(j)) {
            Some(h) if h < top => h,
            _ => j.max(top),
        };
        let mut at = next_free(0);
        let mut probes = 0u64;
        let (k, p) = loop {
            let p = candidate(due_d, step_d, at)?;
            let start = window_start(p, allow_d)?;
            let Some(end) = acct.and_then(|a| self.blocking_end(a, start, p)) else {
                break (at, p);
            };
            probes += 1;
            if probes > MAX_PROBES {
                return Err(Error::invalid_field(
                    "step",
                    "no free payable amount within a million steps",
                ));
            }
            if at == u64::MAX {
                return Err(Error::invalid_field("step", "no free payable amount"));
            }
            at = next_free(first_index_past(due_d, step_d, allow_d, end).max(at + 1));
        };

        self.check_room(account_h.is_none(), family_h.is_none(), invoice_id)?;
        let account_h = self.account_for(account, account_h)?;
        let family_h = self.family_for(account_h, allow_d, Some((due_d, step_d)), family_h)?;
        if let Some(l) = self
            .families
            .get_mut(family_h)
            .and_then(|f| f.lattice.as_mut())
        {
            l.hold(k);
        }
        self.insert_window(account_h, family_h, allow_d, p, k, invoice_id);
        Ok(Amount::from_decimal(p))
    }

    /// Registers an amount the host chose itself, without searching; windows may then
    /// overlap, which is what [`Match::Ambiguous`] is for. Pass [`DEFAULT_ALLOWANCE`] when
    /// the caller named none.
    pub fn register(
        &mut self,
        account: &str,
        invoice_id: &str,
        payable: Amount,
        allowance: Amount,
    ) -> Result<()> {
        check_name(account, "account")?;
        self.check_new(invoice_id)?;
        if payable.is_zero() {
            return Err(Error::InvalidAmount {
                field: "payable".into(),
                value: payable.to_string(),
                reason: "must be greater than zero",
            });
        }
        // Everything that can fail is checked before the matcher changes.
        let allow_d = allowance.as_decimal();
        window_start(payable.as_decimal(), allow_d)?;
        let account_h = self.account_names.get(account).copied();
        let family_h = account_h.and_then(|h| self.find_family(&(h, allow_d, None)));
        self.check_room(account_h.is_none(), family_h.is_none(), invoice_id)?;
        let account_h = self.account_for(account, account_h)?;
        let family_h = self.family_for(account_h, allow_d, None, family_h)?;
        self.insert_window(
            account_h,
            family_h,
            allow_d,
            payable.as_decimal(),
            0,
            invoice_id,
        );
        Ok(())
    }

    /// Which invoice an incoming `amount` on `account` belongs to.
    pub fn match_amount(&self, account: &str, amount: Amount) -> Match {
        let Some(acct) = self
            .account_names
            .get(account)
            .and_then(|&h| self.accounts.get(h))
        else {
            return Match::Unmatched;
        };
        let a = amount.as_decimal();
        let mut ids: Vec<&str> = self.holders(acct, a).collect();
        match ids.len() {
            0 => Match::Unmatched,
            1 => Match::Matched(ids.concat()),
            _ => {
                ids.sort_unstable();
                ids.dedup();
                Match::Ambiguous(ids.into_iter().map(str::to_owned).collect())
            }
        }
    }

    /// The payable amount registered for an invoice.
    pub fn payable(&self, invoice_id: &str) -> Option<Amount> {
        self.find(invoice_id)
            .and_then(|h| self.windows.get(h))
            .map(|w| Amount::from_decimal(w.payable))
    }

    /// Frees an invoice's amount (call it when the invoice leaves pending/processing).
    /// Unknown ids are a no-op.
    pub fn release(&mut self, invoice_id: &str) {
        let windows = &self.windows;
        let Some(h) = self
            .ids
            .remove(invoice_id, |h| windows.get(h).map(|w| w.id))
        else {
            return;
        };
        let Some(w) = self.windows.remove(h) else {
            return;
        };
        self.len = self.len.saturating_sub(1);
        if let Some(f) = self.families.get_mut(w.family) {
            f.windows = f.windows.saturating_sub(1);
            if let Some(l) = f.lattice.as_mut() {
                l.free(w.k);
            }
            let (account_h, allowance, emptied) = (f.account, f.allowance, f.windows == 0);
            if emptied {
                let tag = self.family_hasher.hash_one(f.key()) as u32;
                self.family_index.remove(tag, |h| h == w.family);
                self.families.remove(w.family);
            }
            if let Some(acct) = self.accounts.get_mut(account_h) {
                acct.windows.remove(&key(w.payable, h));
                if let Some(n) = acct.allowances.get_mut(&allowance) {
                    *n = n.saturating_sub(1);
                    if *n == 0 {
                        acct.allowances.remove(&allowance);
                    }
                }
                if acct.windows.is_empty() {
                    let name = acct.name.clone();
                    self.account_names.remove(&name);
                    self.accounts.remove(account_h);
                }
            }
        }
        if self.ids.wants_compaction() {
            self.ids
                .compact(self.windows.values_mut().map(|w| &mut w.id));
        }
    }

    fn find(&self, invoice_id: &str) -> Option<u32> {
        self.ids
            .find(invoice_id, |h| self.windows.get(h).map(|w| w.id))
    }

    fn check_new(&self, invoice_id: &str) -> Result<()> {
        check_name(invoice_id, "invoice")?;
        if self.find(invoice_id).is_some() {
            return Err(Error::invalid_field(
                "invoice",
                format!("invoice {invoice_id:?} already has a payable amount"),
            ));
        }
        Ok(())
    }

    /// Refuses a window the matcher has no handle or id position left for (over two
    /// billion windows, or 4 GiB of ids), before anything changes.
    fn check_room(&self, new_account: bool, new_family: bool, invoice_id: &str) -> Result<()> {
        let room = self.windows.has_room()
            && self.ids.has_room(invoice_id)
            && (!new_account || self.accounts.has_room())
            && (!new_family || (self.families.has_room() && self.family_index.has_room()));
        if room {
            Ok(())
        } else {
            Err(full())
        }
    }

    fn account_for(&mut self, name: &str, existing: Option<u32>) -> Result<u32> {
        if let Some(h) = existing {
            return Ok(h);
        }
        let h = self
            .accounts
            .insert(Account {
                name: name.into(),
                windows: BTreeSet::new(),
                allowances: BTreeMap::new(),
            })
            .ok_or_else(full)?;
        self.account_names.insert(name.into(), h);
        Ok(h)
    }

    fn family_for(
        &mut self,
        account: u32,
        allowance: Decimal,
        lattice: Option<(Decimal, Decimal)>,
        existing: Option<u32>,
    ) -> Result<u32> {
        if let Some(h) = existing {
            return Ok(h);
        }
        let family = Family {
            account,
            allowance,
            lattice: lattice.map(|(due, step)| Lattice {
                due,
                step,
                holes: Holes::default(),
                top: 0,
            }),
            windows: 0,
        };
        let tag = self.family_hasher.hash_one(family.key()) as u32;
        let h = self.families.insert(family).ok_or_else(full)?;
        self.family_index.insert(tag, h);
        Ok(h)
    }

    fn find_family(&self, key: &FamilyKey) -> Option<u32> {
        let tag = self.family_hasher.hash_one(key) as u32;
        self.family_index.find(tag, |h| {
            self.families.get(h).is_some_and(|f| f.key() == *key)
        })
    }

    /// Stores a window whose account and family exist and whose room was checked.
    fn insert_window(
        &mut self,
        account: u32,
        family: u32,
        allowance: Decimal,
        payable: Decimal,
        k: u64,
        invoice_id: &str,
    ) {
        let Some(id) = self.ids.push(invoice_id) else {
            return;
        };
        let window = Window {
            payable,
            k,
            family,
            slot: self.next_slot,
            id,
        };
        let Some(h) = self.windows.insert(window) else {
            return;
        };
        self.ids.index(invoice_id, h);
        self.next_slot = self.next_slot.wrapping_add(1);
        self.len = self.len.saturating_add(1);
        if let Some(f) = self.families.get_mut(family) {
            f.windows = f.windows.saturating_add(1);
        }
        if let Some(acct) = self.accounts.get_mut(account) {
            acct.windows.insert(key(payable, h));
            let n = acct.allowances.entry(allowance).or_insert(0);
            *n = n.saturating_add(1);
        }
    }

    /// The start `payable − allowance` of a window (checked exact when it was stored).
    fn start(&self, w: &Window) -> Decimal {
        let allowance = self
            .families
            .get(w.family)
            .map_or(Decimal::ZERO, |f| f.allowance);
        window_start(w.payable, allowance).unwrap_or(w.payable)
    }

    /// Windows `[P − a, P]` with `P` in `[lo, hi + max_a]`: every window that can meet
    /// `[lo, hi]`, in amount order, as `(handle, whether P <= hi)`. A window ending at or
    /// below `hi` meets `[lo, hi]` (it ends at or above `lo`); only one ending above needs
    /// its start, and so its family.
    fn near<'a>(
        &self,
        acct: &'a Account,
        lo: Decimal,
        hi: Decimal,
    ) -> impl DoubleEndedIterator<Item = (u32, bool)> + 'a {
        let upper = Amount::from_decimal(hi)
            .checked_add(Amount::from_decimal(acct.max_allowance()))
            .map_or(Decimal::MAX, |u| u.as_decimal());
        let hi_key = key(hi, u32::MAX);
        acct.windows
            .range((
                Bound::Included(key(lo, 0)),
                Bound::Included(key(upper, u32::MAX)),
            ))
            .map(move |k| (key::handle(k), *k <= hi_key))
    }

    /// Whether window `h`, met by a scan up to `hi`, meets it.
    fn meets(&self, h: u32, within: bool, hi: Decimal) -> Option<&Window> {
        let w = self.windows.get(h)?;
        (within || self.start(w) <= hi).then_some(w)
    }

    /// The highest payable amount among the windows meeting `[lo, hi]`, if any meets it.
    fn blocking_end(&self, acct: &Account, lo: Decimal, hi: Decimal) -> Option<Decimal> {
        self.near(acct, lo, hi)
            .rev()
            .find_map(|(h, within)| self.meets(h, within, hi))
            .map(|w| w.payable)
    }

    /// The ids of the windows holding `amount`.
    fn holders<'a>(&'a self, acct: &'a Account, amount: Decimal) -> impl Iterator<Item = &'a str> {
        self.near(acct, amount, amount)
            .filter_map(move |(h, within)| self.meets(h, within, amount))
            .map(|w| self.ids.text(w.id))
    }

    /// Every window as stored, in registration order.
    fn stored(&self) -> Vec<WindowEntry> {
        let mut windows: Vec<(u32, WindowEntry)> = self
            .windows
            .iter()
            .filter_map(|(_, w)| {
                let f = self.families.get(w.family)?;
                let acct = self.accounts.get(f.account)?;
                let entry = WindowEntry {
                    account: acct.name.to_string(),
                    invoice: self.ids.text(w.id).to_owned(),
                    payable: Amount::from_decimal(w.payable),
                    allowance: Amount::from_decimal(f.allowance),
                    allocated: f.lattice.as_ref().map(|l| {
                        (
                            Amount::from_decimal(l.due),
                            Amount::from_decimal(l.step),
                            w.k,
                        )
                    }),
                };
                Some((w.slot, entry))
            })
            .collect();
        windows.sort_by_key(|(slot, _)| *slot);
        windows.into_iter().map(|(_, w)| w).collect()
    }
}

impl PartialEq for Matcher {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.stored() == other.stored()
    }
}

impl Eq for Matcher {}

fn full() -> Error {
    Error::LimitExceeded {
        field: "invoice".into(),
        limit: u64::from(MAX_HANDLES),
        reason: "the matcher holds as many open invoices (or bytes of invoice ids) as it can"
            .into(),
    }
}

/// One window, as stored: what [`Matcher`] serialises to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowEntry {
    /// The receiving account.
    pub account: String,
    /// The invoice.
    pub invoice: String,
    /// Its payable amount.
    pub payable: Amount,
    /// How far below `payable` its window reaches.
    pub allowance: Amount,
    /// For allocated amounts: the `due` and `step` searched, and the step index found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocated: Option<(Amount, Amount, u64)>,
}

/// The serialised form of a [`Matcher`].
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct MatcherData {
    /// Every window, in registration order.
    pub windows: Vec<WindowEntry>,
}

impl From<Matcher> for MatcherData {
    fn from(m: Matcher) -> Self {
        MatcherData {
            windows: m.stored(),
        }
    }
}

impl TryFrom<MatcherData> for Matcher {
    type Error = Error;
    fn try_from(data: MatcherData) -> Result<Self> {
        let mut m = Matcher::new();
        for w in data.windows {
            check_name(&w.account, "account")?;
            m.check_new(&w.invoice)?;
            let (payable, allowance) = (w.payable.as_decimal(), w.allowance.as_decimal());
            window_start(payable, allowance)?;
            if let Some((due, step, k)) = w.allocated {
                // An allocated window must sit on its family's lattice: payable = due + k·step.
                if due.is_zero()
                    || step.is_zero()
                    || candidate(due.as_decimal(), step.as_decimal(), k)? != payable
                {
                    return Err(Error::invalid_field(
                        "allocated",
                        format!("invoice {:?}: payable is not due + k·step", w.invoice),
                    ));
                }
            }
            let lattice = w
                .allocated
                .map(|(due, step, _)| (due.as_decimal(), step.as_decimal()));
            let k = w.allocated.map_or(0, |(_, _, k)| k);
            let account_h = m.account_names.get(w.account.as_str()).copied();
            let family_h = account_h.and_then(|h| m.find_family(&(h, allowance, lattice)));
            m.check_room(account_h.is_none(), family_h.is_none(), &w.invoice)?;
            let account_h = m.account_for(&w.account, account_h)?;
            let family_h = m.family_for(account_h, allowance, lattice, family_h)?;
            // Rebuild: every index below the highest held one that is not held is a hole.
            if let Some(l) = m
                .families
                .get_mut(family_h)
                .and_then(|f| f.lattice.as_mut())
            {
                if !l.hold(k) {
                    return Err(Error::invalid_field(
                        "allocated",
                        format!("invoice {:?}: amount index {k} is held twice", w.invoice),
                    ));
                }
            }
            m.insert_window(account_h, family_h, allowance, payable, k, &w.invoice);
        }
        Ok(m)
    }
}

/// `due + k·step`, exactly: rust_decimal would round a result beyond 28 digits, and a
/// rounded payable amount is off the lattice and may land on another invoice's window.
fn candidate(due: Decimal, step: Decimal, k: u64) -> Result<Decimal> {
    Amount::from_decimal(step)
        .checked_mul(Amount::from_units(k))
        .and_then(|x| x.checked_add(Amount::from_decimal(due)))
        .map(|d| d.as_decimal().normalize())
        .ok_or_else(|| Error::invalid_field("step", "payable amount out of range"))
}

/// A step index from which `due + k·step − allowance > end` may hold: every smaller index
/// (above the one that met the window ending at `end`) meets that window too. Computed
/// with a rounding division, so it is stepped back by one to stay at or below the exact
/// answer; the probe that follows checks it exactly. 0 when it cannot be computed.
fn first_index_past(due: Decimal, step: Decimal, allowance: Decimal, end: Decimal) -> u64 {
    let quotient = end
        .checked_add(allowance)
        .and_then(|x| x.checked_sub(due))
        .and_then(|x| x.checked_div(step));
    quotient
        .and_then(|q| q.floor().to_u64())
        .map_or(0, |k| k.saturating_sub(1))
}

/// The window start `payable − allowance`, exactly; an allowance above the payable
/// amount or a start beyond 28 digits is refused.
fn window_start(payable: Decimal, allowance: Decimal) -> Result<Decimal> {
    Amount::from_decimal(payable)
        .checked_sub(Amount::from_decimal(allowance))
        .map(|d| d.as_decimal())
        .ok_or_else(|| {
            Error::invalid_field(
                "allowance",
                "the window start (payable - allowance) must be a non-negative exact amount",
            )
        })
}

fn check_name(name: &str, field: &'static str) -> Result<()> {
    if name.is_empty() || name.len() > 128 || crate::invoice::has_control(name) {
        return Err(Error::invalid_field(
            field,
            "must be 1 to 128 bytes without control characters",
        ));
    }
    Ok(())
}

#[cfg(test)]
impl Matcher {
    /// Every index agrees with the windows (test aid): each window is found by its id,
    /// sits in its account's ordered set, and is counted by its family and allowance; no
    /// account or family is empty.
    fn check_invariants(&self) {
        let windows: Vec<(u32, &Window)> = self.windows.iter().collect();
        assert_eq!(windows.len(), self.len);
        let mut per_family: HashMap<u32, u32> = HashMap::new();
        let mut per_account: HashMap<u32, BTreeMap<Decimal, u32>> = HashMap::new();
        for &(h, w) in &windows {
            assert_eq!(self.find(self.ids.text(w.id)), Some(h));
            let f = self.families.get(w.family).unwrap();
            *per_family.entry(w.family).or_default() += 1;
            let acct = self.accounts.get(f.account).unwrap();
            assert!(acct.windows.contains(&key(w.payable, h)));
            *per_account
                .entry(f.account)
                .or_default()
                .entry(f.allowance)
                .or_default() += 1;
            if let Some(l) = &f.lattice {
                assert!(w.k < l.top && l.holes.first_at_or_after(w.k) != Some(w.k));
            }
        }
        for (h, f) in self.families.iter() {
            assert_eq!(per_family.get(&h), Some(&f.windows), "family {h}");
            assert_eq!(self.find_family(&f.key()), Some(h));
        }
        assert_eq!(self.family_index.len(), per_family.len());
        for (h, acct) in self.accounts.iter() {
            assert_eq!(per_account.get(&h), Some(&acct.allowances), "account {h}");
            let n: u32 = acct.allowances.values().sum();
            assert_eq!(acct.windows.len(), n as usize);
            assert_eq!(self.account_names.get(&acct.name), Some(&h));
        }
        assert_eq!(self.account_names.len(), per_account.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> Amount {
        Amount::parse(s, "a").unwrap()
    }

    #[test]
    fn unique_amounts_and_match() {
        let mut m = Matcher::new();
        assert_eq!(
            m.allocate("main", "x", a("3"), a("0.01"), Amount::ZERO)
                .unwrap(),
            a("3")
        );
        assert_eq!(
            m.allocate("main", "y", a("3"), a("0.01"), Amount::ZERO)
                .unwrap(),
            a("3.01")
        );
        assert_eq!(
            m.match_amount("main", a("3.01")),
            Match::Matched("y".into())
        );
        assert_eq!(m.match_amount("main", a("3.02")), Match::Unmatched);
        assert_eq!(m.match_amount("other", a("3")), Match::Unmatched);
        m.release("x");
        assert_eq!(
            m.allocate("main", "z", a("3"), a("0.01"), Amount::ZERO)
                .unwrap(),
            a("3")
        );
        assert_eq!(
            m.allocate("main", "z", a("3"), a("0.01"), Amount::ZERO)
                .unwrap_err()
                .code(),
            "invalid_field"
        );
    }

    #[test]
    fn windows_do_not_overlap() {
        let mut m = Matcher::new();
        assert_eq!(
            m.allocate("acc", "a", a("10"), a("0.1"), a("0.5")).unwrap(),
            a("10")
        );
        // [9.5, 10] is taken: the next window must start above 10 -> P - 0.5 > 10 -> 10.6
        assert_eq!(
            m.allocate("acc", "b", a("10"), a("0.1"), a("0.5")).unwrap(),
            a("10.6")
        );
        assert_eq!(m.match_amount("acc", a("9.5")), Match::Matched("a".into()));
        assert_eq!(m.match_amount("acc", a("10.1")), Match::Matched("b".into()));
        assert_eq!(m.match_amount("acc", a("10.61")), Match::Unmatched);
    }

    #[test]
    fn registered_overlaps_are_ambiguous() {
        let mut m = Matcher::new();
        m.register("acc", "b", a("5"), a("1")).unwrap();
        m.register("acc", "a", a("5.5"), Amount::ZERO).unwrap();
        m.register("acc", "c", a("5.5"), a("0.2")).unwrap();
        assert_eq!(
            m.match_amount("acc", a("5.5")),
            Match::Ambiguous(vec!["a".into(), "c".into()])
        );
        assert_eq!(m.match_amount("acc", a("4.5")), Match::Matched("b".into()));
        // allocation avoids every registered window
        assert_eq!(
            m.allocate("acc", "d", a("4"), a("1"), Amount::ZERO)
                .unwrap(),
            a("6")
        );
        m.release("nope");
    }

    #[test]
    fn many_same_price_allocations_stay_cheap() {
        let mut m = Matcher::new();
        for i in 0..2000u32 {
            let p = m
                .allocate("acc", &format!("i{i}"), a("3"), a("0.01"), Amount::ZERO)
                .unwrap();
            assert_eq!(p, Amount::from_decimal(Decimal::new(300 + i64::from(i), 2)));
        }
        m.release("i5");
        assert_eq!(
            m.allocate("acc", "again", a("3"), a("0.01"), Amount::ZERO)
                .unwrap(),
            a("3.05")
        );
    }

    #[test]
    fn a_window_is_forty_bytes() {
        assert!(std::mem::size_of::<Option<Window>>() <= 40);
    }

    /// Written by the matcher before ids were interned and windows kept in a slab
    /// (commit 88a937c): four allocations on one lattice with two released (holes), a
    /// registered window, allocations with an allowance that must clear it, and overlapping
    /// registered windows on a second account.
    const STORED_BEFORE_THE_SLAB: &str = r#"{"windows":[{"account":"main","invoice":"a","payable":"3","allowance":"0","allocated":["3","0.01",0]},{"account":"main","invoice":"d","payable":"3.03","allowance":"0","allocated":["3","0.01",3]},{"account":"main","invoice":"r1","payable":"10.5","allowance":"0.5"},{"account":"main","invoice":"e","payable":"10.6","allowance":"0.05","allocated":["10","0.1",6]},{"account":"main","invoice":"f","payable":"10.7","allowance":"0.05","allocated":["10","0.1",7]},{"account":"alt","invoice":"x","payable":"5","allowance":"1"},{"account":"alt","invoice":"y","payable":"5.5","allowance":"0"},{"account":"alt","invoice":"z","payable":"5.5","allowance":"0.2"},{"account":"alt","invoice":"w","payable":"6","allowance":"0","allocated":["4","1",2]},{"account":"main","invoice":"g","payable":"3.01","allowance":"0","allocated":["3","0.01",1]}]}"#;

    /// What that matcher wrote after the calls below, with the answers it gave (recorded
    /// from the same commit).
    const STORED_AFTER_THE_CALLS: &str = r#"{"windows":[{"account":"main","invoice":"a","payable":"3","allowance":"0","allocated":["3","0.01",0]},{"account":"main","invoice":"d","payable":"3.03","allowance":"0","allocated":["3","0.01",3]},{"account":"alt","invoice":"x","payable":"5","allowance":"1"},{"account":"alt","invoice":"y","payable":"5.5","allowance":"0"},{"account":"alt","invoice":"z","payable":"5.5","allowance":"0.2"},{"account":"alt","invoice":"w","payable":"6","allowance":"0","allocated":["4","1",2]},{"account":"main","invoice":"g","payable":"3.01","allowance":"0","allocated":["3","0.01",1]},{"account":"main","invoice":"h","payable":"3.02","allowance":"0","allocated":["3","0.01",2]},{"account":"main","invoice":"i","payable":"10.8","allowance":"0.05","allocated":["10","0.1",8]},{"account":"main","invoice":"j","payable":"10.9","allowance":"0.05","allocated":["10","0.1",9]},{"account":"alt","invoice":"k","payable":"7","allowance":"0","allocated":["4","1",3]},{"account":"main","invoice":"l","payable":"10","allowance":"0.05","allocated":["10","0.1",0]}]}"#;

    #[test]
    fn a_matcher_stored_before_the_slab_loads_and_answers_as_it_did() {
        let mut m: Matcher = serde_json::from_str(STORED_BEFORE_THE_SLAB).unwrap();
        m.check_invariants();
        assert_eq!(m.len(), 10);
        assert_eq!(serde_json::to_string(&m).unwrap(), STORED_BEFORE_THE_SLAB);
        let zero = Amount::ZERO;
        assert_eq!(
            m.allocate("main", "h", a("3"), a("0.01"), zero),
            Ok(a("3.02"))
        );
        let (ten, tenth, allow) = (a("10"), a("0.1"), a("0.05"));
        assert_eq!(m.allocate("main", "i", ten, tenth, allow), Ok(a("10.8")));
        assert_eq!(m.allocate("main", "j", ten, tenth, allow), Ok(a("10.9")));
        assert_eq!(m.allocate("alt", "k", a("4"), a("1"), zero), Ok(a("7")));
        let matched = |s: &str| Match::Matched(s.into());
        for (account, amount, expected) in [
            ("main", "10.55", matched("e")),
            ("main", "10.0", matched("r1")),
            ("main", "10.54", Match::Unmatched),
            ("alt", "5.4", matched("z")),
            ("alt", "5.5", Match::Ambiguous(vec!["y".into(), "z".into()])),
            ("alt", "4", matched("x")),
            ("main", "3.02", matched("h")),
        ] {
            assert_eq!(m.match_amount(account, a(amount)), expected, "{amount}");
        }
        for id in ["e", "f", "r1"] {
            m.release(id);
        }
        assert_eq!(m.allocate("main", "l", ten, tenth, allow), Ok(a("10")));
        m.check_invariants();
        assert_eq!(serde_json::to_string(&m).unwrap(), STORED_AFTER_THE_CALLS);
    }

    #[test]
    fn twelve_thousand_open_invoices_round_trip() {
        let mut m = Matcher::new();
        let step = a("0.01");
        for i in 0..12_000u64 {
            let id = format!("inv_{i:08}_{}", "x".repeat((i % 40) as usize));
            if i % 5 == 0 {
                let payable = Amount::from_minor_units(100_000 + i, 2).unwrap();
                m.register("reg", &id, payable, a("0.5")).unwrap();
            } else {
                // 300 prices whose lattices do not meet.
                let due = Amount::from_units(10 + i % 300);
                let account = if i % 2 == 0 { "even" } else { "odd" };
                m.allocate(account, &id, due, step, Amount::ZERO).unwrap();
            }
        }
        // Holes in the lattices and released ids.
        for i in (0..12_000u64).step_by(7) {
            m.release(&format!("inv_{i:08}_{}", "x".repeat((i % 40) as usize)));
        }
        m.check_invariants();
        let text = serde_json::to_string(&m).unwrap();
        assert!(text.len() > 1 << 20, "beyond the old 1 MiB load cap");
        let back: Matcher = serde_json::from_str(&text).unwrap();
        back.check_invariants();
        assert_eq!(back, m);
        assert_eq!(serde_json::to_string(&back).unwrap(), text);
        let mut m2 = back.clone();
        for probe in ["10", "10.01", "12.02", "12.99", "1000", "1001.5", "1001.49"] {
            assert_eq!(
                m2.match_amount("even", a(probe)),
                m.match_amount("even", a(probe))
            );
            assert_eq!(
                m2.match_amount("reg", a(probe)),
                m.match_amount("reg", a(probe))
            );
        }
        // Both hand out the same amounts next.
        for i in 0..50 {
            let id = format!("next{i}");
            assert_eq!(
                m.allocate("odd", &id, a("10"), step, Amount::ZERO),
                m2.allocate("odd", &id, a("10"), step, Amount::ZERO)
            );
        }
        assert_eq!(m2, m);
    }

    #[test]
    fn released_ids_are_compacted_and_found_again() {
        let mut m = Matcher::new();
        let id = |i: u32| format!("invoice-{i:06}");
        for i in 0..5_000 {
            m.register(
                "acc",
                &id(i),
                Amount::from_units(u64::from(i) + 1),
                Amount::ZERO,
            )
            .unwrap();
        }
        // Releasing most ids triggers compaction more than once.
        for i in (0..5_000).filter(|i| i % 10 != 0) {
            m.release(&id(i));
        }
        m.check_invariants();
        assert_eq!(m.len(), 500);
        for i in 0..5_000 {
            let expected = (i % 10 == 0).then(|| Amount::from_units(u64::from(i) + 1));
            assert_eq!(m.payable(&id(i)), expected, "{}", id(i));
        }
        for i in (0..5_000).filter(|i| i % 10 != 0) {
            m.register(
                "acc",
                &id(i),
                Amount::from_units(u64::from(i) + 1),
                Amount::ZERO,
            )
            .unwrap();
        }
        m.check_invariants();
        assert_eq!(m.match_amount("acc", a("4321")), Match::Matched(id(4320)));
        for i in 0..5_000 {
            m.release(&id(i));
        }
        m.check_invariants();
        assert!(m.is_empty());
        assert_eq!(m, Matcher::new());
        assert!(m.accounts.iter().next().is_none() && m.families.iter().next().is_none());
    }

    /// Random operations on small pools: after each, the indexes agree with the windows;
    /// a refused call changes nothing; every allocated amount is the smallest on its
    /// lattice whose window meets no other (a linear scan); every match agrees with a
    /// linear scan; and a round trip through the stored form changes nothing.
    mod ops {
        use super::*;
        use proptest::prelude::*;

        #[derive(Clone, Debug)]
        enum Op {
            Allocate(usize, usize, usize, usize, usize),
            Register(usize, usize, usize, usize),
            Match(usize, usize),
            Release(usize),
            RoundTrip,
        }

        const ACCOUNTS: [&str; 2] = ["main", "alt"];
        const DUES: [&str; 4] = ["3", "10", "0.01", "3.005"];
        const STEPS: [&str; 4] = ["0.01", "0.1", "1", "0"];
        const ALLOWANCES: [&str; 4] = ["0", "0.01", "0.5", "1"];
        const PAYABLES: [&str; 5] = ["3", "3.01", "10", "10.5", "0.5"];
        const PROBES: [&str; 7] = ["3", "3.005", "2.99", "10", "9.5", "3.02", "10.1"];

        fn op() -> impl Strategy<Value = Op> {
            prop_oneof![
                (0..2usize, 0..12usize, 0..4usize, 0..4usize, 0..4usize)
                    .prop_map(|(a, i, d, s, w)| Op::Allocate(a, i, d, s, w)),
                (0..2usize, 0..12usize, 0..5usize, 0..4usize)
                    .prop_map(|(a, i, p, w)| Op::Register(a, i, p, w)),
                (0..2usize, 0..7usize).prop_map(|(a, p)| Op::Match(a, p)),
                (0..12usize).prop_map(Op::Release),
                Just(Op::RoundTrip),
            ]
        }

        fn pick<'a>(pool: &[&'a str], i: usize) -> &'a str {
            pool.get(i).copied().unwrap()
        }

        /// The windows `(account, id, start, payable)` a linear scan works from.
        fn scan(m: &Matcher) -> Vec<(String, String, Decimal, Decimal)> {
            m.stored()
                .into_iter()
                .map(|w| {
                    let p = w.payable.as_decimal();
                    (w.account, w.invoice, p - w.allowance.as_decimal(), p)
                })
                .collect()
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(300))]
            #[test]
            fn agrees_with_a_linear_scan(ops in proptest::collection::vec(op(), 1..60)) {
                let mut m = Matcher::new();
                for op in ops {
                    let before = m.clone();
                    let windows = scan(&m);
                    let id = |i: usize| format!("i{i}");
                    match op {
                        Op::Allocate(acc, i, d, s, w) => {
                            let (account, due, step, allow) =
                                (pick(&ACCOUNTS, acc), a(pick(&DUES, d)), a(pick(&STEPS, s)), a(pick(&ALLOWANCES, w)));
                            match m.allocate(account, &id(i), due, step, allow) {
                                Ok(p) => {
                                    let meets = |p: Decimal| {
                                        let start = p - allow.as_decimal();
                                        windows.iter().any(|(acc, _, s, e)| acc == account && *s <= p && start <= *e)
                                    };
                                    prop_assert!(!meets(p.as_decimal()));
                                    let mut k = 0u64;
                                    loop {
                                        let c = due.as_decimal() + step.as_decimal() * Decimal::from(k);
                                        if c >= p.as_decimal() { prop_assert_eq!(c, p.as_decimal()); break; }
                                        prop_assert!(meets(c), "{} is free and below {}", c, p);
                                        k += 1;
                                    }
                                }
                                Err(_) => prop_assert_eq!(&m, &before),
                            }
                        }
                        Op::Register(acc, i, p, w) => {
                            if m.register(pick(&ACCOUNTS, acc), &id(i), a(pick(&PAYABLES, p)), a(pick(&ALLOWANCES, w))).is_err() {
                                prop_assert_eq!(&m, &before);
                            }
                        }
                        Op::Match(acc, p) => {
                            let (account, amount) = (pick(&ACCOUNTS, acc), a(pick(&PROBES, p)));
                            let x = amount.as_decimal();
                            let mut ids: Vec<String> = windows.iter()
                                .filter(|(acc, _, s, e)| acc == account && *s <= x && x <= *e)
                                .map(|(_, id, _, _)| id.clone())
                                .collect();
                            ids.sort();
                            let expected = match ids.len() {
                                0 => Match::Unmatched,
                                1 => Match::Matched(ids.concat()),
                                _ => Match::Ambiguous(ids),
                            };
                            prop_assert_eq!(m.match_amount(account, amount), expected);
                        }
                        Op::Release(i) => m.release(&id(i)),
                        Op::RoundTrip => {
                            let back: Matcher = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
                            prop_assert_eq!(&back, &m);
                            m = back;
                        }
                    }
                    m.check_invariants();
                }
            }
        }
    }
}
