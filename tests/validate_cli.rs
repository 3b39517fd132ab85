//! End-to-end tests of `nodectl validate` through the binary: malformed input never panics,
//! exit codes, output formats, stdin, --strict-kinds, --against.

use assert_cmd::Command;

fn nodectl() -> Command {
    let mut c = Command::cargo_bin("nodectl").unwrap();
    c.env("RUST_BACKTRACE", "0");
    c
}

/// Runs `validate` on the args; returns (exit code, stdout, stderr) and checks for panics.
fn validate(args: &[&str], stdin: Option<Vec<u8>>) -> (i32, String, String) {
    let mut c = nodectl();
    c.arg("validate").args(args);
    if let Some(s) = stdin {
        c.write_stdin(s);
    }
    let out = c.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    (out.status.code().unwrap_or(-1), stdout, stderr)
}

#[test]
fn malformed_files_give_diagnostics_and_exit_2() {
    let cases = [
        ("tabs.yaml", "yaml.syntax", 4),
        ("bad-indentation.yaml", "yaml.syntax", 5),
        ("duplicate-keys.yaml", "yaml.duplicate-key", 8),
        ("alias-bomb.yaml", "yaml.alias", 5),
        ("unknown-alias.yaml", "yaml.syntax", 6),
        ("binary-junk.yaml", "yaml.encoding", 1),
        ("empty.yaml", "manifest.empty", 1),
        ("only-comments.yaml", "manifest.empty", 1),
        ("unterminated-quote.yaml", "yaml.syntax", 4),
    ];
    for (file, rule, line) in cases {
        let path = format!("testdata/validate/malformed/{file}");
        let (code, out, _) = validate(&["-f", &path], None);
        assert_eq!(code, 2, "{file}: {out}");
        assert!(out.contains(&format!("error[{rule}]")), "{file}: {out}");
        assert!(out.contains(&format!("{path}:{line}:")), "{file}: {out}");
    }
    let (code, out, _) = validate(&["-f", "testdata/validate/malformed/anchors-ok.yaml"], None);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn load_errors_show_the_source_line_with_a_caret() {
    let (code, out, _) = validate(
        &["-f", "testdata/validate/malformed/unterminated-quote.yaml"],
        None,
    );
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("4 |   name: \"x\n  |         ^~\n"),
        "no snippet under the syntax error:\n{out}"
    );
    let (_, out, _) = validate(
        &["-f", "testdata/validate/malformed/duplicate-keys.yaml"],
        None,
    );
    assert!(out.contains("8 |   chainId: b\n  |   ^~~~~~~\n"), "{out}");
}

#[test]
fn huge_and_deep_documents_do_not_crash() {
    let dir = tempfile::tempdir().unwrap();
    // 20 MB string value.
    let huge = dir.path().join("huge.yaml");
    let big = "x".repeat(20 << 20);
    std::fs::write(&huge, format!("apiVersion: sei.io/v1alpha1\nkind: SeiNode\nmetadata:\n  name: h\nspec:\n  chainId: c\n  image: \"{big}\"\n  archive: {{}}\n")).unwrap();
    let (code, out, _) = validate(&["-f", huge.to_str().unwrap()], None);
    assert_eq!(code, 2);
    // Refused by the loader's scalar limit (1 MiB) before any schema check.
    assert!(
        out.contains("input.limit") && out.contains("longer than the limit"),
        "{out}"
    );
    // Very deep nesting (beyond the parser's limit) and many keys.
    let deep = dir.path().join("deep.yaml");
    std::fs::write(
        &deep,
        format!("spec: {}{}\n", "[".repeat(5000), "]".repeat(5000)),
    )
    .unwrap();
    let (code, out, _) = validate(&["-f", deep.to_str().unwrap()], None);
    assert_eq!(code, 2, "{out}");
    let wide = dir.path().join("wide.yaml");
    let mut s = String::from("apiVersion: sei.io/v1alpha1\nkind: SeiNode\nmetadata:\n  name: w\nspec:\n  chainId: c\n  image: i\n  archive: {}\n  overrides:\n");
    for i in 0..200_000 {
        s.push_str(&format!("    k{i}: v\n"));
    }
    std::fs::write(&wide, s).unwrap();
    let (code, out, _) = validate(&["-f", wide.to_str().unwrap()], None);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn missing_path_is_unreadable_input() {
    let (code, out, err) = validate(&["-f", "testdata/validate/does-not-exist.yaml"], None);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert_eq!(
        err,
        "error: testdata/validate/does-not-exist.yaml: No such file or directory\n"
    );
}

#[test]
fn stdin_and_summary_line() {
    let doc = std::fs::read("testdata/validate/valid/pacific-1-full-node.yaml").unwrap();
    let (code, out, err) = validate(&["-f", "-"], Some(doc));
    assert_eq!(code, 0);
    assert_eq!(out, "");
    assert_eq!(err, "1 document checked: 1 valid, 0 invalid, 0 skipped\n");
}

#[test]
fn other_kinds_are_skipped_unless_strict() {
    let cm = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n---\n".to_vec();
    let (code, _, err) = validate(&["-f", "-"], Some(cm.clone()));
    assert_eq!(code, 0);
    assert_eq!(err, "1 document checked: 0 valid, 0 invalid, 1 skipped\n");
    let (code, out, _) = validate(&["-f", "-", "--strict-kinds"], Some(cm));
    assert_eq!(code, 2);
    assert!(out.contains("manifest.unknown-kind"), "{out}");
}

#[test]
fn allow_unknown_fields_relaxes() {
    let f = "testdata/validate/invalid/unknown-field-spec-typo.yaml";
    assert_eq!(validate(&["-f", f], None).0, 2);
    assert_eq!(validate(&["-f", f, "--allow-unknown-fields"], None).0, 0);
}

#[test]
fn recursive_directories() {
    let (code, out, _) = validate(&["-f", "testdata/samples"], None);
    assert_eq!(
        code, 0,
        "non-recursive sees no files, which is not an error: {out}"
    );
    let (code, out, summary) = validate(&["-f", "testdata/samples", "-R"], None);
    assert_eq!(code, 2, "{out}");
    assert_eq!(
        summary, "7 documents checked: 3 valid, 4 invalid, 0 skipped\n",
        "the summary is on stderr"
    );
}

#[test]
fn output_formats() {
    let f = "testdata/validate/upstream";
    let (code, out, _) = validate(&["-f", f, "-o", "json"], None);
    assert_eq!(code, 2);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["formatVersion"], 1);
    assert_eq!(v["summary"]["invalid"], 4);
    assert_eq!(
        v["documents"][0]["diagnostics"][0]["rule"],
        "schema.required"
    );

    let (_, out, err) = validate(&["-f", f, "-o", "sarif"], None);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert_eq!(v["runs"][0]["results"].as_array().unwrap().len(), 5);
    assert_eq!(
        v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        15
    );
    assert!(err.contains("4 documents checked"));

    let (_, out, _) = validate(&["-f", f, "-o", "junit"], None);
    assert!(out.starts_with("<?xml"));
    assert_eq!(out.matches("<testcase ").count(), 4);
    assert_eq!(out.matches("<failure ").count(), 5);

    let (_, out, _) = validate(&["-f", f, "-o", "github"], None);
    assert!(out.contains("::error file=testdata/validate/upstream/genesis-ceremony.yaml,line=13,col=1,title=schema.required::spec.updateStrategy%3A Required value") || out.contains("::error file=testdata/validate/upstream/genesis-ceremony.yaml,line=13,col=1,title=schema.required::spec.updateStrategy: Required value"), "{out}");
}

#[test]
fn transition_rules_need_against() {
    // The pinned CRDs have no oldSelf rules; --against must still load and match objects.
    let (code, out, err) = validate(
        &[
            "-f",
            "testdata/validate/valid",
            "--against",
            "testdata/validate/valid",
        ],
        None,
    );
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, err) = validate(
        &[
            "-f",
            "testdata/validate/valid",
            "--against",
            "testdata/validate/malformed/tabs.yaml",
        ],
        None,
    );
    assert_eq!(code, 1, "unreadable --against is a tool error");
    assert!(err.contains("--against"));
}

#[test]
fn no_progress_bar_is_drawn_when_stderr_is_not_a_terminal() {
    // 60 files: enough for the progress bar's code path, which must stay invisible in a pipe.
    let dir = tempfile::tempdir().unwrap();
    let node = std::fs::read_to_string("examples/seinode/pacific-1-full-node.yaml").unwrap();
    for i in 0..60 {
        let text = node.replace("name: pacific-1-full-node", &format!("name: node-{i:02}"));
        std::fs::write(dir.path().join(format!("node-{i:02}.yaml")), text).unwrap();
    }
    let path = dir.path().to_str().unwrap();
    let (code, stdout, stderr) = validate(&["-f", path], None);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\r'),
        "stderr: {stderr:?}"
    );
    assert!(!stdout.contains('\u{1b}') && !stdout.contains('\r'));
    let (_, json, json_err) = validate(&["-f", path, "-o", "json"], None);
    serde_json::from_str::<serde_json::Value>(&json).expect("stdout stays pure JSON");
    assert!(!json_err.contains('\u{1b}'));
}

/// `kubectl get … -o yaml` output (`kind: List`) is validated item by item, with positions in
/// the list file.
#[test]
fn list_items_are_validated_as_documents() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("list.yaml");
    std::fs::write(
        &path,
        "apiVersion: v1\nkind: List\nmetadata:\n  resourceVersion: \"\"\nitems:\n- apiVersion: sei.io/v1alpha1\n  kind: SeiNode\n  metadata:\n    name: a\n  spec:\n    chainId: pacific-1\n    image: ghcr.io/sei-protocol/sei:v6.3.0\n    fullNode: {}\n- apiVersion: sei.io/v1alpha1\n  kind: SeiNode\n  metadata:\n    name: b\n  spec:\n    chainId: pacific-1\n    image: ghcr.io/sei-protocol/sei:v6.3.0\n    fullNode: {}\n    bogus: 1\n",
    )
    .unwrap();
    let file = path.to_str().unwrap();
    let (code, out, summary) = validate(&["-f", file], None);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains(&format!("{file}:22:5")), "{out}");
    assert!(out.contains("object: SeiNode default/b"), "{out}");
    assert!(
        summary.contains("2 documents checked: 1 valid, 1 invalid, 0 skipped"),
        "{summary}"
    );
}
