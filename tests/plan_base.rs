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
