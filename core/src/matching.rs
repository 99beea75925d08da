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
//! Memory: a host keeps every open invoice here, so an open invoice costs about 100 bytes
//! (measured in BENCHMARKS.md, "Matcher memory"). Each id is stored once ([`ids`]); a
//! window is a 40-byte record in a slab addressed by `u32` handles ([`slab`]); the
//! account, the allowance and the lattice searched are stored once per family, not per
//! window; the window start `P − allowance` is computed when a scan meets the window,
//! never stored; and the per-account ordered set holds only `(P, handle)`.

mod holes;
mod ids;
mod slab;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::money::Amount;
use holes::Holes;
use ids::{IdRef, Ids};
use slab::{Slab, MAX_HANDLES};

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
    /// `(payable, window handle)` in amount order: what match and allocate scan.
    windows: BTreeSet<(Decimal, u32)>,
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
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(into = "MatcherData", try_from = "MatcherData")]
pub struct Matcher {
    windows: Slab<Window>,
    ids: Ids,
    accounts: Slab<Account>,
    account_names: HashMap<Box<str>, u32>,
    families: Slab<Family>,
    family_index: HashMap<FamilyKey, u32>,
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
    /// `[P − allowance, P]` overlaps no other window on `account`, and returns it.
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
        let family_h = account_h
            .and_then(|h| self.family_index.get(&(h, allow_d, Some((due_d, step_d)))))
            .copied();
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
    /// overlap, which is what [`Match::Ambiguous`] is for.
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
        let family_h = account_h
            .and_then(|h| self.family_index.get(&(h, allow_d, None)))
            .copied();
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
                let key = f.key();
                self.family_index.remove(&key);
                self.families.remove(w.family);
            }
            if let Some(acct) = self.accounts.get_mut(account_h) {
                acct.windows.remove(&(w.payable, h));
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
            && (!new_family || self.families.has_room());
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
        let key = family.key();
        let h = self.families.insert(family).ok_or_else(full)?;
        self.family_index.insert(key, h);
        Ok(h)
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
            acct.windows.insert((payable, h));
            let n = acct.allowances.entry(allowance).or_insert(0);
            *n = n.saturating_add(1);
        }
    }

    /// The start `payable − allowance` of a window (checked exact when it was stored).
    fn start(&self, payable: Decimal, w: &Window) -> Decimal {
        let allowance = self
            .families
            .get(w.family)
            .map_or(Decimal::ZERO, |f| f.allowance);
        window_start(payable, allowance).unwrap_or(payable)
    }

    /// Windows `[P − a, P]` with `P` in `[lo, hi + max_a]`: every window that can meet
    /// `[lo, hi]`, as `(P, handle)`.
    fn near<'a>(
        &self,
        acct: &'a Account,
        lo: Decimal,
        hi: Decimal,
    ) -> impl Iterator<Item = (Decimal, u32)> + 'a {
        let upper = Amount::from_decimal(hi)
            .checked_add(Amount::from_decimal(acct.max_allowance()))
            .map_or(Decimal::MAX, |u| u.as_decimal());
        acct.windows
            .range((Bound::Included((lo, 0)), Bound::Included((upper, u32::MAX))))
            .copied()
    }

    /// The highest payable amount among the windows meeting `[lo, hi]`, if any meets it.
    fn blocking_end(&self, acct: &Account, lo: Decimal, hi: Decimal) -> Option<Decimal> {
        self.near(acct, lo, hi)
            .filter(|&(p, h)| self.windows.get(h).is_some_and(|w| self.start(p, w) <= hi))
            .map(|(p, _)| p)
            .last()
    }

    /// The ids of the windows holding `amount`.
    fn holders<'a>(&'a self, acct: &'a Account, amount: Decimal) -> impl Iterator<Item = &'a str> {
        self.near(acct, amount, amount).filter_map(move |(p, h)| {
            let w = self.windows.get(h)?;
            (self.start(p, w) <= amount).then(|| self.ids.text(w.id))
        })
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
            let family_h = account_h
                .and_then(|h| m.family_index.get(&(h, allowance, lattice)))
                .copied();
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
}
