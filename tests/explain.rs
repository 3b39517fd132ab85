//! `nodectl explain` on stuck targets (golden text + the named patterns in JSON),
//! and `--until-settled` on `plan` and `simulate`: the sample SeiNodes reach
//! Running, and loops are reported with exit code 1.

use assert_cmd::Command;
use serde_json::Value;

const NOW: &str = "2026-01-01T03:00:00Z";

fn nodectl() -> Command {
    let mut cmd = Command::cargo_bin("nodectl").expect("binary builds");
    cmd.env("RUST_BACKTRACE", "0")
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let out = nodectl().args(args).output().expect("runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).to_string(),
        stderr: String::from_utf8_lossy(&out.stderr).to_string(),
    }
}

fn explain_args<'a>(input: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["explain", "-f", input, "--now", NOW, "--seed", "0"];
    args.extend_from_slice(extra);
    args
}

/// The text report (golden) and the JSON report of one input.
fn explain(input: &str, extra: &[&str]) -> (String, Value) {
    let text = run(&explain_args(input, extra));
    assert_eq!(text.code, 0, "{}", text.stderr);
    let mut json_args = explain_args(input, extra);
    json_args.extend_from_slice(&["-o", "json"]);
    let json = run(&json_args);
    assert_eq!(json.code, 0, "{}", json.stderr);
    let doc: Value = serde_json::from_str(&json.stdout).expect("valid JSON");
    assert_eq!(doc["formatVersion"], 1);
    (text.stdout, doc)
}

fn pattern_ids(doc: &Value) -> Vec<String> {
    doc["patterns"]
        .as_array()
        .expect("patterns")
        .iter()
        .map(|p| p["id"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn initializing_node_waiting_on_snapshot_restore_for_three_hours() {
    let (text, doc) = explain("testdata/explain/snapshot-restore-waiting.yaml", &[]);
    insta::assert_snapshot!("snapshot_restore_waiting", text);
    assert_eq!(doc["phase"], "Initializing");
    let task = &doc["currentTask"];
    assert_eq!(task["type"], "snapshot-restore");
    assert_eq!(task["waitingSeconds"], 3 * 3600);
    assert_eq!(task["waiting"], "3h0m0s");
    assert_eq!(task["nextBackoff"], Value::Null);
    assert_eq!(doc["nextReconcile"]["requeue"], "after 5s");
    assert_eq!(doc["eventually"]["verdict"]["kind"], "settled");
    assert_eq!(pattern_ids(&doc), ["task-without-timeout"]);
}

#[test]
fn node_failed_at_configure_genesis_after_its_retries() {
    let (text, doc) = explain("testdata/explain/configure-genesis-failed.yaml", &[]);
    insta::assert_snapshot!("configure_genesis_failed", text);
    assert_eq!(doc["phase"], "Failed");
    assert_eq!(doc["failedTask"]["type"], "configure-genesis");
    assert_eq!(doc["failedTask"]["retryCount"], 180);
    assert_eq!(doc["failedTask"]["maxRetries"], 180);
    let plan_failed = doc["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "PlanFailed")
        .expect("PlanFailed condition");
    assert_eq!(plan_failed["age"], "3h0m0s");
    assert_eq!(doc["nextReconcile"]["writes"], serde_json::json!([]));
    assert_eq!(
        pattern_ids(&doc),
        ["task-never-retried", "failed-node-needs-recreation"]
    );
}

#[test]
fn running_node_with_a_failed_convergence_plan() {
    let (text, doc) = explain("testdata/explain/running-convergence-failed.yaml", &[]);
    insta::assert_snapshot!("running_convergence_failed", text);
    assert_eq!(doc["phase"], "Running");
    assert_eq!(doc["plan"]["phase"], "Failed");
    assert_eq!(doc["nextReconcile"]["planIdAfter"], Value::Null);
    assert_eq!(pattern_ids(&doc), ["stale-plan-failed-condition"]);
}

/// The cluster of group-dns-pending.yaml: no Gateway API or Prometheus operator CRDs.
const NO_OPTIONAL_KINDS: &[&str] = &[
    "--missing-kind",
    "gateway.networking.k8s.io/v1/HTTPRoute",
    "--missing-kind",
    "monitoring.coreos.com/v1/ServiceMonitor",
];

#[test]
fn group_stuck_behind_the_dns_gate() {
    let (text, doc) = explain("testdata/explain/group-dns-pending.yaml", NO_OPTIONAL_KINDS);
    insta::assert_snapshot!("group_dns_pending", text);
    assert_eq!(doc["nextReconcile"]["requeue"], "after 10s");
    assert_eq!(doc["eventually"]["verdict"]["kind"], "loop");
    assert_eq!(pattern_ids(&doc), ["dns-gate-closed", "kind-not-installed"]);
}

/// Like `plan -f`, `explain -f` models a production cluster: HTTPRoute and ServiceMonitor
/// are served unless `--missing-kind` says the cluster lacks them.
#[test]
fn explain_from_files_serves_the_optional_kinds_unless_missing() {
    let input = "testdata/explain/group-dns-pending.yaml";
    let (_, doc) = explain(input, &[]);
    assert_eq!(pattern_ids(&doc), ["dns-gate-closed"]);
    let writes = doc["nextReconcile"]["writes"].to_string();
    assert!(
        writes.contains("Patch HTTPRoute default/pacific-1-rpc-evm: created"),
        "{writes}"
    );
    let route = "gateway.networking.k8s.io/v1/HTTPRoute";
    let (_, doc) = explain(input, &["--missing-kind", route]);
    assert_eq!(pattern_ids(&doc), ["dns-gate-closed", "kind-not-installed"]);
    let writes = doc["nextReconcile"]["writes"].to_string();
    assert!(
        writes.contains(r#"no matches for kind \"HTTPRoute\""#),
        "{writes}"
    );
    // A kind that is not optional cannot be missing: exit 2, before anything runs.
    let bad = run(&explain_args(input, &["--missing-kind", "v1/Pod"]));
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert_eq!(
        bad.stderr,
        "error: --missing-kind \"v1/Pod\": only an optional kind can be missing (gateway.networking.k8s.io/v1/HTTPRoute, monitoring.coreos.com/v1/ServiceMonitor)\n"
    );
}

/// On a cluster, discovery decides which kinds are served: `--missing-kind` is refused
/// before connecting.
#[test]
fn explain_on_a_cluster_refuses_missing_kind() {
    let out = run(&[
        "explain",
        "seinode/a",
        "--missing-kind",
        "gateway.networking.k8s.io/v1/HTTPRoute",
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(
        out.stderr,
        "error: --missing-kind models a cluster in file mode; on a cluster, discovery decides which kinds are served\n"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn dns_gate_opens_when_the_host_resolves() {
    let (_, doc) = explain(
        "testdata/explain/group-dns-pending.yaml",
        &["--dns", "resolvable"],
    );
    assert!(!pattern_ids(&doc).contains(&"dns-gate-closed".to_string()));
    let writes = doc["nextReconcile"]["writes"].to_string();
    assert!(
        writes.contains("SeiNode default/pacific-1-rpc-0"),
        "{writes}"
    );
}

#[test]
fn group_whose_rollout_plan_failed() {
    let (text, doc) = explain(
        "testdata/explain/group-rollout-failed.yaml",
        &["--target", "snd/grp"],
    );
    insta::assert_snapshot!("group_rollout_failed", text);
    assert_eq!(doc["plan"], Value::Null);
    assert_eq!(
        pattern_ids(&doc),
        ["rollout-not-retried", "failed-child-node"]
    );
}

#[test]
fn rollout_looping_on_the_switch_traffic_conflict() {
    let (text, doc) = explain(
        "testdata/explain/group-switch-traffic-loop.yaml",
        &["snd/grp"],
    );
    insta::assert_snapshot!("group_switch_traffic_loop", text);
    assert_eq!(doc["eventually"]["verdict"]["kind"], "loop");
    assert_eq!(pattern_ids(&doc), ["status-conflict-loop"]);
}

#[test]
fn switch_traffic_conflict_seen_before_the_loop_starts() {
    let (_, doc) = explain(
        "testdata/explain/hardfork-entrants-running.yaml",
        &["--target", "snd/grp", "--sidecar", "completed"],
    );
    let next_error = doc["nextReconcile"]["error"].as_str().unwrap_or("");
    assert!(
        next_error.contains("the object has been modified"),
        "{next_error}"
    );
    assert!(pattern_ids(&doc).contains(&"status-conflict-loop".to_string()));
}

#[test]
fn failed_genesis_plan_is_rebuilt_forever() {
    let (_, doc) = explain(
        "testdata/explain/group-genesis-plan-failed.yaml",
        &["snd/gen"],
    );
    assert_eq!(
        pattern_ids(&doc),
        ["plan-rebuilt-forever", "failed-child-node"]
    );
}

#[test]
fn explain_is_deterministic() {
    let a = run(&explain_args(
        "testdata/explain/group-switch-traffic-loop.yaml",
        &["-o", "json"],
    ));
    let b = run(&explain_args(
        "testdata/explain/group-switch-traffic-loop.yaml",
        &["-o", "json"],
    ));
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn explain_bad_input_exits_2_with_file_and_line() {
    let r = run(&["explain", "-f", "testdata/bad/malformed.yaml", "--now", NOW]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("testdata/bad/malformed.yaml:"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

#[test]
fn explain_needs_a_target_when_the_input_holds_several() {
    let r = run(&[
        "explain",
        "-f",
        "testdata/explain/group-rollout-failed.yaml",
        "--now",
        NOW,
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--target"), "{}", r.stderr);
    let r = run(&[
        "explain",
        "-f",
        "testdata/explain/group-rollout-failed.yaml",
        "snd/nope",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("no SeiNodeDeployment named \"nope\""),
        "{}",
        r.stderr
    );
}

#[test]
fn explain_without_input_exits_2() {
    let r = run(&["explain"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("-f FILE"), "{}", r.stderr);
    // A target without -f is read from a cluster: no cluster, a runtime error.
    let r = run(&[
        "explain",
        "seinode/x",
        "--kubeconfig",
        "/nonexistent/kubeconfig",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("reading kubeconfig"), "{}", r.stderr);
}

/// The `--until-settled` timeline table and verdict line of `plan` text output.
fn timeline(stdout: &str) -> String {
    stdout
        .lines()
        .take_while(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn until_settled_takes_each_sample_seinode_to_running() {
    let samples = [
        "pacific-1-full-node",
        "pacific-1-shadow-replayer",
        "pacific-1-snapshotter",
        "pacific-1-state-syncer",
    ];
    for name in samples {
        let file = format!("examples/seinode/{name}.yaml");
        let r = run(&[
            "plan",
            "-f",
            &file,
            "--until-settled",
            "--sidecar",
            "completed",
            "--now",
            "2026-01-01T00:00:00Z",
            "--no-color",
        ]);
        assert_eq!(r.code, 0, "{name}: {}\n{}", r.stderr, r.stdout);
        let table = timeline(&r.stdout);
        assert!(table.contains("settled after"), "{name}: {table}");
        let last_row = table.lines().rfind(|l| l.contains('┆')).unwrap_or_default();
        assert!(last_row.contains("Running"), "{name}: {table}");
        insta::assert_snapshot!(format!("until_settled_{name}"), table);
    }
}

#[test]
fn until_settled_reports_the_switch_traffic_loop_with_exit_1() {
    let r = run(&[
        "plan",
        "-f",
        "testdata/explain/hardfork-entrants-running.yaml",
        "--target",
        "snd/grp",
        "--until-settled",
        "--sidecar",
        "completed",
        "--now",
        "2026-01-01T00:00:00Z",
        "--no-color",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("loop detected"), "{}", r.stderr);
    let table = timeline(&r.stdout);
    assert!(table.contains("Operation cannot be fulfilled"), "{table}");
    insta::assert_snapshot!("until_settled_switch_traffic_loop", table);
}

#[test]
fn simulate_until_settled_detects_the_genesis_rebuild_loop() {
    let r = run(&[
        "simulate",
        "testdata/parity/snd-genesis-plan-failed",
        "--until-settled",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout).expect("valid JSON");
    assert_eq!(doc["verdict"]["kind"], "loop");
    assert_eq!(doc["verdict"]["period"], 2);
    assert!(r.stderr.contains("loop detected"), "{}", r.stderr);
}

#[test]
fn simulate_until_settled_settles_a_full_node() {
    let r = run(&[
        "simulate",
        "testdata/parity/full-node-s3-progression",
        "--until-settled",
        "--max-reconciles",
        "20",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let table = timeline(&r.stdout);
    assert!(table.contains("settled after 6 reconcile(s)"), "{table}");
}

#[test]
fn simulate_until_settled_stops_at_the_limit() {
    let r = run(&[
        "simulate",
        "testdata/parity/full-node-s3-progression",
        "--until-settled",
        "--max-reconciles",
        "2",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("not settled after 2 reconciles"),
        "{}",
        r.stderr
    );
}

/// `-o markdown` says what the text says, as tables and lists (golden), with the facts of the
/// JSON report in it.
#[test]
fn markdown_report_for_a_ticket() {
    for (input, name) in [
        (
            "testdata/explain/configure-genesis-failed.yaml",
            "configure_genesis_failed_md",
        ),
        (
            "testdata/explain/group-dns-pending.yaml",
            "group_dns_pending_md",
        ),
    ] {
        let (_, doc) = explain(input, NO_OPTIONAL_KINDS);
        let mut args = explain_args(input, NO_OPTIONAL_KINDS);
        args.extend_from_slice(&["-o", "markdown"]);
        let md = run(&args);
        assert_eq!(md.code, 0, "{}", md.stderr);
        insta::assert_snapshot!(name, md.stdout);
        for id in pattern_ids(&doc) {
            assert!(
                md.stdout.contains(&format!("**[{id}]")),
                "{id} missing:\n{}",
                md.stdout
            );
        }
        for heading in [
            "#### Next reconcile",
            "#### Eventually",
            "#### Stuck patterns",
        ] {
            assert!(md.stdout.contains(heading), "{heading} missing");
        }
        // Every row of a table has as many cells as its header: a `|` inside a cell is escaped.
        let cells = |line: &str| line.matches('|').count() - line.matches("\\|").count();
        for table in md.stdout.split("\n\n").filter(|b| b.starts_with('|')) {
            let widths: Vec<usize> = table.lines().map(cells).collect();
            assert!(
                widths.iter().all(|w| *w == widths[0]),
                "ragged table:\n{table}"
            );
        }
    }
}

/// The eventual run of a group reconciles its SeiNodes too, so a genesis group that waits for
/// its nodes reaches Ready instead of stalling on await-nodes-running.
#[test]
fn a_fresh_genesis_group_eventually_becomes_ready_with_its_nodes() {
    let (_, doc) = explain("examples/genesis-devnet/devnet.yaml", &[]);
    let verdict = &doc["eventually"]["verdict"];
    assert_eq!(verdict["kind"], "settled", "{verdict}");
    let last = doc["eventually"]["timeline"]
        .as_array()
        .and_then(|t| t.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(last["phase"], "Ready", "{last}");
    assert!(doc["eventually"]["assumption"]
        .as_str()
        .unwrap_or("")
        .contains("its SeiNodes are reconciled"));
}

/// `--until-settled --cascade` settles a group together with the SeiNodes it creates, round
/// robin, so a genesis group waiting on its nodes reaches Ready (it used to stall on
/// await-nodes-running and exit 1) and every reconcile is listed under its own target.
#[test]
fn until_settled_cascade_settles_a_genesis_group_with_its_nodes() {
    let r = run(&[
        "plan",
        "-f",
        "examples/genesis-devnet/devnet.yaml",
        "--until-settled",
        "--cascade",
        "--sidecar",
        "completed",
        "--now",
        "2026-01-01T00:00:00Z",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout).expect("valid JSON");
    let reconciles = doc["reconciles"].as_array().expect("reconciles");
    let targets: Vec<&str> = reconciles
        .iter()
        .map(|r| r["target"].as_str().unwrap_or(""))
        .collect();
    for node in 0..4 {
        let name = format!("SeiNode default/devnet-{node}");
        assert!(
            targets.contains(&name.as_str()),
            "{name} never reconciled: {targets:?}"
        );
    }
    // Interleaved: the nodes' first reconciles (1..=4) ran between the group's first two.
    let group_indices: Vec<u64> = reconciles
        .iter()
        .filter(|r| r["target"] == "SeiNodeDeployment default/devnet")
        .filter_map(|r| r["index"].as_u64())
        .collect();
    assert_eq!(group_indices[..2], [0, 5], "{group_indices:?}");
    // The JSON lists the reconciles in the order they ran.
    let indices: Vec<u64> = reconciles
        .iter()
        .filter_map(|r| r["index"].as_u64())
        .collect();
    assert!(indices.windows(2).all(|w| w[0] < w[1]), "{indices:?}");
    assert_eq!(targets[1], "SeiNode default/devnet-0");
    let group = doc["finalObjects"]
        .as_array()
        .and_then(|o| o.iter().find(|o| o["kind"] == "SeiNodeDeployment"))
        .expect("group in final objects");
    assert_eq!(group["status"]["phase"], "Ready");
}
