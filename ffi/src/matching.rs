//! Matching transfers to invoices by amount on shared accounts (docs/spec.md §4).

use std::sync::{Arc, Mutex};

use crate::types::{
    amount_in, amount_out, from_stored_json, lock, opt_amount_in, to_stored_json, Amount, Result,
};

/// The answer to "whose payment is this amount?" — never a guess.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum TransferMatch {
    /// Exactly one window holds the amount.
    Matched {
        /// The invoice.
        invoice_id: String,
    },
    /// Several windows hold it (ids sorted): a human must decide.
    Ambiguous {
        /// The candidate invoices, sorted.
        invoice_ids: Vec<String>,
    },
    /// No window holds it.
    Unmatched,
}

impl From<paystate::Match> for TransferMatch {
    fn from(m: paystate::Match) -> Self {
        match m {
            paystate::Match::Matched(invoice_id) => TransferMatch::Matched { invoice_id },
            paystate::Match::Ambiguous(invoice_ids) => TransferMatch::Ambiguous { invoice_ids },
            paystate::Match::Unmatched => TransferMatch::Unmatched,
        }
    }
}

/// Payable amounts per receiving account: gives each open invoice its own amount window
/// `[payable − allowance, payable]` and tells which invoice an incoming amount belongs to.
/// A mutable handle; every method is atomic; failures leave it untouched.
#[derive(uniffi::Object)]
pub struct Matcher {
    inner: Mutex<paystate::Matcher>,
}

#[uniffi::export]
impl Matcher {
    /// An empty matcher.
    #[uniffi::constructor]
    pub fn new() -> Arc<Matcher> {
        Arc::new(Matcher {
            inner: Mutex::new(paystate::Matcher::new()),
        })
    }

    /// Reads a matcher stored with [`Matcher::to_json`].
    #[uniffi::constructor]
    pub fn from_json(json: String) -> Result<Arc<Matcher>> {
        Ok(Arc::new(Matcher {
            inner: Mutex::new(from_stored_json(&json)?),
        }))
    }

    /// Allocates and registers the smallest `due + k·step` (k = 0, 1, ...) whose window
    /// overlaps no other window on `account`, and returns it. An invoice id already
    /// registered is `invalid_field`. `allowance` defaults to 0.
    pub fn allocate(
        &self,
        account: String,
        invoice_id: String,
        due: Amount,
        step: Amount,
        allowance: Option<Amount>,
    ) -> Result<Amount> {
        let due = amount_in(&due, "due")?;
        let step = amount_in(&step, "step")?;
        let allowance = opt_amount_in(&allowance, "allowance")?
            .unwrap_or(paystate::matching::DEFAULT_ALLOWANCE);
        let payable = lock(&self.inner).allocate(&account, &invoice_id, due, step, allowance)?;
        Ok(amount_out(payable))
    }

    /// Registers an amount the host chose itself, without searching; windows may then
    /// overlap (which is what `Ambiguous` is for). `allowance` defaults to 0.
    pub fn register(
        &self,
        account: String,
        invoice_id: String,
        payable: Amount,
        allowance: Option<Amount>,
    ) -> Result<()> {
        let payable = amount_in(&payable, "payable")?;
        let allowance = opt_amount_in(&allowance, "allowance")?
            .unwrap_or(paystate::matching::DEFAULT_ALLOWANCE);
        lock(&self.inner).register(&account, &invoice_id, payable, allowance)?;
        Ok(())
    }

    /// Which invoice an incoming `amount` on `account` belongs to.
    pub fn match_amount(&self, account: String, amount: Amount) -> Result<TransferMatch> {
        let amount = amount_in(&amount, "amount")?;
        Ok(lock(&self.inner).match_amount(&account, amount).into())
    }

    /// The payable amount registered for an invoice, if any.
    pub fn payable(&self, invoice_id: String) -> Option<Amount> {
        lock(&self.inner).payable(&invoice_id).map(amount_out)
    }

    /// Frees an invoice's amount (call it when the invoice leaves pending/processing).
    /// Unknown ids are a no-op.
    pub fn release(&self, invoice_id: String) {
        lock(&self.inner).release(&invoice_id);
    }

    /// Number of registered windows.
    pub fn len(&self) -> u64 {
        u64::try_from(lock(&self.inner).len()).unwrap_or(u64::MAX)
    }

    /// Whether nothing is registered.
    pub fn is_empty(&self) -> bool {
        lock(&self.inner).is_empty()
    }

    /// The storable state (JSON).
    pub fn to_json(&self) -> String {
        to_stored_json(&*lock(&self.inner))
    }

    /// An independent copy.
    pub fn copy(&self) -> Arc<Matcher> {
        Arc::new(Matcher {
            inner: Mutex::new(lock(&self.inner).clone()),
        })
    }
}
