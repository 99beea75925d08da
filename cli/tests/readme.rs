//! The README embeds the state diagram generated from the core's transition table; this
//! test fails when the two drift apart (regenerate with `make readme`).

#[test]
fn readme_diagram_matches_the_transition_table() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .unwrap_or_default();
    let expected = format!(
        "<!-- states:begin -->\n```mermaid\n{}```\n<!-- states:end -->",
        paystate::invoice::table::mermaid()
    );
    assert!(
        readme.contains(&expected),
        "README.md state diagram is stale: run `make readme`"
    );
}
