//! Webhook delivery schedules (docs/spec.md §7).
//!
//! A [`DeliveryPlan`] exists per event and endpoint. The host does the HTTP; the plan says
//! when: the first attempt is due when the plan is made, and after each attempt the host
//! [`report`](DeliveryPlan::report)s what happened (an HTTP status or a transport error,
//! when, and how long it took) and gets [`Next`]: retry at an exact instant, delivered, or
//! gave up. There is no jitter — every language computes the same plan — and the plan is
//! plain serde data the host stores beside the event.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::time::{Duration, Timestamp};

/// How a receiver's answers are judged and how failed attempts are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    /// Seed 001: success is a 2xx answered within 30 s; retries 1, 2, 4, ... 512 minutes
    /// after each failed attempt (10 retries, 11 attempts), then give up.
    UsdtGateway,
    /// Seed 004: success is exactly HTTP 200; 3 attempts in all, 5 minutes apart.
    KeypairInvoice,
    /// Standard Webhooks (Svix schedule): success is a 2xx within 15 s; retries 5 s, 5 min,
    /// 30 min, 2 h, 5 h, 10 h and 10 h after each failure, then give up; HTTP 410 (Gone)
    /// gives up at once.
    StandardWebhooks,
}

const MIN: u64 = 60;
const HOUR: u64 = 3600;
const USDT_GATEWAY_DELAYS: [u64; 10] = [
    MIN,
    2 * MIN,
    4 * MIN,
    8 * MIN,
    16 * MIN,
    32 * MIN,
    64 * MIN,
    128 * MIN,
    256 * MIN,
    512 * MIN,
];
const KEYPAIR_INVOICE_DELAYS: [u64; 2] = [5 * MIN, 5 * MIN];
const STANDARD_WEBHOOKS_DELAYS: [u64; 7] = [
    5,
    5 * MIN,
    30 * MIN,
    2 * HOUR,
    5 * HOUR,
    10 * HOUR,
    10 * HOUR,
];

impl Policy {
    /// Every policy.
    pub const ALL: [Policy; 3] = [
        Policy::UsdtGateway,
        Policy::KeypairInvoice,
        Policy::StandardWebhooks,
    ];

    /// The policy's contract name (`usdt_gateway`, `keypair_invoice`, `standard_webhooks`).
    pub fn name(self) -> &'static str {
        match self {
            Policy::UsdtGateway => "usdt_gateway",
            Policy::KeypairInvoice => "keypair_invoice",
            Policy::StandardWebhooks => "standard_webhooks",
        }
    }

    /// Reads a policy name; anything else is `invalid_field` on `policy`.
    pub fn parse(name: &str) -> Result<Policy> {
        Policy::ALL
            .iter()
            .copied()
            .find(|p| p.name() == name)
            .ok_or_else(|| {
                let shown: String = name.chars().take(40).collect();
                Error::invalid_field("policy", format!("unknown delivery policy {shown:?}"))
            })
    }

    /// Delays (seconds) before each retry, after the 1st, 2nd, ... failed attempt.
    fn delays(self) -> &'static [u64] {
        match self {
            Policy::UsdtGateway => &USDT_GATEWAY_DELAYS,
            Policy::KeypairInvoice => &KEYPAIR_INVOICE_DELAYS,
            Policy::StandardWebhooks => &STANDARD_WEBHOOKS_DELAYS,
        }
    }

    /// The most attempts the policy makes (first attempt plus retries).
    pub fn max_attempts(self) -> usize {
        self.delays().len() + 1
    }

    /// The longest answer time that still counts (a duration exactly at it is in time).
    pub fn time_limit(self) -> Option<Duration> {
        match self {
            Policy::UsdtGateway => Some(Duration::seconds(30)),
            Policy::KeypairInvoice => None,
            Policy::StandardWebhooks => Some(Duration::seconds(15)),
        }
    }

    /// Whether an answer counts as delivered. A duration at the limit, or none reported,
    /// is in time.
    pub fn is_success(self, outcome: Outcome, duration: Option<Duration>) -> bool {
        let Outcome::Http(status) = outcome else {
            return false;
        };
        let status_ok = match self {
            Policy::KeypairInvoice => status == 200,
            Policy::UsdtGateway | Policy::StandardWebhooks => (200..=299).contains(&status),
        };
        let in_time = match (self.time_limit(), duration) {
            (Some(limit), Some(d)) => d <= limit,
            _ => true,
        };
        status_ok && in_time
    }

    /// Whether a failed answer ends the plan at once (Standard Webhooks: HTTP 410 Gone).
    fn gives_up_at_once(self, outcome: Outcome) -> bool {
        self == Policy::StandardWebhooks && outcome == Outcome::Http(410)
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What one attempt got back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The receiver answered with this HTTP status (100..=599).
    Http(u16),
    /// No answer in the host's time limit.
    Timeout,
    /// A transport error: DNS, TLS, connection refused or reset.
    Error,
}

impl Outcome {
    /// An HTTP answer; a status outside 100..=599 is `invalid_field` on `http_status`.
    pub fn http(status: u16) -> Result<Outcome> {
        Outcome::from_status(status)
    }

    /// An HTTP answer from any integer the host holds (a JSON number, a Python int): a
    /// value outside 100..=599, however large or negative, is `invalid_field` on
    /// `http_status` (docs/spec.md §7).
    pub fn from_status<T>(status: T) -> Result<Outcome>
    where
        T: TryInto<u16> + Copy + std::fmt::Display,
    {
        match status.try_into() {
            Ok(s) if (100..=599).contains(&s) => Ok(Outcome::Http(s)),
            _ => Err(Error::invalid_field(
                "http_status",
                format!("{status} is not an HTTP status (100..=599)"),
            )),
        }
    }

    /// The text that names a timeout; any other text names a transport error.
    pub const TIMEOUT: &'static str = "timeout";

    /// A failure without an HTTP answer, named by text (docs/spec.md §7): `"timeout"` is
    /// [`Outcome::Timeout`]; any other non-empty text names a transport error
    /// ([`Outcome::Error`]): `"error"`, or the error's own name such as
    /// `"connection_refused"`, `"dns"` or `"tls"`. A timeout and a transport error count
    /// the same for every policy, so a name the host spells its own way never changes a
    /// plan. Empty text names nothing and is `invalid_field` on `field`.
    pub fn parse(text: &str, field: impl Into<crate::error::FieldName>) -> Result<Outcome> {
        match text {
            "" => Err(Error::invalid_field(
                field,
                "name the failure: \"timeout\" or a transport error such as \"connection_refused\"",
            )),
            Outcome::TIMEOUT => Ok(Outcome::Timeout),
            _ => Ok(Outcome::Error),
        }
    }

    /// One reported attempt as a host or a conformance scenario holds it: exactly one of
    /// an HTTP status (see [`Outcome::from_status`]) or a failure's text (see
    /// [`Outcome::parse`], on `error`) (docs/spec.md §7). Neither is `missing_field` on
    /// `http_status`; both is `invalid_field` on `error`.
    pub fn from_report<T>(http_status: Option<T>, error: Option<&str>) -> Result<Outcome>
    where
        T: TryInto<u16> + Copy + std::fmt::Display,
    {
        match (http_status, error) {
            (Some(status), None) => Outcome::from_status(status),
            (None, Some(text)) => Outcome::parse(text, "error"),
            (None, None) => Err(Error::MissingField {
                field: "http_status".into(),
            }),
            (Some(_), Some(_)) => Err(Error::invalid_field(
                "error",
                "give http_status or error, not both",
            )),
        }
    }
}

/// What the plan wants next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Next {
    /// The next attempt is due at this instant (after planning: the first attempt).
    RetryAt(Timestamp),
    /// An attempt succeeded; nothing more to do.
    Delivered,
    /// The policy's attempts are exhausted (or the endpoint is gone).
    GaveUp,
}

impl Next {
    /// Whether the plan is finished (delivered or gave up).
    pub fn is_final(self) -> bool {
        !matches!(self, Next::RetryAt(_))
    }
}

/// One reported attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    /// When it was reported as made (never before an earlier report: see [`DeliveryPlan`]).
    pub at: Timestamp,
    /// What came back.
    pub outcome: Outcome,
    /// How long the receiver took, when the host measured it.
    pub duration: Option<Duration>,
    /// Whether the policy counted it as delivered.
    pub delivered: bool,
}

/// The delivery schedule of one event to one endpoint.
///
/// Time never runs backwards for a plan: a report or tick dated before the latest one
/// already applied is applied as of that latest time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PlanRepr")]
pub struct DeliveryPlan {
    schema_version: u32,
    id: String,
    policy: Policy,
    created_at: Timestamp,
    last_at: Timestamp,
    attempts: Vec<Attempt>,
    next: Next,
}

/// The stored form, read before its invariants are checked.
#[derive(Deserialize)]
struct PlanRepr {
    schema_version: u32,
    id: String,
    policy: Policy,
    created_at: Timestamp,
    last_at: Timestamp,
    attempts: Vec<Attempt>,
    next: Next,
}

impl TryFrom<PlanRepr> for DeliveryPlan {
    type Error = Error;

    /// Only a plan the core could have written loads back (docs/spec.md §2 "State
    /// documents"): its attempts are replayed through [`DeliveryPlan::report`] and must
    /// give the stored attempts and `next`, and its clock never runs behind them; anything
    /// else is `invalid_state`.
    fn try_from(r: PlanRepr) -> Result<Self> {
        let broken = |reason: &str| Error::InvalidState {
            reason: format!("delivery plan: {reason}"),
        };
        if r.schema_version != 1 {
            return Err(broken("unsupported schema_version"));
        }
        if r.attempts.len() > r.policy.max_attempts() {
            return Err(broken("more attempts than its policy allows"));
        }
        let mut plan = DeliveryPlan::new(r.id, r.policy, r.created_at);
        for a in &r.attempts {
            if a.at < plan.last_at {
                return Err(broken("attempts out of order"));
            }
            plan.report(a.outcome, a.at, a.duration)
                .map_err(|_| broken("an attempt its policy cannot have recorded"))?;
        }
        if plan.attempts != r.attempts || plan.next != r.next {
            return Err(broken("attempts and next disagree with its policy"));
        }
        if r.last_at < plan.last_at {
            return Err(broken("last_at is before its latest attempt"));
        }
        plan.last_at = r.last_at;
        Ok(plan)
    }
}

impl DeliveryPlan {
    /// A new plan whose first attempt is due at `now`.
    pub fn new(id: impl Into<String>, policy: Policy, now: Timestamp) -> DeliveryPlan {
        DeliveryPlan {
            schema_version: 1,
            id: id.into(),
            policy,
            created_at: now,
            last_at: now,
            attempts: Vec::new(),
            next: Next::RetryAt(now),
        }
    }

    /// The plan's id (the host's, e.g. `"{event_id}:{endpoint}"`).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The policy it follows.
    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// When it was made.
    pub fn created_at(&self) -> Timestamp {
        self.created_at
    }

    /// What it wants next.
    pub fn next(&self) -> Next {
        self.next
    }

    /// Every reported attempt, oldest first.
    pub fn attempts(&self) -> &[Attempt] {
        &self.attempts
    }

    /// Whether the plan is finished.
    pub fn is_finished(&self) -> bool {
        self.next.is_final()
    }

    /// When the next attempt is due, or `None` once finished: the host's wake-up time.
    pub fn next_deadline(&self) -> Option<Timestamp> {
        match self.next {
            Next::RetryAt(t) => Some(t),
            Next::Delivered | Next::GaveUp => None,
        }
    }

    /// Applies the time (it never runs backwards) and says whether an attempt is due at
    /// `now`. The plan itself changes only on reports: an attempt is never skipped.
    pub fn tick(&mut self, now: Timestamp) -> bool {
        self.last_at = self.last_at.max(now);
        matches!(self.next, Next::RetryAt(t) if t <= self.last_at)
    }

    /// Records an attempt made at `at` (applied as of the latest time seen if earlier) that
    /// took `duration` (if measured). A report on a finished plan is
    /// `invalid_transition`, and leaves it unchanged.
    pub fn report(
        &mut self,
        outcome: Outcome,
        at: Timestamp,
        duration: Option<Duration>,
    ) -> Result<Next> {
        if self.next.is_final() {
            return Err(Error::InvalidTransition {
                command: "report_attempt",
                subject: "delivery plan",
                state: match self.next {
                    Next::Delivered => "delivered",
                    _ => "gave_up",
                }
                .to_owned(),
            });
        }
        if let Outcome::Http(status) = outcome {
            Outcome::http(status)?;
        }
        let at = self.last_at.max(at);
        let delivered = self.policy.is_success(outcome, duration);
        self.attempts.push(Attempt {
            at,
            outcome,
            duration,
            delivered,
        });
        self.last_at = at;
        let failures = self.attempts.len();
        self.next = if delivered {
            Next::Delivered
        } else if self.policy.gives_up_at_once(outcome) {
            Next::GaveUp
        } else {
            match failures
                .checked_sub(1)
                .and_then(|i| self.policy.delays().get(i))
            {
                Some(secs) => Next::RetryAt(at.plus(Duration::seconds(*secs))),
                None => Next::GaveUp,
            }
        };
        Ok(self.next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> Timestamp {
        Timestamp::from_seconds(s, "t").unwrap()
    }

    #[test]
    fn outcomes_from_host_values() {
        assert_eq!(Outcome::from_status(200u64).unwrap(), Outcome::Http(200));
        assert_eq!(Outcome::from_status(599i64).unwrap(), Outcome::Http(599));
        for bad in [-1i128, 0, 99, 600, 70_000, i128::from(u64::MAX) + 1] {
            let e = Outcome::from_status(bad).unwrap_err();
            assert_eq!(
                (e.code(), e.field()),
                ("invalid_field", Some("http_status"))
            );
            assert!(e.to_string().contains(&bad.to_string()), "{e}");
        }
        assert_eq!(
            Outcome::parse("timeout", "error").unwrap(),
            Outcome::Timeout
        );
        for transport in ["error", "connection_refused", "Timeout", " timeout"] {
            assert_eq!(Outcome::parse(transport, "error").unwrap(), Outcome::Error);
        }
        let e = Outcome::parse("", "outcome").unwrap_err();
        assert_eq!((e.code(), e.field()), ("invalid_field", Some("outcome")));
    }

    #[test]
    fn outcomes_from_reports() {
        let report = Outcome::from_report::<i64>;
        assert_eq!(report(Some(410), None).unwrap(), Outcome::Http(410));
        assert_eq!(report(None, Some("timeout")).unwrap(), Outcome::Timeout);
        assert_eq!(report(None, Some("dns")).unwrap(), Outcome::Error);
        let codes = |r: Result<Outcome>| {
            let e = r.unwrap_err();
            (e.code(), e.field().map(str::to_owned))
        };
        let field = |f: &str| Some(f.to_owned());
        assert_eq!(
            codes(report(Some(-5), None)),
            ("invalid_field", field("http_status"))
        );
        assert_eq!(
            codes(report(None, Some(""))),
            ("invalid_field", field("error"))
        );
        assert_eq!(
            codes(report(None, None)),
            ("missing_field", field("http_status"))
        );
        assert_eq!(
            codes(report(Some(200), Some("timeout"))),
            ("invalid_field", field("error"))
        );
    }

    #[test]
    fn usdt_gateway_full_schedule() {
        let mut p = DeliveryPlan::new("d", Policy::UsdtGateway, t(0));
        assert_eq!(p.next(), Next::RetryAt(t(0)));
        let mut now = 0;
        for k in 0..10 {
            let next = p.report(Outcome::Http(500), t(now), None).unwrap();
            let delay = 60 * (1i64 << k);
            assert_eq!(next, Next::RetryAt(t(now + delay)));
            now += delay;
        }
        assert_eq!(
            p.report(Outcome::Timeout, t(now), None).unwrap(),
            Next::GaveUp
        );
        assert_eq!(p.attempts().len(), 11);
        assert_eq!(p.next_deadline(), None);
        let e = p.report(Outcome::Http(200), t(now), None).unwrap_err();
        assert_eq!(e.code(), "invalid_transition");
    }

    #[test]
    fn success_rules() {
        let d = |s| Some(Duration::seconds(s));
        assert!(Policy::UsdtGateway.is_success(Outcome::Http(204), d(30)));
        assert!(!Policy::UsdtGateway.is_success(
            Outcome::Http(200),
            Some(Duration::from_millis(30_001, "d").unwrap())
        ));
        assert!(Policy::UsdtGateway.is_success(Outcome::Http(200), None));
        assert!(!Policy::KeypairInvoice.is_success(Outcome::Http(201), None));
        assert!(Policy::KeypairInvoice.is_success(Outcome::Http(200), d(600)));
        assert!(Policy::StandardWebhooks.is_success(Outcome::Http(299), d(15)));
        assert!(!Policy::StandardWebhooks.is_success(Outcome::Http(200), d(16)));
        assert!(!Policy::StandardWebhooks.is_success(Outcome::Error, None));
    }

    #[test]
    fn standard_webhooks_410_and_schedule() {
        let mut p = DeliveryPlan::new("d", Policy::StandardWebhooks, t(0));
        assert_eq!(
            p.report(Outcome::Http(503), t(1), None).unwrap(),
            Next::RetryAt(t(6))
        );
        assert_eq!(
            p.report(Outcome::Http(410), t(6), None).unwrap(),
            Next::GaveUp
        );
        let mut p = DeliveryPlan::new("d", Policy::StandardWebhooks, t(0));
        let mut now = 0;
        for delay in STANDARD_WEBHOOKS_DELAYS {
            let delay = i64::try_from(delay).unwrap();
            assert_eq!(
                p.report(Outcome::Error, t(now), None).unwrap(),
                Next::RetryAt(t(now + delay))
            );
            now += delay;
        }
        assert_eq!(
            p.report(Outcome::Http(500), t(now), None).unwrap(),
            Next::GaveUp
        );
        assert_eq!(p.attempts().len(), 8);
    }

    #[test]
    fn keypair_invoice_three_attempts_and_time_never_backwards() {
        let mut p = DeliveryPlan::new("d", Policy::KeypairInvoice, t(100));
        assert!(p.tick(t(100)));
        assert_eq!(
            p.report(Outcome::Http(404), t(105), None).unwrap(),
            Next::RetryAt(t(405))
        );
        assert!(!p.tick(t(404)));
        // dated before the last report: applied as of it
        // dated before the tick: applied as of the tick
        assert_eq!(
            p.report(Outcome::Http(500), t(50), None).unwrap(),
            Next::RetryAt(t(704))
        );
        assert_eq!(p.attempts()[1].at, t(404));
        assert_eq!(
            p.report(Outcome::Http(500), t(704), None).unwrap(),
            Next::GaveUp
        );
        let json = serde_json::to_string(&p).unwrap();
        let back: DeliveryPlan = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
        // what the core cannot have written does not load (docs/spec.md §2)
        for (from, to) in [
            ("\"schema_version\":1", "\"schema_version\":2"),
            ("\"next\":\"gave_up\"", "\"next\":\"delivered\""),
            ("\"delivered\":false", "\"delivered\":true"),
            ("\"http\":404", "\"http\":200"),
            (
                "\"last_at\":\"1970-01-01T00:11:44Z\"",
                "\"last_at\":\"1970-01-01T00:00:00Z\"",
            ),
        ] {
            assert!(json.contains(from), "{from} in {json}");
            let bad = json.replacen(from, to, 1);
            let e = crate::json::from_stored::<DeliveryPlan>(&bad).unwrap_err();
            assert_eq!(e.code(), "invalid_state", "{to}: {e}");
        }
        let mut q = DeliveryPlan::new("q", Policy::KeypairInvoice, t(0));
        let before = q.clone();
        assert_eq!(
            q.report(Outcome::Http(999), t(1), None).unwrap_err().code(),
            "invalid_field"
        );
        assert_eq!(q, before);
    }
}
