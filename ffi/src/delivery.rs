//! Webhook delivery schedules (docs/spec.md §7).

use std::sync::{Arc, Mutex};

use paystate::delivery as dl;

use crate::types::{from_stored_json, lock, to_stored_json, ts_in, ts_out, Result, Timestamp};

pub use paystate::delivery::Policy;

/// `Policy` under the name both languages see (renamed in uniffi.toml).
pub type DeliveryPolicy = Policy;

/// How a receiver's answers are judged and how failed attempts are retried (the core's
/// enum, exported as is: see `types.rs` on remote enums).
#[uniffi::remote(Enum)]
pub enum Policy {
    /// Seed 001: a 2xx within 30 s; retries 1, 2, 4, ... 512 minutes after each failure.
    UsdtGateway,
    /// Seed 004: exactly HTTP 200; 3 attempts in all, 5 minutes apart.
    KeypairInvoice,
    /// Standard Webhooks: a 2xx within 15 s; retries 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
    /// 10 h; HTTP 410 gives up at once.
    StandardWebhooks,
}

/// The contract's name of a policy (`usdt_gateway`).
#[uniffi::export]
pub fn delivery_policy_as_str(policy: DeliveryPolicy) -> String {
    policy.name().to_owned()
}

/// The most attempts the policy makes (first attempt plus retries).
#[uniffi::export]
pub fn delivery_policy_max_attempts(policy: DeliveryPolicy) -> u32 {
    u32::try_from(policy.max_attempts()).unwrap_or(u32::MAX)
}

/// Reads a policy by its contract name; anything else is `invalid_field` on `policy`.
#[uniffi::export]
pub fn parse_delivery_policy(name: String) -> Result<DeliveryPolicy> {
    Ok(dl::Policy::parse(&name)?)
}

/// What one attempt got back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum AttemptOutcome {
    /// The receiver answered with this HTTP status (100..=599, else `invalid_field`).
    Http {
        /// The status code.
        status: u16,
    },
    /// No answer within the host's time limit.
    Timeout,
    /// A transport error: DNS, TLS, connection refused or reset.
    TransportError,
}

impl From<AttemptOutcome> for dl::Outcome {
    fn from(o: AttemptOutcome) -> Self {
        match o {
            AttemptOutcome::Http { status } => dl::Outcome::Http(status),
            AttemptOutcome::Timeout => dl::Outcome::Timeout,
            AttemptOutcome::TransportError => dl::Outcome::Error,
        }
    }
}

impl From<dl::Outcome> for AttemptOutcome {
    fn from(o: dl::Outcome) -> Self {
        match o {
            dl::Outcome::Http(status) => AttemptOutcome::Http { status },
            dl::Outcome::Timeout => AttemptOutcome::Timeout,
            dl::Outcome::Error => AttemptOutcome::TransportError,
        }
    }
}

/// An HTTP outcome, checked by the core: a status outside 100..=599 is `invalid_field` on
/// `http_status` (the same check [`DeliveryPlan::report`] makes).
#[uniffi::export]
pub fn http_outcome(status: u16) -> Result<AttemptOutcome> {
    Ok(dl::Outcome::http(status)?.into())
}

/// A failure without an HTTP answer, named by text (docs/spec.md §7): `"timeout"` is
/// `Timeout`; any other non-empty text (`"error"`, `"connection_refused"`, `"dns"`) is a
/// `TransportError`. Empty text is `invalid_field` on `error`.
#[uniffi::export]
pub fn failure_outcome(text: String) -> Result<AttemptOutcome> {
    Ok(dl::Outcome::parse(&text, "error")?.into())
}

/// One reported attempt as a host or a conformance scenario holds it: exactly one of an
/// HTTP status (outside 100..=599: `invalid_field` on `http_status`) or a failure's text
/// (see [`failure_outcome`]). Neither is `missing_field` on `http_status`; both is
/// `invalid_field` on `error`.
#[uniffi::export]
pub fn report_outcome(http_status: Option<i64>, error: Option<String>) -> Result<AttemptOutcome> {
    Ok(dl::Outcome::from_report(http_status, error.as_deref())?.into())
}

/// What the plan wants next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum NextAttempt {
    /// The next attempt is due at this instant (after planning: the first attempt).
    RetryAt {
        /// When.
        at: Timestamp,
    },
    /// An attempt succeeded.
    Delivered,
    /// The policy's attempts are exhausted (or the endpoint is gone).
    GaveUp,
}

impl From<dl::Next> for NextAttempt {
    fn from(n: dl::Next) -> Self {
        match n {
            dl::Next::RetryAt(t) => NextAttempt::RetryAt { at: ts_out(t) },
            dl::Next::Delivered => NextAttempt::Delivered,
            dl::Next::GaveUp => NextAttempt::GaveUp,
        }
    }
}

/// One reported attempt.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Attempt {
    /// When it was reported as made.
    pub at: Timestamp,
    /// What came back.
    pub outcome: AttemptOutcome,
    /// How long the receiver took, in milliseconds, when measured.
    pub duration_ms: Option<u64>,
    /// Whether the policy counted it as delivered.
    pub delivered: bool,
}

/// The delivery schedule of one event to one endpoint. A mutable handle; a report on a
/// finished plan is `invalid_transition` and leaves it unchanged.
#[derive(uniffi::Object)]
pub struct DeliveryPlan {
    inner: Mutex<dl::DeliveryPlan>,
}

#[uniffi::export]
impl DeliveryPlan {
    /// A new plan whose first attempt is due at `now`.
    #[uniffi::constructor]
    pub fn new(id: String, policy: DeliveryPolicy, now: Timestamp) -> Result<Arc<DeliveryPlan>> {
        let now = ts_in(now, "now")?;
        Ok(Arc::new(DeliveryPlan {
            inner: Mutex::new(dl::DeliveryPlan::new(id, policy, now)),
        }))
    }

    /// Reads a plan stored with [`DeliveryPlan::to_json`].
    #[uniffi::constructor]
    pub fn from_json(json: String) -> Result<Arc<DeliveryPlan>> {
        Ok(Arc::new(DeliveryPlan {
            inner: Mutex::new(from_stored_json(&json)?),
        }))
    }

    /// Records an attempt made at `at` that took `duration_ms` (if measured) and returns
    /// what comes next.
    pub fn report(
        &self,
        outcome: AttemptOutcome,
        at: Timestamp,
        duration_ms: Option<u64>,
    ) -> Result<NextAttempt> {
        let at = ts_in(at, "at")?;
        let duration = duration_ms
            .map(|ms| paystate::Duration::from_millis(ms, "duration_ms"))
            .transpose()?;
        Ok(lock(&self.inner)
            .report(outcome.into(), at, duration)?
            .into())
    }

    /// Applies the time (it never runs backwards) and says whether an attempt is due.
    pub fn tick(&self, now: Timestamp) -> Result<bool> {
        let now = ts_in(now, "now")?;
        Ok(lock(&self.inner).tick(now))
    }

    /// What it wants next.
    pub fn next(&self) -> NextAttempt {
        lock(&self.inner).next().into()
    }

    /// When the next attempt is due, or none once finished: the host's wake-up time.
    pub fn next_deadline(&self) -> Option<Timestamp> {
        lock(&self.inner).next_deadline().map(ts_out)
    }

    /// Whether the plan is finished (delivered or gave up).
    pub fn is_finished(&self) -> bool {
        lock(&self.inner).is_finished()
    }

    /// The plan's id.
    pub fn id(&self) -> String {
        lock(&self.inner).id().to_owned()
    }

    /// The policy it follows.
    pub fn policy(&self) -> DeliveryPolicy {
        lock(&self.inner).policy()
    }

    /// Every reported attempt, oldest first.
    pub fn attempts(&self) -> Vec<Attempt> {
        lock(&self.inner)
            .attempts()
            .iter()
            .map(|a| Attempt {
                at: ts_out(a.at),
                outcome: a.outcome.into(),
                duration_ms: a.duration.map(|d| d.as_millis()),
                delivered: a.delivered,
            })
            .collect()
    }

    /// The storable state (JSON with `schema_version`).
    pub fn to_json(&self) -> String {
        to_stored_json(&*lock(&self.inner))
    }

    /// An independent copy.
    pub fn copy(&self) -> Arc<DeliveryPlan> {
        Arc::new(DeliveryPlan {
            inner: Mutex::new(lock(&self.inner).clone()),
        })
    }
}
