//! # paystate
//!
//! A deterministic, I/O-free core for stablecoin (USDT) invoice payments.
//!
//! The host does every I/O — HTTP, database, chain watching, the clock — and hands the core
//! commands stamped with the time they happen at. The core answers with decisions: the next
//! state, the events to publish, and the next instant it wants to be woken at
//! ([`Invoice::next_deadline`]). Nothing here reads a clock, draws randomness or panics.
//!
//! * [`money`] and [`time`]: exact amounts and instants.
//! * [`invoice`]: the invoice state machine, its commands, events and transition table.
//! * [`tolerance`]: the paid / underpaid / overpaid decision.
//! * [`matching`]: unique payable amounts and transfer → invoice matching per account.
//! * [`session`]: single-use checkout sessions and their link tokens.
//! * [`signature`]: webhook signatures of every supported provider, and the replay guard.
//! * [`delivery`]: webhook delivery schedules.
//! * [`dialect`]: the five seed payment APIs, both ways.
//! * [`address`] and [`payment_uri`]: receiving addresses per chain and wallet payment links.
// No `unsafe` in the core (docs/spec.md §1), whatever the workspace allows elsewhere.
#![forbid(unsafe_code)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

pub mod address;
pub mod contract;
pub mod delivery;
pub mod dialect;
pub mod error;
pub mod invoice;
pub mod json;
pub mod matching;
pub mod money;
pub mod payment_uri;
pub mod session;
pub mod signature;
pub mod time;
pub mod tolerance;

pub use error::{Error, Result};
pub use invoice::{
    Command, Event, EventType, Exception, Invoice, InvoiceSpec, JournalEntry, LatePayment, Pricing,
    RefundOutcome, Status,
};
pub use matching::{Match, Matcher};
pub use money::{Amount, Asset, Currency};
pub use session::Session;
pub use time::{Duration, Timestamp};
pub use tolerance::Tolerance;
