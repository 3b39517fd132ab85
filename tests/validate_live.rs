//! `nodectl validate --against-cluster` on the in-process fake API server: one GET per
//! SeiNode / SeiNodeDeployment of the input, never a write, 404s mean new objects, and
//! other failures are tool errors.

mod support {
    pub mod fake_api;
}

use std::process::Output;

use assert_cmd::Command;
use support::fake_api::{isolated_nodectl, manifest_objects, Fake, Fault, FaultKind};

const NODE: &str = "examples/seinode/pacific-1-full-node.yaml";
const GROUP: &str = "examples/seinodedeployment/pacific-1-rpc-group.yaml";

fn validate(fake: &Fake, args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = isolated_nodectl();
    cmd.arg("validate")
        .arg("--against-cluster")
        .arg("--kubeconfig")
        .arg(fake.kubeconfig(dir.path()))
        .args(["--retries", "1", "--retry-backoff", "10ms"])
        .args(args);
    cmd.output().unwrap()
}

#[test]
fn reads_each_input_object_once_with_gets_only() {
    // The node exists in the cluster; the deployment does not yet.
    let fake = Fake::start(&manifest_objects(NODE), &[]);
    let out = validate(&fake, &["-f", NODE, "-f", GROUP]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("--against-cluster: 1 of 2 object(s) exist in context"),
        "{stderr}"
    );
    let sent = fake.requests();
    assert!(sent.iter().all(|r| r.method == "GET"), "{sent:?}");
    let paths: Vec<&str> = sent.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/apis/sei.io/v1alpha1/namespaces/default/seinodes/pacific-1-full-node",
            "/apis/sei.io/v1alpha1/namespaces/default/seinodedeployments/pacific-1-rpc",
        ]
    );
    assert_eq!(fake.store_writes(), 0);
}

#[test]
fn a_failing_read_is_a_tool_error() {
    let fake = Fake::start(&manifest_objects(NODE), &[]);
    fake.fault(Fault {
        method: "GET",
        path_contains: "seinodes/pacific-1-full-node".into(),
        kind: FaultKind::Status(403, "Forbidden"),
        times: 10,
    });
    let out = validate(&fake, &["-f", NODE]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("--against-cluster: reading SeiNode default/pacific-1-full-node"),
        "{stderr}"
    );
}

#[test]
fn connection_flags_need_against_cluster() {
    let out = Command::cargo_bin("nodectl")
        .unwrap()
        .args(["validate", "-f", NODE, "--context", "prod"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--against-cluster"));
    // A bad connection flag is an input error, found before anything is read.
    let fake = Fake::start(&[], &[]);
    let out = validate(&fake, &["-f", NODE, "--request-timeout", "soon"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--request-timeout \"soon\""));
    assert!(fake.requests().is_empty());
}
