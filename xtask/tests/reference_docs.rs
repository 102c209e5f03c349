//! The committed reference documentation in `docs/reference/` matches what the code generates.

#[test]
fn committed_reference_docs_match_the_code() {
    let stale = xtask::check(&xtask::workspace_root()).expect("generating the reference docs");
    let report: Vec<String> = stale.iter().map(ToString::to_string).collect();
    assert!(
        stale.is_empty(),
        "{}\nrun `{}` to regenerate",
        report.join("\n"),
        xtask::FIX_COMMAND
    );
}
