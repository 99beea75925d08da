//! Webhook delivery schedules (docs/spec.md §7).

use napi::bindgen_prelude::{Either, Object, Unknown};
use napi::{Env, ValueType};
use napi_derive::napi;
use paystate::delivery::{Next, Outcome, Policy};

use crate::conv;
use crate::err::{type_error, OrThrow};

fn next_js<'e>(env: &'e Env, next: Next) -> napi::Result<Object<'e>> {
    let mut o = Object::new(env)?;
    match next {
        Next::RetryAt(t) => {
            o.set("kind", "retry")?;
            o.set("retryAt", conv::date(env, t)?)?;
        }
        Next::Delivered => o.set("kind", "delivered")?,
        Next::GaveUp => o.set("kind", "gave_up")?,
    }
    Ok(o)
}

/// A status or a failure's text, judged by the core (docs/spec.md §7).
fn outcome_of(env: &Env, v: Unknown<'_>) -> napi::Result<Outcome> {
    match v.get_type()? {
        ValueType::Number => {
            let status = conv::whole(env, v, "http_status")?;
            Outcome::from_status(status).or_throw(env)
        }
        ValueType::String => {
            Outcome::parse(&conv::string(env, v, "outcome")?, "outcome").or_throw(env)
        }
        _ => Err(type_error(
            env,
            &format!(
                "outcome: expected an HTTP status number or a failure's text ('timeout', 'error', ...), got {}",
                conv::kind(&v)
            ),
        )),
    }
}

/// `reportOutcome(httpStatus, error)`: one reported attempt as a host or a conformance
/// scenario holds it, judged by the core (docs/spec.md §7): exactly one of an HTTP status
/// (outside 100..=599: `invalid_field` on `http_status`) or a failure's text (`'timeout'`
/// or a transport error's name; empty text is `invalid_field` on `error`). Neither
/// (`undefined`/`null`) is `missing_field` on `http_status`; both is `invalid_field` on
/// `error`. Returns the outcome as `DeliveryPlan.report` takes it and `attempts` reads it
/// back: the status, `'timeout'` or `'error'`.
#[napi(
    ts_args_type = "httpStatus?: number | null, error?: string | null",
    ts_return_type = "AttemptOutcome"
)]
pub fn report_outcome(
    env: Env,
    http_status: Option<Unknown<'_>>,
    error: Option<Unknown<'_>>,
) -> napi::Result<Either<u32, &'static str>> {
    let status = conv::opt_whole(&env, http_status, "http_status")?;
    let error = conv::opt_string(&env, error, "error")?;
    Ok(
        match Outcome::from_report(status, error.as_deref()).or_throw(&env)? {
            Outcome::Http(s) => Either::A(u32::from(s)),
            Outcome::Timeout => Either::B(Outcome::TIMEOUT),
            Outcome::Error => Either::B("error"),
        },
    )
}

/// The delivery schedule of one event to one endpoint.
///
/// The first attempt is due when the plan is made; after each attempt the host reports
/// what happened and gets the next step: retry at an exact instant, delivered, or gave up.
/// No jitter: every language computes the same plan. Plain data: store it with `toJSON()`.
#[napi]
pub struct DeliveryPlan {
    inner: paystate::delivery::DeliveryPlan,
}

#[napi]
impl DeliveryPlan {
    /// `new DeliveryPlan(id, policy, now)`: a plan whose first attempt is due at `now`.
    /// Policies: `'usdt_gateway'`, `'keypair_invoice'`, `'standard_webhooks'`.
    #[napi(
        constructor,
        ts_args_type = "id: string, policy: DeliveryPolicy, now: TimeInput"
    )]
    pub fn new(
        env: Env,
        id: Unknown<'_>,
        policy: Unknown<'_>,
        now: Unknown<'_>,
    ) -> napi::Result<Self> {
        let id = conv::string(&env, id, "delivery")?;
        let policy = Policy::parse(&conv::string(&env, policy, "policy")?).or_throw(&env)?;
        let now = conv::time(&env, now, "now")?;
        Ok(DeliveryPlan {
            inner: paystate::delivery::DeliveryPlan::new(id, policy, now),
        })
    }

    /// Records an attempt made at `at`: `outcome` is the HTTP status the receiver answered,
    /// `'timeout'`, or a transport error's name (`'error'`, `'connection_refused'`: any
    /// other non-empty text, docs/spec.md §7); `durationMs` is how long it took, when
    /// measured. Returns what comes next. A report on a finished plan is
    /// `invalid_transition` and leaves it unchanged.
    #[napi(
        ts_args_type = "outcome: ReportedOutcome, at: TimeInput, durationMs?: number",
        ts_return_type = "DeliveryNext"
    )]
    pub fn report<'e>(
        &mut self,
        env: &'e Env,
        outcome: Unknown<'_>,
        at: Unknown<'_>,
        duration_ms: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let outcome = outcome_of(env, outcome)?;
        let at = conv::time(env, at, "at")?;
        let duration = conv::opt_whole(env, duration_ms, "duration_ms")?
            .map(|ms| paystate::Duration::from_millis(ms, "duration_ms"))
            .transpose()
            .or_throw(env)?;
        let next = self.inner.report(outcome, at, duration).or_throw(env)?;
        next_js(env, next)
    }

    /// Applies the time (it never runs backwards) and says whether an attempt is due.
    #[napi(ts_args_type = "now: TimeInput")]
    pub fn tick(&mut self, env: &Env, now: Unknown<'_>) -> napi::Result<bool> {
        Ok(self.inner.tick(conv::time(env, now, "now")?))
    }

    /// What the plan wants next.
    #[napi(getter, ts_return_type = "DeliveryNext")]
    pub fn next<'e>(&self, env: &'e Env) -> napi::Result<Object<'e>> {
        next_js(env, self.inner.next())
    }

    /// When the next attempt is due, or `null` once finished: the host's wake-up time.
    #[napi(ts_return_type = "Date | null")]
    pub fn next_deadline<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        conv::opt_date(env, self.inner.next_deadline())
    }

    /// Whether the plan is finished (delivered or gave up).
    #[napi(getter)]
    pub fn is_finished(&self) -> bool {
        self.inner.is_finished()
    }

    /// The plan's id.
    #[napi(getter)]
    pub fn id(&self) -> String {
        self.inner.id().to_owned()
    }

    /// The policy it follows.
    #[napi(getter, ts_return_type = "DeliveryPolicy")]
    pub fn policy(&self) -> String {
        self.inner.policy().name().to_owned()
    }

    /// Every reported attempt, oldest first.
    #[napi(getter, ts_return_type = "DeliveryAttempt[]")]
    pub fn attempts<'e>(&self, env: &'e Env) -> napi::Result<Vec<Object<'e>>> {
        self.inner
            .attempts()
            .iter()
            .map(|a| {
                let mut o = Object::new(env)?;
                o.set("at", conv::date(env, a.at)?)?;
                match a.outcome {
                    Outcome::Http(s) => o.set("outcome", u32::from(s))?,
                    Outcome::Timeout => o.set("outcome", "timeout")?,
                    Outcome::Error => o.set("outcome", "error")?,
                }
                if let Some(d) = a.duration {
                    #[allow(clippy::cast_precision_loss)]
                    o.set("durationMs", d.as_millis() as f64)?;
                }
                o.set("delivered", a.delivered)?;
                Ok(o)
            })
            .collect()
    }

    /// The storable state as a plain object (`JSON.stringify` uses it).
    #[napi(js_name = "toJSON", ts_return_type = "DeliveryPlanState")]
    pub fn to_json<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        conv::state_to_js(env, &self.inner)
    }

    /// Restores a plan from `toJSON()` output (an object or its JSON text).
    #[napi(
        js_name = "fromJSON",
        ts_args_type = "state: DeliveryPlanState | string"
    )]
    pub fn from_json(env: &Env, state: Unknown<'_>) -> napi::Result<DeliveryPlan> {
        let inner = conv::state_from_js(env, state)?;
        Ok(DeliveryPlan { inner })
    }
}
