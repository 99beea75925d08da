//! Everything that falls due, in time order: invoice deadlines, scheduled commands
//! (delayed confirmations and drops) and delivery attempts.
//!
//! The test clock moves only here. `run_until(T)` repeatedly takes the earliest due item
//! at or before `T`, moves the clock to its time (persisted first, so a restart never
//! resumes earlier), and applies it; `advance` is `run_until(now + N)` followed by moving
//! the clock to `now + N`. One lock serialises this with the background worker, so
//! `advance` returns only after every item that fell due has been applied or attempted.

use std::sync::Arc;

use paystate::delivery::{DeliveryPlan, Outcome};
use paystate::{Command, Duration};

use crate::clock::{to_timestamp, wall_millis};
use crate::delivery::{self, Webhook};
use crate::error::ApiError;
use crate::gateway;
use crate::ids;
use crate::server::App;
use crate::store::{self, AttemptRow, Claim, Due};

/// The `meta` key of the persisted clock.
pub const CLOCK_KEY: &str = "clock_ms";

/// Most items one run applies: a bound, never reached by a sane schedule (each invoice
/// has a few deadlines, each delivery at most 11 attempts).
const MAX_ITEMS_PER_RUN: usize = 1_000_000;

/// Most delivery attempts made at once.
const MAX_PARALLEL_ATTEMPTS: u32 = 32;

/// Persists the clock value: the stored clock only moves forward, whichever process
/// raises it; the local clock follows what is stored.
pub async fn persist_clock(app: &Arc<App>, ms: i64) -> Result<(), ApiError> {
    let stored = app
        .db
        .tx(move |tx| store::raise_clock(tx, CLOCK_KEY, ms))
        .await?;
    if !app.clock.is_realtime() {
        app.clock.advance_to(stored);
    }
    Ok(())
}

/// On a database other processes share (PostgreSQL), takes up what they changed: the
/// test clock they moved (this process's clock never runs behind the stored one) and the
/// account's suspension. A no-op on SQLite, which one process owns.
pub async fn sync_shared(app: &Arc<App>) -> Result<(), ApiError> {
    if !app.db.is_postgres() {
        return Ok(());
    }
    let values = app
        .db
        .read_one(|tx| store::meta_many(tx, CLOCK_KEY, crate::server::SUSPENDED_KEY))
        .await?;
    for (key, value) in values {
        if key == CLOCK_KEY {
            if let Ok(ms) = value.parse::<i64>() {
                if !app.clock.is_realtime() {
                    app.clock.advance_to(ms);
                }
            }
        } else {
            app.suspended
                .store(value == "1", std::sync::atomic::Ordering::SeqCst);
        }
    }
    Ok(())
}

/// Applies everything due at or before `until` (milliseconds), in time order.
/// Returns how many items were applied.
pub async fn run_until(app: &Arc<App>, until: i64) -> Result<usize, ApiError> {
    let _guard = app.work.lock().await;
    run_locked(app, until).await
}

async fn run_locked(app: &Arc<App>, until: i64) -> Result<usize, ApiError> {
    let mut done = 0usize;
    while done < MAX_ITEMS_PER_RUN {
        let wall = wall_millis();
        let Some(item) = app
            .db
            .tx(move |tx| store::earliest_due(tx, until, wall))
            .await?
        else {
            break;
        };
        let at = item.at().max(app.clock.now_ms());
        if !app.clock.is_realtime() {
            persist_clock(app, at).await?;
            app.clock.advance_to(at);
        }
        // Another process may have moved the shared clock further: the item happens now.
        let at = if app.clock.is_realtime() {
            at
        } else {
            app.clock.now_ms().max(at)
        };
        // Counting at least one keeps the loop bounded even when another process took
        // the item first.
        done = done.saturating_add(apply_item(app, item, at).await?.max(1));
    }
    if app.clock.is_realtime() {
        persist_clock(app, app.clock.now_ms()).await?;
    }
    Ok(done)
}

/// Makes the attempts of a batch concurrently (one slow receiver does not hold up the
/// others), each recorded in its own transaction. Returns how many were made.
async fn attempt_all(
    app: &Arc<App>,
    ids: Vec<String>,
    at: i64,
    token: String,
) -> Result<usize, ApiError> {
    let mut set = tokio::task::JoinSet::new();
    for id in ids {
        let app = Arc::clone(app);
        let token = token.clone();
        set.spawn(async move { attempt(&app, &id, at, &token).await });
    }
    let mut made = 0usize;
    let mut first_error = None;
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok(Ok(())) => made = made.saturating_add(1),
            Ok(Err(e)) => first_error = first_error.or(Some(e)),
            Err(e) => first_error = first_error.or(Some(ApiError::internal(e))),
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(made),
    }
}

/// `POST /sandbox/clock/advance`: moves the test clock by `seconds`, applying everything
/// that falls due on the way. Returns the new time in milliseconds.
pub async fn advance(app: &Arc<App>, seconds: u64) -> Result<i64, ApiError> {
    let _guard = app.work.lock().await;
    // The step counts from the shared clock, which another process may have moved.
    sync_shared(app).await?;
    let step = i64::try_from(Duration::seconds(seconds).as_millis())
        .map_err(|_| ApiError::bad_request("seconds is too large"))?;
    let target = app.clock.now_ms().saturating_add(step);
    run_locked(app, target).await?;
    persist_clock(app, target).await?;
    app.clock.advance_to(target);
    Ok(target)
}

/// Applies one due item at `at`; returns how many things were done (0 when another
/// process had already done it).
async fn apply_item(app: &Arc<App>, item: Due, at: i64) -> Result<usize, ApiError> {
    let now = to_timestamp(at);
    match item {
        Due::Deadline(id, deadline) => {
            let a = Arc::clone(app);
            app.db
                .tx(move |tx| {
                    // Another process may have applied this deadline already: then the
                    // invoice's next deadline is later (or gone) and there is nothing to do.
                    let still_due = store::invoice_by_id(tx, &id)?
                        .and_then(|row| row.next_deadline)
                        .is_some_and(|d| d <= deadline);
                    if !still_due {
                        return Ok(0);
                    }
                    let applied = gateway::apply_in_tx(&a, tx, &id, &Command::Tick, now);
                    // A deadline the core did not move past would be found again forever:
                    // it is cleared instead (and reported), never retried in a loop.
                    let stuck = match &applied {
                        Ok((inv, _)) => inv
                            .next_deadline()
                            .is_some_and(|d| d.as_millis() <= deadline),
                        Err(e) if e.retry => return Err(e.clone()),
                        Err(_) => true,
                    };
                    if stuck {
                        eprintln!("paystate sandbox: invoice {id}: deadline not advanced by tick; cleared");
                        store::clear_deadline(tx, &id)?;
                    }
                    Ok(1)
                })
                .await
        }
        Due::Command(row, id, text, _) => {
            let a = Arc::clone(app);
            app.db
                .tx(move |tx| {
                    // Taken by deleting its row: a second process finds it gone.
                    if !store::take_scheduled(tx, row)? {
                        return Ok(0);
                    }
                    let applied = serde_json::from_str::<Command>(&text)
                        .map_err(|e| ApiError::internal(format_args!("scheduled command: {e}")))
                        .and_then(|c| gateway::apply_in_tx(&a, tx, &id, &c, now));
                    match applied {
                        Ok(_) => {}
                        Err(e) if e.retry => return Err(e),
                        Err(e) => {
                            // The core refused it (the invoice moved on): dropped, noted.
                            eprintln!(
                                "paystate sandbox: scheduled command for invoice {id} refused: {}",
                                e.body.get("message").and_then(|m| m.as_str()).unwrap_or("")
                            );
                        }
                    }
                    Ok(1)
                })
                .await
        }
        Due::Delivery(_, first_at) => {
            let now = app.clock.now_ms();
            let wall = wall_millis();
            let lease = i64::try_from(app.config.delivery_lease.as_millis()).unwrap_or(i64::MAX);
            let claim = Claim {
                token: ids::random_hex::<16>()?,
                wall_now: wall,
                until: wall.saturating_add(lease),
            };
            let token = claim.token.clone();
            let batch = app
                .db
                .tx(move |tx| {
                    store::claim_deliveries(tx, first_at, now, MAX_PARALLEL_ATTEMPTS, &claim)
                })
                .await?;
            attempt_all(app, batch, at, token).await
        }
    }
}

/// Makes one claimed delivery attempt and records it with the plan's answer.
async fn attempt(app: &Arc<App>, id: &str, at: i64, token: &str) -> Result<(), ApiError> {
    let lookup = id.to_owned();
    let id = id.to_owned();
    let token = token.to_owned();
    let Some((row, scheme)) = app
        .db
        .tx(move |tx| {
            let scheme = store::delivery_scheme(tx, &lookup)?;
            Ok(store::delivery(tx, &lookup)?.map(|r| (r, scheme)))
        })
        .await?
    else {
        return Ok(());
    };
    // Every seed's deliveries go through the same claim: only its holder attempts.
    if row.claim.as_deref() != Some(token.as_str()) {
        return Ok(());
    }
    // Seed 001's deliveries have no scheme record; the other seeds' sign with their own.
    let signing = crate::seed::signing(app, scheme.as_deref())?;
    let mut plan: DeliveryPlan = serde_json::from_str(&row.plan)
        .map_err(|e| ApiError::internal(format_args!("stored plan: {e}")))?;
    let policy_limit = plan
        .policy()
        .time_limit()
        .map(|d| std::time::Duration::from_millis(d.as_millis()))
        .unwrap_or(std::time::Duration::from_secs(30));
    // The attempt ends before the claim does, so no other process can start the same
    // attempt while this one may still be sending.
    let limit = policy_limit.min(
        app.config
            .delivery_lease
            .saturating_sub(std::time::Duration::from_secs(1)),
    );
    let sent = delivery::send(
        &app.client,
        signing.signer.as_ref().unwrap_or(&app.signer),
        Webhook {
            url: &row.url,
            id: &row.id,
            reference: row.reference.as_deref(),
            body: &row.body,
            seed001: signing.signer.is_none(),
            input: signing.input(),
        },
        limit,
    )
    .await;
    let now = to_timestamp(at);
    let latency_ms = u64::try_from(sent.latency.as_millis()).unwrap_or(u64::MAX);
    let duration = Duration::from_millis(latency_ms, "latency").ok();
    plan.tick(now);
    let next = plan
        .report(sent.outcome, now, duration)
        .map_err(|e| ApiError::internal(format_args!("delivery plan: {e}")))?;
    let n = u32::try_from(plan.attempts().len()).unwrap_or(u32::MAX);
    let (outcome, status_code) = match sent.outcome {
        Outcome::Http(s) => ("http", Some(s)),
        Outcome::Timeout => ("timeout", None),
        Outcome::Error => ("error", None),
    };
    let attempt = AttemptRow {
        n,
        at,
        outcome: outcome.to_owned(),
        status_code,
        latency_ms: Some(latency_ms),
        error: sent.error,
    };
    let plan_text = serde_json::to_string(&plan).map_err(ApiError::internal)?;
    let next_at = match next {
        paystate::delivery::Next::RetryAt(t) => Some(t.as_millis()),
        _ => None,
    };
    let recorded = app
        .db
        .tx(move |tx| store::record_attempt(tx, &id, &token, &attempt, &plan_text, next_at))
        .await?;
    if !recorded {
        eprintln!("paystate sandbox: a delivery claim ran out during its attempt; not recorded");
    }
    Ok(())
}
