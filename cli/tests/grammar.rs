#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing)]
//! conformance/grammar.json against the Rust runner: every op, step field and expect key
//! the grammar lists must be accepted by the runner, and a name it does not list must be
//! refused (conformance/FORMAT.md, docs/spec.md §10). scripts/check-grammar.py checks the
//! scenario files against the same grammar.

use paystate_cli::conformance::World;
use serde_json::{json, Map, Value};

/// Expect keys the grammar lists before the Rust runner knows them. Each entry must be
/// refused by the runner today: once the runner accepts it, this test fails until the entry
/// is removed, so the list cannot outlive its reason.
const NOT_YET_IN_RUNNER: &[&str] = &[];

fn grammar() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../conformance/grammar.json"
    ))
    .expect("conformance/grammar.json is readable");
    serde_json::from_str(&text).expect("conformance/grammar.json is JSON")
}

/// The runner's complaint about a step (empty when it ran): only whether the complaint is
/// about the step's shape matters here, not whether the step could succeed.
fn complaint(step: Value) -> String {
    match World::new().run_step(&step) {
        Ok(()) => String::new(),
        Err(f) => f.message,
    }
}

fn step(op: &str, extra: &[(&str, Value)]) -> Value {
    let mut m = Map::new();
    m.insert("op".into(), json!(op));
    m.insert("at".into(), json!("2026-01-01T00:00:00Z"));
    for (k, v) in extra {
        m.insert((*k).into(), v.clone());
    }
    Value::Object(m)
}

fn keys(v: &Value) -> Vec<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

#[test]
fn runner_accepts_exactly_the_grammar_ops_and_fields() {
    let g = grammar();
    let ops = g["ops"].as_object().unwrap();
    assert!(ops.len() >= 20, "grammar lists {} ops", ops.len());
    for (op, spec) in ops {
        let mut fields = keys(&spec["required"]);
        fields.extend(keys(&spec["optional"]));
        for field in &fields {
            let msg = complaint(step(op, &[(field, json!(null))]));
            assert!(
                !msg.contains("is not a field of") && !msg.contains("unknown op"),
                "{op}.{field}: the runner refuses a field the grammar lists: {msg}"
            );
        }
        let msg = complaint(step(op, &[("no_such_field", json!(1))]));
        assert!(
            msg.contains("is not a field of"),
            "{op}: the runner accepts a field the grammar does not list: {msg:?}"
        );
    }
    let msg = complaint(step("no_such_op", &[]));
    assert!(msg.contains("unknown op"), "{msg:?}");
}

#[test]
fn runner_accepts_exactly_the_grammar_expect_keys() {
    let g = grammar();
    let families = &g["expect"]["families"];
    for (op, spec) in g["ops"].as_object().unwrap() {
        let family = spec["expect"].as_str().unwrap();
        let listed: Vec<&str> = families[family]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k.as_str().unwrap())
            .chain(["error"])
            .collect();
        for key in &listed {
            let msg = complaint(step(op, &[("expect", json!({ *key: null }))]));
            let refused = msg.contains("unknown expect key");
            if NOT_YET_IN_RUNNER.contains(key) {
                assert!(
                    refused,
                    "{op}: the runner now accepts expect.{key}: remove it from NOT_YET_IN_RUNNER"
                );
            } else {
                assert!(!refused, "{op}: the runner refuses expect.{key}: {msg}");
            }
        }
        for key in ["no_such_key", "payable", "next", "status", "valid"] {
            if listed.contains(&key) {
                continue;
            }
            let msg = complaint(step(op, &[("expect", json!({ key: null }))]));
            assert!(
                msg.contains("unknown expect key"),
                "{op}: the runner accepts expect.{key}, which the grammar does not list: {msg:?}"
            );
        }
    }
}

#[test]
fn grammar_enums_are_the_core_vocabulary() {
    let g = grammar();
    let contract = paystate::contract::document();
    let names = |v: &Value| -> Vec<Value> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.get("name").cloned().unwrap_or_else(|| x.clone()))
            .collect()
    };
    assert_eq!(names(&g["enums"]["scheme"]), names(&contract["schemes"]));
    assert_eq!(
        names(&g["enums"]["delivery_policy"]),
        names(&contract["delivery_policies"])
    );
    assert_eq!(g["enums"]["refund_outcome"], contract["refund_outcomes"]);
}

#[test]
fn runner_answers_unknown_and_reused_ids_with_the_grammar_world_error() {
    let g = grammar();
    let code = g["world_error"]["code"]
        .as_str()
        .expect("world_error.code is a string");
    let invoice = json!({"id": "i1", "asset": "USDT_TRC20", "due": "10", "expires_in": 60});
    let create = step("create_invoice", &[("invoice", invoice)]);
    let unknown = [
        step("cancel", &[("invoice", json!("nope"))]),
        step("use_session", &[("session", json!("nope"))]),
        step(
            "report_attempt",
            &[("delivery", json!("nope")), ("http_status", json!(200))],
        ),
    ];
    for expected in [code, "missing_field"] {
        let with = |mut s: Value| {
            s["expect"] = json!({ "error": expected });
            s
        };
        for s in &unknown {
            let failed = !complaint(with(s.clone())).is_empty();
            assert_eq!(failed, expected != code, "{s} expecting {expected}");
        }
        let mut world = World::new();
        world.run_step(&create).expect("the first create succeeds");
        let reused = world.run_step(&with(create.clone())).is_err();
        assert_eq!(
            reused,
            expected != code,
            "reused invoice id expecting {expected}"
        );
    }
}
