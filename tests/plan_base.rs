//! `plan --base` / `--base-git` through the binary: the worked examples in
//! examples/plan-base (golden), no changes, exit codes, and a temporary git repository.

use std::path::Path;
use std::process::Command as Std;

use assert_cmd::Command;

fn plan_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("nodectl")
        .expect("binary builds")
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .arg("plan")
        .args(["--now", "2026-01-01T00:00:00Z", "--seed", "1"])
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn plan(args: &[&str]) -> (i32, String, String) {
    plan_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

fn example(name: &str, extra: &[&str]) -> (i32, String, String) {
    let head = format!("examples/plan-base/{name}/head");
    let base = format!("examples/plan-base/{name}/base");
    let mut args = vec!["-f", &head, "--base", &base, "--detailed-exitcode"];
    args.extend(extra);
    plan(&args)
}

#[test]
fn image_bump_of_a_ready_inplace_group() {
    let (code, out, err) = example("image-bump", &["--compact"]);
    assert_eq!(code, 3, "{err}");
    assert!(out.contains(
        "InPlace rollout of snd/pacific-1-rpc (revision 1 -> 2): 2 nodes restart (image v6.2.0 -> v6.3.0)"
    ));
    insta::assert_snapshot!(out);
}

#[test]
fn image_bump_with_cascade_shows_the_statefulset_diffs() {
    let (code, out, err) = example("image-bump", &["--compact", "--cascade", "-o", "json"]);
    assert_eq!(code, 3, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("json");
    let restarts = doc["restarts"].as_array().expect("restarts");
    assert_eq!(restarts.len(), 2);
    assert!(
        restarts.iter().all(|r| r["observed"] == true),
        "{restarts:?}"
    );
    assert_eq!(doc["summary"]["rollouts"], 1);
    assert_eq!(doc["rollouts"][0]["strategy"], "InPlace");
}

#[test]
fn replica_change() {
    let (code, out, err) = example("replica-change", &["--compact"]);
    assert_eq!(code, 3, "{err}");
    assert!(out.contains("creates 1 SeiNode (pacific-1-rpc-2)"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn new_seinode() {
    let (code, out, err) = example("new-seinode", &["--compact"]);
    assert_eq!(code, 3, "{err}");
    assert!(out.contains("new seinode/pacific-1-snapshotter"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn markdown_of_the_image_bump() {
    let (code, out, err) = example("image-bump", &["--compact", "-o", "markdown"]);
    assert_eq!(code, 3, "{err}");
    insta::assert_snapshot!(out);
}

#[test]
fn head_equal_to_base_is_no_changes() {
    for name in ["image-bump", "replica-change", "new-seinode"] {
        let base = format!("examples/plan-base/{name}/base");
        let (code, out, err) = plan(&["-f", &base, "--base", &base, "--detailed-exitcode"]);
        assert_eq!(code, 0, "{name}: {err}\n{out}");
        assert!(out.contains("No changes."), "{name}: {out}");
        let (_, json, _) = plan(&["-f", &base, "--base", &base, "-o", "json"]);
        let doc: serde_json::Value = serde_json::from_str(&json).expect("json");
        assert_eq!(doc["summary"]["changes"], false, "{name}");
    }
}

#[test]
fn removed_object_is_pruned_unless_no_prune() {
    let (code, out, err) = plan(&[
        "-f",
        "examples/plan-base/new-seinode/base",
        "--base",
        "examples/plan-base/new-seinode/head",
        "--detailed-exitcode",
        "-o",
        "json",
    ]);
    assert_eq!(code, 3, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("json");
    let deletes: Vec<&serde_json::Value> = doc["manifestChanges"]
        .as_array()
        .expect("writes")
        .iter()
        .filter(|w| w["verb"] == "Delete")
        .collect();
    assert_eq!(deletes.len(), 1, "{doc}");
    assert_eq!(deletes[0]["name"], "pacific-1-snapshotter");
    let (code, out, err) = plan(&[
        "-f",
        "examples/plan-base/new-seinode/base",
        "--base",
        "examples/plan-base/new-seinode/head",
        "--no-prune",
        "--detailed-exitcode",
    ]);
    assert_eq!(code, 0, "{err}\n{out}");
}

#[test]
fn bad_base_is_an_input_error_with_its_location() {
    let dir = tempfile::tempdir().expect("tmp");
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "apiVersion: sei.io/v1alpha1\nkind: SeiNode\nmetadata: {}\n",
    )
    .expect("write");
    let (code, _, err) = plan(&[
        "-f",
        "examples/plan-base/new-seinode/head",
        "--base",
        bad.to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("bad.yaml:3:"), "{err}");
}

fn git(dir: &Path, args: &[&str]) {
    let status = Std::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

#[test]
fn base_git_reads_the_paths_at_a_revision() {
    let root = env!("CARGO_MANIFEST_DIR");
    let dir = tempfile::tempdir().expect("tmp");
    let manifests = dir.path().join("manifests");
    std::fs::create_dir(&manifests).expect("mkdir");
    let copy = |from: &str| {
        std::fs::copy(format!("{root}/{from}"), manifests.join("rpc.yaml")).expect("copy");
    };
    git(dir.path(), &["init", "-q"]);
    copy("examples/plan-base/image-bump/base/rpc.yaml");
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "base"]);
    copy("examples/plan-base/image-bump/head/rpc.yaml");
    let (code, out, err) = plan_in(
        dir.path(),
        &[
            "-f",
            "manifests/",
            "-R",
            "--base-git",
            "HEAD",
            "--detailed-exitcode",
            "-o",
            "markdown",
        ],
    );
    assert_eq!(code, 3, "{err}");
    assert!(
        out.contains("InPlace rollout of snd/pacific-1-rpc"),
        "{out}"
    );
    // Unchanged working tree: no changes.
    git(dir.path(), &["commit", "-qam", "head"]);
    let (code, out, err) = plan_in(
        dir.path(),
        &[
            "-f",
            "manifests",
            "--base-git",
            "HEAD",
            "--detailed-exitcode",
        ],
    );
    assert_eq!(code, 0, "{err}\n{out}");
    // A revision or path git does not know: exit 2 with git's reason.
    let (code, _, err) = plan_in(dir.path(), &["-f", "manifests", "--base-git", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("invalid object name 'nope'"), "{err}");
    std::fs::write(manifests.join("new.yaml"), "").expect("write");
    let (code, _, err) = plan_in(
        dir.path(),
        &["-f", "manifests/new.yaml", "--base-git", "HEAD~1"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("not in 'HEAD~1'"), "{err}");
}

#[test]
fn base_that_does_not_settle_names_the_target_and_verdict() {
    // A group caught mid-rollout whose spec-update wait never completes in the model.
    let f = "examples/image-rollout/cluster.yaml";
    let (code, out, err) = plan(&["-f", f, "--base", f]);
    assert_eq!(code, 1, "{err}\n{out}");
    assert!(
        err.contains("the base does not settle: SeiNodeDeployment default/grp: stalled"),
        "{err}"
    );
}

/// The base rpc.yaml of the image-bump example with an unknown field `spec.replicaz` (line 19).
fn with_unknown_field(example: &str) -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    let text = std::fs::read_to_string(format!(
        "{root}/examples/plan-base/image-bump/{example}/rpc.yaml"
    ))
    .expect("example");
    let bad = text.replace(
        "  deletionPolicy: Delete\n",
        "  deletionPolicy: Delete\n  replicaz: 4\n",
    );
    assert_ne!(bad, text, "the example still has the line the test edits");
    bad
}

/// `nodectl validate -f PATH` run in `dir`: its exit code, and its stdout (the diagnostics)
/// followed by its stderr (the summary line).
fn validate_in(dir: &Path, path: &str) -> (i32, String) {
    let out = Command::cargo_bin("nodectl")
        .expect("binary builds")
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .args(["validate", "-f", path])
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

const UNKNOWN_FIELD: &str = "error[schema.unknown-field]: unknown field \"spec.replicaz\"
  --> {file}:19:3
   |
19 |   replicaz: 4
   |   ^~~~~~~~
   = object: SeiNodeDeployment default/pacific-1-rpc
   = help: did you mean `replicas`?

1 document checked: 0 valid, 1 invalid, 0 skipped
";

const REFUSED: &str =
    "error: the input is invalid, nothing was planned (--validate=warn plans anyway)\n";

#[test]
fn bad_field_in_head_is_refused_with_the_validate_diagnostics() {
    let root = env!("CARGO_MANIFEST_DIR");
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("head.yaml"), with_unknown_field("head")).expect("write");
    let base = format!("{root}/examples/plan-base/image-bump/base");
    let (code, out, err) = plan_in(dir.path(), &["-f", "head.yaml", "--base", &base]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(out, "");
    let diagnostics = UNKNOWN_FIELD.replace("{file}", "head.yaml");
    assert_eq!(err, format!("{diagnostics}{REFUSED}"));
    // Byte for byte what `validate` reports for the same file.
    assert_eq!(validate_in(dir.path(), "head.yaml"), (2, diagnostics));
}

#[test]
fn bad_field_in_base_dir_is_refused_with_the_validate_diagnostics() {
    let root = env!("CARGO_MANIFEST_DIR");
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::create_dir(dir.path().join("base")).expect("mkdir");
    std::fs::write(dir.path().join("base/rpc.yaml"), with_unknown_field("base")).expect("write");
    let head = format!("{root}/examples/plan-base/image-bump/head");
    let (code, out, err) = plan_in(dir.path(), &["-f", &head, "--base", "base", "-R"]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(out, "");
    let diagnostics = UNKNOWN_FIELD.replace("{file}", "base/rpc.yaml");
    assert_eq!(err, format!("{diagnostics}{REFUSED}"));
    assert_eq!(validate_in(dir.path(), "base"), (2, diagnostics));
}

#[test]
fn bad_field_in_base_git_is_refused_with_the_validate_diagnostics() {
    let root = env!("CARGO_MANIFEST_DIR");
    let dir = tempfile::tempdir().expect("tmp");
    let manifests = dir.path().join("manifests");
    std::fs::create_dir(&manifests).expect("mkdir");
    git(dir.path(), &["init", "-q"]);
    std::fs::write(manifests.join("rpc.yaml"), with_unknown_field("base")).expect("write");
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "base"]);
    std::fs::copy(
        format!("{root}/examples/plan-base/image-bump/head/rpc.yaml"),
        manifests.join("rpc.yaml"),
    )
    .expect("copy");
    let (code, out, err) = plan_in(dir.path(), &["-f", "manifests", "--base-git", "HEAD"]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(out, "");
    let diagnostics = UNKNOWN_FIELD.replace("{file}", "HEAD:manifests/rpc.yaml");
    assert_eq!(err, format!("{diagnostics}{REFUSED}"));
    // The same file on disk gets the same diagnostics from `validate`, its name aside.
    std::fs::write(manifests.join("rpc.yaml"), with_unknown_field("base")).expect("write");
    let (code, text) = validate_in(dir.path(), "manifests/rpc.yaml");
    assert_eq!(code, 2);
    assert_eq!(
        text.replace("manifests/rpc.yaml", "HEAD:manifests/rpc.yaml"),
        diagnostics
    );
    // --validate=warn plans the same base anyway: the field is dropped with a warning.
    let (code, out, err) = plan_in(
        dir.path(),
        &[
            "-f",
            "manifests",
            "--base-git",
            "HEAD",
            "--validate=warn",
            "--detailed-exitcode",
        ],
    );
    assert_eq!(code, 0, "{err}\n{out}");
    assert!(out.contains("No changes."), "{out}");
    assert!(err.starts_with(&diagnostics), "{err}");
}

#[test]
fn validate_warn_plans_an_invalid_head_anyway() {
    let root = env!("CARGO_MANIFEST_DIR");
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("head.yaml"), with_unknown_field("head")).expect("write");
    let base = format!("{root}/examples/plan-base/image-bump/base");
    let args = [
        "-f",
        "head.yaml",
        "--base",
        &base,
        "--detailed-exitcode",
        "--compact",
    ];
    let (code, out, err) = plan_in(dir.path(), &[&args[..], &["--validate=warn"]].concat());
    assert_eq!(code, 3, "{err}");
    let diagnostics = UNKNOWN_FIELD.replace("{file}", "head.yaml");
    assert_eq!(
        err,
        format!(
            "{diagnostics}warning: planning input that the API server or the operator would refuse (--validate=warn)\n\
             warning: head.yaml:19:3: unknown field \"spec.replicaz\" in SeiNodeDeployment pacific-1-rpc was dropped (strict checking: nodectl validate)\n"
        )
    );
    // The dropped field changes nothing: the plan is the valid example's.
    let (_, valid, _) = example("image-bump", &["--compact"]);
    assert_eq!(out, valid);
    // --validate=ignore plans without the diagnostics, with only the dropped-field warning.
    let (code, out2, err) = plan_in(dir.path(), &[&args[..], &["--validate=ignore"]].concat());
    assert_eq!(code, 3, "{err}");
    assert_eq!(out2, valid);
    assert!(
        err.starts_with("warning: head.yaml:19:3: unknown field"),
        "{err}"
    );
}

#[test]
fn json_and_yaml_carry_the_impact_headline_and_summary() {
    let (code, text, err) = example("image-bump", &["--compact"]);
    assert_eq!(code, 3, "{err}");
    let (code, json, err) = example("image-bump", &["--compact", "-o", "json"]);
    assert_eq!(code, 3, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(
        doc["impact"],
        serde_json::json!([
            "InPlace rollout of snd/pacific-1-rpc (revision 1 -> 2): 2 nodes restart (image v6.2.0 -> v6.3.0); updates 2 SeiNodes (pacific-1-rpc-0, pacific-1-rpc-1)"
        ])
    );
    let summary = &doc["summary"];
    for (key, want) in [
        ("manifestChanges", 1),
        ("rollouts", 1),
        ("podRestarts", 2),
        ("create", 0),
        ("update", 3),
        ("status", 1),
        ("delete", 0),
        ("seiNodesCreated", 0),
        ("seiNodesDeleted", 0),
        ("pvcsCreated", 0),
        ("pvcsDeleted", 0),
        ("forbidden", 0),
        ("failed", 0),
    ] {
        assert_eq!(summary[key], want, "summary.{key}: {summary}");
    }
    assert_eq!(summary["changes"], true);
    // The summary sentence is the text view's last line, word for word.
    let last = text.lines().rfind(|l| !l.is_empty()).expect("summary line");
    assert!(last.starts_with("Plan: "), "{last}");
    assert_eq!(summary["text"], last);
    // YAML carries the same document.
    let (code, yaml, err) = example("image-bump", &["--compact", "-o", "yaml"]);
    assert_eq!(code, 3, "{err}");
    let from_yaml: serde_json::Value = serde_saphyr::from_str(&yaml).expect("yaml");
    assert_eq!(from_yaml, doc);
}
