//! `paystate contract`: the core's vocabulary and transition table as one JSON document
//! (docs/spec.md §9 codes, §3 table). The committed copy is `conformance/contract.json`;
//! `scripts/gen-vocabulary.py` generates every binding's lists from it.

/// The document in the requested format (only `json` exists; clap refuses the rest).
pub fn render(format: &str) -> String {
    match format {
        "json" => paystate::contract::to_json_pretty(),
        _ => String::new(),
    }
}
