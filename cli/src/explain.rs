//! `paystate explain FILE`: reads an invoice state (as `Invoice::to_json` writes it) and
//! says in plain words why it has its status. Only presentation: every number comes from
//! the core.

use std::fmt::Write as _;

use paystate::{Exception, Invoice, Status};

/// The explanation of a stored invoice state, or the core's error for a bad document.
pub fn run(text: &str) -> Result<String, paystate::Error> {
    let inv = Invoice::from_json(text)?;
    let s = inv.snapshot();
    let mut o = String::new();
    let asset = inv.asset();
    let _ = writeln!(o, "Invoice {} is {}.", inv.id(), s.status);
    let _ = writeln!(
        o,
        "- Due {} {asset}; tolerance {:?} makes the threshold {} (received at or above it pays).",
        inv.due(),
        inv.tolerance(),
        inv.threshold()
    );
    let _ = writeln!(
        o,
        "- Counted: {} confirmed + {} unconfirmed = {} received; surplus {}.",
        s.amount_paid,
        s.amount_pending,
        s.amount_paid.saturating_add(s.amount_pending),
        s.surplus
    );
    let late: Vec<String> = inv
        .transfers()
        .iter()
        .filter(|t| t.late && !t.dropped)
        .map(|t| {
            format!(
                "{} {} ({})",
                t.tx_id,
                t.amount,
                if t.counted { "counted" } else { "held" }
            )
        })
        .collect();
    if !late.is_empty() {
        let _ = writeln!(
            o,
            "- Late transfers (made at or after the deadline): {}.",
            late.join(", ")
        );
    }
    if !s.amount_held.is_zero() {
        let _ = writeln!(o, "- Held apart (does not count): {}.", s.amount_held);
    }
    let dropped = inv.transfers().iter().filter(|t| t.dropped).count();
    if dropped > 0 {
        let _ = writeln!(
            o,
            "- {dropped} transfer(s) were dropped (reorged or failed) and no longer count."
        );
    }
    let _ = writeln!(
        o,
        "- Refunded {}, in flight {}, still refundable {} (confirmed money only).",
        s.amount_refunded, s.refunds_in_flight, s.refundable
    );
    let _ = writeln!(
        o,
        "- Payment deadline {}; unconfirmed payment is waited for until {}.",
        inv.deadline(),
        inv.confirmation_deadline()
    );
    let why = match s.status {
        Status::Pending => "received is below the threshold and the deadline has not been reached",
        Status::Processing => "received reaches the threshold but not all of it is confirmed yet",
        Status::Paid => "confirmed money reaches the threshold",
        Status::Expired => "the deadline was reached without enough counted money",
        Status::Cancelled => "the merchant cancelled it before anything was received",
        Status::Invalid => {
            "an operator marked it invalid, or payment never confirmed within the window"
        }
        Status::PartiallyRefunded => "refunds went beyond the overpayment surplus",
        Status::Refunded => "refunds reached everything confirmed",
    };
    let _ = writeln!(o, "Why {}: {why}.", s.status);
    if s.exceptions.contains(Exception::Marked) {
        let _ = writeln!(o, "Note: an operator forced the status (marked).");
    }
    match inv.next_deadline() {
        Some(t) => {
            let _ = writeln!(o, "Next deadline: {t} (call tick then).");
        }
        None => {
            let _ = writeln!(o, "No deadline pending.");
        }
    }
    Ok(o)
}
