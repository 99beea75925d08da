//! Seed 001 (`usdt_gateway`) operations, each one database transaction.
//!
//! Every payment decision is the core's: the dialect parses and renders
//! (`docs/spec.md §8`), the invoice machine moves (`docs/spec.md §3`), the delivery plan
//! schedules (`docs/spec.md §7`). This module only loads, applies, stores and enqueues —
//! the state, its journal entry and the deliveries it causes in the same transaction.

use std::sync::Arc;

use paystate::delivery::{DeliveryPlan, Policy};
use paystate::dialect::usdt_gateway::{self, InvoiceContext, InvoiceRender, WebhookRender};
use paystate::invoice::{Expiry, TransferInput};
use paystate::{Amount, Asset, Command, Duration, Event, EventType, Invoice, InvoiceSpec};
use paystate::{Match, Matcher, Pricing, Status, Timestamp};
use serde_json::{json, Map, Value};

use crate::clock::to_timestamp;
use crate::error::ApiError;
use crate::ids;
use crate::server::App;
use crate::store::{self, DeliveryRow, InvoiceRow, NewInvoice, Tx};

/// The `tx_hash` of a test webhook for an invoice nobody paid.
pub const SAMPLE_TX_HASH: &str = "sandbox_test_tx_hash";

/// The event type name of the seed's test webhook in the outbox.
pub const TEST_EVENT: &str = "test";

/// The seed's wallets: one per accepted asset (`walletId` names one of them).
///
/// Sandbox-only addresses: each 20-byte account id is the ASCII text
/// `paystate sandbox trc` / `… erc` / `… bsc`, spelled as a valid TRON base58check and
/// EIP-55 address (so the core's `address` module accepts them and a payment URI can be
/// built), and recognisable as nobody's wallet when decoded.
pub const WALLETS: [(&str, Asset, &str); 3] = [
    (
        "wallet_trc20",
        Asset::UsdtTrc20,
        "TLDRTBhbUmgyTMFSp4JK7hizhPjsE75Drx",
    ),
    (
        "wallet_erc20",
        Asset::UsdtErc20,
        "0x70617973746174652073616E64626f7820657263",
    ),
    (
        "wallet_bsc",
        Asset::UsdtBsc,
        "0x70617973746174652073616E64626F7820627363",
    ),
];

/// The text each sandbox wallet's account id spells, in [`WALLETS`] order.
pub const WALLET_ACCOUNT_TEXT: [&[u8; 20]; 3] = [
    b"paystate sandbox trc",
    b"paystate sandbox erc",
    b"paystate sandbox bsc",
];

/// The sandbox's Polygon deposit address. Seed 001 has no Polygon wallet (its account
/// lists [`WALLETS`] only); GatePay's `USDT_MATIC` orders and seed 004's `USDT-POLYGON`
/// invoices are paid here. Built like [`WALLETS`]: the 20-byte account id is the ASCII text
/// [`POLYGON_ACCOUNT_TEXT`], in EIP-55 spelling. It belongs to nobody.
pub const POLYGON_ADDRESS: &str = "0x70617973746174652073616E64626f7820706f6c";

/// The text [`POLYGON_ADDRESS`]'s account id spells.
pub const POLYGON_ACCOUNT_TEXT: &[u8; 20] = b"paystate sandbox pol";

/// The Bybit UID a `USDT_BYBIT` invoice (seeds 000 and 003: a Bybit internal transfer, no
/// chain address) is paid to. Bybit numbers accounts from 1, so UID 0 is nobody's: a
/// payer who copies it into a real Bybit app cannot send anything to it.
pub const BYBIT_UID: &str = "0";

/// Where an invoice of `asset` is paid on chain: the seed-001 wallet of that asset, else
/// [`POLYGON_ADDRESS`] for Polygon; `None` for `USDT_BYBIT`, which moves inside Bybit
/// (the payer sends to [`BYBIT_UID`]).
pub fn deposit_address(asset: Asset) -> Option<&'static str> {
    match asset {
        Asset::UsdtPolygon => Some(POLYGON_ADDRESS),
        Asset::UsdtBybit => None,
        other => wallet_for(other).map(|(_, address)| address),
    }
}

fn wallet_for(asset: Asset) -> Option<(&'static str, &'static str)> {
    WALLETS
        .iter()
        .find(|(_, a, _)| *a == asset)
        .map(|(id, _, address)| (*id, *address))
}

/// The status seed 001 reports for a core status. The seed documents `pending`,
/// `confirmed` and `expired` ("Poll Status Endpoint") and a cancel operation; processing
/// (enough seen, not yet confirmed) still reads `pending` there. Statuses the seed has no
/// word for keep the core's name.
// The core's dialect has no status mapping yet; when it gains one this defers to it.
pub fn seed_status(status: Status) -> &'static str {
    match status {
        Status::Pending | Status::Processing => "pending",
        Status::Paid | Status::PartiallyRefunded | Status::Refunded => "confirmed",
        Status::Expired => "expired",
        Status::Cancelled => "cancelled",
        Status::Invalid => "invalid",
    }
}

fn load_invoice(row: &InvoiceRow) -> Result<Invoice, ApiError> {
    Invoice::from_json(&row.state)
        .map_err(|e| ApiError::internal(format_args!("stored state: {e}")))
}

fn parse_view(row: &InvoiceRow) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_str::<Value>(&row.view) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(ApiError::internal("stored view is not an object")),
    }
}

/// The seed's invoice document as of `now`: the create response with the current status.
pub fn invoice_view(row: &InvoiceRow, now: Timestamp) -> Result<Value, ApiError> {
    let invoice = load_invoice(row)?;
    let mut view = parse_view(row)?;
    view.insert("status".into(), json!(seed_status(invoice.status_at(now))));
    Ok(Value::Object(view))
}

fn to_millis(t: Timestamp) -> i64 {
    t.as_millis()
}

/// The step between the payable amounts the matcher hands out on a shared account: seed
/// 001's smallest amount (4 decimal places).
pub const SHARED_STEP: &str = "0.0001";

/// `POST /api/v1/invoices`. With `shared_account` (the sandbox-only
/// `X-Sandbox-Shared-Account` header), the invoice is paid into that shared account by
/// amount only: the core's matcher gives it a payable amount no other open invoice on
/// the account has (`docs/spec.md §4`), and that amount is what it is due.
pub async fn create_invoice(
    app: &Arc<App>,
    body: Vec<u8>,
    shared_account: Option<String>,
) -> Result<Value, ApiError> {
    let now = app.clock.now();
    let ctx = InvoiceContext {
        id: ids::uuid_v4()?,
        now,
        generated_reference: Some(format!("INV-{}", ids::random_hex::<8>()?.to_uppercase())),
    };
    let req = usdt_gateway::parse_invoice(&body, &ctx).map_err(ApiError::from_rejection)?;
    let asset = req.invoice.spec.asset;
    let (wallet_id, address) =
        wallet_for(asset).ok_or_else(|| ApiError::bad_request("assetCode has no wallet"))?;
    if let Some(w) = &req.wallet_id {
        if w != wallet_id {
            return Err(ApiError::bad_request(format!(
                "walletId must be {wallet_id} for {}",
                asset.code()
            )));
        }
    }
    let reference = req
        .invoice
        .spec
        .reference
        .clone()
        .ok_or_else(|| ApiError::internal("invoice without a reference"))?;
    // Everything that can be refused without the database is checked before it.
    Invoice::create(req.invoice.spec.clone(), now).map_err(|e| ApiError::from_core(&e))?;
    let render = InvoiceRender {
        payout_address: address.to_owned(),
        payment_url: format!("{}/pay/{}", app.base_url, reference),
        is_test: true,
    };
    let callback = req.callback_url.clone();
    app.db
        .tx(move |tx| {
            if store::reference_exists(tx, &reference)? {
                return Err(ApiError::from_rejection(usdt_gateway::duplicate_reference(
                    &reference,
                )));
            }
            let mut req = req.clone();
            if let Some(account) = &shared_account {
                let payable = allocate(tx, account, &req.invoice.spec.id, req.amount)?;
                req.invoice.spec.pricing = Pricing::Due(payable);
                req.amount = payable;
            }
            let spec = req.invoice.spec.clone();
            let (invoice, _created) =
                Invoice::create(spec.clone(), now).map_err(|e| ApiError::from_core(&e))?;
            let mut view = usdt_gateway::render_invoice(&req, &render);
            if let (Some(account), Value::Object(m)) = (&shared_account, &mut view) {
                m.insert("sharedAccount".into(), json!(account));
            }
            let view_text = serde_json::to_string(&view).map_err(ApiError::internal)?;
            let command = serde_json::to_string(&Command::Create(Box::new(spec)))
                .map_err(ApiError::internal)?;
            let id = invoice.id().to_owned();
            store::insert_invoice(
                tx,
                &NewInvoice {
                    id: &id,
                    reference: &reference,
                    status: invoice.status().as_str(),
                    state: &invoice.to_json(),
                    view: &view_text,
                    callback_url: callback.as_deref(),
                    next_deadline: invoice.next_deadline().map(to_millis),
                    account: shared_account.as_deref(),
                },
            )?;
            store::append_journal(tx, &id, to_millis(now), &command)?;
            Ok(view)
        })
        .await
}

/// Allocates `invoice_id`'s payable amount on a shared account, holding the account's row
/// lock until the transaction ends (one writer per account).
fn allocate(tx: &Tx<'_>, account: &str, invoice_id: &str, due: Amount) -> Result<Amount, ApiError> {
    let mut matcher = load_matcher(&store::lock_account(tx, account)?)?;
    let step = Amount::parse_positive(SHARED_STEP, "step").map_err(ApiError::internal)?;
    let payable = matcher
        .allocate(account, invoice_id, due, step, Amount::ZERO)
        .map_err(|e| ApiError::from_core(&e))?;
    save_matcher(tx, account, &matcher)?;
    Ok(payable)
}

fn load_matcher(text: &str) -> Result<Matcher, ApiError> {
    serde_json::from_str(text).map_err(|e| ApiError::internal(format_args!("stored matcher: {e}")))
}

fn save_matcher(tx: &Tx<'_>, account: &str, matcher: &Matcher) -> Result<(), ApiError> {
    let text = serde_json::to_string(matcher).map_err(ApiError::internal)?;
    store::save_account(tx, account, &text)
}

/// Whether an invoice in this status still holds its payable amount (`docs/spec.md §4`:
/// released when it leaves pending/processing).
fn holds_amount(status: Status) -> bool {
    matches!(status, Status::Pending | Status::Processing)
}

/// How a client names an invoice.
#[derive(Debug, Clone)]
pub enum Lookup {
    /// By `id`.
    Id(String),
    /// By `reference`.
    Reference(String),
}

fn find(tx: &Tx<'_>, lookup: &Lookup) -> Result<InvoiceRow, ApiError> {
    let row = match lookup {
        Lookup::Id(id) => store::invoice_by_id(tx, id)?,
        Lookup::Reference(r) => store::invoice_by_reference(tx, r)?,
    };
    row.ok_or_else(|| ApiError::not_found("Invoice not found"))
}

/// [`find`], for seed 001's own API: another seed's invoice is not found there. Seed 001's
/// API answers with seed 001's document and statuses, which those invoices do not have
/// (their stored answer is their own seed's); every invoice takes the `/sandbox/` controls.
fn find_001(tx: &Tx<'_>, lookup: &Lookup) -> Result<InvoiceRow, ApiError> {
    let row = find(tx, lookup)?;
    if store::seed_invoice(tx, &row.id)?.is_some() {
        return Err(ApiError::not_found("Invoice not found"));
    }
    Ok(row)
}

/// Refuses (404, as an unknown id) an invoice that is not seed 001's: for the seed-001
/// operations that go on to the shared payment code.
pub async fn require_seed_001(app: &Arc<App>, id: String) -> Result<(), ApiError> {
    app.db
        .tx(move |tx| find_001(tx, &Lookup::Id(id.clone())).map(|_| ()))
        .await
}

/// `GET /api/v1/invoices/:id` and `GET /api/v1/invoices/reference/:ref`.
pub async fn get_invoice(app: &Arc<App>, lookup: Lookup) -> Result<Value, ApiError> {
    let now = app.clock.now();
    app.db
        .tx(move |tx| invoice_view(&find_001(tx, &lookup)?, now))
        .await
}

/// The core state of an invoice (`GET /sandbox/invoices/:id`): status, exceptions and
/// every transfer, for tests and debugging.
pub async fn core_state(app: &Arc<App>, id: String) -> Result<Value, ApiError> {
    app.db
        .tx(move |tx| {
            let row = find(tx, &Lookup::Id(id.clone()))?;
            let journal = store::journal(tx, &row.id)?;
            let state: Value = serde_json::from_str(&row.state).map_err(ApiError::internal)?;
            let journal: Vec<Value> = journal
                .into_iter()
                .map(|(at, c)| {
                    let command = serde_json::from_str::<Value>(&c).unwrap_or(Value::Null);
                    json!({"at": to_timestamp(at).to_string(), "command": command})
                })
                .collect();
            Ok(json!({"state": state, "journal": journal}))
        })
        .await
}

/// `GET /sandbox/invoices`: `{"total", "bySeed": {"000": n, "001": n, ...}}`, every seed.
pub async fn invoice_counts(app: &Arc<App>) -> Result<Value, ApiError> {
    app.db
        .tx(move |tx| {
            let mut by_seed = Map::new();
            let mut total: u64 = 0;
            for (seed, n) in store::invoice_counts_by_seed(tx)? {
                total = total.saturating_add(n);
                by_seed.insert(seed, json!(n));
            }
            Ok(json!({"total": total, "bySeed": by_seed}))
        })
        .await
}

/// Largest `limit` of the list endpoint.
pub const MAX_PAGE_LIMIT: u32 = 100;

/// `GET /api/v1/invoices?page&limit`: seed 001's invoices, newest first.
pub async fn list_invoices(app: &Arc<App>, page: u32, limit: u32) -> Result<Value, ApiError> {
    let now = app.clock.now();
    app.db
        .tx(move |tx| {
            let offset = u64::from(page.saturating_sub(1)).saturating_mul(u64::from(limit));
            let (rows, total) = store::invoice_page(tx, limit, offset)?;
            let data = rows
                .iter()
                .map(|r| invoice_view(r, now))
                .collect::<Result<Vec<_>, _>>()?;
            let pages = total.div_ceil(u64::from(limit.max(1)));
            Ok(json!({
                "data": data,
                "meta": {"page": page, "limit": limit, "total": total, "totalPages": pages}
            }))
        })
        .await
}

/// `GET /api/v1/account`: its stats count seed 001's invoices.
pub async fn account(app: &Arc<App>) -> Result<Value, ApiError> {
    let merchant_id = app.merchant_id.clone();
    app.db
        .tx(move |tx| {
            let counts = store::status_counts(tx)?;
            let mut by_status = Map::new();
            let mut total: u64 = 0;
            for (status, n) in counts {
                total = total.saturating_add(n);
                let name = Status::parse(&status, "status")
                    .map(seed_status)
                    .unwrap_or("unknown");
                let prev = by_status.get(name).and_then(Value::as_u64).unwrap_or(0);
                by_status.insert(name.to_owned(), json!(prev.saturating_add(n)));
            }
            let wallets: Vec<Value> = WALLETS
                .iter()
                .map(|(id, asset, address)| {
                    json!({"id": id, "assetCode": asset.code(), "address": address})
                })
                .collect();
            Ok(json!({
                "id": merchant_id,
                "name": "paystate sandbox",
                "status": "active",
                "isTest": true,
                "wallets": wallets,
                "stats": {"totalInvoices": total, "byStatus": by_status}
            }))
        })
        .await
}

/// Applies a core command to a stored invoice at `now`, inside `tx`: the new state, its
/// journal entry and the webhooks its events cause are written together.
pub fn apply_in_tx(
    app: &App,
    tx: &Tx<'_>,
    id: &str,
    command: &Command,
    now: Timestamp,
) -> Result<(Invoice, Vec<Event>), ApiError> {
    let row = find(tx, &Lookup::Id(id.to_owned()))?;
    let mut invoice = load_invoice(&row)?;
    // A shared account's row is locked before the invoice's (every path takes the account
    // first), so a release below cannot deadlock with an allocation.
    let held = match &row.account {
        Some(account) if holds_amount(invoice.status()) => {
            Some((account, load_matcher(&store::lock_account(tx, account)?)?))
        }
        _ => None,
    };
    let events = invoice
        .apply(command, now)
        .map_err(|e| ApiError::from_core(&e))?;
    store::update_invoice(
        tx,
        id,
        row.version,
        invoice.status().as_str(),
        &invoice.to_json(),
        invoice.next_deadline().map(to_millis),
    )?;
    if let Some((account, mut matcher)) = held {
        if !holds_amount(invoice.status()) {
            matcher.release(id);
            save_matcher(tx, account, &matcher)?;
        }
    }
    let text = serde_json::to_string(command).map_err(ApiError::internal)?;
    store::append_journal(tx, id, to_millis(now), &text)?;
    // Seeds 000, 002, 003 and 004 send their own webhooks (src/seed/).
    if let Some(seed_row) = store::seed_invoice(tx, id)? {
        crate::seed::on_events(app, tx, &seed_row, &row, &invoice, &events, now)?;
        return Ok((invoice, events));
    }
    let view = parse_view(&row)?;
    for event in &events {
        // Seed 001 sends one webhook: "When a payment is confirmed on the blockchain".
        if event.event_type != EventType::Paid {
            continue;
        }
        let Some(url) = app
            .config
            .forward_to
            .clone()
            .or_else(|| row.callback_url.clone())
        else {
            continue;
        };
        let body = webhook_body(app, &invoice, &view, event.at)?;
        enqueue(
            tx,
            Policy::UsdtGateway,
            &event.id,
            event.event_type.as_str(),
            Some(id),
            invoice.spec().reference.as_deref(),
            &url,
            body,
            now,
        )?;
    }
    Ok((invoice, events))
}

fn webhook_body(
    app: &App,
    invoice: &Invoice,
    view: &Map<String, Value>,
    paid_at: Timestamp,
) -> Result<Vec<u8>, ApiError> {
    let payout_address = view
        .get("payoutAddress")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let body = usdt_gateway::render_webhook(
        invoice,
        &WebhookRender {
            merchant_id: app.merchant_id.clone(),
            payout_address,
            // A test webhook of an unpaid (or the sample) invoice names a sample transaction.
            tx_hash: crate::seed::paying_tx(invoice)
                .unwrap_or(SAMPLE_TX_HASH)
                .to_owned(),
            paid_at,
        },
    );
    serde_json::to_vec(&body).map_err(ApiError::internal)
}

/// Puts a webhook in the outbox with a fresh delivery plan under `policy` (seed 001's is
/// [`Policy::UsdtGateway`]), first attempt due now.
#[allow(clippy::too_many_arguments)]
pub(crate) fn enqueue(
    tx: &Tx<'_>,
    policy: Policy,
    event_id: &str,
    event_type: &str,
    invoice_id: Option<&str>,
    reference: Option<&str>,
    url: &str,
    body: Vec<u8>,
    now: Timestamp,
) -> Result<(), ApiError> {
    let plan = DeliveryPlan::new(event_id, policy, now);
    let plan_text = serde_json::to_string(&plan).map_err(ApiError::internal)?;
    store::insert_delivery(
        tx,
        &DeliveryRow {
            id: event_id.to_owned(),
            event_type: event_type.to_owned(),
            invoice_id: invoice_id.map(str::to_owned),
            reference: reference.map(str::to_owned),
            url: url.to_owned(),
            body,
            plan: plan_text,
            next_at: plan.next_deadline().map(to_millis),
            created_at: to_millis(now),
            claim: None,
        },
    )
}

/// Applies a command now, in its own transaction, and wakes the delivery worker.
pub async fn command(app: &Arc<App>, id: String, command: Command) -> Result<Invoice, ApiError> {
    let now = app.clock.now();
    let a = Arc::clone(app);
    let (invoice, events) = app
        .db
        .tx(move |tx| apply_in_tx(&a, tx, &id, &command, now))
        .await?;
    if events.iter().any(|e| e.event_type == EventType::Paid) {
        app.wake.notify_one();
    }
    Ok(invoice)
}

/// `POST /api/v1/invoices/:id/cancel`: the core decides whether it may be cancelled
/// (pending with nothing received); the seed: "Only pending invoices can be cancelled."
pub async fn cancel(app: &Arc<App>, id: String) -> Result<Value, ApiError> {
    require_seed_001(app, id.clone()).await?;
    let invoice = command(app, id.clone(), Command::Cancel)
        .await
        .map_err(|e| {
            if e.status == 400 {
                ApiError::bad_request("Only pending invoices can be cancelled")
            } else {
                e
            }
        })?;
    get_invoice(app, Lookup::Id(invoice.id().to_owned())).await
}

/// A payment the sandbox makes happen.
#[derive(Debug, Clone)]
pub struct Payment {
    /// How much (`None`: the invoice's exact amount).
    pub amount: Option<Amount>,
    /// The transaction id (`None`: generated).
    pub tx_id: Option<String>,
    /// Seen confirmed at once.
    pub confirmed: bool,
    /// Then confirmed this many seconds later.
    pub confirm_after: Option<u64>,
    /// Or dropped (reorged out) this many seconds later.
    pub drop_after: Option<u64>,
}

/// Observes a transfer into an invoice now, and schedules its confirmation or drop; one
/// transaction. Returns the invoice and the transfer's id.
pub async fn pay(app: &Arc<App>, id: String, p: Payment) -> Result<(Invoice, String), ApiError> {
    let now = app.clock.now();
    let tx_id = match &p.tx_id {
        Some(t) => t.clone(),
        None => format!("sim_{}", ids::random_hex::<16>()?),
    };
    let a = Arc::clone(app);
    let result = app
        .db
        .tx(move |tx| {
            let invoice = pay_in_tx(&a, tx, &id, &p, &tx_id, now)?;
            Ok((invoice, tx_id.clone()))
        })
        .await?;
    app.wake.notify_one();
    Ok(result)
}

fn pay_in_tx(
    app: &App,
    tx: &Tx<'_>,
    id: &str,
    p: &Payment,
    tx_id: &str,
    now: Timestamp,
) -> Result<Invoice, ApiError> {
    let row = find(tx, &Lookup::Id(id.to_owned()))?;
    let current = load_invoice(&row)?;
    let transfer = TransferInput {
        tx_id: tx_id.to_owned(),
        amount: p.amount.unwrap_or_else(|| current.due()),
        asset: current.asset(),
        confirmed: p.confirmed,
        at: None,
    };
    let (invoice, _) = apply_in_tx(app, tx, id, &Command::ObserveTransfer(transfer), now)?;
    let later = [
        (
            p.confirm_after,
            Command::ConfirmTransfer {
                tx_id: tx_id.to_owned(),
            },
        ),
        (
            p.drop_after,
            Command::DropTransfer {
                tx_id: tx_id.to_owned(),
            },
        ),
    ];
    for (after, cmd) in later {
        if let Some(secs) = after {
            let due = now.plus(Duration::seconds(secs));
            let text = serde_json::to_string(&cmd).map_err(ApiError::internal)?;
            store::schedule(tx, to_millis(due), id, &text)?;
        }
    }
    Ok(invoice)
}

/// `POST /sandbox/accounts/{account}/transfers`: a transfer into a shared account that
/// carries nothing but its amount. The account's matcher (read under its row lock) names
/// the invoice whose payable amount it is, and the transfer is observed on that invoice
/// in the same transaction; an amount no open invoice holds is `unmatched` and changes
/// nothing.
pub async fn shared_transfer(
    app: &Arc<App>,
    account: String,
    p: Payment,
) -> Result<Value, ApiError> {
    let now = app.clock.now();
    let amount = p
        .amount
        .ok_or_else(|| ApiError::bad_request("amount is required"))?;
    let tx_id = match &p.tx_id {
        Some(t) => t.clone(),
        None => format!("sim_{}", ids::random_hex::<16>()?),
    };
    let a = Arc::clone(app);
    let answer = app
        .db
        .tx(move |tx| {
            // An account nobody opened is not created by a stray transfer.
            if store::account_matcher(tx, &account)?.is_none() {
                return Ok(json!({"match": "unmatched", "amount": amount.to_string()}));
            }
            // Read under the row lock: the matcher the transfer is routed by is one no
            // other writer can change before this transaction ends.
            let matcher = load_matcher(&store::lock_account(tx, &account)?)?;
            match matcher.match_amount(&account, amount) {
                Match::Matched(id) => {
                    let invoice = pay_in_tx(&a, tx, &id, &p, &tx_id, now)?;
                    Ok(json!({
                        "match": "matched",
                        "invoiceId": id,
                        "txId": tx_id,
                        "amount": amount.to_string(),
                        "status": invoice.status_at(now).as_str(),
                        "seedStatus": seed_status(invoice.status_at(now)),
                    }))
                }
                Match::Ambiguous(ids) => Ok(json!({
                    "match": "ambiguous", "invoiceIds": ids, "amount": amount.to_string()
                })),
                Match::Unmatched => Ok(json!({"match": "unmatched", "amount": amount.to_string()})),
            }
        })
        .await?;
    app.wake.notify_one();
    Ok(answer)
}

/// `GET /sandbox/accounts/{account}`: the payable amounts the account's matcher holds,
/// one per open invoice.
pub async fn shared_account(app: &Arc<App>, account: String) -> Result<Value, ApiError> {
    app.db
        .tx(move |tx| {
            let windows = match store::account_matcher(tx, &account)? {
                Some(text) => {
                    let data: Value = serde_json::from_str(&text).map_err(ApiError::internal)?;
                    data.get("windows")
                        .cloned()
                        .unwrap_or(Value::Array(Vec::new()))
                }
                None => Value::Array(Vec::new()),
            };
            Ok(json!({"account": account, "windows": windows}))
        })
        .await
}

/// `POST /api/v1/sandbox/trigger-expiry`: the invoice's own clock is moved to its
/// deadline (a `tick` at the deadline), so the core expires it exactly as time would.
/// The sandbox clock is not moved. Anything the core does not expire then is refused
/// (and the transaction rolled back).
pub async fn trigger_expiry(app: &Arc<App>, id: String) -> Result<Value, ApiError> {
    let now = app.clock.now();
    let a = Arc::clone(app);
    let lookup_id = id.clone();
    app.db
        .tx(move |tx| {
            let row = find_001(tx, &Lookup::Id(id.clone()))?;
            let current = load_invoice(&row)?;
            let at = current.deadline().max(now);
            let (_, events) = apply_in_tx(&a, tx, &id, &Command::Tick, at)?;
            if !events.iter().any(|e| e.event_type == EventType::Expired) {
                return Err(ApiError::bad_request(format!(
                    "Only pending invoices can be expired (this one is {})",
                    seed_status(current.status_at(now))
                )));
            }
            Ok(())
        })
        .await?;
    get_invoice(app, Lookup::Id(lookup_id)).await
}

/// `POST /api/v1/sandbox/test-webhook`: enqueues one signed sample webhook to `url` (else
/// `--forward-to`, else the invoice's `callbackUrl`), built from the invoice when one is
/// named, else from the seed's example invoice. Returns the webhook id.
pub async fn test_webhook(
    app: &Arc<App>,
    url: Option<String>,
    invoice_id: Option<String>,
) -> Result<Value, ApiError> {
    let now = app.clock.now();
    let event_id = format!("test_{}", ids::uuid_v4()?);
    let a = Arc::clone(app);
    let eid = event_id.clone();
    let target = app
        .db
        .tx(move |tx| {
            let (invoice, view, callback) = match &invoice_id {
                Some(id) => {
                    let row = find_001(tx, &Lookup::Id(id.clone()))?;
                    (load_invoice(&row)?, parse_view(&row)?, row.callback_url)
                }
                None => (sample_invoice(now)?, sample_view(), None),
            };
            let target = url
                .clone()
                .or_else(|| a.config.forward_to.clone())
                .or(callback)
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "url is required: the invoice has no callbackUrl and no --forward-to is set",
                    )
                })?;
            let body = webhook_body(&a, &invoice, &view, now)?;
            enqueue(
                tx,
                Policy::UsdtGateway,
                &eid,
                TEST_EVENT,
                invoice_id.as_deref(),
                invoice.spec().reference.as_deref(),
                &target,
                body,
                now,
            )?;
            Ok(target)
        })
        .await?;
    app.wake.notify_one();
    Ok(json!({"success": true, "webhookId": event_id, "url": target}))
}

fn sample_invoice(now: Timestamp) -> Result<Invoice, ApiError> {
    let mut spec = InvoiceSpec::new(
        "550e8400-e29b-41d4-a716-446655440000",
        Pricing::Due(Amount::from_units(150)),
        Asset::UsdtTrc20,
        Expiry::In(Duration::seconds(usdt_gateway::DEFAULT_EXPIRY_SECONDS)),
    );
    spec.reference = Some("ORDER-12345".into());
    let mut meta = Map::new();
    meta.insert("orderId".into(), json!("12345"));
    spec.metadata = Some(meta);
    Invoice::create(spec, now)
        .map(|(i, _)| i)
        .map_err(|e| ApiError::internal(format_args!("sample invoice: {e}")))
}

fn sample_view() -> Map<String, Value> {
    let mut m = Map::new();
    if let Some((_, address)) = wallet_for(Asset::UsdtTrc20) {
        m.insert("payoutAddress".into(), json!(address));
    }
    m
}

/// Validates a URL a client gives the sandbox to send to (`http://` or `https://`), with
/// the seed's `callbackUrl` rules.
pub fn check_target_url(url: &str, field: &str) -> Result<(), ApiError> {
    paystate::dialect::common::check_url(
        url,
        usdt_gateway::MAX_URL,
        paystate::dialect::common::UrlRule::default(),
        field,
    )
    .map_err(|e| ApiError::from_core(&e))?;
    if !url.starts_with("http://") && !url.starts_with("https://") {
        return Err(ApiError::bad_request(format!(
            "{field}: this sandbox sends webhooks over http:// or https:// only"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use paystate::address::Address;

    /// The wallets are valid addresses of their asset's network, in normalised spelling,
    /// and are exactly the sandbox text they claim to encode.
    #[test]
    fn wallets_are_valid_sandbox_addresses() {
        for ((_, asset, text), account) in WALLETS.iter().zip(WALLET_ACCOUNT_TEXT) {
            let parsed = Address::parse(*asset, text, "address");
            assert_eq!(parsed.as_ref().map(Address::as_str), Ok(*text), "{asset}");
            let derived = Address::from_bytes(*asset, *account);
            assert_eq!(derived.as_ref().map(Address::as_str), Ok(*text), "{asset}");
        }
        let polygon = Address::from_bytes(Asset::UsdtPolygon, *POLYGON_ACCOUNT_TEXT);
        assert_eq!(
            polygon.as_ref().map(Address::as_str),
            Ok(POLYGON_ADDRESS),
            "the Polygon address spells its text, EIP-55"
        );
        let parsed = Address::parse(Asset::UsdtPolygon, POLYGON_ADDRESS, "address");
        assert_eq!(parsed.as_ref().map(Address::as_str), Ok(POLYGON_ADDRESS));
        for asset in Asset::ALL {
            let expected = match asset {
                Asset::UsdtBybit => None,
                Asset::UsdtPolygon => Some(POLYGON_ADDRESS),
                a => WALLETS.iter().find(|w| w.1 == a).map(|w| w.2),
            };
            assert_eq!(deposit_address(asset), expected, "{asset}");
        }
    }
}
