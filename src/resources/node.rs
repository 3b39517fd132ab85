//! The node's own resources (`internal/noderesource`): derivations from the spec,
//! the data PVC, the StatefulSet and the headless Service.

use serde_json::{json, Value};

use crate::api::{SeiNode, StringMap};
use crate::platform::{Platform, DATA_DIR};
use crate::sidecar::sidecar_url;

use super::goquote::go_quote;
use super::pod::{
    await_sidecar_healthy_loop, data_mounts, data_pvc_name, data_volumes, http_probe, labels_value,
    nodepool_affinity, nodepool_tolerations, object, requests_value, seid_env, seid_init_container,
    sidecar_container, sidecar_port, template_metadata,
};
use super::{owner_reference, NODE_LABEL};
use crate::api::quantity::canonical_or_verbatim;

/// sei-config mode of full nodes and replayers (and the fallback).
pub const MODE_FULL: &str = "full";
/// sei-config mode of archive nodes.
pub const MODE_ARCHIVE: &str = "archive";
/// sei-config mode of validators.
pub const MODE_VALIDATOR: &str = "validator";

/// seid's CometBFT RPC port; the readiness probe asks it for `/lag_status`.
pub const RPC_PORT: i32 = 26657;

/// The seven seid ports (sei-config `NodePorts()`), in container/service order.
pub const NODE_PORTS: [(&str, i32); 7] = [
    ("evm-rpc", 8545),
    ("evm-ws", 8546),
    ("grpc", 9090),
    ("rest", 1317),
    ("p2p", 26656),
    ("rpc", RPC_PORT),
    ("metrics", 26660),
];

/// The only Service port with an application protocol, and that protocol.
const GRPC_APP_PROTOCOL: (&str, &str) = ("grpc", "kubernetes.io/h2c");

/// `{sei.io/node: <name>}`: the immutable StatefulSet selector and Service selector.
pub fn selector_labels(node: &SeiNode) -> StringMap {
    StringMap::from([(NODE_LABEL.to_string(), node.name().to_string())])
}

/// spec.podLabels plus `sei.io/node: <name>`, which always wins.
pub fn resource_labels(node: &SeiNode) -> StringMap {
    let mut labels = node.spec.pod_labels.clone();
    labels.insert(NODE_LABEL.to_string(), node.name().to_string());
    labels
}

/// The sei-config mode: archive, else validator, else full (replayers and nodes
/// without a mode sub-spec included).
pub fn node_mode(node: &SeiNode) -> &'static str {
    if node.spec.archive.is_some() {
        MODE_ARCHIVE
    } else if node.spec.validator.is_some() {
        MODE_VALIDATOR
    } else {
        MODE_FULL
    }
}

/// Whether startup replays blocks (snapshot-based full nodes and validators,
/// replayers, archives). Only an intermediate startup probe threshold depended on
/// it, and the final StatefulSet overwrites that probe.
pub fn needs_long_startup(node: &SeiNode) -> bool {
    let spec = &node.spec;
    if let Some(full) = &spec.full_node {
        full.snapshot.is_some()
    } else if let Some(validator) = &spec.validator {
        validator.snapshot.is_some()
    } else {
        spec.replayer.is_some() || spec.archive.is_some()
    }
}

/// `(storageClassName, size)` of the data PVC for a mode.
pub fn default_storage_for_mode<'p>(mode: &str, platform: &'p Platform) -> (&'p str, &'p str) {
    match mode {
        MODE_ARCHIVE => (
            &platform.storage_class_archive,
            &platform.storage_size_archive,
        ),
        MODE_FULL | MODE_VALIDATOR => {
            (&platform.storage_class_perf, &platform.storage_size_default)
        }
        _ => (
            &platform.storage_class_default,
            &platform.storage_size_default,
        ),
    }
}

/// `(cpu, memory)` requests of the seid container for a mode (never limits).
pub fn default_resources_for_mode<'p>(mode: &str, platform: &'p Platform) -> (&'p str, &'p str) {
    if mode == MODE_ARCHIVE {
        (
            &platform.resource_cpu_archive,
            &platform.resource_mem_archive,
        )
    } else {
        (
            &platform.resource_cpu_default,
            &platform.resource_mem_default,
        )
    }
}

/// The seid container's `resources` for the node's mode, as Go encodes it.
pub(crate) fn seid_resources(node: &SeiNode, platform: &Platform) -> Value {
    let (cpu, memory) = default_resources_for_mode(node_mode(node), platform);
    requests_value(cpu, memory)
}

/// The node pool the node's pods are scheduled on.
pub fn nodepool<'p>(node: &SeiNode, platform: &'p Platform) -> &'p str {
    platform.nodepool_for_mode(node_mode(node))
}

/// `http://<name>-0.<name>.<ns>.svc.cluster.local:<port>`: the sidecar of the node's
/// pod (StatefulSet and bootstrap Job alike).
pub fn node_sidecar_url(node: &SeiNode) -> String {
    sidecar_url(node.name(), node.namespace(), i64::from(sidecar_port(node)))
}

/// The seid container ports.
pub fn container_ports() -> Value {
    NODE_PORTS
        .iter()
        .map(|(name, port)| json!({"name": name, "containerPort": port, "protocol": "TCP"}))
        .collect()
}

/// The headless Service ports (no sidecar port; gRPC is marked h2c).
pub fn service_ports() -> Value {
    NODE_PORTS
        .iter()
        .map(|&(name, port)| {
            let mut entry = json!({"name": name, "protocol": "TCP"});
            if name == GRPC_APP_PROTOCOL.0 {
                entry["appProtocol"] = json!(GRPC_APP_PROTOCOL.1);
            }
            entry["port"] = json!(port);
            entry["targetPort"] = json!(port);
            entry
        })
        .collect()
}

/// Object metadata of the node's resources: name, namespace, labels, owner.
fn metadata(node: &SeiNode, name: String, labels: &StringMap) -> Value {
    object([
        ("name", name.into()),
        ("namespace", node.namespace().into()),
        ("labels", labels_value(labels)),
        ("ownerReferences", Value::Array(vec![owner_reference(node)])),
    ])
}

/// The data PVC as sent in the Create request of ensure-data-pvc.
pub fn data_pvc(node: &SeiNode, platform: &Platform) -> Value {
    let (storage_class, size) = default_storage_for_mode(node_mode(node), platform);
    object([
        (
            "metadata",
            metadata(node, data_pvc_name(node), &resource_labels(node)),
        ),
        (
            "spec",
            json!({
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": canonical_or_verbatim(size)}},
                "storageClassName": storage_class,
            }),
        ),
        ("status", json!({})),
    ])
}

/// The headless Service as server-side applied by apply-service. It depends on the
/// node alone; `platform` is taken for symmetry with the other generators.
pub fn headless_service(node: &SeiNode, _platform: &Platform) -> Value {
    object([
        ("kind", "Service".into()),
        ("apiVersion", "v1".into()),
        (
            "metadata",
            metadata(node, node.name().to_string(), &resource_labels(node)),
        ),
        (
            "spec",
            object([
                ("ports", service_ports()),
                ("selector", labels_value(&selector_labels(node))),
                ("clusterIP", "None".into()),
                ("publishNotReadyAddresses", true.into()),
            ]),
        ),
        ("status", json!({"loadBalancer": {}})),
    ])
}

/// The StatefulSet as server-side applied by apply-statefulset.
pub fn statefulset(node: &SeiNode, platform: &Platform) -> Value {
    let labels = resource_labels(node);
    let pool = nodepool(node, platform);
    let pod_spec = object([
        ("volumes", data_volumes(node)),
        (
            "initContainers",
            Value::Array(vec![
                seid_init_container(node, &node.spec.image),
                statefulset_sidecar_container(node, platform),
            ]),
        ),
        (
            "containers",
            Value::Array(vec![seid_container(node, platform)]),
        ),
        (
            "serviceAccountName",
            platform.service_account.as_str().into(),
        ),
        ("shareProcessNamespace", true.into()),
        ("affinity", nodepool_affinity(pool)),
        ("tolerations", nodepool_tolerations(platform, pool)),
    ]);
    object([
        ("kind", "StatefulSet".into()),
        ("apiVersion", "apps/v1".into()),
        ("metadata", metadata(node, node.name().to_string(), &labels)),
        (
            "spec",
            object([
                ("replicas", 1.into()),
                (
                    "selector",
                    object([("matchLabels", labels_value(&selector_labels(node)))]),
                ),
                (
                    "template",
                    object([("metadata", template_metadata(&labels)), ("spec", pod_spec)]),
                ),
                ("serviceName", node.name().into()),
                ("updateStrategy", json!({})),
            ]),
        ),
        ("status", json!({"replicas": 0, "availableReplicas": 0})),
    ])
}

/// The sidecar container with its liveness and readiness probes.
fn statefulset_sidecar_container(node: &SeiNode, platform: &Platform) -> Value {
    let port = sidecar_port(node);
    let mut container = sidecar_container(node, platform);
    container.insert(
        "livenessProbe".into(),
        http_probe("/v0/livez", port, 5, None, 10, 3),
    );
    container.insert(
        "readinessProbe".into(),
        http_probe("/v0/healthz", port, 2, None, 5, 6),
    );
    Value::Object(container)
}

/// The main `seid` container: waits for the sidecar, then execs seid.
fn seid_container(node: &SeiNode, platform: &Platform) -> Value {
    let port = sidecar_port(node);
    object([
        ("name", "seid".into()),
        ("image", node.spec.image.as_str().into()),
        ("command", json!(["/bin/bash", "-c"])),
        ("args", json!([seid_wait_script(node)])),
        ("ports", container_ports()),
        ("env", seid_env()),
        ("resources", seid_resources(node, platform)),
        ("volumeMounts", data_mounts()),
        (
            "readinessProbe",
            http_probe("/lag_status", RPC_PORT, 30, Some(5), 10, 3),
        ),
        (
            "startupProbe",
            http_probe("/v0/healthz", port, 5, None, 5, 86400),
        ),
    ])
}

/// The seid command line after `exec`: `seid "start" "--home" "/sei"` by default;
/// with an entrypoint, its first command element unquoted followed by the other
/// command elements and the args, each Go-quoted.
pub fn seid_exec_line(node: &SeiNode) -> String {
    let entrypoint = node.spec.entrypoint.as_ref();
    let command = entrypoint
        .and_then(|e| e.command.as_deref())
        .unwrap_or_default();
    let (program, args): (&str, Vec<&str>) = match (command.split_first(), entrypoint) {
        (Some((first, rest)), Some(e)) => (
            first,
            rest.iter().chain(&e.args).map(String::as_str).collect(),
        ),
        _ => ("seid", vec!["start", "--home", DATA_DIR]),
    };
    let mut line = program.to_string();
    for arg in args {
        line.push(' ');
        line.push_str(&go_quote(arg));
    }
    line
}

/// The seid container's bash script: wait for a healthy sidecar, then exec seid.
pub fn seid_wait_script(node: &SeiNode) -> String {
    format!(
        "echo \"waiting for sidecar to become ready...\"; {}echo \"sidecar ready, starting seid\"; exec {}",
        await_sidecar_healthy_loop(sidecar_port(node)),
        seid_exec_line(node)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{
        ArchiveSpec, EntrypointConfig, FullNodeSpec, ReplayerSpec, SidecarConfig, SnapshotSource,
        ValidatorSpec,
    };
    use crate::platform::DEFAULT_SIDECAR_IMAGE;
    use crate::resources::sidecar_image;

    fn node(configure: impl FnOnce(&mut SeiNode)) -> SeiNode {
        let mut n = SeiNode::default();
        n.metadata.name = "n".into();
        n.metadata.namespace = "ns".into();
        n.spec.chain_id = "c".into();
        n.spec.image = "img".into();
        configure(&mut n);
        n
    }

    /// One row of the mode matrix (reference §9.5) with the default platform.
    struct ModeRow {
        node: SeiNode,
        mode: &'static str,
        pool: &'static str,
        storage: (&'static str, &'static str),
        requests: (&'static str, &'static str),
    }

    fn row(node: SeiNode, mode: &'static str) -> ModeRow {
        let archive = mode == MODE_ARCHIVE;
        ModeRow {
            node,
            mode,
            pool: if archive { "sei-archive" } else { "sei-node" },
            storage: if archive {
                ("io2-archive", "25000Gi")
            } else {
                ("gp3-10k-750", "2000Gi")
            },
            requests: if archive {
                ("48", "448Gi")
            } else {
                ("4", "32Gi")
            },
        }
    }

    #[test]
    fn mode_matrix() {
        let p = Platform::default();
        let rows = [
            row(
                node(|n| n.spec.full_node = Some(FullNodeSpec::default())),
                MODE_FULL,
            ),
            row(
                node(|n| n.spec.replayer = Some(ReplayerSpec::default())),
                MODE_FULL,
            ),
            row(
                node(|n| n.spec.validator = Some(ValidatorSpec::default())),
                MODE_VALIDATOR,
            ),
            row(
                node(|n| n.spec.archive = Some(ArchiveSpec::default())),
                MODE_ARCHIVE,
            ),
            row(node(|_| {}), MODE_FULL),
        ];
        for ModeRow {
            node: n,
            mode,
            pool,
            storage,
            requests,
        } in rows
        {
            assert_eq!(node_mode(&n), mode);
            assert_eq!(nodepool(&n, &p), pool);
            assert_eq!(default_storage_for_mode(mode, &p), storage);
            assert_eq!(default_resources_for_mode(mode, &p), requests);
            let sts = statefulset(&n, &p);
            let pod = &sts["spec"]["template"]["spec"];
            assert_eq!(pod["tolerations"][0]["value"], pool);
            let expr = &pod["affinity"]["nodeAffinity"]
                ["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"][0]
                ["matchExpressions"][0];
            assert_eq!(expr["values"][0], pool);
            let seid_requests = &pod["containers"][0]["resources"]["requests"];
            assert_eq!(
                (&seid_requests["cpu"], &seid_requests["memory"]),
                (&json!(requests.0), &json!(requests.1))
            );
            let pvc = data_pvc(&n, &p);
            assert_eq!(pvc["spec"]["storageClassName"], storage.0);
            assert_eq!(pvc["spec"]["resources"]["requests"]["storage"], storage.1);
        }
        // Archive wins over validator when both are set, as in Go's switch.
        let both = node(|n| {
            n.spec.archive = Some(ArchiveSpec::default());
            n.spec.validator = Some(ValidatorSpec::default());
        });
        assert_eq!(node_mode(&both), MODE_ARCHIVE);
        assert_eq!(default_storage_for_mode("seed", &p), ("gp3", "2000Gi"));
    }

    #[test]
    fn long_startup() {
        let snap = || Some(SnapshotSource::default());
        assert!(!needs_long_startup(&node(
            |n| n.spec.full_node = Some(FullNodeSpec::default())
        )));
        assert!(needs_long_startup(&node(|n| {
            n.spec.full_node = Some(FullNodeSpec {
                snapshot: snap(),
                ..Default::default()
            })
        })));
        assert!(!needs_long_startup(&node(
            |n| n.spec.validator = Some(ValidatorSpec::default())
        )));
        assert!(needs_long_startup(&node(
            |n| n.spec.replayer = Some(ReplayerSpec::default())
        )));
        assert!(needs_long_startup(&node(
            |n| n.spec.archive = Some(ArchiveSpec::default())
        )));
        assert!(!needs_long_startup(&node(|_| {})));
    }

    #[test]
    fn labels_keep_the_system_label() {
        let n = node(|n| {
            n.spec.pod_labels.insert("team".into(), "infra".into());
            n.spec.pod_labels.insert(NODE_LABEL.into(), "spoof".into());
        });
        let labels = resource_labels(&n);
        assert_eq!(labels.get(NODE_LABEL).map(String::as_str), Some("n"));
        assert_eq!(labels.get("team").map(String::as_str), Some("infra"));
        assert_eq!(selector_labels(&n).len(), 1);
        let sts = statefulset(&n, &Platform::default());
        assert_eq!(
            sts["spec"]["selector"]["matchLabels"],
            serde_json::json!({NODE_LABEL: "n"})
        );
        assert_eq!(
            sts["spec"]["template"]["metadata"]["labels"]["team"],
            "infra"
        );
    }

    #[test]
    fn sidecar_defaults_and_overrides() {
        let plain = node(|_| {});
        assert_eq!(sidecar_port(&plain), 7777);
        assert_eq!(sidecar_image(&plain), DEFAULT_SIDECAR_IMAGE);
        assert_eq!(
            node_sidecar_url(&plain),
            "http://n-0.n.ns.svc.cluster.local:7777"
        );
        let empty = node(|n| n.spec.sidecar = Some(SidecarConfig::default()));
        assert_eq!(
            (sidecar_port(&empty), sidecar_image(&empty)),
            (7777, DEFAULT_SIDECAR_IMAGE)
        );
        let custom = node(|n| {
            n.spec.sidecar = Some(SidecarConfig {
                image: "sc".into(),
                port: 9999,
                resources: None,
            })
        });
        assert_eq!(
            (sidecar_port(&custom), sidecar_image(&custom)),
            (9999, "sc")
        );
        let script = seid_wait_script(&custom);
        assert!(script.contains("/dev/tcp/localhost/9999 && printf"));
        let sts = statefulset(&custom, &Platform::default());
        let pod = &sts["spec"]["template"]["spec"];
        assert_eq!(
            pod["containers"][0]["startupProbe"]["httpGet"]["port"],
            9999
        );
        assert_eq!(pod["initContainers"][1]["ports"][0]["containerPort"], 9999);
        assert_eq!(pod["initContainers"][1]["env"][1]["value"], "9999");
        assert_eq!(pod["initContainers"][1]["image"], "sc");
    }

    #[test]
    fn exec_line_from_entrypoint() {
        let with = |command: Option<Vec<&str>>, args: Vec<&str>| {
            seid_exec_line(&node(|n| {
                n.spec.entrypoint = Some(EntrypointConfig {
                    command: command.map(|c| c.into_iter().map(String::from).collect()),
                    args: args.into_iter().map(String::from).collect(),
                })
            }))
        };
        assert_eq!(
            seid_exec_line(&node(|_| {})),
            r#"seid "start" "--home" "/sei""#
        );
        assert_eq!(with(Some(vec!["seid"]), vec!["start"]), r#"seid "start""#);
        assert_eq!(with(Some(vec!["seid"]), vec![]), "seid");
        assert_eq!(with(None, vec!["x"]), r#"seid "start" "--home" "/sei""#);
        assert_eq!(
            with(Some(vec![]), vec!["x"]),
            r#"seid "start" "--home" "/sei""#
        );
        assert_eq!(
            with(Some(vec!["/bin/seid", "--log"]), vec!["a b", "say \"hi\""]),
            r#"/bin/seid "--log" "a b" "say \"hi\"""#
        );
    }

    #[test]
    fn sidecar_resources_are_copied_canonically() {
        let mut resources = crate::api::ResourceRequirements::default();
        resources.requests.insert("cpu".into(), "1000m".into());
        resources.limits.insert("memory".into(), "2048Mi".into());
        let n = node(|n| {
            n.spec.sidecar = Some(SidecarConfig {
                resources: Some(resources),
                ..Default::default()
            })
        });
        let sts = statefulset(&n, &Platform::default());
        assert_eq!(
            sts["spec"]["template"]["spec"]["initContainers"][1]["resources"],
            serde_json::json!({"limits": {"memory": "2Gi"}, "requests": {"cpu": "1"}})
        );
    }
}
