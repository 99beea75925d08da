//! The product's vocabulary as one JSON document, built from core's own definitions.
//!
//! Every name a user or a binding sees — error codes, statuses, exceptions, event types,
//! commands, signature schemes, assets with their scales and aliases, delivery policies,
//! refund outcomes — and the transition table are read here from the enumerations and
//! tables that the state machine itself uses (docs/spec.md §9, §3). `paystate contract`
//! prints [`document`]; `scripts/gen-vocabulary.py` turns it into the bindings' generated
//! vocabulary files, and a drift check fails when a generated copy differs. Adding an error
//! code is therefore one edit in [`crate::error`] plus regeneration.

use serde_json::{json, Value};

use crate::delivery::Policy;
use crate::error::Error;
use crate::invoice::table::RULES;
use crate::invoice::{
    CommandKind, EventType, Exception, RefundOutcome, Status, DEFAULT_CONFIRMATION_WINDOW,
    MAX_ID_LEN, SCHEMA_VERSION,
};
use crate::money::{Asset, MAX_SIGNIFICANT_DIGITS};
use crate::signature::Scheme;

/// Codes accepted for an asset besides its canonical code (docs/spec.md §2). `Asset::parse`
/// and the serde alias accept exactly these; a test below keeps the three in step.
pub const ASSET_ALIASES: &[(&str, Asset)] = &[("USDT_MATIC", Asset::UsdtPolygon)];

/// The version of this document's shape (not of the product): bumped when a key changes
/// meaning, so generators can refuse a document they do not understand.
pub const CONTRACT_VERSION: u32 = 1;

/// The whole vocabulary and the transition table, as a JSON value with a stable key order.
pub fn document() -> Value {
    let assets: Vec<Value> = Asset::ALL
        .iter()
        .map(|a| {
            let aliases: Vec<&str> = ASSET_ALIASES
                .iter()
                .filter(|(_, target)| target == a)
                .map(|(alias, _)| *alias)
                .collect();
            json!({"code": a.code(), "scale": a.scale(), "aliases": aliases})
        })
        .collect();
    let schemes: Vec<Value> = Scheme::ALL
        .iter()
        .map(|s| {
            json!({
                "name": s.name(),
                "timestamped": s.is_timestamped(),
                "default_tolerance_seconds": s.default_tolerance().map(|d| d.as_millis() / 1000),
                "replay_key": s.has_replay_key(),
                "parses_body": s.parses_body(),
            })
        })
        .collect();
    let policies: Vec<Value> = Policy::ALL
        .iter()
        .map(|p| {
            json!({
                "name": p.name(),
                "max_attempts": p.max_attempts(),
                "time_limit_seconds": p.time_limit().map(|d| d.as_millis() / 1000),
            })
        })
        .collect();
    let transitions: Vec<Value> = RULES
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
    json!({
        "contract_version": CONTRACT_VERSION,
        "error_codes": Error::CODES,
        "error_categories": Error::CATEGORIES
            .iter()
            .map(|(code, category)| ((*code).to_owned(), json!(category.as_str())))
            .collect::<serde_json::Map<String, Value>>(),
        "statuses": Status::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        "exceptions": Exception::ALL.iter().map(|e| e.as_str()).collect::<Vec<_>>(),
        "event_types": EventType::ALL.iter().map(|e| e.as_str()).collect::<Vec<_>>(),
        "commands": CommandKind::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        "refund_outcomes": RefundOutcome::ALL.iter().map(|o| o.as_str()).collect::<Vec<_>>(),
        "schemes": schemes,
        "assets": assets,
        "delivery_policies": policies,
        "limits": {
            "invoice_schema_version": SCHEMA_VERSION,
            "max_significant_digits": MAX_SIGNIFICANT_DIGITS,
            "max_id_len": MAX_ID_LEN,
            "max_transfers_per_invoice": crate::invoice::MAX_TRANSFERS_PER_INVOICE,
            "max_metadata_bytes": crate::invoice::MAX_METADATA_BYTES,
            "max_metadata_depth": crate::invoice::MAX_METADATA_DEPTH,
            "max_json_bytes": crate::json::MAX_JSON_BYTES,
            "max_json_depth": crate::json::MAX_JSON_DEPTH,
            "replay_guard_default_capacity": crate::signature::replay::DEFAULT_CAPACITY,
            "default_confirmation_window_seconds":
                DEFAULT_CONFIRMATION_WINDOW.as_millis() / 1000,
            "default_allowance": crate::matching::DEFAULT_ALLOWANCE.to_string(),
        },
        "transitions": transitions,
    })
}

/// [`document`] as pretty-printed JSON with a final newline: the committed artefact's text.
pub fn to_json_pretty() -> String {
    let mut text = serde_json::to_string_pretty(&document()).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_parse_to_their_asset() {
        for (alias, asset) in ASSET_ALIASES {
            assert_eq!(Asset::parse(alias, "asset").ok(), Some(*asset));
            let via_serde: Asset = serde_json::from_value(json!(alias)).unwrap();
            assert_eq!(via_serde, *asset);
        }
    }

    #[test]
    fn refund_outcomes_match_serde() {
        for o in RefundOutcome::ALL {
            assert_eq!(serde_json::to_value(o).unwrap(), json!(o.as_str()));
        }
    }

    #[test]
    fn every_list_is_complete_and_unique() {
        let doc = document();
        for key in [
            "error_codes",
            "statuses",
            "exceptions",
            "event_types",
            "commands",
            "refund_outcomes",
        ] {
            let list: Vec<&str> = doc[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            let mut sorted = list.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), list.len(), "{key} has a duplicate");
            assert!(!list.is_empty(), "{key} is empty");
        }
        assert!(doc["error_codes"]
            .as_array()
            .unwrap()
            .contains(&json!("limit_exceeded")));
        assert_eq!(doc["transitions"].as_array().unwrap().len(), RULES.len());
        let categories = doc["error_categories"].as_object().unwrap();
        let keys: Vec<&String> = categories.keys().collect();
        assert_eq!(keys, Error::CODES.iter().collect::<Vec<_>>());
        assert_eq!(categories["invalid_state"], json!("state"));
        assert_eq!(doc["assets"][3]["aliases"], json!(["USDT_MATIC"]));
    }

    #[test]
    fn statuses_round_trip_through_serde() {
        for s in Status::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), json!(s.as_str()));
        }
        for e in Exception::ALL {
            assert_eq!(serde_json::to_value(e).unwrap(), json!(e.as_str()));
        }
        for e in EventType::ALL {
            assert_eq!(serde_json::to_value(e).unwrap(), json!(e.as_str()));
        }
    }
}
