//! Seeds 000 (gatenoc), 002 (GatePay), 003 (Monetix) and 004 (key-pair invoices): one
//! module each, on the paths and with the shapes of each seed document
//! (`docs/spec.md §8`). Seed 001 stays in [`crate::gateway`].
//!
//! What they share lives here: which seed an invoice belongs to (stored per invoice), the
//! webhooks its events cause (signed with the seed's scheme, `docs/spec.md §6`, scheduled
//! on a core delivery plan, `docs/spec.md §7`, stored per delivery), and the sandbox
//! controls every seed's invoices take. An invoice of these seeds is an ordinary row of
//! `invoices` (its `reference` is its id, so `/pay/{reference}` and every control under
//! `/sandbox/invoices/{id}` work on it), plus a `seed_invoices` record.

use std::sync::Arc;

use crate::store::Tx;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use bytes::Bytes;
use paystate::delivery::Policy;
use paystate::json::{parse_object, Obj};
use paystate::signature::{Scheme, SignInput, Signer};
use paystate::{Command, Event, Invoice, Timestamp};
use serde_json::{json, Value};

use crate::error::ApiError;
pub use crate::http::{read_body, BodyRefusal};
use crate::ids;
use crate::server::App;
use crate::store::{self, InvoiceRow, NewInvoice, SeedInvoiceRow};

pub mod gatenoc;
pub mod gatepay;
pub mod keypair;
pub mod monetix;

/// A seed other than 001.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seed {
    /// Seed 000: gatenoc checkout sessions.
    Gatenoc,
    /// Seed 002: GatePay checkout orders.
    Gatepay,
    /// Seed 003: Monetix Bybit Pay.
    Monetix,
    /// Seed 004: invoices with a key pair.
    Keypair,
}

impl Seed {
    /// Every seed handled here.
    pub const ALL: [Seed; 4] = [Seed::Gatenoc, Seed::Gatepay, Seed::Monetix, Seed::Keypair];

    /// The seed's number, as stored.
    pub fn code(self) -> &'static str {
        match self {
            Seed::Gatenoc => "000",
            Seed::Gatepay => "002",
            Seed::Monetix => "003",
            Seed::Keypair => "004",
        }
    }

    /// Reads a stored seed number.
    pub fn parse(code: &str) -> Option<Seed> {
        Seed::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The scheme its webhooks are signed with (`docs/spec.md §6`).
    pub fn scheme(self) -> Scheme {
        match self {
            Seed::Gatenoc => Scheme::Gatenoc,
            Seed::Gatepay => Scheme::Gatepay,
            Seed::Monetix => Scheme::Monetix,
            Seed::Keypair => Scheme::KeypairInvoice,
        }
    }

    /// The delivery plan its webhooks follow (`docs/spec.md §7`). Seed 004 documents its
    /// schedule ("Tries 3 times, once every 5 minutes, until it reaches HTTP code 200");
    /// seeds 000, 002 and 003 document none, so the sandbox retries them on the Standard
    /// Webhooks schedule (a 2xx within 15 s; 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h).
    pub fn policy(self) -> Policy {
        match self {
            Seed::Keypair => Policy::KeypairInvoice,
            Seed::Gatenoc | Seed::Gatepay | Seed::Monetix => Policy::StandardWebhooks,
        }
    }
}

/// The signer and inputs of one delivery attempt.
pub struct Signing {
    /// `None`: seed 001's signer ([`App::signer`]) and headers.
    pub signer: Option<Signer>,
    nonce: String,
    timestamp: Timestamp,
}

impl Signing {
    /// What a timestamped scheme signs: a fresh nonce and the wall-clock time. The wall
    /// clock, not the test clock: a receiver checks GatePay's 5-minute window against its
    /// own clock, which the test clock may be hours ahead of.
    pub fn input(&self) -> SignInput<'_> {
        SignInput {
            id: None,
            nonce: Some(&self.nonce),
            timestamp: Some(self.timestamp),
        }
    }
}

/// The core's code for a refused field (`docs/spec.md §9`), for the sandbox's own
/// refusals in a seed's error envelope, so the name is never written out here.
pub fn invalid_field_code() -> &'static str {
    paystate::Error::InvalidField {
        field: "".into(),
        reason: String::new(),
    }
    .code()
}

/// The signer of a delivery whose stored scheme is `scheme` (`None`: seed 001).
///
/// Keys: gatenoc's header repeats the merchant key (`--api-key`); every other scheme
/// signs with `--webhook-secret` (seed 004's callback carries it as `private_key`).
pub fn signing(app: &App, scheme: Option<&str>) -> Result<Signing, ApiError> {
    // Only GatePay signs a nonce; seed 001's attempts never depend on randomness.
    let nonce = if scheme == Some(Scheme::Gatepay.name()) {
        ids::random_hex::<8>()?
    } else {
        String::new()
    };
    let timestamp = paystate::Timestamp::from_millis(crate::clock::wall_millis(), "now")
        .map_err(|e| ApiError::internal(format_args!("wall clock: {}", e.code())))?;
    let signer = match scheme {
        None => None,
        Some(name) => {
            let scheme = Scheme::parse(name)
                .map_err(|e| ApiError::internal(format_args!("stored scheme: {}", e.code())))?;
            // Per seed, as `[seeds.NNN]` in `--config` may set them.
            let seed = Seed::ALL
                .into_iter()
                .find(|s| s.scheme() == scheme)
                .map_or("", Seed::code);
            let secret = match scheme {
                Scheme::Gatenoc => app.config.api_key_for(seed).as_bytes(),
                _ => app.config.webhook_secret_for(seed).as_bytes(),
            };
            Some(
                Signer::new(scheme, &[secret])
                    .map_err(|e| ApiError::internal(format_args!("signer: {}", e.code())))?,
            )
        }
    };
    Ok(Signing {
        signer,
        nonce,
        timestamp,
    })
}

/// The start-up lines naming each seed's credentials (printed with the key and secret).
pub fn banner(c: &crate::config::Config) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "  seed 000 gatenoc:  X-Merchant-Key: {} (POST /api/v1/merchant/checkout-session)\n",
        c.api_key_for("000")
    ));
    out.push_str(&format!(
        "  seed 002 GatePay:  X-GatePay-Certificate-ClientId: {}, requests signed with the api key (POST {})\n",
        gatepay::CLIENT_ID,
        gatepay::PATH
    ));
    out.push_str(&format!(
        "  seed 003 Monetix:  project_id {}, requests signed with the api key (POST /v2/payment/wallet/bybit/sale)\n",
        monetix::PROJECT_ID
    ));
    out.push_str(&format!(
        "  seed 004:          public_key {} private_key {} (POST {})\n",
        c.api_key_for("004"),
        c.webhook_secret_for("004"),
        keypair::PATH
    ));
    out
}

/// A new invoice of one of these seeds.
pub struct NewSeedInvoice<'a> {
    /// Which seed.
    pub seed: Seed,
    /// The created invoice.
    pub invoice: &'a Invoice,
    /// The create command's spec, journaled.
    pub command: &'a Command,
    /// The seed's create answer (kept as the invoice's `view`).
    pub view: &'a Value,
    /// Where its webhooks go (unless `--forward-to`).
    pub callback_url: Option<&'a str>,
    /// The seed's own unique reference, when it has one.
    pub seed_ref: Option<&'a str>,
    /// What its callbacks are rendered from (never a secret).
    pub request: &'a Value,
}

/// Stores a new invoice of a seed with its journal entry, in `tx`.
pub fn insert_invoice(tx: &Tx<'_>, n: &NewSeedInvoice<'_>, now: Timestamp) -> Result<(), ApiError> {
    let id = n.invoice.id();
    let view = serde_json::to_string(n.view).map_err(ApiError::internal)?;
    let state = n.invoice.to_json();
    store::insert_invoice(
        tx,
        &NewInvoice {
            id,
            reference: id,
            status: n.invoice.status().as_str(),
            state: &state,
            view: &view,
            callback_url: n.callback_url,
            next_deadline: n.invoice.next_deadline().map(|t| t.as_millis()),
            account: None,
        },
    )?;
    store::insert_seed_invoice(
        tx,
        &SeedInvoiceRow {
            invoice_id: id.to_owned(),
            seed: n.seed.code().to_owned(),
            seed_ref: n.seed_ref.map(str::to_owned),
            request: serde_json::to_string(n.request).map_err(ApiError::internal)?,
        },
    )?;
    let command = serde_json::to_string(n.command).map_err(ApiError::internal)?;
    store::append_journal(tx, id, now.as_millis(), &command)
}

/// The webhooks an invoice's events cause, put in the outbox in the same transaction as
/// the state change (called by [`crate::gateway::apply_in_tx`] for these seeds).
pub fn on_events(
    app: &App,
    tx: &Tx<'_>,
    seed_row: &SeedInvoiceRow,
    row: &InvoiceRow,
    invoice: &Invoice,
    events: &[Event],
    now: Timestamp,
) -> Result<(), ApiError> {
    let Some(seed) = Seed::parse(&seed_row.seed) else {
        return Err(ApiError::internal("stored seed is unknown"));
    };
    for event in events {
        let body = match seed {
            Seed::Gatenoc => gatenoc::webhook(invoice, event)?,
            Seed::Gatepay => gatepay::webhook(app, invoice, event)?,
            Seed::Monetix => monetix::webhook(app, seed_row, invoice, event)?,
            Seed::Keypair => keypair::webhook(app, seed_row, invoice, event)?,
        };
        let Some(body) = body else { continue };
        let url = match seed {
            Seed::Gatepay | Seed::Monetix => target(app, tx, seed)?,
            Seed::Gatenoc | Seed::Keypair => app
                .config
                .forward_to
                .clone()
                .or_else(|| row.callback_url.clone()),
        };
        let Some(url) = url else { continue };
        enqueue(
            tx,
            seed,
            &event.id,
            event.event_type.as_str(),
            Some(&row.id),
            &url,
            body,
            now,
        )?;
        // A permit for the worker: it runs once this transaction has committed (it needs
        // the database), so a webhook caused by any command goes out at once.
        app.wake.notify_one();
    }
    Ok(())
}

/// The `seed_settings` name of a seed's callback URL (GatePay and Monetix configure it per
/// merchant, not per request).
pub const CALLBACK_URL_SETTING: &str = "callback_url";

/// Where a seed without a per-request callback URL sends: `--forward-to`, else the URL set
/// with `POST /sandbox/seeds/{seed}/callback-url`.
pub fn target(app: &App, tx: &Tx<'_>, seed: Seed) -> Result<Option<String>, ApiError> {
    match &app.config.forward_to {
        Some(f) => Ok(Some(f.clone())),
        None => store::seed_setting(tx, seed.code(), CALLBACK_URL_SETTING),
    }
}

/// Puts a webhook of `seed` in the outbox on the seed's delivery plan, first attempt due
/// now, with the scheme that will sign it.
#[allow(clippy::too_many_arguments)]
pub fn enqueue(
    tx: &Tx<'_>,
    seed: Seed,
    event_id: &str,
    event_type: &str,
    invoice_id: Option<&str>,
    url: &str,
    body: Vec<u8>,
    now: Timestamp,
) -> Result<(), ApiError> {
    crate::gateway::enqueue(
        tx,
        seed.policy(),
        event_id,
        event_type,
        invoice_id,
        None,
        url,
        body,
        now,
    )?;
    store::insert_seed_delivery(tx, event_id, seed.scheme().name())
}

/// The transfer that completed a paid invoice: the latest confirmed, counted one (every
/// seed's webhook names it, seed 001's too).
pub fn paying_tx(invoice: &Invoice) -> Option<&str> {
    invoice
        .transfers()
        .iter()
        .rev()
        .find(|t| t.confirmed && t.counted && !t.dropped)
        .map(|t| t.tx_id.as_str())
}

/// USDT per unit of the fiat currencies seeds 002 and 004 price in (fixed sandbox rates;
/// seed 004 names USD, EUR, GBP "and other currencies" without rates, seed 002 none).
pub const FIAT_RATES: [(&str, &str); 3] = [("USD", "1"), ("EUR", "1.08"), ("GBP", "1.27")];

/// The [`FIAT_RATES`] rate of `code`, when the sandbox converts it.
pub fn fiat_rate(code: &str) -> Option<&'static str> {
    FIAT_RATES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, rate)| *rate)
}

/// A stable numeric id from a text id (Monetix operation ids and GatePay prepay ids are
/// numbers): FNV-1a, kept within JSON's exact integers.
pub fn numeric_id(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h & ((1u64 << 53) - 1)
}

/// A seed's accepted answer: its body as JSON with status 200 (a refusal is the
/// [`ApiError`] in the seed's own shape).
pub struct Answer(pub Value);

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        crate::http::json_response(StatusCode::OK, &self.0)
    }
}

/// A webhook body as bytes (`Some`: the event causes one).
pub fn webhook_bytes(body: &Value) -> Result<Option<Vec<u8>>, ApiError> {
    serde_json::to_vec(body)
        .map(Some)
        .map_err(ApiError::internal)
}

/// The one text member `name` of a JSON object body that may hold nothing else (the
/// sandbox's own controls).
fn only_text_member(bytes: &[u8], name: &str) -> Result<String, ApiError> {
    let map = parse_object(bytes).map_err(|e| ApiError::from_core(&e))?;
    let o = Obj::new(&map, "");
    o.deny_unknown(&[name])
        .map_err(|e| ApiError::from_core(&e))?;
    o.str(name)
        .map(str::to_owned)
        .map_err(|e| ApiError::from_core(&e))
}

/// Where `http::router` merges these seeds: every seed's routes and the controls they add.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .merge(gatenoc::routes())
        .merge(gatepay::routes())
        .merge(monetix::routes())
        .merge(keypair::routes())
        .route("/sandbox/invoices/{id}/claim", post(claim))
        .route("/sandbox/seeds/{seed}/callback-url", post(set_callback_url))
}

/// `POST /sandbox/seeds/{002|003}/callback-url {"url"}`: where GatePay notifications and
/// Monetix callbacks go (those providers configure it per merchant, not per request);
/// `--forward-to` still wins.
async fn set_callback_url(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(seed): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    crate::http::authorize(&app, &headers)?;
    let seed = match Seed::parse(&seed) {
        Some(s @ (Seed::Gatepay | Seed::Monetix)) => s,
        _ => {
            return Err(ApiError::not_found(
                "seeds 002 and 003 take a callback URL here; the others take one per request",
            ))
        }
    };
    let bytes = read_body(body)?;
    let url = only_text_member(&bytes, "url")?;
    crate::gateway::check_target_url(&url, "url")?;
    let stored = url.clone();
    app.db
        .tx(move |tx| store::set_seed_setting(tx, seed.code(), CALLBACK_URL_SETTING, &stored))
        .await?;
    Ok(crate::http::json_response(
        StatusCode::OK,
        &json!({"seed": seed.code(), "url": url}),
    ))
}

/// `POST /sandbox/invoices/{id}/claim {"txId"}`: the payer claims a transaction id before
/// the transfer is seen (seed 000's TXID on the pay page; any seed's invoice). A later
/// `pay` with the same `txId` is that transfer.
async fn claim(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    crate::http::authorize(&app, &headers)?;
    let bytes = read_body(body)?;
    let invoice = claim_txid(&app, id, &bytes).await?;
    let now = app.clock.now();
    Ok(crate::http::json_response(
        StatusCode::OK,
        &json!({
            "invoiceId": invoice.id(),
            "claims": invoice.claims(),
            "status": invoice.status_at(now).as_str(),
        }),
    ))
}

/// Claims the transaction id of a `{"txId"}` body on invoice `id` (`claim_txid`,
/// `docs/spec.md §3`): the sandbox API's `claim`, and the TXID form of seed 000's pay page.
pub(crate) async fn claim_txid(
    app: &Arc<App>,
    id: String,
    bytes: &[u8],
) -> Result<Invoice, ApiError> {
    let tx_id = only_text_member(bytes, "txId")?;
    paystate::dialect::common::check_id(&tx_id, "txId").map_err(|e| ApiError::from_core(&e))?;
    crate::gateway::command(app, id, Command::ClaimTxid { tx_id }).await
}

/// The transaction ids the payer claimed that no transfer has brought yet, oldest first.
pub fn unseen_claims(invoice: &Invoice) -> impl Iterator<Item = &str> {
    invoice
        .claims()
        .iter()
        .map(String::as_str)
        .filter(|c| !invoice.transfers().iter().any(|t| t.tx_id == *c))
}
