//! The exit-code table is one: the README's `## Exit codes` table, the table after every
//! subcommand's `--help`, and the codes the binary ends with agree.

use assert_cmd::Command;

fn nodectl(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("nodectl")
        .unwrap()
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap()
}

/// (code, meaning) rows of the README's `## Exit codes` table.
fn readme_table() -> Vec<(u8, String)> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .split("\n## Exit codes\n")
        .nth(1)
        .expect("## Exit codes");
    section
        .lines()
        .skip_while(|l| !l.starts_with("| code | meaning |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
            (cells[0].parse().unwrap(), cells[1].to_string())
        })
        .collect()
}

/// (code, meaning) rows of the `Exit codes:` table at the end of a `--help`.
fn help_table(help: &str) -> Vec<(u8, String)> {
    help.split("Exit codes:\n")
        .nth(1)
        .unwrap_or_else(|| panic!("no exit-code table in:\n{help}"))
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(|l| {
            let (code, meaning) = l.trim().split_once("  ").unwrap();
            (code.parse().unwrap(), meaning.trim().to_string())
        })
        .collect()
}

#[test]
fn readme_table_is_the_help_table_of_every_subcommand() {
    let readme = readme_table();
    assert_eq!(
        readme.iter().map(|r| r.0).collect::<Vec<_>>(),
        [0, 1, 2, 3, 130]
    );
    for sub in [
        vec!["--help"],
        vec!["plan", "--help"],
        vec!["apply", "--help"],
        vec!["explain", "--help"],
        vec!["simulate", "--help"],
        vec!["validate", "--help"],
        vec!["completions", "--help"],
        vec!["man", "--help"],
    ] {
        let out = nodectl(&sub);
        assert_eq!(out.status.code(), Some(0), "{sub:?}");
        let help = String::from_utf8(out.stdout).unwrap();
        assert_eq!(help_table(&help), readme, "{sub:?}");
    }
}

#[test]
fn man_pages_carry_the_table() {
    let out = nodectl(&["man"]);
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.contains("Exit codes:"), "{page}");
    assert!(page.contains("refused saved plan"), "{page}");
}

#[test]
fn invalid_input_is_2_with_the_message() {
    let out = nodectl(&["plan", "-f", "testdata/bad/malformed.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.ends_with("error: the input is invalid, nothing was planned\n"),
        "{err}"
    );
}

#[test]
fn missing_fixture_is_2() {
    let out = nodectl(&["simulate", "testdata/does-not-exist"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .starts_with("error: "));
}

#[test]
fn an_unreadable_saved_plan_is_refused_with_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    std::fs::write(&path, "{not json").unwrap();
    let out = nodectl(&["apply", path.to_str().unwrap(), "--yes"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with(&format!("error: {}: ", path.display())),
        "{err}"
    );
    assert!(err.trim_end().ends_with("; nothing was written"), "{err}");
}

#[test]
fn a_saved_plan_with_files_is_refused_with_2() {
    let out = nodectl(&[
        "apply",
        "plan.json",
        "-f",
        "examples/seinode/pacific-1-full-node.yaml",
        "--yes",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: apply plan.json takes no -f: a saved plan sends exactly its own steps; nothing was written\n"
    );
}

#[test]
fn plan_out_from_files_is_refused_with_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    let out = nodectl(&[
        "plan",
        "-f",
        "examples/seinode/pacific-1-full-node.yaml",
        "--now",
        "2026-01-01T00:00:00Z",
        "--out",
        path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.ends_with("; the plan was not saved\n") && err.contains("the plan was made from files"),
        "{err}"
    );
    assert!(!path.exists());
}
