//! Task params: the JSON stored in a plan (Go's encoding of the `task.*Params`
//! structs) and, for sidecar tasks, the request params sent to seictl.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

use super::task_type as t;

/// Go type of a params field, for Go-style decode errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoKind {
    String,
    Int64,
    Int,
    Bool,
    StringMap,
    StringSlice,
    /// A slice of a struct of package `task`: its name and its fields, checked in depth.
    StructSlice(&'static str, &'static [(&'static str, GoKind)]),
}

/// A params struct as Go's encoding/json sees it.
pub trait GoParams {
    /// The struct's name in package `task` (e.g. `ApplyStatefulSetParams`).
    const GO_NAME: &'static str;
    /// The JSON field names and their Go types.
    const FIELDS: &'static [(&'static str, GoKind)];
}

/// Params of a sidecar-backed task.
pub trait SidecarParams: GoParams {
    /// The seictl task type.
    const TASK_TYPE: &'static str;
    /// Submitted to seictl immediately as Complete (no polling).
    const FIRE_AND_FORGET: bool = false;
    /// The request's `params` object; `None` sends no params.
    fn request_params(&self) -> Option<Value>;
}

/// Implements [`GoParams`] for a params struct: `go_params!(Name, [("jsonField", Kind), ...]);`,
/// a struct slice field as `("jsonField", StructSlice(ElemStruct))` (the element implements
/// [`GoParams`] too).
macro_rules! go_params {
    ($ty:ident, [$(($field:literal, $kind:ident $(($elem:ident))?)),* $(,)?]) => {
        impl GoParams for $ty {
            const GO_NAME: &'static str = stringify!($ty);
            const FIELDS: &'static [(&'static str, GoKind)] = &[$((
                $field,
                GoKind::$kind $((stringify!($elem), <$elem as GoParams>::FIELDS))?
            )),*];
        }
    };
}

/// Params of ensure-data-pvc, apply-statefulset and apply-service.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct NodeResourceParams {
    pub node_name: String,
    pub namespace: String,
}

/// Go has one struct per task type with the same shape; the type name only shows in errors.
macro_rules! node_resource_params {
    ($($ty:ident),*) => {$(
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $ty(pub NodeResourceParams);
        go_params!($ty, [("nodeName", String), ("namespace", String)]);
    )*};
}
node_resource_params!(
    EnsureDataPVCParams,
    ApplyStatefulSetParams,
    ApplyServiceParams
);

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DeployBootstrapServiceParams {
    pub service_name: String,
    pub namespace: String,
}
go_params!(
    DeployBootstrapServiceParams,
    [("serviceName", String), ("namespace", String)]
);

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DeployBootstrapJobParams {
    pub job_name: String,
    pub namespace: String,
}
go_params!(
    DeployBootstrapJobParams,
    [("jobName", String), ("namespace", String)]
);

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AwaitBootstrapCompleteParams {
    pub job_name: String,
    pub namespace: String,
}
go_params!(
    AwaitBootstrapCompleteParams,
    [("jobName", String), ("namespace", String)]
);

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TeardownBootstrapParams {
    pub job_name: String,
    pub service_name: String,
    pub namespace: String,
}
go_params!(
    TeardownBootstrapParams,
    [
        ("jobName", String),
        ("serviceName", String),
        ("namespace", String)
    ]
);

fn is_zero_i64(v: &i64) -> bool {
    *v == 0
}

fn is_false(v: &bool) -> bool {
    !*v
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SnapshotRestoreParams {
    #[serde(skip_serializing_if = "is_zero_i64")]
    pub target_height: i64,
}
go_params!(SnapshotRestoreParams, [("targetHeight", Int64)]);

impl SidecarParams for SnapshotRestoreParams {
    const TASK_TYPE: &'static str = t::SNAPSHOT_RESTORE;
    fn request_params(&self) -> Option<Value> {
        (self.target_height > 0).then(|| json!({"targetHeight": self.target_height}))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ConfigureStateSyncParams {
    #[serde(skip_serializing_if = "is_false")]
    pub use_local_snapshot: bool,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub trust_period: String,
    #[serde(skip_serializing_if = "is_zero_i64")]
    pub backfill_blocks: i64,
}
go_params!(
    ConfigureStateSyncParams,
    [
        ("useLocalSnapshot", Bool),
        ("trustPeriod", String),
        ("backfillBlocks", Int64)
    ]
);

impl SidecarParams for ConfigureStateSyncParams {
    const TASK_TYPE: &'static str = t::CONFIGURE_STATE_SYNC;
    fn request_params(&self) -> Option<Value> {
        let mut m = Map::new();
        if self.use_local_snapshot {
            m.insert("useLocalSnapshot".into(), Value::Bool(true));
        }
        if !self.trust_period.is_empty() {
            m.insert(
                "trustPeriod".into(),
                Value::String(self.trust_period.clone()),
            );
        }
        if self.backfill_blocks > 0 {
            m.insert("backfillBlocks".into(), json!(self.backfill_blocks));
        }
        (!m.is_empty()).then_some(Value::Object(m))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AwaitConditionParams {
    pub condition: String,
    pub target_height: i64,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub action: String,
}
go_params!(
    AwaitConditionParams,
    [
        ("condition", String),
        ("targetHeight", Int64),
        ("action", String)
    ]
);

impl SidecarParams for AwaitConditionParams {
    const TASK_TYPE: &'static str = t::AWAIT_CONDITION;
    fn request_params(&self) -> Option<Value> {
        let mut m = json!({"condition": self.condition, "targetHeight": self.target_height});
        if !self.action.is_empty() {
            m["action"] = Value::String(self.action.clone());
        }
        Some(m)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ConfigApplyParams {
    pub mode: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overrides: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "is_false")]
    pub incremental: bool,
    #[serde(skip_serializing_if = "is_zero_i64")]
    pub target_version: i64,
}
go_params!(
    ConfigApplyParams,
    [
        ("mode", String),
        ("overrides", StringMap),
        ("incremental", Bool),
        ("targetVersion", Int)
    ]
);

impl SidecarParams for ConfigApplyParams {
    const TASK_TYPE: &'static str = t::CONFIG_APPLY;
    fn request_params(&self) -> Option<Value> {
        let mut m = json!({"mode": self.mode, "incremental": self.incremental, "targetVersion": self.target_version});
        if let Some(overrides) = self.overrides.as_ref().filter(|o| !o.is_empty()) {
            m["overrides"] = json!(overrides);
        }
        Some(m)
    }
}

/// Params of a task whose request carries none.
macro_rules! empty_sidecar_params {
    ($($ty:ident => $task:expr, $ff:expr;)*) => {$(
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        pub struct $ty {}
        go_params!($ty, []);
        impl SidecarParams for $ty {
            const TASK_TYPE: &'static str = $task;
            const FIRE_AND_FORGET: bool = $ff;
            fn request_params(&self) -> Option<Value> {
                None
            }
        }
    )*};
}
empty_sidecar_params! {
    ConfigValidateParams => t::CONFIG_VALIDATE, true;
    ConfigureGenesisParams => t::CONFIGURE_GENESIS, false;
    MarkReadyParams => t::MARK_READY, true;
    SetGenesisPeersParams => t::SET_GENESIS_PEERS, false;
}

/// One peer source of discover-peers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PeerSourceParam {
    #[serde(rename = "type")]
    pub source_type: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub region: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub endpoints: Vec<String>,
}

go_params!(
    PeerSourceParam,
    [
        ("type", String),
        ("region", String),
        ("tags", StringMap),
        ("addresses", StringSlice),
        ("endpoints", StringSlice)
    ]
);

/// Peer source types understood by seictl.
pub mod peer_source_type {
    pub const EC2_TAGS: &str = "ec2Tags";
    pub const STATIC: &str = "static";
    pub const DNS_ENDPOINTS: &str = "dnsEndpoints";
}

/// `sources` is a Go slice without omitempty: `None` encodes as `null`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DiscoverPeersParams {
    pub sources: Option<Vec<PeerSourceParam>>,
}
go_params!(
    DiscoverPeersParams,
    [("sources", StructSlice(PeerSourceParam))]
);

impl SidecarParams for DiscoverPeersParams {
    const TASK_TYPE: &'static str = t::DISCOVER_PEERS;
    fn request_params(&self) -> Option<Value> {
        use peer_source_type as p;
        let sources: Vec<Value> = self
            .sources
            .iter()
            .flatten()
            .map(|src| {
                let mut m = json!({"type": src.source_type});
                match src.source_type.as_str() {
                    p::EC2_TAGS => {
                        m["region"] = json!(src.region);
                        m["tags"] = json!(src.tags);
                    }
                    p::STATIC => m["addresses"] = json!(src.addresses),
                    p::DNS_ENDPOINTS => m["endpoints"] = json!(src.endpoints),
                    _ => {}
                }
                m
            })
            .collect();
        Some(json!({ "sources": sources }))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct GenerateIdentityParams {
    pub chain_id: String,
    pub moniker: String,
}
go_params!(
    GenerateIdentityParams,
    [("chainId", String), ("moniker", String)]
);

impl SidecarParams for GenerateIdentityParams {
    const TASK_TYPE: &'static str = t::GENERATE_IDENTITY;
    fn request_params(&self) -> Option<Value> {
        Some(json!({"chainId": self.chain_id, "moniker": self.moniker}))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct GenerateGentxParams {
    pub chain_id: String,
    pub staking_amount: String,
    pub account_balance: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub genesis_params: String,
}
go_params!(
    GenerateGentxParams,
    [
        ("chainId", String),
        ("stakingAmount", String),
        ("accountBalance", String),
        ("genesisParams", String)
    ]
);

impl SidecarParams for GenerateGentxParams {
    const TASK_TYPE: &'static str = t::GENERATE_GENTX;
    fn request_params(&self) -> Option<Value> {
        let mut m = json!({
            "chainId": self.chain_id,
            "stakingAmount": self.staking_amount,
            "accountBalance": self.account_balance,
        });
        if !self.genesis_params.is_empty() {
            m["genesisParams"] = json!(self.genesis_params);
        }
        Some(m)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct UploadGenesisArtifactsParams {
    pub node_name: String,
}
go_params!(UploadGenesisArtifactsParams, [("nodeName", String)]);

impl SidecarParams for UploadGenesisArtifactsParams {
    const TASK_TYPE: &'static str = t::UPLOAD_GENESIS_ARTIFACTS;
    fn request_params(&self) -> Option<Value> {
        Some(json!({"nodeName": self.node_name}))
    }
}

/// A genesis participant.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GenesisNodeParam {
    pub name: String,
}
go_params!(GenesisNodeParam, [("name", String)]);

fn node_names(nodes: &Option<Vec<GenesisNodeParam>>) -> Value {
    Value::Array(
        nodes
            .iter()
            .flatten()
            .map(|n| json!({"name": n.name}))
            .collect(),
    )
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AssembleAndUploadGenesisParams {
    pub account_balance: String,
    pub namespace: String,
    pub nodes: Option<Vec<GenesisNodeParam>>,
}
go_params!(
    AssembleAndUploadGenesisParams,
    [
        ("accountBalance", String),
        ("namespace", String),
        ("nodes", StructSlice(GenesisNodeParam))
    ]
);

impl SidecarParams for AssembleAndUploadGenesisParams {
    const TASK_TYPE: &'static str = t::ASSEMBLE_GENESIS;
    fn request_params(&self) -> Option<Value> {
        Some(json!({
            "accountBalance": self.account_balance,
            "namespace": self.namespace,
            "nodes": node_names(&self.nodes),
        }))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AssembleForkGenesisParams {
    pub source_chain_id: String,
    pub chain_id: String,
    pub account_balance: String,
    pub namespace: String,
    pub nodes: Option<Vec<GenesisNodeParam>>,
}
go_params!(
    AssembleForkGenesisParams,
    [
        ("sourceChainId", String),
        ("chainId", String),
        ("accountBalance", String),
        ("namespace", String),
        ("nodes", StructSlice(GenesisNodeParam))
    ]
);

impl SidecarParams for AssembleForkGenesisParams {
    const TASK_TYPE: &'static str = t::ASSEMBLE_GENESIS_FORK;
    fn request_params(&self) -> Option<Value> {
        Some(json!({
            "sourceChainId": self.source_chain_id,
            "chainId": self.chain_id,
            "accountBalance": self.account_balance,
            "namespace": self.namespace,
            "nodes": node_names(&self.nodes),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_params_omit_zero_fields() {
        assert_eq!(
            serde_json::to_value(SnapshotRestoreParams::default()).unwrap(),
            json!({})
        );
        assert_eq!(
            serde_json::to_value(DiscoverPeersParams::default()).unwrap(),
            json!({"sources": null})
        );
        let apply = ConfigApplyParams {
            mode: "full".into(),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(&apply).unwrap(),
            json!({"mode": "full"})
        );
        let pvc = EnsureDataPVCParams(NodeResourceParams {
            node_name: "n".into(),
            namespace: "ns".into(),
        });
        assert_eq!(
            serde_json::to_value(&pvc).unwrap(),
            json!({"nodeName": "n", "namespace": "ns"})
        );
    }

    const _: () =
        assert!(MarkReadyParams::FIRE_AND_FORGET && ConfigValidateParams::FIRE_AND_FORGET);
    const _: () = assert!(!ConfigureGenesisParams::FIRE_AND_FORGET);

    #[test]
    fn request_params_follow_seictl_shapes() {
        assert_eq!(
            SnapshotRestoreParams { target_height: 0 }.request_params(),
            None
        );
        assert_eq!(
            SnapshotRestoreParams { target_height: 7 }.request_params(),
            Some(json!({"targetHeight": 7}))
        );
        let apply = ConfigApplyParams {
            mode: "full".into(),
            overrides: Some(BTreeMap::from([("a".into(), "b".into())])),
            ..Default::default()
        };
        assert_eq!(
            apply.request_params(),
            Some(
                json!({"mode": "full", "incremental": false, "targetVersion": 0, "overrides": {"a": "b"}})
            )
        );
        assert_eq!(ConfigureStateSyncParams::default().request_params(), None);
        let dp = DiscoverPeersParams {
            sources: Some(vec![PeerSourceParam {
                source_type: peer_source_type::DNS_ENDPOINTS.into(),
                ..Default::default()
            }]),
        };
        assert_eq!(
            dp.request_params(),
            Some(json!({"sources": [{"type": "dnsEndpoints", "endpoints": []}]}))
        );
    }
}
