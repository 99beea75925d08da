//! Matching transfers to invoices by amount, per receiving account (docs/spec.md §4).

use napi::bindgen_prelude::{Object, Unknown};
use napi::Env;
use napi_derive::napi;
use paystate::Match;

use crate::conv;
use crate::err::OrThrow;

/// Payable amounts per receiving account, and transfer → invoice matching by amount.
///
/// Payments to one shared account (an exchange deposit address, a memo-less wallet) are
/// told apart by amount only. `allocate` hands each open invoice a unique payable amount;
/// `match` answers `matched`, `ambiguous` (a human decides) or `unmatched` — never a guess.
/// Plain data: store it with `toJSON()`.
#[napi]
pub struct Matcher {
    inner: paystate::Matcher,
}

impl Default for Matcher {
    fn default() -> Self {
        Self::new()
    }
}

#[napi]
impl Matcher {
    /// An empty matcher.
    #[napi(constructor)]
    pub fn new() -> Self {
        Matcher {
            inner: paystate::Matcher::new(),
        }
    }

    /// Allocates and registers the smallest `due + k × step` (k = 0, 1, ...) whose window
    /// `[payable − allowance, payable]` overlaps no other window on `account`, and returns
    /// it. An invoice id already registered is `invalid_field`.
    #[napi(
        ts_args_type = "account: string, invoiceId: string, due: string, step: string, allowance?: string"
    )]
    pub fn allocate(
        &mut self,
        env: &Env,
        account: Unknown<'_>,
        invoice_id: Unknown<'_>,
        due: Unknown<'_>,
        step: Unknown<'_>,
        allowance: Option<Unknown<'_>>,
    ) -> napi::Result<String> {
        let account = conv::string(env, account, "account")?;
        let invoice_id = conv::string(env, invoice_id, "invoice")?;
        let due = conv::amount(env, due, "due")?;
        let step = conv::amount(env, step, "step")?;
        let allowance = conv::opt_amount(env, allowance, "allowance")?
            .unwrap_or(paystate::matching::DEFAULT_ALLOWANCE);
        let payable = self
            .inner
            .allocate(&account, &invoice_id, due, step, allowance)
            .or_throw(env)?;
        Ok(payable.to_string())
    }

    /// Registers an amount the host chose itself, without searching (windows may then
    /// overlap, which is what `ambiguous` is for).
    #[napi(
        ts_args_type = "account: string, invoiceId: string, payable: string, allowance?: string"
    )]
    pub fn register(
        &mut self,
        env: &Env,
        account: Unknown<'_>,
        invoice_id: Unknown<'_>,
        payable: Unknown<'_>,
        allowance: Option<Unknown<'_>>,
    ) -> napi::Result<()> {
        let account = conv::string(env, account, "account")?;
        let invoice_id = conv::string(env, invoice_id, "invoice")?;
        let payable = conv::amount(env, payable, "payable")?;
        let allowance = conv::opt_amount(env, allowance, "allowance")?
            .unwrap_or(paystate::matching::DEFAULT_ALLOWANCE);
        self.inner
            .register(&account, &invoice_id, payable, allowance)
            .or_throw(env)
    }

    /// Whose payment is this amount? `{kind: 'matched', invoiceId}` when exactly one window
    /// holds it, `{kind: 'ambiguous', invoiceIds}` (sorted) when several do,
    /// `{kind: 'unmatched'}` otherwise.
    #[napi(
        js_name = "match",
        ts_args_type = "account: string, amount: string",
        ts_return_type = "MatchResult"
    )]
    pub fn match_amount<'e>(
        &self,
        env: &'e Env,
        account: Unknown<'_>,
        amount: Unknown<'_>,
    ) -> napi::Result<Object<'e>> {
        let account = conv::string(env, account, "account")?;
        let amount = conv::amount(env, amount, "amount")?;
        let mut o = Object::new(env)?;
        match self.inner.match_amount(&account, amount) {
            Match::Matched(id) => {
                o.set("kind", "matched")?;
                o.set("invoiceId", id)?;
            }
            Match::Ambiguous(ids) => {
                o.set("kind", "ambiguous")?;
                o.set("invoiceIds", ids)?;
            }
            Match::Unmatched => o.set("kind", "unmatched")?,
        }
        Ok(o)
    }

    /// Frees the invoice's amount (call it when the invoice leaves pending/processing). An
    /// unknown id is a no-op.
    #[napi(ts_args_type = "invoiceId: string")]
    pub fn release(&mut self, env: &Env, invoice_id: Unknown<'_>) -> napi::Result<()> {
        let id = conv::string(env, invoice_id, "invoice")?;
        self.inner.release(&id);
        Ok(())
    }

    /// The payable amount registered for an invoice, or `null`.
    #[napi(ts_args_type = "invoiceId: string")]
    pub fn payable(&self, env: &Env, invoice_id: Unknown<'_>) -> napi::Result<Option<String>> {
        let id = conv::string(env, invoice_id, "invoice")?;
        Ok(self.inner.payable(&id).map(|a| a.to_string()))
    }

    /// How many invoices hold a window.
    #[napi(getter)]
    pub fn size(&self) -> u32 {
        u32::try_from(self.inner.len()).unwrap_or(u32::MAX)
    }

    /// The storable state as a plain object (`JSON.stringify` uses it).
    #[napi(js_name = "toJSON", ts_return_type = "MatcherState")]
    pub fn to_json<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        conv::state_to_js(env, &self.inner)
    }

    /// Restores a matcher from `toJSON()` output (an object or its JSON text).
    #[napi(js_name = "fromJSON", ts_args_type = "state: MatcherState | string")]
    pub fn from_json(env: &Env, state: Unknown<'_>) -> napi::Result<Matcher> {
        let inner = conv::state_from_js(env, state)?;
        Ok(Matcher { inner })
    }
}
