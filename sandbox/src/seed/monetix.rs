//! Seed 003 (Monetix).

use std::sync::Arc;

use axum::Router;
use paystate::{Event, Invoice};

use crate::error::ApiError;
use crate::server::App;
use crate::store::SeedInvoiceRow;

/// The routes of seed 003.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
}

/// The callback an event causes.
pub fn webhook(
    _app: &App,
    _seed_row: &SeedInvoiceRow,
    _invoice: &Invoice,
    _event: &Event,
) -> Result<Option<Vec<u8>>, ApiError> {
    Ok(None)
}

/// The sandbox's Monetix project id.
pub const PROJECT_ID: u64 = 1001;
