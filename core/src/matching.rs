//! Telling transfers apart by amount (DESIGN §4).
//!
//! Payments into one shared account (a Bybit internal transfer, an exchange deposit
//! address, a memo-less wallet) carry nothing but an amount. The matcher gives each open
//! invoice on an account its own payable amount `P` and window `[P − allowance, P]`, so
//! an incoming amount points at exactly one invoice — or the matcher says `ambiguous` or
//! `unmatched`, and never guesses.
//!
//! Cost: windows live in an ordered map per account, so a lookup is `O(log n + k)` with
//! `k` the windows within the largest allowance of the amount. Allocation searches
//! `due + k·step` upward; each "family" of allocations (same account, due, step and
//! allowance) remembers the steps it already holds, so a thousand invoices for the same
//! price do not make the thousand-and-first walk past every one of them.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::money::Amount;

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

/// Key of a window in an account: its payable amount, then its slot (ties allowed when
/// the host registers amounts itself).
type WindowKey = (Decimal, u32);

/// Allocations that search the same lattice: (due, step, allowance).
type FamilyKey = (Decimal, Decimal, Decimal);

#[derive(Clone, Debug, PartialEq, Eq)]
struct Window {
    invoice_id: String,
    allowance: Decimal,
    /// `payable − allowance`, computed exactly once.
    start: Decimal,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Family {
    /// Every step index below `top` that this family does not currently hold.
    holes: Holes,
    /// One past the highest step index this family has tried.
    top: u64,
}

/// A set of step indices kept as disjoint, non-adjacent ranges `start -> end` (end
/// exclusive), so its size follows the number of gaps, not their width: a stored matcher
/// claiming index 10^18 costs one range on load, not 10^18 entries (F7). Ranges are always
/// merged, so equal sets are equal values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Holes(BTreeMap<u64, u64>);

impl Holes {
    /// Adds `start..end` (not overlapping what is held), merging with its neighbours.
    fn insert_range(&mut self, mut start: u64, mut end: u64) {
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

    fn insert(&mut self, k: u64) {
        self.insert_range(k, k.saturating_add(1));
    }

    /// The smallest index held that is `>= j`.
    fn first_at_or_after(&self, j: u64) -> Option<u64> {
        if let Some((_, &e)) = self.0.range(..=j).next_back() {
            if j < e {
                return Some(j);
            }
        }
        self.0.range(j..).next().map(|(&s, _)| s)
    }

    /// Removes `k`, splitting its range; whether it was there.
    fn remove(&mut self, k: u64) -> bool {
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
    fn take_last_ending_at(&mut self, top: u64) -> Option<u64> {
        let (&s, &e) = self.0.iter().next_back()?;
        (e == top).then(|| {
            self.0.remove(&s);
            s
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Account {
    windows: BTreeMap<WindowKey, Window>,
    /// How many windows have each allowance: the largest bounds every range scan.
    allowances: BTreeMap<Decimal, u32>,
    families: HashMap<FamilyKey, Family>,
}

/// Where an invoice's window is.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Registration {
    account: String,
    key: WindowKey,
    /// The family and step index, for allocations (not for `register`).
    family: Option<(FamilyKey, u64)>,
}

/// Payable amounts per receiving account. Plain data: it serialises as the list of its
/// windows and rebuilds its indexes when read back.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "MatcherData", try_from = "MatcherData")]
pub struct Matcher {
    accounts: HashMap<String, Account>,
    invoices: HashMap<String, Registration>,
    next_slot: u32,
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
        self.invoices.len()
    }

    /// Whether nothing is registered.
    pub fn is_empty(&self) -> bool {
        self.invoices.is_empty()
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
        let family_key: FamilyKey = (due_d, step_d, allow_d);
        let slot = self.next_slot;
        // A new account is searched in a scratch entry and stored only once an amount is
        // chosen, so a refused allocation leaves the matcher exactly as it was.
        let mut fresh: Option<Account> = None;
        let acct = match self.accounts.get_mut(account) {
            Some(acct) => acct,
            None => fresh.insert(Account::default()),
        };
        let top = acct.families.get(&family_key).map_or(0, |f| f.top);

        // Candidates in increasing order: the family's holes, then top, top+1, ... A
        // candidate that meets windows jumps past the highest of them (every index in
        // between meets that same window), so a wide window costs one probe, not one per
        // step it covers. What is passed above top becomes holes.
        let holes = acct.families.get(&family_key).map(|f| &f.holes);
        let next_free = |j: u64| match holes.and_then(|h| h.first_at_or_after(j)) {
            Some(h) if h < top => h,
            _ => j.max(top),
        };
        let mut at = next_free(0);
        let mut probes = 0u64;
        let (k, p, start) = loop {
            let p = candidate(due_d, step_d, at)?;
            let start = window_start(p, allow_d)?;
            let Some(end) = acct.blocking_end(start, p) else {
                break (at, p, start);
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

        let fam = acct.families.entry(family_key).or_default();
        if k < fam.top {
            fam.holes.remove(k);
        } else {
            fam.holes.insert_range(fam.top, k);
            fam.top = k.saturating_add(1);
        }
        acct.insert((p, slot), start, invoice_id, allow_d);
        if let Some(acct) = fresh {
            self.accounts.insert(account.to_owned(), acct);
        }
        self.next_slot = self.next_slot.wrapping_add(1);
        self.invoices.insert(
            invoice_id.to_owned(),
            Registration {
                account: account.to_owned(),
                key: (p, slot),
                family: Some((family_key, k)),
            },
        );
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
        let start = window_start(payable.as_decimal(), allowance.as_decimal())?;
        let key = (payable.as_decimal(), self.next_slot);
        self.next_slot = self.next_slot.wrapping_add(1);
        self.accounts.entry(account.to_owned()).or_default().insert(
            key,
            start,
            invoice_id,
            allowance.as_decimal(),
        );
        self.invoices.insert(
            invoice_id.to_owned(),
            Registration {
                account: account.to_owned(),
                key,
                family: None,
            },
        );
        Ok(())
    }

    /// Which invoice an incoming `amount` on `account` belongs to.
    pub fn match_amount(&self, account: &str, amount: Amount) -> Match {
        let Some(acct) = self.accounts.get(account) else {
            return Match::Unmatched;
        };
        let a = amount.as_decimal();
        let mut ids: Vec<&str> = acct.holders(a).map(|w| w.invoice_id.as_str()).collect();
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
        self.invoices
            .get(invoice_id)
            .map(|r| Amount::from_decimal(r.key.0))
    }

    /// Frees an invoice's amount (call it when the invoice leaves pending/processing).
    /// Unknown ids are a no-op.
    pub fn release(&mut self, invoice_id: &str) {
        let Some(reg) = self.invoices.remove(invoice_id) else {
            return;
        };
        let Some(acct) = self.accounts.get_mut(&reg.account) else {
            return;
        };
        acct.remove(reg.key);
        if let Some((family_key, k)) = reg.family {
            if let Some(fam) = acct.families.get_mut(&family_key) {
                fam.holes.insert(k);
                // Trim holes at the top so an emptied family costs nothing.
                if let Some(start) = fam.holes.take_last_ending_at(fam.top) {
                    fam.top = start;
                }
                if fam.top == 0 {
                    acct.families.remove(&family_key);
                }
            }
        }
        if acct.windows.is_empty() {
            self.accounts.remove(&reg.account);
        }
    }

    fn check_new(&self, invoice_id: &str) -> Result<()> {
        check_name(invoice_id, "invoice")?;
        if self.invoices.contains_key(invoice_id) {
            return Err(Error::invalid_field(
                "invoice",
                format!("invoice {invoice_id:?} already has a payable amount"),
            ));
        }
        Ok(())
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
        let mut windows: Vec<(u32, WindowEntry)> = m
            .invoices
            .iter()
            .map(|(id, reg)| {
                let allowance = m
                    .accounts
                    .get(&reg.account)
                    .and_then(|a| a.windows.get(&reg.key))
                    .map_or(Decimal::ZERO, |w| w.allowance);
                (
                    reg.key.1,
                    WindowEntry {
                        account: reg.account.clone(),
                        invoice: id.clone(),
                        payable: Amount::from_decimal(reg.key.0),
                        allowance: Amount::from_decimal(allowance),
                        allocated: reg.family.map(|((due, step, _), k)| {
                            (Amount::from_decimal(due), Amount::from_decimal(step), k)
                        }),
                    },
                )
            })
            .collect();
        windows.sort_by_key(|(slot, _)| *slot);
        MatcherData {
            windows: windows.into_iter().map(|(_, w)| w).collect(),
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
            let start = window_start(w.payable.as_decimal(), w.allowance.as_decimal())?;
            if let Some((due, step, k)) = w.allocated {
                // An allocated window must sit on its family's lattice: payable = due + k·step.
                if due.is_zero()
                    || step.is_zero()
                    || candidate(due.as_decimal(), step.as_decimal(), k)? != w.payable.as_decimal()
                {
                    return Err(Error::invalid_field(
                        "allocated",
                        format!("invoice {:?}: payable is not due + k·step", w.invoice),
                    ));
                }
            }
            let key = (w.payable.as_decimal(), m.next_slot);
            m.next_slot = m.next_slot.wrapping_add(1);
            let acct = m.accounts.entry(w.account.clone()).or_default();
            acct.insert(key, start, &w.invoice, w.allowance.as_decimal());
            let family = w.allocated.map(|(due, step, k)| {
                let fk: FamilyKey = (
                    due.as_decimal(),
                    step.as_decimal(),
                    w.allowance.as_decimal(),
                );
                (fk, k)
            });
            if let Some((fk, k)) = family {
                let fam = acct.families.entry(fk).or_default();
                // Rebuild: every index below the highest held one that is not held is a hole.
                if k >= fam.top {
                    fam.holes.insert_range(fam.top, k);
                    fam.top = k.saturating_add(1);
                } else if !fam.holes.remove(k) {
                    return Err(Error::invalid_field(
                        "allocated",
                        format!("invoice {:?}: amount index {k} is held twice", w.invoice),
                    ));
                }
            }
            m.invoices.insert(
                w.invoice,
                Registration {
                    account: w.account,
                    key,
                    family,
                },
            );
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

impl Account {
    fn max_allowance(&self) -> Decimal {
        self.allowances
            .keys()
            .next_back()
            .copied()
            .unwrap_or(Decimal::ZERO)
    }

    fn insert(&mut self, key: WindowKey, start: Decimal, invoice_id: &str, allowance: Decimal) {
        self.windows.insert(
            key,
            Window {
                invoice_id: invoice_id.to_owned(),
                allowance,
                start,
            },
        );
        *self.allowances.entry(allowance).or_insert(0) += 1;
    }

    fn remove(&mut self, key: WindowKey) {
        if let Some(w) = self.windows.remove(&key) {
            if let Some(n) = self.allowances.get_mut(&w.allowance) {
                *n -= 1;
                if *n == 0 {
                    self.allowances.remove(&w.allowance);
                }
            }
        }
    }

    /// Windows `[P − a, P]` with `P` in `[lo, hi + max_a]`: every window that can meet `[lo, hi]`.
    fn near(&self, lo: Decimal, hi: Decimal) -> impl Iterator<Item = (&WindowKey, &Window)> {
        let upper = Amount::from_decimal(hi)
            .checked_add(Amount::from_decimal(self.max_allowance()))
            .map_or(Decimal::MAX, |u| u.as_decimal());
        self.windows
            .range((Bound::Included((lo, 0)), Bound::Included((upper, u32::MAX))))
    }

    /// The highest payable amount among the windows meeting `[lo, hi]`, if any meets it.
    fn blocking_end(&self, lo: Decimal, hi: Decimal) -> Option<Decimal> {
        self.near(lo, hi)
            .filter(|(_, w)| w.start <= hi)
            .map(|(key, _)| key.0)
            .last()
    }

    /// Windows holding `amount`.
    fn holders(&self, amount: Decimal) -> impl Iterator<Item = &Window> {
        self.near(amount, amount)
            .filter(move |(_, w)| w.start <= amount)
            .map(|(_, w)| w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> Amount {
        Amount::parse(s, "a").unwrap()
    }

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
