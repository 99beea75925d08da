use super::*;

fn at(s: &str) -> Timestamp {
    Timestamp::parse(s, "at").unwrap()
}

fn amt(s: &str) -> Amount {
    Amount::parse(s, "a").unwrap()
}

fn spec(due: &str, tolerance: Tolerance) -> InvoiceSpec {
    let mut s = InvoiceSpec::new(
        "inv_1",
        Pricing::Due(amt(due)),
        Asset::UsdtTrc20,
        Expiry::In(crate::time::Duration::seconds(1800)),
    );
    s.tolerance = tolerance;
    s
}

fn transfer(tx: &str, amount: &str, confirmed: bool) -> Command {
    Command::ObserveTransfer(TransferInput {
        tx_id: tx.into(),
        amount: amt(amount),
        asset: Asset::UsdtTrc20,
        confirmed,
        at: None,
    })
}

fn types(events: &[Event]) -> Vec<&'static str> {
    events.iter().map(|e| e.event_type.as_str()).collect()
}

#[test]
fn margin_example_of_seed_004() {
    let (mut inv, ev) = Invoice::create(
        spec("5", Tolerance::Absolute(amt("1"))),
        at("2026-01-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(types(&ev), ["invoice.created"]);
    assert_eq!(ev[0].id, "inv_1:1");
    let ev = inv
        .apply(&transfer("t1", "4", true), at("2026-01-01T00:01:00Z"))
        .unwrap();
    assert_eq!(types(&ev), ["invoice.payment_received", "invoice.paid"]);
    assert_eq!(ev[1].id, "inv_1:3");
    assert_eq!(inv.status(), Status::Paid);
    assert!(inv.exceptions().is_empty());
}

#[test]
fn failed_command_leaves_state_untouched() {
    let (mut inv, _) =
        Invoice::create(spec("10", Tolerance::Exact), at("2026-01-01T00:00:00Z")).unwrap();
    inv.apply(&transfer("t1", "4", false), at("2026-01-01T00:01:00Z"))
        .unwrap();
    let before = inv.clone();
    let err = inv
        .apply(&transfer("t1", "5", false), at("2026-01-01T00:40:00Z"))
        .unwrap_err();
    assert_eq!(err.code(), "integrity_conflict");
    assert_eq!(inv, before, "no deadline applied, no clock moved");
    let err = inv
        .apply(&Command::Cancel, at("2026-01-01T00:02:00Z"))
        .unwrap_err();
    assert_eq!(err.code(), "invalid_transition");
    assert_eq!(inv, before);
}

#[test]
fn processing_times_out_to_invalid() {
    let (mut inv, _) =
        Invoice::create(spec("10", Tolerance::Exact), at("2026-01-01T00:00:00Z")).unwrap();
    let ev = inv
        .apply(&transfer("t1", "10", false), at("2026-01-01T00:01:00Z"))
        .unwrap();
    assert_eq!(
        types(&ev),
        ["invoice.payment_received", "invoice.processing"]
    );
    assert_eq!(inv.next_deadline(), Some(at("2026-01-02T00:30:00Z")));
    assert!(inv.tick(at("2026-01-02T00:29:59.999Z")).is_empty());
    assert_eq!(
        types(&inv.tick(at("2026-01-02T00:30:00Z"))),
        ["invoice.invalid"]
    );
    assert_eq!(inv.next_deadline(), None);
}

#[test]
fn replay_and_serde_round_trip() {
    let t0 = at("2026-01-01T00:00:00Z");
    let s = spec("40", Tolerance::Percent(amt("1")));
    let mut journal = vec![JournalEntry {
        at: t0,
        command: Command::Create(Box::new(s.clone())),
    }];
    let (mut inv, _) = Invoice::create(s, t0).unwrap();
    let cmds = [
        (transfer("t1", "39.7", false), "2026-01-01T00:01:00Z"),
        (
            Command::ConfirmTransfer { tx_id: "t1".into() },
            "2026-01-01T00:02:00Z",
        ),
        (
            Command::RequestRefund {
                refund_id: "r1".into(),
                amount: None,
            },
            "2026-01-01T00:03:00Z",
        ),
        (
            Command::SettleRefund {
                refund_id: "r1".into(),
                outcome: RefundOutcome::Succeeded,
            },
            "2026-01-01T00:04:00Z",
        ),
    ];
    for (c, t) in cmds {
        inv.apply(&c, at(t)).unwrap();
        journal.push(JournalEntry {
            at: at(t),
            command: c,
        });
    }
    assert_eq!(inv.status(), Status::Refunded);
    assert_eq!(Invoice::replay(&journal).unwrap(), inv);
    let text = inv.to_json();
    assert_eq!(Invoice::from_json(&text).unwrap(), inv);
    let journal_text = serde_json::to_string(&journal).unwrap();
    let back: Vec<JournalEntry> = serde_json::from_str(&journal_text).unwrap();
    assert_eq!(back, journal);
}

#[test]
fn mark_only_paid_or_invalid() {
    let (mut inv, _) =
        Invoice::create(spec("10", Tolerance::Exact), at("2026-01-01T00:00:00Z")).unwrap();
    let before = inv.clone();
    for status in [
        Status::Pending,
        Status::Expired,
        Status::Refunded,
        Status::Processing,
    ] {
        let err = inv
            .apply(&Command::Mark { status }, at("2026-01-01T00:01:00Z"))
            .unwrap_err();
        assert_eq!(err.code(), "invalid_field");
        assert_eq!(inv, before);
    }
}

#[test]
fn a_command_that_changes_nothing_leaves_the_state_equal() {
    let (mut inv, _) =
        Invoice::create(spec("10", Tolerance::Exact), at("2026-01-01T00:00:00Z")).unwrap();
    inv.apply(&transfer("t1", "4", false), at("2026-01-01T00:01:00Z"))
        .unwrap();
    let before = inv.clone();
    for _ in 0..200 {
        let ev = inv
            .apply(&transfer("t1", "4", false), at("2026-01-01T00:02:00Z"))
            .unwrap();
        assert!(ev.is_empty());
    }
    assert_eq!(inv, before, "200 repeats: same version, same clock");
    // A tick moves the clock (and the version) even when no deadline is due...
    assert!(inv.tick(at("2026-01-01T00:03:00Z")).is_empty());
    assert_eq!(inv.version(), before.version() + 1);
    assert_eq!(inv.updated_at(), at("2026-01-01T00:03:00Z"));
    // ...but cannot move it backwards: a tick dated earlier changes nothing.
    let ticked = inv.clone();
    inv.tick(at("2026-01-01T00:02:30Z"));
    assert_eq!(inv, ticked);
}

#[test]
fn transfers_per_invoice_are_capped() {
    let (mut inv, _) =
        Invoice::create(spec("10", Tolerance::Exact), at("2026-01-01T00:00:00Z")).unwrap();
    inv.apply(
        &transfer("t0", "0.000001", false),
        at("2026-01-01T00:01:00Z"),
    )
    .unwrap();
    // Fill it directly: observing 10 000 one by one is slow in a debug build.
    let first = inv.transfers[0].clone();
    let mut full = inv.clone();
    full.transfers = (0..MAX_TRANSFERS_PER_INVOICE)
        .map(|i| Transfer {
            tx_id: format!("t{i}"),
            ..first.clone()
        })
        .collect();
    assert_eq!(full.transfers().len(), MAX_TRANSFERS_PER_INVOICE);
    let before = full.clone();
    let err = full
        .apply(&transfer("one_more", "1", true), at("2026-01-01T00:02:00Z"))
        .unwrap_err();
    assert_eq!(err.code(), "limit_exceeded");
    assert_eq!(err.field(), Some("transfer.tx_id"));
    assert_eq!(full, before);
    // Known transfers still work: a confirming repeat, a drop and a re-observation.
    full.apply(
        &transfer("t5", "0.000001", true),
        at("2026-01-01T00:03:00Z"),
    )
    .unwrap();
    full.apply(
        &Command::DropTransfer { tx_id: "t6".into() },
        at("2026-01-01T00:04:00Z"),
    )
    .unwrap();
    let ev = full
        .apply(
            &transfer("t6", "0.000001", false),
            at("2026-01-01T00:05:00Z"),
        )
        .unwrap();
    assert_eq!(types(&ev), ["invoice.payment_received"]);
}

#[test]
fn no_state_holds_a_passed_deadline() {
    // Every command leaves no deadline due at its own applied time.
    let t0 = at("2026-01-01T00:00:00Z");
    let mut s = spec("10", Tolerance::Exact);
    s.confirmation_window = crate::time::Duration::seconds(600);
    let (mut inv, _) = Invoice::create(s, t0).unwrap();
    let steps = [
        (transfer("t1", "4", false), "2026-01-01T00:10:00Z"),
        (transfer("t2", "6", false), "2026-01-01T00:20:00Z"),
        (
            Command::DropTransfer { tx_id: "t2".into() },
            "2026-01-01T00:35:00Z",
        ),
        (
            Command::ObserveTransfer(TransferInput {
                tx_id: "t2".into(),
                amount: amt("6"),
                asset: Asset::UsdtTrc20,
                confirmed: false,
                at: Some(at("2026-01-01T00:20:00Z")),
            }),
            "2026-01-01T00:45:00Z",
        ),
    ];
    for (c, t) in steps {
        inv.apply(&c, at(t)).unwrap();
        assert!(
            inv.next_deadline().is_none_or(|d| d > inv.updated_at()),
            "after {c:?} at {t}: {:?} holds deadline {:?}",
            inv.status(),
            inv.next_deadline()
        );
    }
    assert_eq!(inv.status(), Status::Invalid);
}

#[test]
fn refund_spellings_round_trip_with_serde() {
    for o in RefundOutcome::ALL {
        assert_eq!(RefundOutcome::parse(o.as_str(), "outcome").unwrap(), o);
        assert_eq!(serde_json::to_value(o).unwrap(), o.as_str());
    }
    let err = RefundOutcome::parse("Succeeded", "outcome").unwrap_err();
    assert_eq!(
        (err.code(), err.field()),
        ("invalid_field", Some("outcome"))
    );
    for s in RefundState::ALL {
        assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        assert_eq!(s.to_string(), s.as_str());
    }
}

#[test]
fn journal_entries_read_from_json_and_create_is_not_a_step() {
    let t0 = at("2026-01-01T00:00:00Z");
    let s = spec("40", Tolerance::Exact);
    let entry = JournalEntry {
        at: t0,
        command: Command::Create(Box::new(s.clone())),
    };
    let json = serde_json::to_value(&entry).unwrap();
    let read = JournalEntry::from_json(json.as_object().unwrap()).unwrap();
    assert_eq!(read, entry);
    for (bad, code, field) in [
        (
            serde_json::json!({"command": {"op": "tick"}}),
            "missing_field",
            "journal.at",
        ),
        (
            serde_json::json!({"at": 5, "command": {"op": "tick"}}),
            "invalid_field",
            "journal.at",
        ),
        (
            serde_json::json!({"at": "2026-01-01T00:00:00Z"}),
            "missing_field",
            "journal.command",
        ),
        (
            serde_json::json!({"at": "2026-01-01T00:00:00Z", "command": []}),
            "invalid_field",
            "journal.command",
        ),
        (
            serde_json::json!({"at": "yesterday", "command": {"op": "tick"}}),
            "invalid_field",
            "journal.at",
        ),
    ] {
        let e = JournalEntry::from_json(bad.as_object().unwrap()).unwrap_err();
        assert_eq!((e.code(), e.field()), (code, Some(field)), "{bad}");
    }
    let (mut inv, _) = Invoice::create(s.clone(), t0).unwrap();
    let before = inv.clone();
    let e = inv.apply(&Command::Create(Box::new(s)), t0).unwrap_err();
    assert_eq!((e.code(), e.field()), ("invalid_field", Some("op")));
    assert_eq!(inv, before);
}
