//! apply under faults and interruptions, and logging that never blocks: the binary against
//! the in-process fake API server (tests/support/fake_api.rs) with injected faults.

mod support {
    pub mod fake_api;
}

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use support::fake_api::{isolated_nodectl, manifest_objects, Fake};

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
