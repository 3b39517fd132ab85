//! SeiNode (`seinode_types.go` and the per-mode sub-specs).

use super::common::{
    EntrypointConfig, PeerSource, ResultExportConfig, SidecarConfig, SnapshotGenerationConfig,
    SnapshotSource, TaskPlan,
};
use super::gojson::{self, null_default};
use super::meta::{Condition, ObjectMeta, StringMap};
use serde::{Deserialize, Serialize};

/// API group/version of both kinds.
pub const API_VERSION: &str = "sei.io/v1alpha1";
/// Kind name of [`SeiNode`].
pub const SEINODE_KIND: &str = "SeiNode";

/// Values of `SeiNodeStatus::phase` (a new node has phase `""`).
pub mod node_phase {
    pub const PENDING: &str = "Pending";
    pub const INITIALIZING: &str = "Initializing";
    pub const RUNNING: &str = "Running";
    pub const FAILED: &str = "Failed";
    pub const TERMINATING: &str = "Terminating";
}

/// Full node mode.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct FullNodeSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<SnapshotSource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_generation: Option<SnapshotGenerationConfig>,
}

/// Archive node mode.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ArchiveSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_generation: Option<SnapshotGenerationConfig>,
}

/// Replayer mode. `snapshot` is a value, always encoded (at least `{}`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ReplayerSpec {
    #[serde(deserialize_with = "null_default")]
    pub snapshot: SnapshotSource,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result_export: Option<ResultExportConfig>,
}

/// Validator mode.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ValidatorSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<SnapshotSource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub genesis_ceremony: Option<GenesisCeremonyNodeConfig>,
}

/// A validator's part in a genesis ceremony.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct GenesisCeremonyNodeConfig {
    #[serde(deserialize_with = "null_default")]
    pub chain_id: String,
    #[serde(deserialize_with = "null_default")]
    pub staking_amount: String,
    #[serde(deserialize_with = "null_default")]
    pub account_balance: String,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub genesis_params: String,
    #[serde(deserialize_with = "gojson::int")]
    pub index: i32,
}

/// Which mode sub-spec a node has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeMode {
    FullNode,
    Archive,
    Replayer,
    Validator,
}

/// Desired state of a SeiNode. `chainId` and `image` are always encoded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SeiNodeSpec {
    #[serde(deserialize_with = "null_default")]
    pub chain_id: String,
    #[serde(deserialize_with = "null_default")]
    pub image: String,
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub peers: Vec<PeerSource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<EntrypointConfig>,
    #[serde(
        skip_serializing_if = "StringMap::is_empty",
        deserialize_with = "null_default"
    )]
    pub overrides: StringMap,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sidecar: Option<SidecarConfig>,
    #[serde(
        skip_serializing_if = "StringMap::is_empty",
        deserialize_with = "null_default"
    )]
    pub pod_labels: StringMap,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full_node: Option<FullNodeSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archive: Option<ArchiveSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replayer: Option<ReplayerSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validator: Option<ValidatorSpec>,
}

impl SeiNodeSpec {
    /// The first mode sub-spec set, in declaration order (fullNode, archive, replayer,
    /// validator). The CRD allows exactly one; callers needing Go's specific precedence
    /// (e.g. `noderesource.NodeMode`) should test the fields directly.
    pub fn mode(&self) -> Option<NodeMode> {
        if self.full_node.is_some() {
            Some(NodeMode::FullNode)
        } else if self.archive.is_some() {
            Some(NodeMode::Archive)
        } else if self.replayer.is_some() {
            Some(NodeMode::Replayer)
        } else if self.validator.is_some() {
            Some(NodeMode::Validator)
        } else {
            None
        }
    }

    /// Snapshot source of the active mode, in Go's order: fullNode, validator, replayer.
    pub fn snapshot_source(&self) -> Option<&SnapshotSource> {
        if let Some(f) = &self.full_node {
            f.snapshot.as_ref()
        } else if let Some(v) = &self.validator {
            v.snapshot.as_ref()
        } else {
            self.replayer.as_ref().map(|r| &r.snapshot)
        }
    }
}

/// Observed state of a SeiNode; every field is omitempty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SeiNodeStatus {
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub phase: String,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub current_image: String,
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub conditions: Vec<Condition>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<TaskPlan>,
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub resolved_peers: Vec<String>,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub external_address: String,
}

/// A SeiNode object. `metadata`, `spec` and `status` are always encoded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SeiNode {
    #[serde(skip_serializing_if = "gojson::is_none_or_empty")]
    pub kind: Option<String>,
    #[serde(
        rename = "apiVersion",
        skip_serializing_if = "gojson::is_none_or_empty"
    )]
    pub api_version: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub metadata: ObjectMeta,
    #[serde(deserialize_with = "null_default")]
    pub spec: SeiNodeSpec,
    #[serde(deserialize_with = "null_default")]
    pub status: SeiNodeStatus,
}

sei_object!(SeiNode, SEINODE_KIND);

impl SeiNode {
    /// The node's mode (see [`SeiNodeSpec::mode`]).
    pub fn mode(&self) -> Option<NodeMode> {
        self.spec.mode()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::common::*;
    use serde_json::json;
    use serde_json::Value;

    fn enc<T: Serialize>(v: &T) -> Value {
        serde_json::to_value(v).unwrap()
    }

    #[test]
    fn empty_seinode_encoding() {
        // metadata/spec/status are non-pointer structs (omitempty has no effect on
        // them); chainId and image are not omitempty.
        assert_eq!(
            SeiNode::default().to_value(),
            json!({"metadata": {}, "spec": {"chainId": "", "image": ""}, "status": {}})
        );
        let v = SeiNode::default().with_type_meta().to_value();
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["kind", "apiVersion", "metadata", "spec", "status"]);
    }

    #[test]
    fn zero_values_of_non_omitempty_fields() {
        assert_eq!(enc(&ReplayerSpec::default()), json!({"snapshot": {}}));
        assert_eq!(enc(&EntrypointConfig::default()), json!({"command": null}));
        assert_eq!(
            enc(&StaticPeerSource::default()),
            json!({"addresses": null})
        );
        assert_eq!(enc(&LabelPeerSource::default()), json!({"selector": null}));
        assert_eq!(
            enc(&Ec2TagsPeerSource::default()),
            json!({"region": "", "tags": null})
        );
        assert_eq!(
            enc(&S3SnapshotSource::default()),
            json!({"targetHeight": 0})
        );
        assert_eq!(
            enc(&SnapshotGenerationConfig::default()),
            json!({"keepRecent": 0})
        );
        assert_eq!(
            enc(&ResultExportConfig::default()),
            json!({"canonicalRpc": ""})
        );
        assert_eq!(
            enc(&GenesisCeremonyNodeConfig::default()),
            json!({"chainId": "", "stakingAmount": "", "accountBalance": "", "index": 0})
        );
        assert_eq!(
            enc(&TaskPlan::default()),
            json!({"phase": "", "tasks": null})
        );
        assert_eq!(
            enc(&PlannedTask::default()),
            json!({"type": "", "id": "", "status": ""})
        );
        assert_eq!(
            enc(&FailedTaskInfo::default()),
            json!({"type": "", "id": "", "error": "", "retryCount": 0, "maxRetries": 0})
        );
        assert_eq!(enc(&SidecarConfig::default()), json!({}));
        assert_eq!(enc(&ResourceRequirements::default()), json!({}));
        assert_eq!(enc(&SnapshotSource::default()), json!({}));
        assert_eq!(enc(&PeerSource::default()), json!({}));
        assert_eq!(enc(&SeiNodeStatus::default()), json!({}));
        let src = SnapshotSource {
            state_sync: Some(StateSyncSource {}),
            ..Default::default()
        };
        assert_eq!(enc(&src), json!({"stateSync": {}}));
    }

    #[test]
    fn nil_and_empty_lists_stay_distinct() {
        let mut plan: TaskPlan =
            serde_json::from_value(json!({"phase": "Active", "tasks": []})).unwrap();
        assert_eq!(enc(&plan)["tasks"], json!([]));
        plan = serde_json::from_value(json!({"phase": "Active", "tasks": null})).unwrap();
        assert_eq!(enc(&plan)["tasks"], Value::Null);
        plan = serde_json::from_value(json!({"phase": "Active"})).unwrap();
        assert_eq!(enc(&plan)["tasks"], Value::Null);
        assert!(plan.tasks().is_empty());
        plan.tasks_mut().push(PlannedTask::default());
        assert_eq!(plan.tasks().len(), 1);
    }

    #[test]
    fn lenient_decoding() {
        let n = SeiNode::from_value(&json!({
            "kind": "", "metadata": null, "status": null, "bogus": [1],
            "spec": {"chainId": null, "peers": null, "overrides": {}, "fullNode": null,
                     "replayer": {"snapshot": null},
                     "sidecar": {"port": 7777.0, "resources": {"requests": {"cpu": 1, "memory": "1Gi"}}}},
        }))
        .unwrap();
        assert_eq!(n.mode(), Some(NodeMode::Replayer));
        assert_eq!(
            n.to_value(),
            json!({"metadata": {}, "spec": {"chainId": "", "image": "",
                "sidecar": {"port": 7777, "resources": {"requests": {"cpu": "1", "memory": "1Gi"}}},
                "replayer": {"snapshot": {}}}, "status": {}})
        );
        assert!(SeiNode::from_value(&json!({"spec": {"chainId": 5}})).is_err());
    }

    #[test]
    fn params_are_raw_json() {
        let t: PlannedTask = serde_json::from_value(
            json!({"type": "x", "id": "i", "status": "Pending", "params": {"b": [1, null], "a": {}}}),
        )
        .unwrap();
        assert_eq!(t.params, Some(json!({"b": [1, null], "a": {}})));
        let t: PlannedTask = serde_json::from_value(json!({"params": null})).unwrap();
        assert_eq!(t.params, None);
    }

    #[test]
    fn mode_and_snapshot_source() {
        let mut spec = SeiNodeSpec::default();
        assert_eq!(spec.mode(), None);
        assert!(spec.snapshot_source().is_none());
        spec.archive = Some(ArchiveSpec::default());
        assert_eq!(spec.mode(), Some(NodeMode::Archive));
        assert!(spec.snapshot_source().is_none());
        spec.archive = None;
        spec.validator = Some(ValidatorSpec {
            snapshot: Some(SnapshotSource {
                trust_period: "1h".into(),
                ..Default::default()
            }),
            ..Default::default()
        });
        assert_eq!(spec.mode(), Some(NodeMode::Validator));
        assert_eq!(spec.snapshot_source().unwrap().trust_period, "1h");
    }
}
