//! Pod-spec pieces shared by the node StatefulSet and the bootstrap Job, encoded as
//! Go encodes the `corev1` structs (zero-valued non-omitempty fields included).

use serde_json::{json, Map, Value};

use crate::api::{ResourceRequirements, SeiNode, StringMap};
use crate::platform::{Platform, DATA_DIR, DEFAULT_SIDECAR_IMAGE};

use crate::api::quantity::canonical_or_verbatim;

/// The sidecar's default port (sei-config `PortSidecar`, seictl `DefaultPort`).
pub const DEFAULT_SIDECAR_PORT: i32 = 7777;

/// `data-<name>`: the node's data PVC.
pub fn data_pvc_name(node: &SeiNode) -> String {
    format!("data-{}", node.name())
}

/// spec.sidecar.port when non-zero, else 7777.
pub fn sidecar_port(node: &SeiNode) -> i32 {
    node.spec
        .sidecar
        .as_ref()
        .map(|s| s.port)
        .filter(|port| *port != 0)
        .unwrap_or(DEFAULT_SIDECAR_PORT)
}

/// spec.sidecar.image when non-empty, else the default seictl image.
pub fn sidecar_image(node: &SeiNode) -> &str {
    node.spec
        .sidecar
        .as_ref()
        .map(|s| s.image.as_str())
        .filter(|image| !image.is_empty())
        .unwrap_or(DEFAULT_SIDECAR_IMAGE)
}

/// Name of the data volume in every node pod.
pub(crate) const DATA_VOLUME: &str = "data";

/// Pod annotation that keeps Karpenter from disrupting node pods.
pub const DO_NOT_DISRUPT_ANNOTATION: &str = "karpenter.sh/do-not-disrupt";

/// Node label Karpenter puts on the nodes of a node pool.
pub const NODEPOOL_LABEL: &str = "karpenter.sh/nodepool";

/// A JSON object of `(key, value)` entries, in order. Unlike `json!`, which
/// re-serializes (deep-copies) every interpolated `Value`, this moves them in.
pub(crate) fn object<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Object(
        entries
            .into_iter()
            .map(|(key, value)| (key.to_string(), value))
            .collect(),
    )
}

/// A label map as JSON (keys sorted, as Go encodes maps).
pub(crate) fn labels_value(labels: &StringMap) -> Value {
    Value::Object(
        labels
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

/// The pod template metadata: labels plus the do-not-disrupt annotation.
pub(crate) fn template_metadata(labels: &StringMap) -> Value {
    object([
        ("labels", labels_value(labels)),
        ("annotations", json!({DO_NOT_DISRUPT_ANNOTATION: "true"})),
    ])
}

/// `[{name: data, persistentVolumeClaim: {claimName: data-<name>}}]`.
pub(crate) fn data_volumes(node: &SeiNode) -> Value {
    json!([{
        "name": DATA_VOLUME,
        "persistentVolumeClaim": {"claimName": data_pvc_name(node)},
    }])
}

/// The data volume mounted at the data directory.
pub(crate) fn data_mounts() -> Value {
    json!([{"name": DATA_VOLUME, "mountPath": DATA_DIR}])
}

/// Required node affinity to the Karpenter node pool `pool`.
pub(crate) fn nodepool_affinity(pool: &str) -> Value {
    json!({
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{
                    "matchExpressions": [{
                        "key": NODEPOOL_LABEL,
                        "operator": "In",
                        "values": [pool],
                    }],
                }],
            },
        },
    })
}

/// The NoSchedule toleration of the node pool `pool`.
pub(crate) fn nodepool_tolerations(platform: &Platform, pool: &str) -> Value {
    json!([{"key": platform.toleration_key, "value": pool, "effect": "NoSchedule"}])
}

/// The `seid-init` init container: initialises the home directory once, using the
/// chain ID as the moniker, and creates the temp directory.
pub(crate) fn seid_init_container(node: &SeiNode, image: &str) -> Value {
    let chain = &node.spec.chain_id;
    let script = format!(
        "if [ -f {DATA_DIR}/config/genesis.json ]; then echo \"data directory already initialized, skipping seid init\"; \
         else seid init {chain} --chain-id {chain} --home {DATA_DIR} --overwrite; fi && mkdir -p {DATA_DIR}/tmp"
    );
    object([
        ("name", "seid-init".into()),
        ("image", image.into()),
        ("command", json!(["/bin/sh", "-c", script])),
        ("resources", json!({})),
        ("volumeMounts", data_mounts()),
    ])
}

/// The `sei-sidecar` native sidecar (an init container with restartPolicy Always),
/// without probes; the StatefulSet adds them.
pub(crate) fn sidecar_container(node: &SeiNode, platform: &Platform) -> Map<String, Value> {
    let port = sidecar_port(node);
    let env = [
        ("SEI_CHAIN_ID", node.spec.chain_id.as_str()),
        ("SEI_SIDECAR_PORT", &port.to_string()),
        ("SEI_HOME", DATA_DIR),
        ("SEI_GENESIS_BUCKET", &platform.genesis_bucket),
        ("SEI_GENESIS_REGION", &platform.genesis_region),
        ("SEI_SNAPSHOT_BUCKET", &platform.snapshot_bucket),
        ("SEI_SNAPSHOT_REGION", &platform.snapshot_region),
    ]
    .map(|(name, value)| json!({"name": name, "value": value}));
    let resources = node
        .spec
        .sidecar
        .as_ref()
        .and_then(|s| s.resources.as_ref())
        .map_or_else(|| json!({}), resources_value);
    let container = object([
        ("name", "sei-sidecar".into()),
        ("image", sidecar_image(node).into()),
        ("command", json!(["seictl", "serve"])),
        (
            "ports",
            json!([{"name": "sidecar", "containerPort": port, "protocol": "TCP"}]),
        ),
        ("env", Value::Array(env.into())),
        ("resources", resources),
        ("restartPolicy", "Always".into()),
        ("volumeMounts", data_mounts()),
    ]);
    into_map(container)
}

/// The `TMPDIR` env var of the seid container.
pub(crate) fn seid_env() -> Value {
    json!([{"name": "TMPDIR", "value": format!("{DATA_DIR}/tmp")}])
}

/// An HTTP GET probe. `timeout_seconds` is only set where Go sets it.
pub(crate) fn http_probe(
    path: &str,
    port: i32,
    initial_delay_seconds: i32,
    timeout_seconds: Option<i32>,
    period_seconds: i32,
    failure_threshold: i32,
) -> Value {
    let mut probe = Map::new();
    probe.insert("httpGet".into(), json!({"path": path, "port": port}));
    probe.insert("initialDelaySeconds".into(), json!(initial_delay_seconds));
    if let Some(timeout) = timeout_seconds {
        probe.insert("timeoutSeconds".into(), json!(timeout));
    }
    probe.insert("periodSeconds".into(), json!(period_seconds));
    probe.insert("failureThreshold".into(), json!(failure_threshold));
    Value::Object(probe)
}

/// The shell loop that blocks until the sidecar's `/v0/healthz` answers 200, polling
/// every 5 s over bash's `/dev/tcp` (the images have no curl or wget). It ends with
/// `; ` so the caller appends the next command.
pub(crate) fn await_sidecar_healthy_loop(port: i32) -> String {
    format!(
        "while true; do if (exec 3<>/dev/tcp/localhost/{port} && \
         printf \"GET /v0/healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n\" >&3 && \
         head -1 <&3 | grep -q \"200\") 2>/dev/null; then break; fi; sleep 5; done; "
    )
}

/// `corev1.ResourceRequirements` as Go encodes it: `limits`, `requests` and `claims`,
/// each omitted when empty, with quantities in canonical form.
pub(crate) fn resources_value(resources: &ResourceRequirements) -> Value {
    let quantities = |list: &std::collections::BTreeMap<String, String>| {
        Value::Object(
            list.iter()
                .map(|(k, v)| (k.clone(), Value::String(canonical_or_verbatim(v))))
                .collect(),
        )
    };
    let mut out = Map::new();
    if !resources.limits.is_empty() {
        out.insert("limits".into(), quantities(&resources.limits));
    }
    if !resources.requests.is_empty() {
        out.insert("requests".into(), quantities(&resources.requests));
    }
    if !resources.claims.is_empty() {
        out.insert("claims".into(), json!(resources.claims));
    }
    Value::Object(out)
}

/// CPU and memory requests (no limits) in canonical form.
pub(crate) fn requests_value(cpu: &str, memory: &str) -> Value {
    json!({"requests": {
        "cpu": canonical_or_verbatim(cpu),
        "memory": canonical_or_verbatim(memory),
    }})
}

/// The object map of a value built with `json!({...})`.
pub(crate) fn into_map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}
