//! Seed 002 (GatePay).

use std::sync::Arc;

use axum::Router;
use paystate::{Event, Invoice};

use crate::error::ApiError;
use crate::server::App;

/// The routes of seed 002.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
}

/// The notification an event causes.
pub fn webhook(
    _app: &App,
    _invoice: &Invoice,
    _event: &Event,
) -> Result<Option<Vec<u8>>, ApiError> {
    Ok(None)
}

/// The order endpoint.
pub const PATH: &str = "/v1/pay/checkout/order";

/// The merchant client id (`X-GatePay-Certificate-ClientId`).
pub const CLIENT_ID: &str = "paystate-sandbox-client";
