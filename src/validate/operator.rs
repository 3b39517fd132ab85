//! The operator's own checks, as pure functions over JSON: the planners' `Validate()` errors
//! (exact texts) and the reconciler-level problems that make a plan or apply fail at once.
//!
//! Sources (sei-k8s-controller @ 86fc035): `internal/planner/planner.go` (`plannerForMode`),
//! `full.go`, `archive.go`, `replay.go`, `validator.go` (`Validate`), and
//! `internal/controller/nodedeployment` (`generateSeiNode`, child naming/labels).

use serde_json::{json, Map, Value};

/// One operator-level failure: where it points and the operator's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorError {
    /// JSON path inside the object (e.g. `spec.replayer.snapshot.s3`).
    pub path: String,
    pub message: String,
    /// The Go function that produces this error.
    pub source_fn: &'static str,
}

fn err(path: &str, message: impl Into<String>, source_fn: &'static str) -> OperatorError {
    OperatorError {
        path: path.to_string(),
        message: message.into(),
        source_fn,
    }
}

/// Go's "pointer is non-nil": the key is present and not JSON null.
fn set<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).filter(|x| !x.is_null())
}

fn str_field<'a>(v: Option<&'a Value>, key: &str) -> &'a str {
    v.and_then(|x| x.get(key))
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn target_height(snap: Option<&Value>) -> Option<i64> {
    let s3 = set(snap?, "s3")?;
    Some(s3.get("targetHeight").and_then(Value::as_i64).unwrap_or(0))
}

/// Node modes in the order `plannerForMode` tries them.
pub const MODES: [&str; 4] = ["fullNode", "archive", "replayer", "validator"];

/// `plannerForMode`: the first mode sub-spec that is set.
pub fn planner_for_mode(spec: &Value) -> Option<&'static str> {
    MODES.into_iter().find(|m| set(spec, m).is_some())
}

/// `bootstrapImage` needs an S3 source with a positive height (full and validator planners).
fn bootstrap_needs_s3(
    snap: Option<&Value>,
    mode: &str,
    source_fn: &'static str,
) -> Option<OperatorError> {
    let snap = snap?;
    if str_field(Some(snap), "bootstrapImage").is_empty() {
        return None;
    }
    match target_height(Some(snap)) {
        Some(h) if h > 0 => None,
        _ => Some(err(
            &format!("spec.{mode}.snapshot.bootstrapImage"),
            format!("{mode}: bootstrapImage requires s3 with targetHeight > 0"),
            source_fn,
        )),
    }
}

/// `fullNodePlanner.Validate` (full.go).
pub fn validate_full_node(spec: &Value) -> Option<OperatorError> {
    let Some(full) = set(spec, "fullNode") else {
        return Some(err(
            "spec.fullNode",
            "fullNode sub-spec is nil",
            "fullNodePlanner.Validate",
        ));
    };
    bootstrap_needs_s3(
        set(full, "snapshot"),
        "fullNode",
        "fullNodePlanner.Validate",
    )
}

/// `archiveNodePlanner.Validate` (archive.go).
pub fn validate_archive(spec: &Value) -> Option<OperatorError> {
    set(spec, "archive").is_none().then(|| {
        err(
            "spec.archive",
            "archive sub-spec is nil",
            "archiveNodePlanner.Validate",
        )
    })
}

/// `replayerPlanner.Validate` (replay.go).
pub fn validate_replayer(spec: &Value) -> Option<OperatorError> {
    const F: &str = "replayerPlanner.Validate";
    let Some(rep) = set(spec, "replayer") else {
        return Some(err("spec.replayer", "replayer sub-spec is nil", F));
    };
    let snap = rep.get("snapshot");
    match target_height(snap) {
        None => Some(err(
            "spec.replayer.snapshot",
            "replayer requires an S3 snapshot source",
            F,
        )),
        Some(h) if h <= 0 => Some(err(
            "spec.replayer.snapshot.s3.targetHeight",
            "replayer: s3.targetHeight must be > 0",
            F,
        )),
        Some(_) => {
            let peers = spec
                .get("peers")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            (peers == 0).then(|| {
                err(
                    "spec.peers",
                    "replayer requires at least one peer source for block sync",
                    F,
                )
            })
        }
    }
}

/// `validatorPlanner.Validate` (validator.go).
pub fn validate_validator(spec: &Value) -> Option<OperatorError> {
    const F: &str = "validatorPlanner.Validate";
    let Some(val) = set(spec, "validator") else {
        return Some(err("spec.validator", "validator sub-spec is nil", F));
    };
    if let Some(gc) = set(val, "genesisCeremony") {
        if str_field(Some(gc), "chainId").is_empty() {
            return Some(err(
                "spec.validator.genesisCeremony.chainId",
                "validator: genesisCeremony.chainId is required",
                F,
            ));
        }
        if str_field(Some(gc), "stakingAmount").is_empty() {
            return Some(err(
                "spec.validator.genesisCeremony.stakingAmount",
                "validator: genesisCeremony.stakingAmount is required",
                F,
            ));
        }
        return None;
    }
    bootstrap_needs_s3(set(val, "snapshot"), "validator", F)
}

/// `ResolvePlan`'s checks for a SeiNode: pick the planner, then run its `Validate`.
/// `namespace`/`name` fill the operator's "no mode" message.
pub fn validate_seinode_spec(namespace: &str, name: &str, spec: &Value) -> Option<OperatorError> {
    match planner_for_mode(spec) {
        None => Some(err(
            "spec",
            format!("no mode sub-spec set on SeiNode {namespace}/{name}"),
            "plannerForMode",
        )),
        Some("fullNode") => validate_full_node(spec),
        Some("archive") => validate_archive(spec),
        Some("replayer") => validate_replayer(spec),
        Some(_) => validate_validator(spec),
    }
}

/// Kubernetes label values are at most 63 characters.
pub const MAX_LABEL_VALUE: usize = 63;

/// The node name becomes the `sei.io/node` label value of its StatefulSet selector and pods,
/// so a longer name makes the StatefulSet apply fail.
pub fn check_node_name(name: &str) -> Option<OperatorError> {
    (name.len() > MAX_LABEL_VALUE).then(|| {
        err(
            "metadata.name",
            format!(
                "name is {} characters: the operator uses it as the `sei.io/node` label value, which may not exceed {MAX_LABEL_VALUE}",
                name.len()
            ),
            "StatefulSet labels (sei.io/node)",
        )
    })
}

/// A child SeiNode as `generateSeiNode` would stamp it out of a SeiNodeDeployment.
#[derive(Debug, Clone)]
pub struct ChildNode {
    pub name: String,
    pub namespace: String,
    pub labels: Map<String, Value>,
    pub spec: Value,
}

/// Label keys the deployment controller sets on children (the revision value is not known offline).
pub const GROUP_LABEL: &str = "sei.io/nodedeployment";
pub const ORDINAL_LABEL: &str = "sei.io/nodedeployment-ordinal";
pub const REVISION_LABEL: &str = "sei.io/revision";

/// Name, namespace and labels of child `ordinal`, without copying the template spec.
pub fn generate_child_identity(snd: &Value, ordinal: u32) -> ChildNode {
    let name = snd["metadata"]["name"].as_str().unwrap_or("");
    let namespace = snd["metadata"]["namespace"].as_str().unwrap_or("default");
    let mut labels = snd["spec"]["template"]["metadata"]["labels"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    labels.insert(GROUP_LABEL.into(), json!(name));
    labels.insert(ORDINAL_LABEL.into(), json!(ordinal.to_string()));
    ChildNode {
        name: format!("{name}-{ordinal}"),
        namespace: namespace.to_string(),
        labels,
        spec: Value::Null,
    }
}

/// Builds ordinal child `ordinal` of a (defaulted) SeiNodeDeployment.
pub fn generate_child(snd: &Value, ordinal: u32) -> ChildNode {
    let name = snd["metadata"]["name"].as_str().unwrap_or("");
    let namespace = snd["metadata"]["namespace"].as_str().unwrap_or("default");
    let template = &snd["spec"]["template"];
    let mut labels = template["metadata"]["labels"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    labels.insert(GROUP_LABEL.into(), json!(name));
    labels.insert(ORDINAL_LABEL.into(), json!(ordinal.to_string()));
    let mut spec = template["spec"].clone();
    let genesis = set(&snd["spec"], "genesis");
    if let (Some(g), Some(obj)) = (genesis, spec.as_object_mut()) {
        if let Some(Value::Object(val)) = obj.get_mut("validator") {
            let overrides = g.get("overrides").and_then(Value::as_object);
            let params = match overrides {
                Some(m) if !m.is_empty() => {
                    let sorted: std::collections::BTreeMap<_, _> = m.iter().collect();
                    serde_json::to_string(&sorted).unwrap_or_default()
                }
                _ => String::new(),
            };
            let mut gc = json!({
                "chainId": g.get("chainId").cloned().unwrap_or(json!("")),
                "stakingAmount": g.get("stakingAmount").cloned().unwrap_or(json!("")),
                "accountBalance": g.get("accountBalance").cloned().unwrap_or(json!("")),
                "index": ordinal,
            });
            if !params.is_empty() {
                gc["genesisParams"] = json!(params);
            }
            val.insert("genesisCeremony".into(), gc);
            if obj
                .get("chainId")
                .and_then(Value::as_str)
                .unwrap_or("")
                .is_empty()
            {
                obj.insert(
                    "chainId".into(),
                    g.get("chainId").cloned().unwrap_or(json!("")),
                );
            }
        }
    }
    ChildNode {
        name: format!("{name}-{ordinal}"),
        namespace: namespace.to_string(),
        labels,
        spec,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planner_errors_have_operator_texts() {
        let e = validate_seinode_spec("ns", "n", &json!({})).unwrap();
        assert_eq!(e.message, "no mode sub-spec set on SeiNode ns/n");
        assert_eq!(
            validate_full_node(&json!({})).unwrap().message,
            "fullNode sub-spec is nil"
        );
        assert_eq!(
            validate_archive(&json!({})).unwrap().message,
            "archive sub-spec is nil"
        );
        assert_eq!(
            validate_replayer(&json!({})).unwrap().message,
            "replayer sub-spec is nil"
        );
        assert_eq!(
            validate_validator(&json!({})).unwrap().message,
            "validator sub-spec is nil"
        );
        let e = validate_seinode_spec(
            "ns",
            "n",
            &json!({"fullNode": {"snapshot": {"stateSync": {}, "bootstrapImage": "x"}}}),
        );
        assert_eq!(
            e.unwrap().message,
            "fullNode: bootstrapImage requires s3 with targetHeight > 0"
        );
        let e = validate_seinode_spec(
            "ns",
            "n",
            &json!({"replayer": {"snapshot": {"stateSync": {}}}}),
        );
        assert_eq!(
            e.unwrap().message,
            "replayer requires an S3 snapshot source"
        );
        let e = validate_seinode_spec(
            "ns",
            "n",
            &json!({"replayer": {"snapshot": {"s3": {"targetHeight": 0}}}}),
        );
        assert_eq!(e.unwrap().message, "replayer: s3.targetHeight must be > 0");
        let e = validate_seinode_spec(
            "ns",
            "n",
            &json!({"replayer": {"snapshot": {"s3": {"targetHeight": 5}}}}),
        );
        assert_eq!(
            e.unwrap().message,
            "replayer requires at least one peer source for block sync"
        );
        let e = validate_seinode_spec(
            "ns",
            "n",
            &json!({"validator": {"genesisCeremony": {"chainId": ""}}}),
        );
        assert_eq!(
            e.unwrap().message,
            "validator: genesisCeremony.chainId is required"
        );
        let e = validate_seinode_spec(
            "ns",
            "n",
            &json!({"validator": {"genesisCeremony": {"chainId": "c"}}}),
        );
        assert_eq!(
            e.unwrap().message,
            "validator: genesisCeremony.stakingAmount is required"
        );
        let e = validate_seinode_spec(
            "ns",
            "n",
            &json!({"validator": {"snapshot": {"bootstrapImage": "i"}}}),
        );
        assert_eq!(
            e.unwrap().message,
            "validator: bootstrapImage requires s3 with targetHeight > 0"
        );
        assert!(validate_seinode_spec("ns", "n", &json!({"archive": {}})).is_none());
    }

    #[test]
    fn child_generation_injects_genesis_ceremony() {
        let snd = json!({"metadata": {"name": "g", "namespace": "x"}, "spec": {
            "genesis": {"chainId": "c-1", "stakingAmount": "1usei", "accountBalance": "2usei", "overrides": {"b": "2", "a": "1"}},
            "template": {"metadata": {"labels": {"role": "v"}}, "spec": {"chainId": "", "validator": {}}}}});
        let c = generate_child(&snd, 2);
        assert_eq!(c.name, "g-2");
        assert_eq!(c.labels[GROUP_LABEL], "g");
        assert_eq!(c.spec["chainId"], "c-1");
        assert_eq!(c.spec["validator"]["genesisCeremony"]["index"], 2);
        assert_eq!(
            c.spec["validator"]["genesisCeremony"]["genesisParams"],
            "{\"a\":\"1\",\"b\":\"2\"}"
        );
    }
}
