//! Golden tests over testdata/validate: corrected samples are valid, upstream samples and the
//! invalid corpus produce exactly the diagnostics in their `.expected` files.
//! Regenerate with `UPDATE_EXPECT=1 cargo test --test validate_corpus` and review the diff.

use std::path::{Path, PathBuf};

use nodectl::manifest::{discover_inputs, load_paths_lenient};
use nodectl::validate::render::{json_value, text};
use nodectl::validate::{validate_inputs, validate_loads, OldObjects, Options, Report};

/// What `nodectl validate -R` runs: one pass over the inputs.
fn run(paths: &[PathBuf]) -> Report {
    validate_inputs(
        &discover_inputs(paths, true),
        &OldObjects::default(),
        &Options::default(),
        &|| {},
    )
}

/// The same inputs loaded first and validated afterwards.
fn run_two_pass(paths: &[PathBuf]) -> Report {
    validate_loads(
        load_paths_lenient(paths, true),
        &OldObjects::default(),
        &Options::default(),
    )
}

#[test]
fn one_pass_and_two_pass_reports_agree() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/validate");
    // A stream large enough to be parsed in parallel pieces, with broken documents spread
    // through it, so document numbers and lines must be rebased per piece.
    let dir = tempfile::tempdir().unwrap();
    let mut big = String::new();
    for i in 0..2500 {
        big.push_str("---\n");
        match i % 97 {
            5 => big.push_str("a: 1\na: 2\n"),
            9 => big.push_str("key: [unclosed\n"),
            13 => {}
            _ => big.push_str(&format!(
                "apiVersion: sei.io/v1alpha1\nkind: SeiNode\nmetadata:\n  name: n-{}\nspec:\n  chainId: pacific-1\n  image: ghcr.io/sei-protocol/sei:v6.3.0\n  fullNode: {{}}\n  bogus{}: true\n",
                i % 2400,
                i % 3
            )),
        }
    }
    assert!(big.len() > 256 << 10);
    let big_path = dir.path().join("big.yaml");
    std::fs::write(&big_path, big).unwrap();
    let paths = [corpus, big_path];
    let (one, two) = (run(&paths), run_two_pass(&paths));
    assert!(one.summary().invalid > 100, "{:?}", one.summary());
    assert_eq!(json_value(&one), json_value(&two));
    assert_eq!(text(&one), text(&two));
}

fn render(report: &Report) -> String {
    format!("{}{}\n", text(report), report.summary_line())
}

/// Compares with the golden file (or rewrites it when UPDATE_EXPECT is set).
fn golden(actual: &str, expected_path: &Path) -> Result<(), String> {
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(expected_path, actual).unwrap();
        return Ok(());
    }
    let expected = std::fs::read_to_string(expected_path).map_err(|e| {
        format!(
            "{}: {e} (run with UPDATE_EXPECT=1)",
            expected_path.display()
        )
    })?;
    if expected != actual {
        return Err(format!(
            "{} differs:\n--- expected\n{expected}\n--- actual\n{actual}",
            expected_path.display()
        ));
    }
    Ok(())
}

fn yaml_files(dir: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    v.sort();
    v
}

#[test]
fn corrected_samples_are_valid() {
    let report = run(&[PathBuf::from("testdata/validate/valid")]);
    let s = report.summary();
    assert_eq!((s.documents, s.valid), (7, 7), "{}", render(&report));
    assert!(!report.is_invalid());
}

#[test]
fn upstream_samples_are_invalid() {
    let report = run(&[PathBuf::from("testdata/validate/upstream")]);
    assert_eq!(report.summary().invalid, 4);
    golden(
        &render(&report),
        Path::new("testdata/validate/upstream.expected"),
    )
    .unwrap();
}

#[test]
fn invalid_corpus_matches_goldens() {
    let files = yaml_files("testdata/validate/invalid");
    assert!(files.len() >= 40, "corpus too small: {}", files.len());
    let mut failures = Vec::new();
    for f in &files {
        let src = std::fs::read_to_string(f).unwrap();
        let rule = src
            .lines()
            .find_map(|l| l.strip_prefix("# expect: "))
            .expect("header")
            .to_string();
        let exit: u8 = src
            .lines()
            .find_map(|l| l.strip_prefix("# expect-exit: "))
            .map_or(2, |s| s.parse().unwrap());
        let report = run(std::slice::from_ref(f));
        if !report.diagnostics().iter().any(|d| d.rule == rule) {
            failures.push(format!("{}: no `{rule}` diagnostic", f.display()));
        }
        let code = nodectl::cli::validate::exit_code(&report);
        if code != exit {
            failures.push(format!("{}: exit {code} != {exit}", f.display()));
        }
        if let Err(e) = golden(&render(&report), &f.with_extension("expected")) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_crd_rule_is_exercised_by_the_corpus() {
    let reg = nodectl::validate::schema::registry();
    fn rules(s: &nodectl::validate::schema::Schema, out: &mut Vec<String>) {
        out.extend(s.rules.iter().map(|r| r.rule.clone()));
        s.properties.values().for_each(|c| rules(c, out));
        s.items.iter().for_each(|c| rules(c, out));
        s.additional_properties.iter().for_each(|c| rules(c, out));
    }
    let mut all = Vec::new();
    for crd in &reg.crds {
        rules(&crd.root, &mut all);
    }
    assert_eq!(all.len(), 13, "rule count changed: {all:?}");
    all.sort();
    all.dedup();
    let corpus: String = yaml_files("testdata/validate/invalid")
        .iter()
        .map(|f| std::fs::read_to_string(f.with_extension("expected")).unwrap_or_default())
        .collect();
    for r in all {
        assert!(
            corpus.contains(&format!("rule: {r}")),
            "rule never fails in the corpus: {r}"
        );
    }
}
