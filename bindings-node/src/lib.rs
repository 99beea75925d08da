//! Node.js bindings (napi-rs) for the paystate core: the npm package `paystate`.
//!
//! Thin by design: every function converts JavaScript values to core types, calls the core,
//! and converts back. Core errors become `Error`s with the contract's `code` and `field`
//! (`err.rs`); wrong JavaScript types become `TypeError`s (`conv.rs`). No payment rule lives
//! here.

// napi-derive registers the `#[napi]` exports with Node only outside `cfg(test)`, so in the
// lib test target (`cargo test`, `cargo clippy --all-targets`) every export and its helpers
// look unused. The non-test build still reports real dead code.
#![cfg_attr(test, allow(dead_code))]

mod address;
mod conv;
mod delivery;
mod dialect;
mod err;
mod fastverify;
mod invoice;
mod matching;
mod meta;
mod session;
mod signature;
mod slab;

// The invoice commands allocate a few small strings and vectors per call, among V8's own
// allocations on the same thread; glibc's malloc spent a quarter of `observeTransfer`
// consolidating free lists (`perf`, issue 14). mimalloc keeps those small allocations cheap.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
