//! Types shared by SeiNode and SeiNodeDeployment (`common_types.go` and the task plan).

use super::gojson::{self, is_zero, null_default};
use super::meta::StringMap;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Where a node discovers peers; exactly one source is expected to be set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PeerSource {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ec2_tags: Option<Ec2TagsPeerSource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub r#static: Option<StaticPeerSource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<LabelPeerSource>,
}

/// Peers selected by SeiNode labels. `selector` is not omitempty (`None` → `null`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LabelPeerSource {
    pub selector: Option<StringMap>,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub namespace: String,
}

/// Peers discovered through EC2 instance tags. `tags` is not omitempty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Ec2TagsPeerSource {
    #[serde(deserialize_with = "null_default")]
    pub region: String,
    pub tags: Option<StringMap>,
}

/// A fixed peer list (`nodeId@host:port`). `addresses` is not omitempty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct StaticPeerSource {
    pub addresses: Option<Vec<String>>,
}

/// How a node obtains its initial state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SnapshotSource {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3: Option<S3SnapshotSource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_sync: Option<StateSyncSource>,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub trust_period: String,
    #[serde(skip_serializing_if = "is_zero", deserialize_with = "gojson::int")]
    pub backfill_blocks: i64,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub bootstrap_image: String,
}

/// Restore from an S3 snapshot at a target height.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct S3SnapshotSource {
    #[serde(deserialize_with = "gojson::int")]
    pub target_height: i64,
}

/// State sync marker; always encodes as `{}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateSyncSource {}

/// Periodic snapshot generation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SnapshotGenerationConfig {
    #[serde(deserialize_with = "gojson::int")]
    pub keep_recent: i32,
}

/// Replayer result export target.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResultExportConfig {
    #[serde(rename = "canonicalRpc", deserialize_with = "null_default")]
    pub canonical_rpc: String,
}

/// Overrides the seid container command. `command` is not omitempty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct EntrypointConfig {
    pub command: Option<Vec<String>>,
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub args: Vec<String>,
}

/// Sidecar container settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SidecarConfig {
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub image: String,
    #[serde(skip_serializing_if = "is_zero", deserialize_with = "gojson::int")]
    pub port: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,
}

/// `corev1.ResourceRequirements`; quantities are held in the canonical text Go's
/// `resource.Quantity` re-encodes them with (`"0.5"` → `"500m"`), as a typed Go
/// client writes them back.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ResourceRequirements {
    #[serde(
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "quantity_map"
    )]
    pub limits: BTreeMap<String, String>,
    #[serde(
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "quantity_map"
    )]
    pub requests: BTreeMap<String, String>,
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub claims: Vec<ResourceClaim>,
}

/// `corev1.ResourceClaim`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResourceClaim {
    #[serde(deserialize_with = "null_default")]
    pub name: String,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub request: String,
}

/// A resource list whose values may be JSON strings or numbers (Go Quantity accepts both),
/// canonicalised like a decoded Go `Quantity`; text that is not a quantity stays as written.
fn quantity_map<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    let raw: Option<BTreeMap<String, Value>> = Option::deserialize(d)?;
    raw.unwrap_or_default()
        .into_iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k, canonical(s))),
            Value::Number(n) => Ok((k, canonical(n.to_string()))),
            other => Err(serde::de::Error::custom(format!(
                "quantity for {k:?} must be a string or number, got {other}"
            ))),
        })
        .collect()
}

/// Go trims the text before parsing it; the canonical form, or the text as written.
fn canonical(text: String) -> String {
    super::quantity::canonical_quantity(text.trim()).unwrap_or(text)
}

/// Values of `TaskPlan::phase`.
pub mod task_plan_phase {
    pub const ACTIVE: &str = "Active";
    pub const COMPLETE: &str = "Complete";
    pub const FAILED: &str = "Failed";
}

/// Values of `PlannedTask::status` (there is no "Running").
pub mod task_status {
    pub const PENDING: &str = "Pending";
    pub const COMPLETE: &str = "Complete";
    pub const FAILED: &str = "Failed";
}

/// One task of a plan. `params` is free-form JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PlannedTask {
    #[serde(rename = "type", deserialize_with = "null_default")]
    pub type_: String,
    #[serde(deserialize_with = "null_default")]
    pub id: String,
    #[serde(deserialize_with = "null_default")]
    pub status: String,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_raw_json"
    )]
    pub params: Option<Value>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "gojson::time"
    )]
    pub submitted_at: Option<String>,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub error: String,
    #[serde(skip_serializing_if = "is_zero", deserialize_with = "gojson::int")]
    pub max_retries: i64,
    #[serde(skip_serializing_if = "is_zero", deserialize_with = "gojson::int")]
    pub retry_count: i64,
}

/// Go decodes `null` into a `*apiextensionsv1.JSON` as nil.
fn opt_raw_json<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Null => None,
        v => Some(v),
    })
}

/// Summary of the task that failed a plan. No field is omitempty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct FailedTaskInfo {
    #[serde(rename = "type", deserialize_with = "null_default")]
    pub type_: String,
    #[serde(deserialize_with = "null_default")]
    pub id: String,
    #[serde(deserialize_with = "null_default")]
    pub error: String,
    #[serde(deserialize_with = "gojson::int")]
    pub retry_count: i64,
    #[serde(deserialize_with = "gojson::int")]
    pub max_retries: i64,
}

/// An ordered list of tasks. `tasks` is not omitempty: a nil list (`None`) encodes as `null`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TaskPlan {
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub id: String,
    #[serde(deserialize_with = "null_default")]
    pub phase: String,
    pub tasks: Option<Vec<PlannedTask>>,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub target_phase: String,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub failed_phase: String,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "gojson::opt_int"
    )]
    pub failed_task_index: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_task_detail: Option<FailedTaskInfo>,
}

impl TaskPlan {
    /// The tasks (empty when the list is nil).
    pub fn tasks(&self) -> &[PlannedTask] {
        self.tasks.as_deref().unwrap_or_default()
    }

    /// Mutable access to the task list, materialising a nil list as empty.
    pub fn tasks_mut(&mut self) -> &mut Vec<PlannedTask> {
        self.tasks.get_or_insert_with(Vec::new)
    }
}
