//! The paystate command line, as a library so its pieces are testable: every subcommand
//! reads files or arguments, calls the core, and prints. No payment rule lives here.
pub mod address;
pub mod conformance;
pub mod contract;
pub mod demo;
pub mod dialect;
pub mod explain;
pub mod replay;
pub mod states;
pub mod webhook;
