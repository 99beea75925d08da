//! `paystate replay FILE`: runs JSON-lines steps (the conformance step format, without
//! `expect`) and prints a timeline and the final state of every invoice.

use std::fmt::Write as _;

use serde_json::Value;

use crate::conformance::World;

/// Replays `text` (one JSON step per line; blank lines and `#` comments skipped).
/// `Err` names the line that failed.
pub fn run(text: &str) -> Result<String, String> {
    let mut world = World::new();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<5} {:<22} {:<18} {:<12} {:<24} events",
        "line", "at", "op", "invoice", "status [exceptions]"
    );
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let step: Value =
            serde_json::from_str(trimmed).map_err(|e| format!("line {n}: not JSON: {e}"))?;
        if step.get("expect").is_some() {
            return Err(format!("line {n}: replay steps carry no \"expect\""));
        }
        let (invoice, events) = world
            .run_step_reporting(&step)
            .map_err(|f| format!("line {n}: {}", f.message))?;
        let op = step.get("op").and_then(Value::as_str).unwrap_or("?");
        let at = step.get("at").and_then(Value::as_str).unwrap_or("?");
        let status = invoice
            .as_deref()
            .and_then(|id| world.invoices().find(|(k, _)| *k == id))
            .map(|(_, inv)| {
                let ex: Vec<&str> = inv.exceptions().iter().map(|e| e.as_str()).collect();
                format!("{} [{}]", inv.status(), ex.join(","))
            })
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{n:<5} {at:<22} {op:<18} {:<12} {status:<24} {}",
            invoice.as_deref().unwrap_or("-"),
            events.join(", ")
        );
    }
    let _ = writeln!(out, "\nfinal state:");
    for (id, inv) in world.invoices() {
        let s = inv.snapshot();
        let ex: Vec<&str> = s.exceptions.iter().map(|e| e.as_str()).collect();
        let _ = writeln!(
            out,
            "  {id}: {} [{}] due {} {} paid {} pending {} held {} surplus {} refunded {} refundable {}",
            s.status,
            ex.join(","),
            inv.due(),
            inv.asset(),
            s.amount_paid,
            s.amount_pending,
            s.amount_held,
            s.surplus,
            s.amount_refunded,
            s.refundable
        );
    }
    Ok(out)
}
