//! `paystate sandbox`: a local USDT payment gateway built on the paystate core.
//!
//! The sandbox is a host in the sense of `docs/spec.md §1`: it does the I/O (HTTP, storage,
//! the clock, randomness) and asks the core every payment question. It speaks seed 001
//! (`usdt_gateway`) through `paystate::dialect::usdt_gateway`, moves invoices with the
//! core's invoice machine (`docs/spec.md §3`), signs webhooks with the core's signer
//! (`docs/spec.md §6`) and schedules them on the core's delivery plans (`docs/spec.md §7`).
//!
//! Module map: [`config`] (flags, the `--config` file and per-seed secrets), [`server`] (binding and the worker),
//! [`http`] (routes and error answers), [`gateway`] (seed 001 operations as transactions),
//! [`seed`] (seeds 000 gatenoc, 002 GatePay, 003 Monetix and 004 key-pair invoices, one
//! module each, and the webhooks of their invoices),
//! [`ratelimit`] (the seed's limits, opt-in), [`scheduler`] (the test clock and everything that falls due), [`delivery`] (the
//! outgoing HTTP and HTTPS of webhooks), [`store`] (SQLite, or PostgreSQL shared by several
//! processes), [`clock`], [`ids`], [`error`].

pub mod checkout;
pub mod clock;
pub mod config;
pub mod delivery;
pub mod error;
pub mod gateway;
pub mod http;
pub mod ids;
pub mod ratelimit;
pub mod scheduler;
pub mod seed;
pub mod server;
pub mod store;

pub use config::{Args, Config};
pub use error::{ApiError, StartError};
pub use server::{run_blocking, start, Running};
