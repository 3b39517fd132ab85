//! The exit-code contract shared by every command (README "Exit codes"):
//! 0 success, 1 runtime error, 2 invalid input or validation failure,
//! 3 changes pending with `plan --detailed-exitcode`.

use assert_cmd::Command;

const NOW: &str = "2026-01-01T00:00:00Z";

fn code(args: &[&str]) -> i32 {
    let out = Command::cargo_bin("nodectl")
        .unwrap()
        .env("RUST_BACKTRACE", "0")
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap();
    out.status.code().unwrap_or(-1)
}

/// A world where the full node already is Running with everything it owns: the
/// final objects of a run until settled.
fn settled_world(dir: &std::path::Path) -> String {
    let out = Command::cargo_bin("nodectl")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "plan",
            "-f",
            "examples/seinode/pacific-1-full-node.yaml",
            "--now",
            NOW,
        ])
        .args(["--sidecar", "completed", "--until-settled", "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let trace: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let objects = trace["finalObjects"].as_array().unwrap();
    let text: Vec<String> = objects
        .iter()
        .map(|o| serde_json::to_string(o).unwrap())
        .collect();
    let path = dir.join("settled.yaml");
    std::fs::write(&path, text.join("\n---\n")).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn exit_codes_follow_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let settled = settled_world(dir.path());
    let unwritable = dir.path().join("missing-dir/plan.json");
    let unwritable = unwritable.to_str().unwrap();
    let node = "examples/seinode/pacific-1-full-node.yaml";
    let table: Vec<(Vec<&str>, i32)> = vec![
        (vec!["plan", "-f", node, "--now", NOW], 0),
        (
            vec!["plan", "-f", node, "--now", NOW, "--detailed-exitcode"],
            3,
        ),
        (
            vec![
                "plan",
                "-f",
                &settled,
                "--now",
                NOW,
                "--sidecar",
                "completed",
                "--detailed-exitcode",
            ],
            0,
        ),
        (vec!["plan", "-f", "testdata/bad/malformed.yaml"], 2),
        (vec!["plan", "-f", "testdata/bad/wrong-type.yaml"], 2),
        (vec!["plan", "-f", node, "--now", "not-a-time"], 2),
        (vec!["plan", "-f", node, "--ignore-path", "a["], 2),
        (
            // A plan from files is never saved (apply would refuse it): 2 before any write.
            vec!["plan", "-f", node, "--now", NOW, "--out", unwritable],
            2,
        ),
        (vec!["plan", "--bogus-flag"], 2),
        (vec!["validate", "-f", "examples/seinode"], 0),
        (
            vec!["validate", "-f", "testdata/samples/seinodedeployment"],
            2,
        ),
        (vec!["simulate", "testdata/parity/node-notfound"], 0),
        (vec!["simulate", "testdata/does-not-exist"], 2),
        (
            vec![
                "simulate",
                "testdata/parity/snd-genesis-plan-failed",
                "--until-settled",
                "--max-reconciles",
                "6",
            ],
            1,
        ),
        (vec!["explain", "-f", "testdata/bad/malformed.yaml"], 2),
        (vec!["completions", "bash"], 0),
        (vec!["man"], 0),
        (vec!["--version"], 0),
    ];
    for (args, expected) in table {
        assert_eq!(code(&args), expected, "nodectl {}", args.join(" "));
    }
}

/// Ctrl-C (SIGINT) ends a command with 130: `validate -f -` waiting on an open stdin.
#[test]
fn interrupt_exits_130() {
    use std::process::{Command as Process, Stdio};
    let mut child = Process::new(assert_cmd::cargo::cargo_bin("nodectl"))
        .args(["validate", "-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    wait_for_sigint_handler(child.id());
    let status = Process::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    // Keep stdin open until the process has ended: `wait` would close it first, and under
    // load the EOF could be read (an empty document, exit 2) before the signal is handled.
    let stdin = child.stdin.take();
    let code = loop {
        if let Some(status) = child.try_wait().expect("waits") {
            break status.code();
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    drop(stdin);
    assert_eq!(code, Some(130));
}

/// Waits until `pid` has installed its SIGINT handler (bit 2 of `SigCgt` in
/// `/proc/PID/status`), so the test does not depend on how fast a loaded machine starts the
/// binary.
fn wait_for_sigint_handler(pid: u32) {
    const SIGINT_BIT: u64 = 1 << (2 - 1);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let caught = status
            .lines()
            .find_map(|l| l.strip_prefix("SigCgt:"))
            .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
            .unwrap_or(0);
        if caught & SIGINT_BIT != 0 {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "nodectl never installed its SIGINT handler"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}
