//! apply under faults and interruptions, and logging that never blocks: the binary against
//! the in-process fake API server (tests/support/fake_api.rs) with injected faults.

mod support {
    pub mod fake_api;
}

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use serde_json::Value;
use support::fake_api::{isolated_nodectl, manifest_objects, Fake, Fault, FaultKind};

const NOW: &str = "2026-01-01T00:00:00Z";
const NODE: &str = "examples/seinode/pacific-1-full-node.yaml";
const GROUP: &str = "examples/seinodedeployment/pacific-1-rpc-group.yaml";

/// `nodectl ARGS...` against `fake`, killed after 60 s (a hang fails the test, never the run).
fn nodectl_env(fake: &Fake, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = isolated_nodectl();
    cmd.args(args)
        .arg("--kubeconfig")
        .arg(fake.kubeconfig(dir))
        .args(["--retry-backoff", "10ms"])
        .timeout(Duration::from_secs(60));
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// Every live command logs from the runtime's worker threads; `-vv` and `RUST_LOG=trace`
/// used to deadlock on the stderr lock the main thread held for the whole command.
#[test]
fn verbose_logging_never_blocks_a_live_command() {
    let commands: [&[&str]; 4] = [
        &["plan", "--now", NOW],
        &["explain", "seinode/pacific-1-full-node", "--now", NOW],
        &["validate", "-f", NODE, "--against-cluster"],
        &["apply", "--yes", "--now", NOW],
    ];
    for logging in [("-vv", None), ("", Some("trace")), ("", Some("debug"))] {
        for command in commands {
            let fake = Fake::start(&manifest_objects(NODE), &[]);
            let dir = tempfile::tempdir().unwrap();
            let mut args = command.to_vec();
            if !logging.0.is_empty() {
                args.push(logging.0);
            }
            let env: Vec<(&str, &str)> = logging.1.map(|l| ("RUST_LOG", l)).into_iter().collect();
            let out = nodectl_env(&fake, dir.path(), &args, &env);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(0), "{args:?} {env:?}: {stderr}");
            assert!(
                stderr.contains("DEBUG") && stderr.contains("API request"),
                "{args:?} {env:?} logged nothing: {stderr}"
            );
        }
    }
}

/// A SeiNode and a SeiNodeDeployment apply, each named so that a re-run reconciles the
/// same target (HTTPRoute served: the group also writes its routes; ServiceMonitor not
/// served: one write is predicted to fail).
const CASES: [(&str, &str); 2] = [
    (NODE, "seinode/pacific-1-full-node"),
    (GROUP, "snd/pacific-1-rpc"),
];

fn start(manifest: &str) -> Fake {
    let fake = Fake::start(
        &manifest_objects(manifest),
        &["gateway.networking.k8s.io/v1/HTTPRoute"],
    );
    fake.state.lock().unwrap().strict_tasks = true;
    fake
}

fn apply(fake: &Fake, dir: &Path, target: &str, extra: &[&str]) -> Output {
    let mut args = vec!["apply", target, "--yes", "--now", NOW, "--seed", "1"];
    args.extend_from_slice(extra);
    nodectl_env(fake, dir, &args, &[("NODECTL_RETRY_SEED", "1")])
}

/// The cluster state after one uninterrupted apply, and the number of writes it sent.
fn reference(manifest: &str, target: &str) -> (Value, usize) {
    let (state, writes, _) = reference_run(manifest, target);
    (state, writes)
}

/// [`reference`] and the positions (from 1) of the writes predicted to fail.
fn reference_run(manifest: &str, target: &str) -> (Value, usize, Vec<usize>) {
    let fake = start(manifest);
    let dir = tempfile::tempdir().unwrap();
    let out = apply(&fake, dir.path(), target, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let predicted = stderr
        .lines()
        .filter(|l| l.starts_with("applied: "))
        .enumerate()
        .filter(|(_, l)| l.contains("-> failed as predicted: "))
        .map(|(i, _)| i + 1)
        .collect();
    (fake.cluster_state(), fake.writes_received(), predicted)
}

fn count(stderr: &str, prefix: &str) -> usize {
    stderr.lines().filter(|l| l.starts_with(prefix)).count()
}

/// `N requests sent, R retried, B read back` of the report.
fn report_counts(stderr: &str) -> (usize, usize, usize) {
    let counts = stderr
        .lines()
        .find_map(|l| {
            let start = l.find('(')?;
            let end = l[start..].find(')')? + start;
            l[start..end]
                .contains(" requests sent, ")
                .then(|| &l[start + 1..end])
        })
        .unwrap_or_else(|| panic!("no request count: {stderr}"));
    let numbers: Vec<usize> = counts
        .split(|c: char| !c.is_ascii_digit())
        .filter(|t| !t.is_empty())
        .map(|t| t.parse().unwrap())
        .collect();
    (numbers[0], numbers[1], numbers[2])
}

/// The paths where two cluster states differ (a readable failure instead of two dumps).
fn differences(a: &Value, b: &Value, path: &str, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                let (va, vb) = (
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                );
                differences(va, vb, &format!("{path}.{k}"), out);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                differences(va, vb, &format!("{path}[{i}]"), out);
            }
        }
        _ if a != b => out.push(format!("{path}: {a} != {b}")),
        _ => {}
    }
}

fn assert_state(fake: &Fake, expected: &Value, case: &str) {
    let mut diff = Vec::new();
    differences(&fake.cluster_state(), expected, "", &mut diff);
    diff.truncate(10);
    assert!(
        diff.is_empty(),
        "{case}: the cluster state differs:\n{}",
        diff.join("\n")
    );
}

/// A re-run after a stop converges to the state of one uninterrupted apply.
fn assert_resumes(fake: &Fake, dir: &Path, target: &str, expected: &Value, case: &str) {
    let out = apply(fake, dir, target, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{case}: re-run: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_state(fake, expected, &format!("{case}: after the re-run"));
}

/// A write refused at any position (a 403 is never retried, and is a failure even where
/// a different failure was predicted): apply stops there, reports every step sent, failed
/// and not sent, and a second apply converges to the state of one uninterrupted apply.
#[test]
fn a_failure_at_every_write_position_stops_reports_and_resumes() {
    for (manifest, target) in CASES {
        let (expected, writes) = reference(manifest, target);
        assert!(writes >= 6, "{target}: {writes}");
        for k in 1..=writes {
            let case = format!("{target} failing at write {k} of {writes}");
            let fake = start(manifest);
            fake.fault_at_write(k, FaultKind::Status(403, "Forbidden"));
            let dir = tempfile::tempdir().unwrap();
            let out = apply(&fake, dir.path(), target, &[]);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{case}: {stderr}");
            assert_eq!(count(&stderr, "applied: "), k - 1, "{case}: {stderr}");
            assert_eq!(count(&stderr, "FAILED: "), 1, "{case}: {stderr}");
            assert_eq!(count(&stderr, "not sent: "), writes - k, "{case}: {stderr}");
            assert!(
                !stderr.contains("failed as predicted: HTTP 403"),
                "{case}: {stderr}"
            );
            assert_eq!(
                fake.writes_received(),
                k,
                "{case}: nothing after the failure"
            );
            assert_eq!(report_counts(&stderr), (k, 0, 0), "{case}: {stderr}");
            assert!(
                stderr.contains(&format!(
                    "error: apply stopped after {} of {writes} steps",
                    k - 1
                )),
                "{case}: {stderr}"
            );
            assert_resumes(&fake, dir.path(), target, &expected, &case);
        }
    }
}

/// A 403 names the verb, resource and namespace that were refused.
#[test]
fn a_forbidden_write_names_what_was_refused() {
    let fake = start(NODE);
    fake.fault(Fault {
        method: "PATCH",
        path_contains: "statefulsets".into(),
        kind: FaultKind::Status(403, "Forbidden"),
        times: 1,
    });
    let dir = tempfile::tempdir().unwrap();
    let out = apply(&fake, dir.path(), "seinode/pacific-1-full-node", &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "the cluster refused to patch statefulsets (API group apps) in namespace default"
        ),
        "{stderr}"
    );
}

fn wait_for(fake: &Fake, writes: usize) {
    let start = std::time::Instant::now();
    while fake.writes_received() < writes {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "write {writes} never came"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn interrupt(child: &std::process::Child) {
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: kill(2) on the child this test started and has not reaped yet.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
}

fn spawn_apply(fake: &Fake, dir: &Path, target: &str, backoff: &str) -> std::process::Child {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("nodectl"));
    for var in support::fake_api::CLUSTER_ENV {
        cmd.env_remove(var);
    }
    cmd.args([
        "apply",
        target,
        "--yes",
        "--now",
        NOW,
        "--seed",
        "1",
        "--retry-backoff",
        backoff,
    ])
    .arg("--kubeconfig")
    .arg(fake.kubeconfig(dir))
    .env("RUST_BACKTRACE", "0")
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped());
    cmd.spawn().unwrap()
}

fn finish(child: std::process::Child) -> Output {
    let start = std::time::Instant::now();
    let mut child = child;
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("apply did not end after the interrupt");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Ctrl-C while write k is in flight: that request finishes, nothing after it is sent,
/// the report lists what was sent and not sent, the exit code is 130, and a second apply
/// converges to the state of one uninterrupted apply.
#[test]
fn an_interrupt_at_every_write_position_finishes_the_request_reports_and_resumes() {
    for (manifest, target) in CASES {
        let (expected, writes) = reference(manifest, target);
        for k in 1..=writes {
            let case = format!("{target} interrupted at write {k} of {writes}");
            let fake = start(manifest);
            fake.fault_at_write(k, FaultKind::Pause(Duration::from_millis(400)));
            let dir = tempfile::tempdir().unwrap();
            let child = spawn_apply(&fake, dir.path(), target, "10ms");
            wait_for(&fake, k);
            interrupt(&child);
            let out = finish(child);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(
                fake.writes_received(),
                k,
                "{case}: nothing sent after: {stderr}"
            );
            assert_eq!(
                count(&stderr, "applied: "),
                k,
                "{case}: the request in flight finished: {stderr}"
            );
            assert_eq!(count(&stderr, "not sent: "), writes - k, "{case}: {stderr}");
            assert!(
                stderr.contains("interrupt: finishing the request in flight"),
                "{case}: {stderr}"
            );
            if k < writes {
                assert_eq!(out.status.code(), Some(130), "{case}: {stderr}");
                assert!(
                    stderr.contains(&format!("error: apply stopped after {k} of {writes} steps ({k} requests sent, 0 retried, 0 read back): interrupted")),
                    "{case}: {stderr}"
                );
                assert_resumes(&fake, dir.path(), target, &expected, &case);
            } else {
                // Everything was sent by the time the request in flight finished.
                assert_eq!(out.status.code(), Some(0), "{case}: {stderr}");
                assert_state(&fake, &expected, &case);
            }
        }
    }
}

/// Ctrl-C while apply waits to retry: the write did not land (read back), it is not sent
/// again, and the report says so.
#[test]
fn an_interrupt_during_a_retry_wait_stops_without_resending() {
    let fake = start(NODE);
    fake.fault_at_write(2, FaultKind::Status(500, "InternalError"));
    let dir = tempfile::tempdir().unwrap();
    let child = spawn_apply(&fake, dir.path(), "seinode/pacific-1-full-node", "20s");
    wait_for(&fake, 2);
    std::thread::sleep(Duration::from_millis(300));
    interrupt(&child);
    let out = finish(child);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("INTERRUPTED: Create PersistentVolumeClaim default/data-pacific-1-full-node -> interrupted before retrying; not applied: HTTP 500 InternalError: injected fault"),
        "{stderr}"
    );
    assert_eq!(fake.writes_received(), 2);
    assert_eq!(report_counts(&stderr), (2, 0, 1), "{stderr}");
}

/// A write that landed although its answer was lost (a 500 after processing, or a
/// timeout after the commit) at any position, sidecar submissions included: the object
/// (or task) is read back, found, not sent again, and reported confirmed; the apply
/// ends in the state of an apply without the fault.
#[test]
fn a_landed_write_whose_answer_was_lost_is_confirmed_by_read_back_at_every_position() {
    for (manifest, target) in CASES {
        let (expected, writes, predicted) = reference_run(manifest, target);
        for k in 1..=writes {
            if predicted.contains(&k) {
                // Read back absent, sent again, and failed as predicted: the next test.
                continue;
            }
            for (fault, error) in [
                (
                    FaultKind::AppliedThen(500, "InternalError"),
                    "HTTP 500 InternalError: injected fault after processing",
                ),
                (
                    FaultKind::AppliedThenDelay(Duration::from_millis(900)),
                    "no answer within the timeout",
                ),
            ] {
                let case = format!("{target} write {k} of {writes}: {fault:?}");
                let fake = start(manifest);
                fake.fault_at_write(k, fault);
                let dir = tempfile::tempdir().unwrap();
                let out = apply(&fake, dir.path(), target, &["--request-timeout", "300ms"]);
                let stderr = String::from_utf8_lossy(&out.stderr);
                assert_eq!(out.status.code(), Some(0), "{case}: {stderr}");
                let confirmed: Vec<&str> = stderr
                    .lines()
                    .filter(|l| l.contains("(confirmed by read-back after"))
                    .collect();
                assert_eq!(confirmed.len(), 1, "{case}: {stderr}");
                assert!(confirmed[0].contains(error), "{case}: {stderr}");
                assert!(
                    stderr
                        .lines()
                        .filter(|l| l.starts_with("applied: "))
                        .nth(k - 1)
                        == Some(confirmed[0]),
                    "{case}: the confirmed step is write {k}: {stderr}"
                );
                assert_eq!(fake.writes_received(), writes, "{case}: never sent twice");
                assert_eq!(report_counts(&stderr), (writes, 0, 1), "{case}: {stderr}");
                assert_state(&fake, &expected, &case);
            }
        }
    }
}

/// A write that did not land (a 500 before processing) at any position: the read-back
/// shows it absent, it is retried once, the report says after how many attempts and
/// counts exactly the requests the server received.
#[test]
fn a_write_that_did_not_land_is_read_back_and_retried_at_every_position() {
    for (manifest, target) in CASES {
        let (expected, writes) = reference(manifest, target);
        for k in 1..=writes {
            let case = format!("{target} write {k} of {writes}");
            let fake = start(manifest);
            fake.fault_at_write(k, FaultKind::Status(500, "InternalError"));
            let dir = tempfile::tempdir().unwrap();
            let out = apply(&fake, dir.path(), target, &[]);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(0), "{case}: {stderr}");
            let retried: Vec<&str> = stderr
                .lines()
                .filter(|l| {
                    l.contains(
                        " (after 2 attempts; earlier: HTTP 500 InternalError: injected fault)",
                    )
                })
                .collect();
            assert_eq!(retried.len(), 1, "{case}: {stderr}");
            assert_eq!(fake.writes_received(), writes + 1, "{case}");
            assert_eq!(
                report_counts(&stderr),
                (writes + 1, 1, 1),
                "{case}: {stderr}"
            );
            assert_state(&fake, &expected, &case);
        }
    }
}

/// When the read-back itself fails, apply cannot tell whether the write landed: it stops,
/// says so, and does not send the write again.
#[test]
fn an_undecidable_write_stops_and_says_so() {
    let fake = start(NODE);
    fake.fault_at_write(2, FaultKind::Status(500, "InternalError"));
    fake.fault(Fault {
        method: "GET",
        path_contains: "persistentvolumeclaims/data-pacific-1-full-node".into(),
        kind: FaultKind::Status(403, "Forbidden"),
        times: 1,
    });
    let dir = tempfile::tempdir().unwrap();
    let out = apply(&fake, dir.path(), "seinode/pacific-1-full-node", &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("FAILED: Create PersistentVolumeClaim default/data-pacific-1-full-node -> HTTP 500 InternalError: injected fault; it may or may not have been applied: reading it back failed: HTTP 403 Forbidden"),
        "{stderr}"
    );
    assert_eq!(fake.writes_received(), 2);
}

/// A sidecar submission whose answer was lost is sent again only when the sidecar says it
/// does not have the task.
#[test]
fn a_sidecar_submission_is_sent_again_only_when_the_sidecar_lacks_it() {
    let submit = |fault: FaultKind| {
        let fake = start(NODE);
        fake.fault(Fault {
            method: "POST",
            path_contains: "/proxy/v0/tasks".into(),
            kind: fault,
            times: 1,
        });
        let dir = tempfile::tempdir().unwrap();
        let out = apply(
            &fake,
            dir.path(),
            "seinode/pacific-1-full-node",
            &["--request-timeout", "300ms"],
        );
        let posts = fake
            .requests()
            .iter()
            .filter(|r| r.method == "POST" && r.is_proxy())
            .count();
        let submitted = fake.state.lock().unwrap().submitted.len();
        (out, posts, submitted)
    };
    // Lost after the sidecar took it: asked, found, not sent again.
    let (out, posts, submitted) = submit(FaultKind::AppliedThen(502, "BadGateway"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("-> accepted (confirmed by read-back after HTTP 502"),
        "{stderr}"
    );
    assert_eq!((posts, submitted), (1, 1));
    // Never reached the sidecar: asked, absent (404), sent again once.
    let (out, posts, submitted) = submit(FaultKind::Delay(Duration::from_millis(900)));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("-> accepted (after 2 attempts; earlier: no answer within the timeout"),
        "{stderr}"
    );
    assert_eq!((posts, submitted), (2, 1));
}

/// A 409 on the retry of a write that had not landed: the hint says it was the second
/// attempt, not "nothing was retried".
#[test]
fn a_conflict_after_a_retry_says_so() {
    let fake = start(NODE);
    let (_, writes) = reference(NODE, "seinode/pacific-1-full-node");
    fake.fault_at_write(writes, FaultKind::Status(500, "InternalError"));
    fake.fault_at_write(writes + 1, FaultKind::Status(409, "Conflict"));
    let dir = tempfile::tempdir().unwrap();
    let out = apply(&fake, dir.path(), "seinode/pacific-1-full-node", &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("nothing was retried"), "{stderr}");
    assert!(
        stderr.contains("the 409 answered attempt 2 of this request"),
        "{stderr}"
    );
    assert_eq!(report_counts(&stderr), (writes + 1, 1, 1), "{stderr}");
}

/// 429 and 503 with Retry-After are retried after the asked wait without a read-back
/// (they were refused before processing); every retry is visible with -v; a wait longer
/// than the bound ends the request.
#[test]
fn retry_after_is_honoured_bounded_and_visible() {
    let fake = start(NODE);
    fake.fault_at_write(2, FaultKind::RetryAfter(429, 1));
    fake.fault_at_write(4, FaultKind::RetryAfter(503, 1));
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let out = apply(&fake, dir.path(), "seinode/pacific-1-full-node", &["-v"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "waited as asked"
    );
    assert_eq!(
        stderr.matches("retrying in 1000ms after HTTP 4").count()
            + stderr.matches("retrying in 1000ms after HTTP 503").count(),
        2,
        "{stderr}"
    );
    let (_, writes) = reference(NODE, "seinode/pacific-1-full-node");
    assert_eq!(report_counts(&stderr), (writes + 2, 2, 0), "{stderr}");

    let fake = start(NODE);
    fake.fault_at_write(2, FaultKind::RetryAfter(429, 3600));
    let out = apply(&fake, dir.path(), "seinode/pacific-1-full-node", &["-v"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("not retrying: the server asked to wait 3600s (at most 60s)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("FAILED: Create PersistentVolumeClaim"),
        "{stderr}"
    );
}

/// Flag values out of range are input errors (exit 2), never a panic or a wrap.
#[test]
fn out_of_range_flags_are_input_errors() {
    let fake = start(NODE);
    let dir = tempfile::tempdir().unwrap();
    for (flags, text) in [
        (
            ["--request-timeout", "5000000000000000h"],
            "--request-timeout",
        ),
        (["--request-timeout", "48h"], "at most 86400s"),
        (
            ["--retries", "4294967295"],
            "--retries 4294967295: at most 100",
        ),
        (["--retries", "101"], "at most 100"),
    ] {
        for command in ["plan", "apply"] {
            let out = nodectl_env(
                &fake,
                dir.path(),
                &[command, "--yes", "--now", NOW, flags[0], flags[1]],
                &[],
            );
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{command} {flags:?}: {stderr}");
            assert!(
                stderr.contains(text) && !stderr.contains("panicked"),
                "{stderr}"
            );
        }
    }
    assert_eq!(fake.writes_received(), 0);
}

fn kubeconfig_with_user(fake: &Fake, dir: &Path, user: &str) -> std::path::PathBuf {
    let path = dir.join("kubeconfig-user");
    let text = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: fake\nclusters:\n- name: fake\n  cluster:\n    server: {}\ncontexts:\n- name: fake\n  context:\n    cluster: fake\n    user: fake\nusers:\n- name: fake\n  user:\n{user}",
        fake.url()
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// A token with a newline is refused before connecting (it used to panic in the HTTP
/// stack); a tokenFile ending in a newline is trimmed, as client-go does.
#[test]
fn kubeconfig_tokens_are_checked_and_token_files_trimmed() {
    let fake = start(NODE);
    let dir = tempfile::tempdir().unwrap();
    let bad = kubeconfig_with_user(&fake, dir.path(), "    token: \"abc\\ndef\"\n");
    for command in ["plan", "explain"] {
        let mut cmd = isolated_nodectl();
        let args: &[&str] = if command == "plan" {
            &["plan"]
        } else {
            &["explain", "seinode/pacific-1-full-node"]
        };
        let out = cmd
            .args(args)
            .arg("--kubeconfig")
            .arg(&bad)
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{command}: {stderr}");
        assert!(stderr.contains("token contains a newline"), "{stderr}");
    }
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "s3cret\n").unwrap();
    let good = kubeconfig_with_user(
        &fake,
        dir.path(),
        &format!("    tokenFile: {}\n", token_file.display()),
    );
    let out = isolated_nodectl()
        .args(["plan", "--now", NOW])
        .arg("--kubeconfig")
        .arg(&good)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let requests = fake.requests();
    assert!(!requests.is_empty() && requests.iter().all(|r| r.authorization == "Bearer s3cret"));
}

/// A TLS failure gives its reason, not only "client error (Connect)".
#[test]
fn a_tls_failure_gives_its_reason() {
    let fake = start(NODE);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kubeconfig-tls");
    let text = std::fs::read_to_string(fake.kubeconfig(dir.path()))
        .unwrap()
        .replace("http://", "https://");
    std::fs::write(&path, text).unwrap();
    let out = isolated_nodectl()
        .args(["plan", "--now", NOW, "--retries", "0"])
        .arg("--kubeconfig")
        .arg(&path)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let error = stderr
        .lines()
        .find(|l| l.starts_with("error:"))
        .unwrap_or_default();
    assert!(error.contains("client error (Connect): "), "{stderr}");
    assert!(
        !error
            .trim_end()
            .ends_with("client error (Connect) (1 attempts)"),
        "{stderr}"
    );
}
