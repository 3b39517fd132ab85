//! Golden tests of `nodectl plan` on every example manifest (fixed clock and seed),
//! and of the cascade view on the 3-replica RPC group.

use assert_cmd::Command;

fn plan(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("nodectl")
        .expect("binary builds")
        .env("RUST_BACKTRACE", "0")
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
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

macro_rules! golden {
    ($name:ident, $file:expr) => {
        #[test]
        fn $name() {
            let (code, out, err) = plan(&["-f", $file]);
            assert_eq!(code, 0, "{err}");
            insta::assert_snapshot!(out);
        }
    };
}

golden!(
    seinode_full_node,
    "examples/seinode/pacific-1-full-node.yaml"
);
golden!(
    seinode_shadow_replayer,
    "examples/seinode/pacific-1-shadow-replayer.yaml"
);
golden!(
    seinode_snapshotter,
    "examples/seinode/pacific-1-snapshotter.yaml"
);
golden!(
    seinode_state_syncer,
    "examples/seinode/pacific-1-state-syncer.yaml"
);
golden!(
    deployment_rpc_group,
    "examples/seinodedeployment/pacific-1-rpc-group.yaml"
);
golden!(
    deployment_genesis_ceremony,
    "examples/seinodedeployment/genesis-ceremony.yaml"
);
golden!(
    deployment_fork_genesis_ceremony,
    "examples/seinodedeployment/fork-genesis-ceremony.yaml"
);

#[test]
fn markdown_view_of_the_full_node() {
    let (code, out, err) = plan(&[
        "-f",
        "examples/seinode/pacific-1-full-node.yaml",
        "-o",
        "markdown",
    ]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!(out);
}

#[test]
fn compact_view_with_an_ignored_path() {
    let (code, out, err) = plan(&[
        "-f",
        "examples/seinode/pacific-1-full-node.yaml",
        "--compact",
        "--ignore-path",
        "spec.template.metadata.annotations",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        !out.contains("karpenter.sh/do-not-disrupt"),
        "ignored path still shown"
    );
    insta::assert_snapshot!(out);
}

#[test]
fn cascade_shows_the_whole_tree_of_the_rpc_group() {
    let (code, out, err) = plan(&[
        "-f",
        "examples/seinodedeployment/pacific-1-rpc-group.yaml",
        "--cascade",
        "-o",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let trace: serde_json::Value = serde_json::from_str(&out).expect("json");
    let targets: Vec<&str> = trace["reconciles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["target"].as_str().unwrap())
        .collect();
    assert_eq!(
        targets,
        [
            "SeiNodeDeployment default/pacific-1-rpc",
            "SeiNode default/pacific-1-rpc-0",
            "SeiNode default/pacific-1-rpc-1",
            "SeiNode default/pacific-1-rpc-2"
        ]
    );
    let objects = trace["finalObjects"].as_array().unwrap();
    let count = |kind: &str| objects.iter().filter(|o| o["kind"] == kind).count();
    assert_eq!(count("SeiNode"), 3);
    assert_eq!(count("PersistentVolumeClaim"), 3);
    assert_eq!(count("StatefulSet"), 3);
    // Three headless node Services plus the group's external Service.
    assert_eq!(count("Service"), 4);
    let writes: Vec<&serde_json::Value> = trace["reconciles"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["writes"].as_array().unwrap())
        .collect();
    let attempted = |kind: &str| writes.iter().any(|w| w["kind"] == kind);
    assert!(
        attempted("HTTPRoute"),
        "networking objects are part of the tree"
    );
    assert!(
        attempted("ServiceMonitor"),
        "monitoring objects are part of the tree"
    );
    for n in 0..3 {
        let sts = format!("pacific-1-rpc-{n}");
        assert!(objects
            .iter()
            .any(|o| o["kind"] == "StatefulSet" && o["metadata"]["name"] == sts.as_str()));
    }
}

#[test]
fn cascade_with_served_kinds_creates_routes_and_monitor() {
    let (code, out, err) = plan(&[
        "-f",
        "examples/seinodedeployment/pacific-1-rpc-group.yaml",
        "--cascade",
        "--served-kind",
        "gateway.networking.k8s.io/v1/HTTPRoute",
        "--served-kind",
        "monitoring.coreos.com/v1/ServiceMonitor",
        "-o",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let trace: serde_json::Value = serde_json::from_str(&out).expect("json");
    let objects = trace["finalObjects"].as_array().unwrap();
    assert!(objects.iter().filter(|o| o["kind"] == "HTTPRoute").count() >= 1);
    assert_eq!(
        objects
            .iter()
            .filter(|o| o["kind"] == "ServiceMonitor")
            .count(),
        1
    );
}

#[test]
fn detailed_exit_code_reports_pending_changes() {
    let (code, _, err) = plan(&[
        "-f",
        "examples/seinode/pacific-1-full-node.yaml",
        "--detailed-exitcode",
    ]);
    assert_eq!(code, 3, "{err}");
}

#[test]
fn updates_of_immutable_statefulset_fields_are_forbidden() {
    let (code, out, err) = plan(&[
        "-f",
        "examples/seinode/pacific-1-full-node.yaml",
        "-f",
        "testdata/forbidden/legacy-statefulset.yaml",
        "--compact",
        "--detailed-exitcode",
    ]);
    // A forbidden write is a failed plan: exit 1, never 3, even with --detailed-exitcode.
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("error: the operator would fail: 1 forbidden (exit 1)"),
        "{err}"
    );
    assert!(
        out.contains("forbidden StatefulSet default/pacific-1-full-node (server-side apply): StatefulSet.apps \"pacific-1-full-node\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than"),
        "{out}"
    );
    assert!(
        out.contains("~ spec.serviceName: \"legacy-headless\" -> \"pacific-1-full-node\""),
        "{out}"
    );
    assert!(
        out.contains("0 to delete. 1 forbidden. Nothing was written."),
        "{out}"
    );
}
