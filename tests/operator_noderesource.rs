//! The behaviour checked by the operator's `internal/noderesource` unit tests, asserted
//! against the objects `nodectl::resources` generates. Each test is named after the Go
//! test it mirrors. Helpers the operator keeps private (`buildNodePodSpec`,
//! `buildNodeMainContainer`, ...) are checked through the StatefulSet they feed.

use std::collections::BTreeMap;

use nodectl::api::{
    ArchiveSpec, EntrypointConfig, FullNodeSpec, ResourceRequirements, S3SnapshotSource, SeiNode,
    SidecarConfig, SnapshotSource, StringMap, ValidatorSpec,
};
use nodectl::platform::{Platform, DEFAULT_SIDECAR_IMAGE};
use nodectl::resources::{
    self, container_ports, data_pvc, data_pvc_name, default_resources_for_mode,
    default_storage_for_mode, headless_service, needs_long_startup, resource_labels,
    seid_exec_line, service_ports, sidecar_image, sidecar_port, statefulset, MODE_ARCHIVE,
    MODE_FULL, NODE_LABEL,
};
use serde_json::{json, Value};

const DATA_DIR: &str = "/sei";
const SIDECAR_PORT_DEFAULT: i32 = 7777;

fn sei_node(name: &str, namespace: &str) -> SeiNode {
    let mut node = SeiNode::default();
    node.metadata.name = name.into();
    node.metadata.namespace = namespace.into();
    node
}

/// A validator with an explicit `seid start` entrypoint (no snapshot: genesis).
fn genesis_node(name: &str, namespace: &str) -> SeiNode {
    let mut node = sei_node(name, namespace);
    node.spec.chain_id = "sei-test".into();
    node.spec.image = "ghcr.io/sei-protocol/seid:latest".into();
    node.spec.entrypoint = Some(EntrypointConfig {
        command: Some(vec!["seid".into()]),
        args: vec!["start".into()],
    });
    node.spec.validator = Some(ValidatorSpec::default());
    node.spec.sidecar = Some(sidecar_on(7777));
    node
}

/// A full node restoring an S3 snapshot, without an entrypoint.
fn snapshot_node(name: &str, namespace: &str) -> SeiNode {
    let mut node = sei_node(name, namespace);
    node.spec.chain_id = "sei-test".into();
    node.spec.image = "ghcr.io/sei-protocol/seid:latest".into();
    node.spec.full_node = Some(FullNodeSpec {
        snapshot: Some(SnapshotSource {
            s3: Some(S3SnapshotSource {
                target_height: 100_000_000,
            }),
            trust_period: "9999h0m0s".into(),
            ..Default::default()
        }),
        ..Default::default()
    });
    node.spec.sidecar = Some(sidecar_on(7777));
    node
}

fn archive_node(name: &str, namespace: &str) -> SeiNode {
    let mut node = sei_node(name, namespace);
    node.spec.chain_id = "pacific-1".into();
    node.spec.image = "ghcr.io/sei-protocol/seid:v6.4.1".into();
    node.spec.archive = Some(ArchiveSpec::default());
    node.spec.sidecar = Some(sidecar_on(7777));
    node
}

fn sidecar_on(port: i32) -> SidecarConfig {
    SidecarConfig {
        port,
        ..Default::default()
    }
}

fn labels(pairs: &[(&str, &str)]) -> StringMap {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn platform() -> Platform {
    Platform::default()
}

fn pod_spec(sts: &Value) -> &Value {
    &sts["spec"]["template"]["spec"]
}

/// The container called `name` in a container list, if any.
fn find<'v>(containers: &'v Value, name: &str) -> Option<&'v Value> {
    containers
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["name"] == name)
}

fn init_container<'v>(sts: &'v Value, name: &str) -> Option<&'v Value> {
    find(&pod_spec(sts)["initContainers"], name)
}

fn sidecar(sts: &Value) -> &Value {
    init_container(sts, "sei-sidecar").expect("sei-sidecar init container")
}

fn seid(sts: &Value) -> &Value {
    find(&pod_spec(sts)["containers"], "seid").expect("seid container")
}

/// The value of env var `name` ("" when absent, like the Go helper).
fn env_value<'v>(container: &'v Value, name: &str) -> &'v str {
    container["env"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["name"] == name)
        .and_then(|e| e["value"].as_str())
        .unwrap_or_default()
}

fn names(containers: &Value) -> Vec<&str> {
    containers
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str())
        .collect()
}

fn wait_script(sts: &Value) -> &str {
    let args = seid(sts)["args"].as_array().expect("seid args");
    assert_eq!(args.len(), 1, "the wait wrapper is a single bash script");
    args[0].as_str().expect("script is a string")
}

fn nodepool_terms(pod: &Value) -> &Vec<Value> {
    pod["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
        ["nodeSelectorTerms"]
        .as_array()
        .expect("node selector terms")
}

// --- pod labels ---

#[test]
fn resource_labels_for_node_defaults_to_node_only() {
    let node = snapshot_node("snap-0", "default");
    assert_eq!(resource_labels(&node), labels(&[(NODE_LABEL, "snap-0")]));
}

#[test]
fn resource_labels_for_node_merges_pod_labels() {
    let mut node = snapshot_node("snap-0", "default");
    node.spec.pod_labels = labels(&[("sei.io/nodedeployment", "my-group"), ("team", "platform")]);
    assert_eq!(
        resource_labels(&node),
        labels(&[
            (NODE_LABEL, "snap-0"),
            ("sei.io/nodedeployment", "my-group"),
            ("team", "platform"),
        ])
    );
}

#[test]
fn resource_labels_for_node_system_label_wins() {
    let mut node = snapshot_node("snap-0", "default");
    node.spec.pod_labels = labels(&[(NODE_LABEL, "should-be-overridden")]);
    assert_eq!(
        resource_labels(&node).get(NODE_LABEL).map(String::as_str),
        Some("snap-0")
    );
}

#[test]
fn generate_node_stateful_set_pod_labels_propagate() {
    let mut node = snapshot_node("snap-0", "default");
    node.spec.pod_labels = labels(&[("sei.io/nodedeployment", "my-group")]);
    let sts = statefulset(&node, &platform());
    assert_eq!(
        sts["metadata"]["labels"]["sei.io/nodedeployment"],
        "my-group"
    );
    assert_eq!(
        sts["spec"]["template"]["metadata"]["labels"]["sei.io/nodedeployment"],
        "my-group"
    );
    assert_eq!(
        sts["spec"]["selector"]["matchLabels"],
        json!({"sei.io/node": "snap-0"})
    );
}

// --- StatefulSet ---

#[test]
fn generate_node_stateful_set_basic_fields() {
    let node = genesis_node("mynet-0", "default");
    let sts = statefulset(&node, &platform());
    assert_eq!(sts["metadata"]["name"], "mynet-0");
    assert_eq!(sts["metadata"]["namespace"], "default");
    assert_eq!(sts["metadata"]["labels"][NODE_LABEL], "mynet-0");
    assert_eq!(sts["spec"]["replicas"], 1);
    assert_eq!(sts["spec"]["serviceName"], "mynet-0");
    assert_eq!(
        sts["spec"]["selector"]["matchLabels"],
        json!({NODE_LABEL: "mynet-0"})
    );
    let claim_templates = sts["spec"].get("volumeClaimTemplates");
    assert!(
        claim_templates.is_none_or(|t| t.as_array().is_some_and(Vec::is_empty)),
        "no volume claim templates: {claim_templates:?}"
    );
}

#[test]
fn generate_node_stateful_set_always_has_sidecar() {
    let sts = statefulset(&snapshot_node("snap-0", "default"), &platform());
    assert_eq!(
        names(&pod_spec(&sts)["initContainers"]),
        ["seid-init", "sei-sidecar"]
    );
    assert!(init_container(&sts, "snapshot-restore").is_none());
}

// --- pod spec ---

#[test]
fn build_node_pod_spec_genesis_mounts_existing_pvc() {
    let sts = statefulset(&genesis_node("mynet-0", "default"), &platform());
    let pod = pod_spec(&sts);
    assert_eq!(
        pod["serviceAccountName"],
        platform().service_account.as_str()
    );
    assert_eq!(pod["serviceAccountName"], "seid-node");
    let volumes = pod["volumes"].as_array().expect("volumes");
    assert_eq!(volumes.len(), 1);
    assert_eq!(
        volumes[0]["persistentVolumeClaim"]["claimName"],
        "data-mynet-0"
    );
}

#[test]
fn build_node_pod_spec_snapshot_mounts_node_pvc() {
    let sts = statefulset(&snapshot_node("snap-0", "default"), &platform());
    assert_eq!(
        pod_spec(&sts)["volumes"][0]["persistentVolumeClaim"]["claimName"],
        "data-snap-0"
    );
}

#[test]
fn build_node_pod_spec_shared_pid_namespace() {
    let sts = statefulset(&snapshot_node("snap-0", "default"), &platform());
    assert_eq!(pod_spec(&sts)["shareProcessNamespace"], true);
}

// --- PVC name ---

#[test]
fn node_data_pvc_claim_name_genesis() {
    assert_eq!(
        data_pvc_name(&genesis_node("mynet-0", "default")),
        "data-mynet-0"
    );
}

#[test]
fn node_data_pvc_claim_name_snapshot() {
    assert_eq!(
        data_pvc_name(&snapshot_node("snap-0", "default")),
        "data-snap-0"
    );
}

// --- main container ---

#[test]
fn build_node_main_container_image_and_env() {
    let node = genesis_node("mynet-0", "default");
    let sts = statefulset(&node, &platform());
    let seid = seid(&sts);
    assert_eq!(seid["name"], "seid");
    assert_eq!(seid["image"], "ghcr.io/sei-protocol/seid:latest");
    // The entrypoint (command ["seid"], args ["start"]) ends up behind the wrapper's exec.
    assert_eq!(seid_exec_line(&node), r#"seid "start""#);
    assert!(wait_script(&sts).ends_with(r#"exec seid "start""#));
    assert_eq!(env_value(seid, "TMPDIR"), format!("{DATA_DIR}/tmp"));
}

#[test]
fn build_node_main_container_data_volume_mount() {
    let sts = statefulset(&genesis_node("mynet-0", "default"), &platform());
    assert_eq!(
        seid(&sts)["volumeMounts"],
        json!([{"name": "data", "mountPath": DATA_DIR}])
    );
}

/// The base container's TCP startup probe (port 26657) is replaced by the sidecar
/// healthz probe in the generated StatefulSet; what remains observable is whether the
/// node takes the long (1800) or short (30) startup threshold.
#[test]
fn build_node_main_container_startup_probe_genesis() {
    assert_eq!(resources::RPC_PORT, 26657);
    assert!(!needs_long_startup(&genesis_node("mynet-0", "default")));
}

#[test]
fn build_node_main_container_startup_probe_snapshot_higher_threshold() {
    assert!(needs_long_startup(&snapshot_node("snap-0", "default")));
}

#[test]
fn build_node_main_container_no_entrypoint() {
    let node = snapshot_node("snap-0", "default");
    assert!(node.spec.entrypoint.is_none());
    // Without an entrypoint the image's own command is not overridden; the wrapper
    // execs the default seid command line.
    assert_eq!(seid_exec_line(&node), r#"seid "start" "--home" "/sei""#);
}

// --- sidecar defaults ---

#[test]
fn sidecar_image_default_when_empty() {
    let mut node = snapshot_node("snap-0", "default");
    node.spec.sidecar = Some(SidecarConfig::default());
    assert_eq!(sidecar_image(&node), DEFAULT_SIDECAR_IMAGE);
}

#[test]
fn sidecar_image_default_when_nil() {
    let mut node = snapshot_node("snap-0", "default");
    node.spec.sidecar = None;
    assert_eq!(sidecar_image(&node), DEFAULT_SIDECAR_IMAGE);
}

#[test]
fn sidecar_image_overridden_when_set() {
    let mut node = snapshot_node("snap-0", "default");
    node.spec.sidecar = Some(SidecarConfig {
        image: "custom/sidecar:v2".into(),
        ..Default::default()
    });
    assert_eq!(sidecar_image(&node), "custom/sidecar:v2");
}

#[test]
fn sidecar_port_default_when_zero() {
    let mut node = snapshot_node("snap-0", "default");
    node.spec.sidecar = Some(SidecarConfig::default());
    assert_eq!(sidecar_port(&node), SIDECAR_PORT_DEFAULT);
}

#[test]
fn sidecar_port_default_when_nil() {
    let mut node = snapshot_node("snap-0", "default");
    node.spec.sidecar = None;
    assert_eq!(sidecar_port(&node), SIDECAR_PORT_DEFAULT);
}

#[test]
fn sidecar_port_overridden_when_set() {
    let mut node = snapshot_node("snap-0", "default");
    node.spec.sidecar = Some(sidecar_on(9999));
    assert_eq!(sidecar_port(&node), 9999);
}

// --- sidecar container ---

#[test]
fn sidecar_container_default_image() {
    let mut node = snapshot_node("sc-0", "default");
    node.spec.sidecar = Some(sidecar_on(7777));
    let sts = statefulset(&node, &platform());
    assert_eq!(sidecar(&sts)["image"], DEFAULT_SIDECAR_IMAGE);
}

#[test]
fn sidecar_container_custom_image() {
    let mut node = snapshot_node("sc-0", "default");
    node.spec.sidecar = Some(SidecarConfig {
        image: "custom/seictl:v3".into(),
        port: 7777,
        ..Default::default()
    });
    let sts = statefulset(&node, &platform());
    assert_eq!(sidecar(&sts)["image"], "custom/seictl:v3");
}

#[test]
fn sidecar_container_restart_policy_always() {
    let sts = statefulset(&snapshot_node("sc-0", "default"), &platform());
    assert_eq!(sidecar(&sts)["restartPolicy"], "Always");
}

#[test]
fn sidecar_container_env_vars() {
    let node = snapshot_node("sc-0", "default");
    let p = platform();
    let sts = statefulset(&node, &p);
    let sc = sidecar(&sts);
    assert_eq!(env_value(sc, "SEI_CHAIN_ID"), node.spec.chain_id);
    assert_eq!(env_value(sc, "SEI_SIDECAR_PORT"), "7777");
    assert_eq!(env_value(sc, "SEI_HOME"), DATA_DIR);
    assert_eq!(env_value(sc, "SEI_GENESIS_BUCKET"), p.genesis_bucket);
    assert_eq!(env_value(sc, "SEI_GENESIS_REGION"), p.genesis_region);
    assert_eq!(
        env_value(sc, "SEI_GENESIS_BUCKET"),
        "test-sei-k8s-genesis-artifacts"
    );
    assert_eq!(env_value(sc, "SEI_GENESIS_REGION"), "us-east-2");
}

#[test]
fn sidecar_container_data_volume_mount() {
    let sts = statefulset(&snapshot_node("sc-0", "default"), &platform());
    let mounts = sidecar(&sts)["volumeMounts"].as_array().expect("mounts");
    assert_eq!(mounts.len(), 1);
    assert_eq!(mounts[0]["mountPath"], DATA_DIR);
}

#[test]
fn sidecar_container_custom_port() {
    let mut node = snapshot_node("sc-0", "default");
    node.spec.sidecar = Some(sidecar_on(9999));
    let sts = statefulset(&node, &platform());
    let ports = sidecar(&sts)["ports"].as_array().expect("ports");
    assert_eq!(ports.len(), 1);
    assert_eq!(ports[0]["containerPort"], 9999);
}

#[test]
fn sidecar_container_custom_resources() {
    let quantities = |cpu: &str, memory: &str| {
        BTreeMap::from([
            ("cpu".to_string(), cpu.to_string()),
            ("memory".to_string(), memory.to_string()),
        ])
    };
    let mut node = snapshot_node("sc-0", "default");
    node.spec.sidecar = Some(SidecarConfig {
        port: 7777,
        resources: Some(ResourceRequirements {
            requests: quantities("250m", "128Mi"),
            limits: quantities("500m", "256Mi"),
            ..Default::default()
        }),
        ..Default::default()
    });
    let sts = statefulset(&node, &platform());
    let res = &sidecar(&sts)["resources"];
    assert_eq!(res["requests"]["cpu"], "250m");
    assert_eq!(res["requests"]["memory"], "128Mi");
    assert_eq!(res["limits"]["cpu"], "500m");
    assert_eq!(res["limits"]["memory"], "256Mi");
}

#[test]
fn sidecar_container_no_resources_defaults_to_empty() {
    let sts = statefulset(&snapshot_node("sc-0", "default"), &platform());
    let res = &sidecar(&sts)["resources"];
    assert!(res.get("requests").is_none(), "requests: {res}");
    assert!(res.get("limits").is_none(), "limits: {res}");
}

// --- seid container behind the sidecar wait wrapper ---

#[test]
fn sidecar_main_container_startup_probe_targets_healthz() {
    let sts = statefulset(&snapshot_node("sc-0", "default"), &platform());
    let probe = &seid(&sts)["startupProbe"];
    assert_eq!(probe["httpGet"]["path"], "/v0/healthz");
    assert_eq!(probe["httpGet"]["port"], 7777);
    assert_eq!(probe["initialDelaySeconds"], 5);
    assert_eq!(probe["periodSeconds"], 5);
    assert_eq!(probe["failureThreshold"], 86400);
}

#[test]
fn sidecar_main_container_startup_probe_uses_custom_port() {
    let mut node = snapshot_node("sc-0", "default");
    node.spec.sidecar = Some(sidecar_on(9999));
    let sts = statefulset(&node, &platform());
    assert_eq!(seid(&sts)["startupProbe"]["httpGet"]["port"], 9999);
}

#[test]
fn sidecar_main_container_readiness_probe_targets_lag_status() {
    let sts = statefulset(&snapshot_node("sc-0", "default"), &platform());
    let probe = &seid(&sts)["readinessProbe"];
    assert_eq!(probe["httpGet"]["path"], "/lag_status");
    assert_eq!(probe["httpGet"]["port"], 26657);
    assert_eq!(probe["initialDelaySeconds"], 30);
    assert_eq!(probe["periodSeconds"], 10);
    assert_eq!(probe["failureThreshold"], 3);
    assert_eq!(probe["timeoutSeconds"], 5);
}

#[test]
fn sidecar_main_container_wait_wrapper_polls_healthz_before_exec() {
    let sts = statefulset(&genesis_node("gen-0", "default"), &platform());
    assert_eq!(seid(&sts)["command"], json!(["/bin/bash", "-c"]));
    let script = wait_script(&sts);
    assert!(script.contains("/dev/tcp/localhost/7777"), "{script}");
    assert!(script.contains("GET /v0/healthz HTTP/1.0"), "{script}");
    assert!(script.contains(r#"grep -q "200""#), "{script}");
    assert!(script.contains("exec seid"), "{script}");
}

#[test]
fn sidecar_main_container_wait_wrapper_includes_entrypoint_args() {
    let mut node = genesis_node("gen-0", "default");
    node.spec.entrypoint = Some(EntrypointConfig {
        command: Some(vec!["seid".into()]),
        args: vec!["start".into(), "--home".into(), "/sei".into()],
    });
    let sts = statefulset(&node, &platform());
    let script = wait_script(&sts);
    assert!(
        script.contains(r#"exec seid "start" "--home" "/sei""#),
        "{script}"
    );
}

#[test]
fn sidecar_main_container_wait_wrapper_no_entrypoint_defaults_seid_start() {
    let sts = statefulset(&snapshot_node("sc-0", "default"), &platform());
    assert_eq!(seid(&sts)["command"], json!(["/bin/bash", "-c"]));
    let script = wait_script(&sts);
    assert!(
        script.contains(r#"exec seid "start" "--home" "/sei""#),
        "{script}"
    );
}

#[test]
fn sidecar_main_container_nil_sidecar_config_uses_defaults() {
    let mut node = snapshot_node("sc-0", "default");
    node.spec.sidecar = None;
    let sts = statefulset(&node, &platform());
    assert_eq!(
        seid(&sts)["startupProbe"]["httpGet"]["port"],
        SIDECAR_PORT_DEFAULT
    );
    assert!(wait_script(&sts).contains("/dev/tcp/localhost/7777"));
    let sc = sidecar(&sts);
    assert_eq!(sc["image"], DEFAULT_SIDECAR_IMAGE);
    assert_eq!(sc["ports"][0]["containerPort"], SIDECAR_PORT_DEFAULT);
}

#[test]
fn sidecar_main_container_wait_wrapper_uses_custom_port() {
    let mut node = snapshot_node("sc-0", "default");
    node.spec.sidecar = Some(sidecar_on(9999));
    let sts = statefulset(&node, &platform());
    assert!(wait_script(&sts).contains("/dev/tcp/localhost/9999"));
}

// --- genesis mode ---

#[test]
fn genesis_mode_sidecar_present() {
    let sts = statefulset(&genesis_node("gen-0", "default"), &platform());
    assert_eq!(
        names(&pod_spec(&sts)["initContainers"]),
        ["seid-init", "sei-sidecar"]
    );
}

#[test]
fn genesis_mode_no_snapshot_restore_init_container() {
    let sts = statefulset(&genesis_node("gen-0", "default"), &platform());
    assert!(init_container(&sts, "snapshot-restore").is_none());
}

#[test]
fn genesis_mode_shared_pid_namespace() {
    let sts = statefulset(&genesis_node("gen-0", "default"), &platform());
    assert_eq!(pod_spec(&sts)["shareProcessNamespace"], true);
}

// --- Service ---

#[test]
fn generate_node_headless_service() {
    let svc = headless_service(&genesis_node("mynet-0", "ns1"), &platform());
    assert_eq!(svc["metadata"]["name"], "mynet-0");
    assert_eq!(svc["metadata"]["namespace"], "ns1");
    assert_eq!(svc["metadata"]["labels"][NODE_LABEL], "mynet-0");
    assert_eq!(svc["spec"]["clusterIP"], "None");
    assert_eq!(svc["spec"]["publishNotReadyAddresses"], true);
    assert_eq!(svc["spec"]["selector"], json!({NODE_LABEL: "mynet-0"}));
    assert_eq!(svc["spec"]["ports"].as_array().map(Vec::len), Some(7));
}

#[test]
fn service_ports_seven_expected_ports() {
    let ports = service_ports();
    let mut numbers: Vec<i64> = ports
        .as_array()
        .expect("ports")
        .iter()
        .map(|p| p["port"].as_i64().expect("numeric port"))
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, [1317, 8545, 8546, 9090, 26656, 26657, 26660]);
}

#[test]
fn container_ports_seven_expected_ports() {
    assert_eq!(container_ports().as_array().map(Vec::len), Some(7));
}

// --- PVC ---

#[test]
fn generate_node_data_pvc() {
    let pvc = data_pvc(&snapshot_node("snap-0", "ns1"), &platform());
    assert_eq!(pvc["metadata"]["name"], "data-snap-0");
    assert_eq!(pvc["metadata"]["namespace"], "ns1");
    assert_eq!(pvc["metadata"]["labels"][NODE_LABEL], "snap-0");
    assert_eq!(pvc["spec"]["accessModes"], json!(["ReadWriteOnce"]));
    assert_eq!(pvc["spec"]["resources"]["requests"]["storage"], "2000Gi");
}

#[test]
fn generate_node_data_pvc_archive() {
    let pvc = data_pvc(&archive_node("archive-0", "pacific-1"), &platform());
    assert_eq!(pvc["spec"]["storageClassName"], "io2-archive");
    assert_eq!(pvc["spec"]["resources"]["requests"]["storage"], "25000Gi");
}

#[test]
fn build_node_pod_spec_archive_schedules_on_archive_nodepool() {
    let sts = statefulset(&archive_node("archive-0", "pacific-1"), &platform());
    let pod = pod_spec(&sts);
    let tolerations = pod["tolerations"].as_array().expect("tolerations");
    assert_eq!(tolerations.len(), 1);
    assert_eq!(tolerations[0]["key"], "sei.io/workload");
    assert_eq!(tolerations[0]["value"], "sei-archive");
    let terms = nodepool_terms(pod);
    assert_eq!(terms.len(), 1);
    let expressions = terms[0]["matchExpressions"].as_array().expect("exprs");
    assert_eq!(expressions.len(), 1);
    assert_eq!(expressions[0]["key"], "karpenter.sh/nodepool");
    assert_eq!(expressions[0]["values"], json!(["sei-archive"]));
}

#[test]
fn build_node_pod_spec_full_node_schedules_on_default_nodepool() {
    let sts = statefulset(&snapshot_node("syncer-0", "pacific-1"), &platform());
    let pod = pod_spec(&sts);
    assert_eq!(pod["tolerations"][0]["value"], "sei-node");
    assert_eq!(
        nodepool_terms(pod)[0]["matchExpressions"][0]["values"],
        json!(["sei-node"])
    );
}

#[test]
fn default_storage_for_mode_archive() {
    assert_eq!(
        default_storage_for_mode(MODE_ARCHIVE, &platform()),
        ("io2-archive", "25000Gi")
    );
}

#[test]
fn default_storage_for_mode_full_node() {
    assert_eq!(
        default_storage_for_mode(MODE_FULL, &platform()),
        ("gp3-10k-750", "2000Gi")
    );
}

#[test]
fn default_resources_for_mode_archive() {
    assert_eq!(
        default_resources_for_mode(MODE_ARCHIVE, &platform()),
        ("48", "448Gi")
    );
    // As the seid container of an archive node requests them.
    let sts = statefulset(&archive_node("archive-0", "pacific-1"), &platform());
    assert_eq!(
        seid(&sts)["resources"]["requests"],
        json!({"cpu": "48", "memory": "448Gi"})
    );
}
