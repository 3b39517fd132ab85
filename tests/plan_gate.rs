//! `plan` as a CI gate (issue 11, items 2-7), through the binary: input refused as `validate`
//! refuses it, the operator's failures fail the plan, optional kinds in file mode, the JSON
//! summary and actions, `--compact` paths that `--ignore-path` reads back, and the markdown
//! comment within GitHub's limit.

use assert_cmd::Command;
use serde_json::Value;

const NOW: &str = "2026-01-01T00:00:00Z";
const NODE: &str = "examples/seinode/pacific-1-full-node.yaml";
const RPC: &str = "examples/seinodedeployment/pacific-1-rpc-group.yaml";

fn nodectl(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("nodectl")
        .unwrap()
        .env("RUST_BACKTRACE", "0")
        .env("NO_COLOR", "1")
        .env_remove("KUBECONFIG")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn plan(args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["plan", "--now", NOW];
    all.extend(args);
    nodectl(&all)
}

/// Each refused input: plan exits 2 before planning, with validate's diagnostics verbatim.
#[test]
fn plan_refuses_what_validate_refuses_with_the_same_diagnostics() {
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["testdata/gate/chainid-misspelled.yaml"],
            "chainid-misspelled.yaml:8:3",
        ),
        (
            vec!["testdata/gate/image-misspelled.yaml"],
            "image-misspelled.yaml:9:3",
        ),
        (
            vec!["testdata/gate/no-mode-subspec.yaml"],
            "no mode sub-spec set on SeiNode",
        ),
        (
            vec![NODE, "testdata/gate/duplicate-full-node.yaml"],
            "duplicate SeiNode default/pacific-1-full-node",
        ),
    ];
    for (files, needle) in cases {
        let mut v = vec!["validate"];
        let mut p = vec![];
        for f in &files {
            v.extend(["-f", f]);
            p.extend(["-f", f]);
        }
        let (vcode, vout, _) = nodectl(&v);
        assert_eq!(vcode, 2, "{files:?}: {vout}");
        let (code, out, err) = plan(&p);
        assert_eq!(code, 2, "{files:?}: {err}");
        assert!(out.is_empty(), "{files:?}: nothing is planned: {out}");
        assert!(
            err.starts_with(&vout),
            "{files:?}: not validate's text:\n{err}\nvs\n{vout}"
        );
        assert!(err.contains(needle), "{files:?}: {err}");
        assert!(
            err.ends_with(
                "error: the input is invalid, nothing was planned (--validate=warn plans anyway)\n"
            ),
            "{err}"
        );
    }
}

#[test]
fn validate_warn_plans_anyway_and_ignore_skips_the_checks() {
    let (code, out, err) = plan(&[
        "-f",
        "testdata/gate/chainid-misspelled.yaml",
        "--validate=warn",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("error[schema.unknown-field]: unknown field \"spec.chainID\""),
        "{err}"
    );
    assert!(
        err.contains("warning: planning input that the API server or the operator would refuse"),
        "{err}"
    );
    assert!(out.contains("Plan: "), "{out}");
    let (code, _, err) = plan(&[
        "-f",
        "testdata/gate/chainid-misspelled.yaml",
        "--validate",
        "ignore",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("error["), "{err}");
    // kubectl's boolean spellings.
    let (code, _, _) = plan(&[
        "-f",
        "testdata/gate/chainid-misspelled.yaml",
        "--validate=true",
    ]);
    assert_eq!(code, 2);
}

#[test]
fn every_example_still_plans() {
    for dir in [
        "examples/seinode",
        "examples/seinodedeployment",
        "examples/genesis-devnet",
        "examples/image-rollout",
        "examples/stuck-node",
    ] {
        let (code, out, err) = plan(&["-f", dir, "--cascade"]);
        assert_eq!(code, 0, "{dir}: {err}");
        assert!(!err.contains("error"), "{dir}: {err}");
        assert!(out.contains("Plan: "), "{dir}");
    }
}

#[test]
fn a_reconcile_error_is_a_failed_plan_named_in_the_summary() {
    let (code, out, err) = plan(&[
        "-f",
        "testdata/gate/no-mode-subspec.yaml",
        "--validate=ignore",
        "--detailed-exitcode",
    ]);
    assert_eq!(code, 1, "{err}");
    let tail: Vec<&str> = out.lines().rev().take(4).collect();
    assert_eq!(
        tail[0],
        "Plan: 0 to create, 1 to update, 0 to delete. 1 reconcile error. Nothing was written."
    );
    assert!(
        tail[2].contains("SeiNode default/pacific-1-full-node: reconcile error: resolving plan: no mode sub-spec set"),
        "{out}"
    );
    assert!(
        err.contains("error: the operator would fail: 1 reconcile error (exit 1)"),
        "{err}"
    );
}

#[test]
fn detailed_exitcode_is_3_with_changes_and_0_without() {
    let (code, _, err) = plan(&["-f", NODE, "--detailed-exitcode"]);
    assert_eq!(code, 3, "{err}");
    let (code, _, err) = plan(&[
        "-f",
        "examples/stuck-node/snapshot-restore-waiting.yaml",
        "--detailed-exitcode",
    ]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn file_mode_serves_the_optional_kinds_unless_missing() {
    let (code, out, err) = plan(&["-f", RPC, "--compact", "--detailed-exitcode"]);
    assert_eq!(code, 3, "{err}");
    assert!(!out.contains("failed"), "{out}");
    assert!(
        out.contains("create HTTPRoute default/pacific-1-rpc-evm"),
        "{out}"
    );
    assert!(
        out.contains("create ServiceMonitor default/pacific-1-rpc"),
        "{out}"
    );
    let (code, out, err) = plan(&[
        "-f",
        RPC,
        "--compact",
        "--missing-kind",
        "gateway.networking.k8s.io/v1/HTTPRoute",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("failed HTTPRoute default/pacific-1-rpc-evm (server-side apply): no matches for kind \"HTTPRoute\""), "{out}");
    assert!(
        out.contains("create ServiceMonitor default/pacific-1-rpc"),
        "{out}"
    );
    assert!(
        out.contains("0 to delete. 1 failed. Nothing was written."),
        "{out}"
    );
    let (code, _, err) = plan(&["-f", RPC, "--missing-kind", "v1/Pod"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("only an optional kind can be missing"),
        "{err}"
    );
}

fn json_plan(args: &[&str]) -> (i32, Value) {
    let mut all = args.to_vec();
    all.extend(["-o", "json"]);
    let (code, out, err) = plan(&all);
    (
        code,
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}")),
    )
}

#[test]
fn json_summary_matches_the_text_summary_and_every_write_has_an_action() {
    for args in [
        vec!["-f", RPC, "--cascade"],
        vec![
            "-f",
            RPC,
            "--missing-kind",
            "monitoring.coreos.com/v1/ServiceMonitor",
        ],
        vec![
            "-f",
            NODE,
            "-f",
            "testdata/forbidden/legacy-statefulset.yaml",
        ],
        vec![
            "-f",
            "examples/genesis-devnet",
            "--cascade",
            "--sidecar",
            "completed",
            "--reconciles",
            "2",
        ],
    ] {
        let (code, doc) = json_plan(&args);
        let (tcode, text, _) = plan(&args);
        assert_eq!(code, tcode, "{args:?}");
        assert_eq!(doc["formatVersion"], 2);
        let line = doc["summary"]["line"].as_str().unwrap();
        assert_eq!(text.lines().last(), Some(line), "{args:?}");
        let mut counted = std::collections::BTreeMap::<String, u64>::new();
        for r in doc["reconciles"].as_array().unwrap() {
            for w in r["writes"].as_array().unwrap() {
                let action = w["action"].as_str().expect("every write has an action");
                *counted.entry(action.to_string()).or_default() += 1;
            }
        }
        let s = &doc["summary"];
        for (action, key) in [
            ("create", "create"),
            ("update", "update"),
            ("delete", "delete"),
            ("no-op", "noOp"),
            ("forbidden", "forbidden"),
            ("failed", "failed"),
        ] {
            assert_eq!(
                counted.get(action).copied().unwrap_or(0),
                s[key].as_u64().unwrap(),
                "{args:?} {action}"
            );
        }
        assert!(doc["targets"].as_array().is_some_and(|t| !t.is_empty()));
        assert_eq!(
            doc["problems"].as_array().unwrap().is_empty(),
            code != 1,
            "{args:?}"
        );
    }
    let (_, doc) = json_plan(&[
        "-f",
        NODE,
        "-f",
        "testdata/forbidden/legacy-statefulset.yaml",
    ]);
    assert_eq!(doc["summary"]["forbidden"], 1);
    assert_eq!(
        doc["targets"][0],
        serde_json::json!({"kind": "SeiNode", "namespace": "default", "name": "pacific-1-full-node"})
    );
}

#[test]
fn compact_paths_are_accepted_by_ignore_path_verbatim() {
    for args in [
        vec!["-f", NODE],
        vec![
            "-f",
            "examples/image-rollout/cluster.yaml",
            "--target",
            "snd/grp",
            "--reconciles",
            "3",
        ],
        vec![
            "-f",
            NODE,
            "-f",
            "testdata/forbidden/legacy-statefulset.yaml",
        ],
    ] {
        let mut base = args.clone();
        base.push("--compact");
        let (_, out, _) = plan(&base);
        let paths: Vec<String> = out
            .lines()
            .map(str::trim_start)
            .filter_map(|l| {
                l.strip_prefix("+ ")
                    .or(l.strip_prefix("- "))
                    .or(l.strip_prefix("~ "))
            })
            .map(|l| l.split([' ', ':']).next().unwrap().to_string())
            .filter(|p| {
                p.starts_with("metadata") || p.starts_with("spec") || p.starts_with("status")
            })
            .collect();
        assert!(!paths.is_empty(), "{args:?}: {out}");
        for p in paths {
            let mut with = base.clone();
            with.extend(["--ignore-path", &p]);
            let (code, again, err) = plan(&with);
            assert_ne!(code, 2, "{p}: {err}");
            assert!(!err.contains("matches nothing"), "{p}: {err}");
            let shown = again.lines().any(|l| {
                let l = l.trim_start();
                l.get(2..)
                    .is_some_and(|rest| rest.split([' ', ':']).next() == Some(p.as_str()))
            });
            assert!(!shown, "{args:?}: {p} still shown:\n{again}");
        }
    }
    let (_, _, err) = plan(&["-f", NODE, "--ignore-path", "spec.nothingHere"]);
    assert!(
        err.contains("warning: --ignore-path spec.nothingHere matches nothing in this plan"),
        "{err}"
    );
}

#[test]
fn compact_status_patch_is_a_path_list_and_a_node_fits_a_screen() {
    let (_, out, _) = plan(&["-f", NODE, "--compact"]);
    assert!(out.contains("  status patch (application/merge-patch+json):\n      + status.phase = \"Initializing\"\n"), "{out}");
    assert!(!out.contains("\"resourceVersion\""), "{out}");
    assert!(
        out.lines().count() <= 40,
        "{} lines:\n{out}",
        out.lines().count()
    );
}

#[test]
fn markdown_comment_fits_and_escapes_html() {
    let (code, md, err) = plan(&[
        "-f",
        "examples/genesis-devnet",
        "--cascade",
        "--sidecar",
        "completed",
        "--reconciles",
        "2",
        "-o",
        "markdown",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        md.chars().count() <= 65_536,
        "{} characters",
        md.chars().count()
    );
    assert!(
        md.starts_with("### nodectl plan\n\n**Plan: 16 to create"),
        "{}",
        &md[..200]
    );
    assert!(md.contains("> **Truncated** to fit a pull-request comment (65536 characters)"));
    assert!(md.contains("run the same `nodectl plan` with `-o text`"));
    let (_, text, _) = plan(&[
        "-f",
        "examples/genesis-devnet",
        "--cascade",
        "--sidecar",
        "completed",
        "--reconciles",
        "2",
    ]);
    let targets = text
        .lines()
        .filter(|l| l.starts_with("SeiNode") && l.ends_with("(reconcile 1/2)"))
        .count();
    assert_eq!(
        md.matches("<details><summary>").count(),
        targets,
        "one <details> per object"
    );
    assert_eq!(md.matches("</details>").count(), targets);
    // No bare HTML-looking text outside code.
    let mut fenced = false;
    for line in md.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        let outside: String = line.split('`').step_by(2).collect();
        let outside = outside
            .replace("<details>", "")
            .replace("<summary>", "")
            .replace("</summary>", "")
            .replace("</details>", "");
        assert!(fenced || !outside.contains('<'), "unescaped: {line}");
    }
    // A small plan is shown whole.
    let (_, md, _) = plan(&["-f", NODE, "-o", "markdown"]);
    assert!(!md.contains("Truncated"));
    assert!(md.contains("&lt;none&gt; → Initializing"));
}
