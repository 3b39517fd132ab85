//! SeiNodeDeployment (`seinodedeployment_types.go`, networking and monitoring types).

use super::common::TaskPlan;
use super::gojson::{self, is_zero, null_default};
use super::meta::{Condition, ObjectMeta, StringMap};
use super::seinode::{NodeMode, SeiNodeSpec};
use serde::{Deserialize, Serialize};

/// Kind name of [`SeiNodeDeployment`].
pub const SEINODEDEPLOYMENT_KIND: &str = "SeiNodeDeployment";

/// Values of `UpdateStrategy::type_` (the empty value is treated as InPlace by the controller).
pub mod update_strategy_type {
    pub const IN_PLACE: &str = "InPlace";
    pub const BLUE_GREEN: &str = "BlueGreen";
    pub const HARD_FORK: &str = "HardFork";
}

/// Values of `SeiNodeDeploymentSpec::deletion_policy` (empty means Delete).
pub mod deletion_policy {
    pub const DELETE: &str = "Delete";
    pub const RETAIN: &str = "Retain";
}

/// Values of `SeiNodeDeploymentStatus::phase`.
pub mod group_phase {
    pub const PENDING: &str = "Pending";
    pub const INITIALIZING: &str = "Initializing";
    pub const READY: &str = "Ready";
    pub const UPGRADING: &str = "Upgrading";
    pub const DEGRADED: &str = "Degraded";
    pub const FAILED: &str = "Failed";
    pub const TERMINATING: &str = "Terminating";
}

/// Condition types set on a SeiNodeDeployment.
pub mod condition_type {
    pub const NODES_READY: &str = "NodesReady";
    pub const ROUTE_READY: &str = "RouteReady";
    pub const SERVICE_MONITOR_READY: &str = "ServiceMonitorReady";
    pub const GENESIS_CEREMONY_COMPLETE: &str = "GenesisCeremonyComplete";
    pub const PLAN_IN_PROGRESS: &str = "PlanInProgress";
    pub const GENESIS_CEREMONY_NEEDED: &str = "GenesisCeremonyNeeded";
    pub const FORK_GENESIS_CEREMONY_NEEDED: &str = "ForkGenesisCeremonyNeeded";
    pub const ROLLOUT_IN_PROGRESS: &str = "RolloutInProgress";
}

/// Desired state of a group of SeiNodes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SeiNodeDeploymentSpec {
    #[serde(deserialize_with = "gojson::int")]
    pub replicas: i32,
    #[serde(deserialize_with = "null_default")]
    pub template: SeiNodeTemplate,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub deletion_policy: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub genesis: Option<GenesisCeremonyConfig>,
    /// Presence (even `{}`) turns public networking on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub networking: Option<NetworkingConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monitoring: Option<MonitoringConfig>,
    #[serde(deserialize_with = "null_default")]
    pub update_strategy: UpdateStrategy,
}

/// How template changes roll out. `type` is always encoded (possibly `""`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct UpdateStrategy {
    #[serde(rename = "type", deserialize_with = "null_default")]
    pub type_: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hard_fork: Option<HardForkStrategy>,
}

/// Parameters of the HardFork strategy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct HardForkStrategy {
    #[serde(deserialize_with = "gojson::int")]
    pub halt_height: i64,
}

/// Genesis ceremony run by the group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct GenesisCeremonyConfig {
    #[serde(deserialize_with = "null_default")]
    pub chain_id: String,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub staking_amount: String,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub account_balance: String,
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub accounts: Vec<GenesisAccount>,
    #[serde(
        skip_serializing_if = "StringMap::is_empty",
        deserialize_with = "null_default"
    )]
    pub overrides: StringMap,
    /// `metav1.Duration` text, kept verbatim (Go would re-format it, e.g. `15m` → `15m0s`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_ceremony_duration: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fork: Option<ForkConfig>,
}

/// Fork genesis from an existing chain's exported state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ForkConfig {
    #[serde(rename = "sourceChainId", deserialize_with = "null_default")]
    pub source_chain_id: String,
    #[serde(deserialize_with = "null_default")]
    pub source_image: String,
    #[serde(deserialize_with = "gojson::int")]
    pub export_height: i64,
}

/// An extra genesis account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GenesisAccount {
    #[serde(deserialize_with = "null_default")]
    pub address: String,
    #[serde(deserialize_with = "null_default")]
    pub balance: String,
}

/// Template for child SeiNodes. `spec` is always encoded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SeiNodeTemplate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<SeiNodeTemplateMeta>,
    #[serde(deserialize_with = "null_default")]
    pub spec: SeiNodeSpec,
}

/// Labels and annotations copied onto child SeiNodes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SeiNodeTemplateMeta {
    #[serde(
        skip_serializing_if = "StringMap::is_empty",
        deserialize_with = "null_default"
    )]
    pub labels: StringMap,
    #[serde(
        skip_serializing_if = "StringMap::is_empty",
        deserialize_with = "null_default"
    )]
    pub annotations: StringMap,
}

/// Public networking marker; always encodes as `{}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkingConfig {}

/// Monitoring integration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct MonitoringConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_monitor: Option<ServiceMonitorConfig>,
}

/// Prometheus ServiceMonitor settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServiceMonitorConfig {
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub interval: String,
    #[serde(
        skip_serializing_if = "StringMap::is_empty",
        deserialize_with = "null_default"
    )]
    pub labels: StringMap,
}

/// Observed state of the group; every field is omitempty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SeiNodeDeploymentStatus {
    #[serde(skip_serializing_if = "is_zero", deserialize_with = "gojson::int")]
    pub observed_generation: i64,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub template_hash: String,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub phase: String,
    #[serde(skip_serializing_if = "is_zero", deserialize_with = "gojson::int")]
    pub replicas: i32,
    #[serde(skip_serializing_if = "is_zero", deserialize_with = "gojson::int")]
    pub ready_replicas: i32,
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub nodes: Vec<GroupNodeStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<TaskPlan>,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub genesis_hash: String,
    #[serde(
        rename = "genesisS3URI",
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub genesis_s3_uri: String,
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub incumbent_nodes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rollout: Option<RolloutStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub networking_status: Option<NetworkingStatus>,
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub conditions: Vec<Condition>,
}

/// One child node in the group status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupNodeStatus {
    #[serde(deserialize_with = "null_default")]
    pub name: String,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub phase: String,
}

/// Routes exposed by the group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NetworkingStatus {
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub routes: Vec<RouteStatus>,
}

/// One public route.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RouteStatus {
    #[serde(deserialize_with = "null_default")]
    pub hostname: String,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub protocol: String,
}

/// An in-flight rollout. `startedAt` is not omitempty (`None` → `null`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RolloutStatus {
    #[serde(deserialize_with = "null_default")]
    pub strategy: String,
    #[serde(deserialize_with = "null_default")]
    pub target_hash: String,
    #[serde(deserialize_with = "gojson::time")]
    pub started_at: Option<String>,
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub incumbent_nodes: Vec<String>,
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub entrant_nodes: Vec<String>,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub incumbent_revision: String,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub entrant_revision: String,
}

/// A SeiNodeDeployment object. `metadata`, `spec` and `status` are always encoded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SeiNodeDeployment {
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
    pub spec: SeiNodeDeploymentSpec,
    #[serde(deserialize_with = "null_default")]
    pub status: SeiNodeDeploymentStatus,
}

sei_object!(SeiNodeDeployment, SEINODEDEPLOYMENT_KIND);

impl SeiNodeDeployment {
    /// Mode of the template spec (see [`SeiNodeSpec::mode`]).
    pub fn mode(&self) -> Option<NodeMode> {
        self.spec.template.spec.mode()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use serde_json::Value;

    fn enc<T: Serialize>(v: &T) -> Value {
        serde_json::to_value(v).unwrap()
    }

    #[test]
    fn empty_deployment_encoding() {
        // replicas, template, template.spec and updateStrategy(.type) are not omitempty.
        assert_eq!(
            SeiNodeDeployment::default().to_value(),
            json!({
                "metadata": {},
                "spec": {
                    "replicas": 0,
                    "template": {"spec": {"chainId": "", "image": ""}},
                    "updateStrategy": {"type": ""}
                },
                "status": {}
            })
        );
    }

    #[test]
    fn zero_values_of_nested_types() {
        assert_eq!(
            enc(&RolloutStatus::default()),
            json!({"strategy": "", "targetHash": "", "startedAt": null})
        );
        assert_eq!(enc(&GroupNodeStatus::default()), json!({"name": ""}));
        assert_eq!(enc(&RouteStatus::default()), json!({"hostname": ""}));
        assert_eq!(enc(&HardForkStrategy::default()), json!({"haltHeight": 0}));
        assert_eq!(
            enc(&ForkConfig::default()),
            json!({"sourceChainId": "", "sourceImage": "", "exportHeight": 0})
        );
        assert_eq!(
            enc(&GenesisAccount::default()),
            json!({"address": "", "balance": ""})
        );
        assert_eq!(
            enc(&GenesisCeremonyConfig::default()),
            json!({"chainId": ""})
        );
        assert_eq!(enc(&SeiNodeTemplateMeta::default()), json!({}));
        assert_eq!(enc(&MonitoringConfig::default()), json!({}));
        assert_eq!(enc(&ServiceMonitorConfig::default()), json!({}));
        assert_eq!(enc(&NetworkingStatus::default()), json!({}));
        assert_eq!(enc(&SeiNodeDeploymentStatus::default()), json!({}));
        let spec = SeiNodeDeploymentSpec {
            networking: Some(NetworkingConfig {}),
            ..Default::default()
        };
        assert_eq!(enc(&spec)["networking"], json!({}));
    }

    #[test]
    fn status_field_names() {
        let s = SeiNodeDeploymentStatus {
            genesis_s3_uri: "s3://x".into(),
            networking_status: Some(NetworkingStatus::default()),
            ready_replicas: 2,
            ..Default::default()
        };
        assert_eq!(
            enc(&s),
            json!({"readyReplicas": 2, "genesisS3URI": "s3://x", "networkingStatus": {}})
        );
    }

    #[test]
    fn helpers() {
        let mut d = SeiNodeDeployment::from_value(&json!({
            "metadata": {"name": "g", "namespace": "ns", "uid": "u", "generation": 4,
                         "finalizers": ["x"]},
            "spec": {"template": {"spec": {"validator": {}}}, "updateStrategy": null}
        }))
        .unwrap();
        assert_eq!(
            (d.namespace(), d.name(), d.uid(), d.generation()),
            ("ns", "g", "u", 4)
        );
        assert_eq!(d.mode(), Some(NodeMode::Validator));
        assert!(!d.is_deleting());
        assert!(d.add_finalizer("y"));
        assert!(d.remove_finalizer("x"));
        assert_eq!(d.metadata.finalizers, ["y"]);
        assert_eq!(d.to_value()["spec"]["updateStrategy"], json!({"type": ""}));
    }
}
