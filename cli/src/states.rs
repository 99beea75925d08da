//! `paystate states`: the transition table of the core, for docs and diagrams.

use paystate::invoice::table::RULES;
use serde_json::json;

/// The table as pretty JSON: one object per (from, command) rule.
pub fn json() -> String {
    let rules: Vec<_> = RULES
        .iter()
        .map(|r| {
            json!({
                "from": r.from.map(|s| s.as_str()),
                "command": r.command.as_str(),
                "to": r.to.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
                "note": r.note,
            })
        })
        .collect();
    serde_json::to_string_pretty(&rules).unwrap_or_default()
}
