//! Seed 001's documented rate limits, opt-in (`--rate-limit`): "Create Invoice 100
//! req/min, Get Invoice 300 req/min, List Invoices 60 req/min, Sandbox Endpoints 60
//! req/min", answered with HTTP 429 and `Retry-After`.
//!
//! Limits count real requests, so they run on the wall clock (not the test clock), in
//! fixed one-minute windows. Off by default: a test suite bursting requests at a local
//! sandbox should not be throttled unless it asks to be.

use std::sync::Mutex;
use std::time::Instant;

use crate::error::ApiError;

/// The endpoint groups the seed limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// `POST /api/v1/invoices`: 100 a minute.
    Create,
    /// `GET /api/v1/invoices/:id` and `/reference/:ref`: 300 a minute.
    Get,
    /// `GET /api/v1/invoices`: 60 a minute.
    List,
    /// `POST /api/v1/sandbox/*`: 60 a minute.
    Sandbox,
}

impl Class {
    /// Requests allowed per minute.
    pub fn per_minute(self) -> u32 {
        match self {
            Class::Create => 100,
            Class::Get => 300,
            Class::List | Class::Sandbox => 60,
        }
    }

    fn index(self) -> usize {
        match self {
            Class::Create => 0,
            Class::Get => 1,
            Class::List => 2,
            Class::Sandbox => 3,
        }
    }
}

const WINDOW_SECS: u64 = 60;

/// Counters per class: `(window number, requests in it)`.
#[derive(Debug)]
pub struct RateLimits {
    enabled: bool,
    started: Instant,
    counters: Mutex<[(u64, u32); 4]>,
}

impl RateLimits {
    /// Limits that apply only when `enabled`.
    pub fn new(enabled: bool) -> RateLimits {
        RateLimits {
            enabled,
            started: Instant::now(),
            counters: Mutex::new([(0, 0); 4]),
        }
    }

    /// Counts one request of `class`; over the limit it is a 429 with `Retry-After`.
    pub fn check(&self, class: Class) -> Result<(), ApiError> {
        if !self.enabled {
            return Ok(());
        }
        let elapsed = self.started.elapsed().as_secs();
        let window = elapsed / WINDOW_SECS;
        let mut counters = self
            .counters
            .lock()
            .map_err(|_| ApiError::internal("rate limit lock poisoned"))?;
        let Some(slot) = counters.get_mut(class.index()) else {
            return Ok(());
        };
        if slot.0 != window {
            *slot = (window, 0);
        }
        if slot.1 >= class.per_minute() {
            let mut e = ApiError::new(429, "Too many requests, please retry later");
            e.retry_after = Some(WINDOW_SECS.saturating_sub(elapsed % WINDOW_SECS).max(1));
            return Err(e);
        }
        slot.1 = slot.1.saturating_add(1);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_after_the_limit_is_429_with_retry_after() {
        let limits = RateLimits::new(true);
        for _ in 0..60 {
            assert!(limits.check(Class::Sandbox).is_ok());
        }
        match limits.check(Class::Sandbox) {
            Err(e) => {
                assert_eq!(e.status, 429);
                assert_eq!(
                    e.body.get("error"),
                    Some(&serde_json::json!("Too Many Requests"))
                );
                assert!(e.retry_after.is_some_and(|s| (1..=60).contains(&s)));
            }
            Ok(()) => unreachable!("61st request allowed"),
        }
        // Other classes count apart.
        assert!(limits.check(Class::List).is_ok());
        let off = RateLimits::new(false);
        assert!((0..1000).all(|_| off.check(Class::List).is_ok()));
    }
}
