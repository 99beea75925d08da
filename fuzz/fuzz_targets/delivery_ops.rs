//! Webhook delivery plans (docs/spec.md §7): report sequences against the schedules as the
//! contract states them, written out here independently.
//!
//! Checks: a report on a finished plan is `invalid_transition`, an HTTP status outside
//! 100..=599 is `invalid_field`, and both leave the plan unchanged; success is the policy's
//! status rule within its time limit (a duration exactly at the limit, or none, is in time);
//! after the n-th failure the next attempt is exactly the n-th delay after the attempt (time
//! never runs backwards: an earlier report counts as of the latest time seen); Standard
//! Webhooks gives up at once on 410; the attempt count never exceeds the policy's maximum;
//! `next_deadline`/`tick` agree with `next`; plans round-trip through JSON.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use paystate::delivery::{DeliveryPlan, Next, Outcome, Policy};
use paystate::{Duration, Timestamp};

const T0: i64 = 1_767_225_600_000;
const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;

fn delays(p: Policy) -> Vec<i64> {
    match p {
        Policy::UsdtGateway => (0..10).map(|k| MIN << k).collect(),
        Policy::KeypairInvoice => vec![5 * MIN, 5 * MIN],
        Policy::StandardWebhooks => vec![5_000, 5 * MIN, 30 * MIN, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR],
    }
}

#[derive(Arbitrary, Debug)]
enum Out {
    Http(u16),
    Common(u8),
    Timeout,
    Error,
}

#[derive(Arbitrary, Debug)]
enum Op {
    Report { out: Out, dt: i32, duration_ms: Option<u32> },
    Tick { dt: i32 },
    RoundTrip,
}

#[derive(Arbitrary, Debug)]
struct Input {
    policy: u8,
    ops: Vec<Op>,
}

fuzz_target!(|input: Input| {
    let policy = Policy::ALL[usize::from(input.policy) % Policy::ALL.len()];
    let t0 = Timestamp::from_millis(T0, "t").expect("t0");
    let mut plan = DeliveryPlan::new("evt:1", policy, t0);
    assert_eq!(plan.next(), Next::RetryAt(t0));
    let mut latest = T0;
    let mut clock = T0;
    let mut failures = 0usize;
    let mut next = Next::RetryAt(t0);
    for op in input.ops.iter().take(40) {
        match op {
            Op::Report { out, dt, duration_ms } => {
                clock = (clock + i64::from(*dt)).clamp(0, 253_402_300_799_999);
                let at = Timestamp::from_millis(clock, "t").expect("in range");
                let outcome = match out {
                    Out::Http(s) => Outcome::Http(*s),
                    Out::Common(i) => Outcome::Http([200, 201, 204, 299, 300, 404, 410, 500, 503, 199][usize::from(*i) % 10]),
                    Out::Timeout => Outcome::Timeout,
                    Out::Error => Outcome::Error,
                };
                let duration = duration_ms.map(|d| Duration::from_millis(u64::from(d), "d").expect("dur"));
                let before = plan.clone();
                let got = plan.report(outcome, at, duration);
                if next.is_final() {
                    assert_eq!(got.map_err(|e| e.code()), Err("invalid_transition"));
                    assert_eq!(plan, before);
                    continue;
                }
                if let Outcome::Http(s) = outcome {
                    if !(100..=599).contains(&s) {
                        assert_eq!(got.map_err(|e| e.code()), Err("invalid_field"));
                        assert_eq!(plan, before);
                        continue;
                    }
                }
                let eff = clock.max(latest);
                latest = eff;
                let in_time = match (policy, duration) {
                    (Policy::UsdtGateway, Some(d)) => d.as_millis() <= 30_000,
                    (Policy::StandardWebhooks, Some(d)) => d.as_millis() <= 15_000,
                    _ => true,
                };
                let status_ok = match (policy, outcome) {
                    (Policy::KeypairInvoice, Outcome::Http(s)) => s == 200,
                    (_, Outcome::Http(s)) => (200..=299).contains(&s),
                    _ => false,
                };
                failures += 1;
                let want = if status_ok && in_time {
                    Next::Delivered
                } else if policy == Policy::StandardWebhooks && outcome == Outcome::Http(410) {
                    Next::GaveUp
                } else {
                    match delays(policy).get(failures - 1) {
                        Some(d) => Next::RetryAt(Timestamp::from_millis((eff + d).min(253_402_300_799_999), "t").expect("t")),
                        None => Next::GaveUp,
                    }
                };
                assert_eq!(got.map_err(|e| e.to_string()), Ok(want), "{policy}: report {outcome:?} at {at} ({failures} attempts)");
                next = want;
                let last = plan.attempts().last().copied().expect("recorded");
                assert_eq!(last.at.as_millis(), eff);
                assert_eq!(last.delivered, want == Next::Delivered);
                assert_eq!(plan.attempts().len(), failures);
                assert!(plan.attempts().len() <= policy.max_attempts());
            }
            Op::Tick { dt } => {
                clock = (clock + i64::from(*dt)).clamp(0, 253_402_300_799_999);
                let at = Timestamp::from_millis(clock, "t").expect("in range");
                latest = latest.max(clock);
                let due = plan.tick(at);
                assert_eq!(due, matches!(next, Next::RetryAt(t) if t.as_millis() <= latest), "tick at {at}");
            }
            Op::RoundTrip => {
                let text = serde_json::to_string(&plan).expect("ser");
                let back: DeliveryPlan = serde_json::from_str(&text).expect("de");
                assert_eq!(back, plan);
            }
        }
        assert_eq!(plan.next(), next);
        assert_eq!(plan.is_finished(), next.is_final());
        assert_eq!(plan.next_deadline(), match next { Next::RetryAt(t) => Some(t), _ => None });
    }
});
