//! SeiNode planners: validation per mode, and the init, bootstrap, genesis-ceremony
//! and Running convergence plans.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{active_plan, params_json, planned_task};
use crate::api::{node_phase, task_plan_phase, PeerSource, SeiNode, SnapshotSource, TaskPlan};
use crate::env::Env;
use crate::task::{
    self, peer_source_type, task_type as t, AwaitBootstrapCompleteParams, ConfigApplyParams,
    ConfigureStateSyncParams, DeployBootstrapJobParams, DeployBootstrapServiceParams,
    DiscoverPeersParams, GenerateGentxParams, GenerateIdentityParams, NodeResourceParams,
    PeerSourceParam, SnapshotRestoreParams, TeardownBootstrapParams, UploadGenesisArtifactsParams,
};

/// Retries of configure-genesis in a genesis-ceremony plan.
pub const GENESIS_CONFIGURE_MAX_RETRIES: i64 = 180;
/// Snapshot interval (blocks) of sei-config's snapshot-generation overrides.
const DEFAULT_SNAPSHOT_INTERVAL: &str = "2000";

/// config-apply modes (sei-config).
mod config_mode {
    pub const FULL: &str = "full";
    pub const ARCHIVE: &str = "archive";
    pub const VALIDATOR: &str = "validator";
}

/// Resumes an Active plan, or builds one for the node's mode (moving a new or
/// Pending node to Initializing). Errors are Validate/planner errors.
pub fn resolve_plan(env: &mut Env, node: &mut SeiNode) -> Result<(), String> {
    if node
        .status
        .plan
        .as_ref()
        .is_some_and(|p| p.phase == task_plan_phase::ACTIVE)
    {
        return Ok(());
    }
    let mode = NodePlanner::for_node(node)?;
    mode.validate(node)?;
    let plan = mode.build_plan(env, node);
    node.status.plan = Some(plan);
    if node.status.phase.is_empty() || node.status.phase == node_phase::PENDING {
        node.status.phase = node_phase::INITIALIZING.to_string();
    }
    Ok(())
}

/// The planner of a node's mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodePlanner {
    FullNode,
    Archive,
    Replayer,
    Validator,
}

/// Rejects a bootstrap image without an S3 snapshot at a positive height.
fn check_bootstrap_image(snap: Option<&SnapshotSource>, mode: &str) -> Result<(), String> {
    match snap {
        Some(s)
            if !s.bootstrap_image.is_empty()
                && s.s3.as_ref().is_none_or(|s3| s3.target_height <= 0) =>
        {
            Err(format!(
                "{mode}: bootstrapImage requires s3 with targetHeight > 0"
            ))
        }
        _ => Ok(()),
    }
}

impl NodePlanner {
    /// Picks the planner by the first mode sub-spec set.
    pub fn for_node(node: &SeiNode) -> Result<Self, String> {
        let spec = &node.spec;
        if spec.full_node.is_some() {
            Ok(NodePlanner::FullNode)
        } else if spec.archive.is_some() {
            Ok(NodePlanner::Archive)
        } else if spec.replayer.is_some() {
            Ok(NodePlanner::Replayer)
        } else if spec.validator.is_some() {
            Ok(NodePlanner::Validator)
        } else {
            Err(format!(
                "no mode sub-spec set on SeiNode {}/{}",
                node.namespace(),
                node.name()
            ))
        }
    }

    /// sei-config mode of the planner.
    pub fn mode(self) -> &'static str {
        match self {
            NodePlanner::FullNode | NodePlanner::Replayer => config_mode::FULL,
            NodePlanner::Archive => config_mode::ARCHIVE,
            NodePlanner::Validator => config_mode::VALIDATOR,
        }
    }

    /// The spec checks of the mode, with Go's error texts.
    pub fn validate(self, node: &SeiNode) -> Result<(), String> {
        let spec = &node.spec;
        match self {
            NodePlanner::FullNode => {
                let full = spec.full_node.as_ref().ok_or("fullNode sub-spec is nil")?;
                check_bootstrap_image(full.snapshot.as_ref(), "fullNode")
            }
            NodePlanner::Archive => spec
                .archive
                .as_ref()
                .map(|_| ())
                .ok_or_else(|| "archive sub-spec is nil".into()),
            NodePlanner::Replayer => {
                let replayer = spec.replayer.as_ref().ok_or("replayer sub-spec is nil")?;
                let s3 = replayer
                    .snapshot
                    .s3
                    .as_ref()
                    .ok_or("replayer requires an S3 snapshot source")?;
                if s3.target_height <= 0 {
                    return Err("replayer: s3.targetHeight must be > 0".into());
                }
                if spec.peers.is_empty() {
                    return Err("replayer requires at least one peer source for block sync".into());
                }
                Ok(())
            }
            NodePlanner::Validator => {
                let validator = spec.validator.as_ref().ok_or("validator sub-spec is nil")?;
                if let Some(gc) = &validator.genesis_ceremony {
                    if gc.chain_id.is_empty() {
                        return Err("validator: genesisCeremony.chainId is required".into());
                    }
                    if gc.staking_amount.is_empty() {
                        return Err("validator: genesisCeremony.stakingAmount is required".into());
                    }
                    return Ok(());
                }
                check_bootstrap_image(validator.snapshot.as_ref(), "validator")
            }
        }
    }

    /// Builds the plan (call after [`validate`](Self::validate)). Draws the plan id.
    pub fn build_plan(self, env: &mut Env, node: &SeiNode) -> TaskPlan {
        if node.status.phase == node_phase::RUNNING {
            return running_plan(env, node);
        }
        let spec = &node.spec;
        let config_apply = ConfigApplyParams {
            mode: self.mode().to_string(),
            overrides: merge_overrides(&[
                common_overrides(node),
                self.controller_overrides(node),
                spec.overrides.clone(),
            ]),
            ..Default::default()
        };
        let snap = match self {
            NodePlanner::FullNode => spec.full_node.as_ref().and_then(|f| f.snapshot.as_ref()),
            NodePlanner::Archive => None,
            NodePlanner::Replayer => spec.replayer.as_ref().map(|r| &r.snapshot),
            NodePlanner::Validator => {
                if spec
                    .validator
                    .as_ref()
                    .is_some_and(|v| v.genesis_ceremony.is_some())
                {
                    return genesis_plan(env, node, &config_apply);
                }
                spec.validator.as_ref().and_then(|v| v.snapshot.as_ref())
            }
        };
        if self != NodePlanner::Archive && needs_bootstrap(node) {
            bootstrap_plan(env, node, snap, &config_apply)
        } else {
            base_plan(env, node, snap, &config_apply)
        }
    }

    /// Mode-specific overrides between the common ones and the user's.
    fn controller_overrides(self, node: &SeiNode) -> BTreeMap<String, String> {
        let spec = &node.spec;
        match self {
            NodePlanner::FullNode => spec
                .full_node
                .as_ref()
                .and_then(|f| f.snapshot_generation.as_ref())
                .map(|sg| snapshot_generation_overrides(sg.keep_recent))
                .unwrap_or_default(),
            NodePlanner::Archive => spec
                .archive
                .as_ref()
                .and_then(|a| a.snapshot_generation.as_ref())
                .map(|sg| {
                    BTreeMap::from([
                        (
                            "storage.snapshot_interval".to_string(),
                            DEFAULT_SNAPSHOT_INTERVAL.to_string(),
                        ),
                        (
                            "storage.snapshot_keep_recent".to_string(),
                            sg.keep_recent.to_string(),
                        ),
                    ])
                })
                .unwrap_or_default(),
            NodePlanner::Replayer => [
                ("storage.state_commit.async_commit_buffer", "100"),
                ("storage.state_commit.memiavl.snapshot_keep_recent", "2"),
                (
                    "storage.state_commit.memiavl.snapshot_min_time_interval",
                    "3600",
                ),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
            NodePlanner::Validator => BTreeMap::new(),
        }
    }
}

/// sei-config's `SnapshotGenerationOverrides(keepRecent)`.
pub fn snapshot_generation_overrides(keep_recent: i32) -> BTreeMap<String, String> {
    [
        (
            "storage.snapshot_interval",
            DEFAULT_SNAPSHOT_INTERVAL.to_string(),
        ),
        ("storage.snapshot_keep_recent", keep_recent.to_string()),
        ("storage.pruning_keep_recent", "50000".to_string()),
        ("storage.pruning_keep_every", "0".to_string()),
        ("chain.min_retain_blocks", "50000".to_string()),
        ("network.p2p.max_connections", "500".to_string()),
        ("network.p2p.send_rate", "20971520".to_string()),
        ("network.p2p.recv_rate", "20971520".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// `{network.p2p.external_address: status.externalAddress}` when set.
fn common_overrides(node: &SeiNode) -> BTreeMap<String, String> {
    let address = &node.status.external_address;
    if address.is_empty() {
        BTreeMap::new()
    } else {
        BTreeMap::from([("network.p2p.external_address".to_string(), address.clone())])
    }
}

/// Layers merged left to right (later wins); `None` when all are empty.
fn merge_overrides(layers: &[BTreeMap<String, String>]) -> Option<BTreeMap<String, String>> {
    let merged: BTreeMap<String, String> = layers
        .iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    (!merged.is_empty()).then_some(merged)
}

/// A bootstrap Job is needed: a snapshot with a bootstrap image and an S3 height.
pub fn needs_bootstrap(node: &SeiNode) -> bool {
    node.spec.snapshot_source().is_some_and(|s| {
        !s.bootstrap_image.is_empty() && s.s3.as_ref().is_some_and(|s3| s3.target_height > 0)
    })
}

/// Inserts `task_type` before the first `target`, unless already present.
fn insert_before(progression: &mut Vec<&'static str>, target: &str, task_type: &'static str) {
    if progression.contains(&task_type) {
        return;
    }
    if let Some(i) = progression.iter().position(|t| *t == target) {
        progression.insert(i, task_type);
    }
}

/// The sidecar tasks that bring a node's data and config in place.
fn sidecar_progression(snap: Option<&SnapshotSource>, peers: &[PeerSource]) -> Vec<&'static str> {
    let mut progression = if snap.is_some_and(|s| s.s3.is_some()) {
        vec![
            t::SNAPSHOT_RESTORE,
            t::CONFIG_APPLY,
            t::CONFIG_VALIDATE,
            t::MARK_READY,
        ]
    } else {
        vec![t::CONFIG_APPLY, t::CONFIG_VALIDATE, t::MARK_READY]
    };
    insert_before(&mut progression, t::CONFIG_APPLY, t::CONFIGURE_GENESIS);
    if !peers.is_empty() {
        insert_before(&mut progression, t::CONFIG_VALIDATE, t::DISCOVER_PEERS);
    }
    if snap.is_some() {
        insert_before(
            &mut progression,
            t::CONFIG_VALIDATE,
            t::CONFIGURE_STATE_SYNC,
        );
    }
    progression
}

/// The params the planner stores for `task_type`.
fn params_for(
    node: &SeiNode,
    task_type: &str,
    snap: Option<&SnapshotSource>,
    config_apply: &ConfigApplyParams,
) -> Value {
    let resource = || NodeResourceParams {
        node_name: node.name().to_string(),
        namespace: node.namespace().to_string(),
    };
    let genesis = node
        .spec
        .validator
        .as_ref()
        .and_then(|v| v.genesis_ceremony.as_ref());
    match task_type {
        t::ENSURE_DATA_PVC | t::APPLY_STATEFULSET | t::APPLY_SERVICE => params_json(resource()),
        t::SNAPSHOT_RESTORE => {
            let target_height = snap
                .and_then(|s| s.s3.as_ref())
                .map_or(0, |s3| s3.target_height);
            params_json(SnapshotRestoreParams { target_height })
        }
        t::CONFIG_APPLY => params_json(config_apply),
        t::DISCOVER_PEERS => params_json(discover_peers_params(node)),
        t::CONFIGURE_STATE_SYNC => params_json(ConfigureStateSyncParams {
            use_local_snapshot: snap.is_some_and(|s| s.s3.is_some()),
            trust_period: snap.map(|s| s.trust_period.clone()).unwrap_or_default(),
            backfill_blocks: snap.map_or(0, |s| s.backfill_blocks),
        }),
        t::CONFIGURE_GENESIS | t::CONFIG_VALIDATE | t::MARK_READY | t::SET_GENESIS_PEERS => {
            if task_type == t::SET_GENESIS_PEERS && genesis.is_none() {
                return Value::Null;
            }
            Value::Object(Default::default())
        }
        t::GENERATE_IDENTITY => genesis.map_or(Value::Null, |gc| {
            params_json(GenerateIdentityParams {
                chain_id: gc.chain_id.clone(),
                moniker: node.name().to_string(),
            })
        }),
        t::GENERATE_GENTX => genesis.map_or(Value::Null, |gc| {
            params_json(GenerateGentxParams {
                chain_id: gc.chain_id.clone(),
                staking_amount: gc.staking_amount.clone(),
                account_balance: gc.account_balance.clone(),
                genesis_params: gc.genesis_params.clone(),
            })
        }),
        t::UPLOAD_GENESIS_ARTIFACTS => genesis.map_or(Value::Null, |_| {
            params_json(UploadGenesisArtifactsParams {
                node_name: node.name().to_string(),
            })
        }),
        _ => Value::Null,
    }
}

/// discover-peers sources from spec.peers; label sources get the resolved peers.
fn discover_peers_params(node: &SeiNode) -> DiscoverPeersParams {
    let sources: Vec<PeerSourceParam> = node
        .spec
        .peers
        .iter()
        .filter_map(|peer| {
            if let Some(ec2) = &peer.ec2_tags {
                Some(PeerSourceParam {
                    source_type: peer_source_type::EC2_TAGS.into(),
                    region: ec2.region.clone(),
                    tags: ec2.tags.clone().unwrap_or_default().into_iter().collect(),
                    ..Default::default()
                })
            } else if let Some(st) = &peer.r#static {
                Some(PeerSourceParam {
                    source_type: peer_source_type::STATIC.into(),
                    addresses: st.addresses.clone().unwrap_or_default(),
                    ..Default::default()
                })
            } else {
                peer.label.as_ref().map(|_| PeerSourceParam {
                    source_type: peer_source_type::DNS_ENDPOINTS.into(),
                    endpoints: node.status.resolved_peers.clone(),
                    ..Default::default()
                })
            }
        })
        .collect();
    DiscoverPeersParams {
        sources: (!sources.is_empty()).then_some(sources),
    }
}

/// Tasks of `types`, numbered from 0, with the planner's params.
fn tasks_for(
    plan_id: &str,
    node: &SeiNode,
    types: &[&str],
    snap: Option<&SnapshotSource>,
    config_apply: &ConfigApplyParams,
) -> Vec<crate::api::PlannedTask> {
    types
        .iter()
        .enumerate()
        .map(|(i, task_type)| {
            planned_task(
                plan_id,
                task_type,
                i,
                params_for(node, task_type, snap, config_apply),
            )
        })
        .collect()
}

/// Infra tasks followed by the sidecar progression.
fn base_plan(
    env: &mut Env,
    node: &SeiNode,
    snap: Option<&SnapshotSource>,
    config_apply: &ConfigApplyParams,
) -> TaskPlan {
    let mut types = vec![t::ENSURE_DATA_PVC, t::APPLY_STATEFULSET, t::APPLY_SERVICE];
    types.extend(sidecar_progression(snap, &node.spec.peers));
    let plan_id = env.ids.new_v4();
    let tasks = tasks_for(&plan_id, node, &types, snap, config_apply);
    active_plan(plan_id, tasks, node_phase::RUNNING, node_phase::FAILED)
}

/// The convergence plan of a Running node: re-apply the StatefulSet and Service.
fn running_plan(env: &mut Env, node: &SeiNode) -> TaskPlan {
    let plan_id = env.ids.new_v4();
    let tasks = tasks_for(
        &plan_id,
        node,
        &[t::APPLY_STATEFULSET, t::APPLY_SERVICE],
        None,
        &ConfigApplyParams::default(),
    );
    active_plan(plan_id, tasks, node_phase::RUNNING, "")
}

/// The bootstrap Job restores the data on its own pod, then the StatefulSet takes over.
fn bootstrap_plan(
    env: &mut Env,
    node: &SeiNode,
    snap: Option<&SnapshotSource>,
    config_apply: &ConfigApplyParams,
) -> TaskPlan {
    let plan_id = env.ids.new_v4();
    let name = node.name().to_string();
    let namespace = node.namespace().to_string();
    let job_name = crate::resources::bootstrap_job_name(node);
    let peers = &node.spec.peers;
    let mut tasks = Vec::new();
    let mut push = |task_type: &str, params: Value| {
        let index = tasks.len();
        tasks.push(planned_task(&plan_id, task_type, index, params));
    };
    push(
        t::ENSURE_DATA_PVC,
        params_for(node, t::ENSURE_DATA_PVC, snap, config_apply),
    );
    push(
        t::DEPLOY_BOOTSTRAP_SERVICE,
        params_json(DeployBootstrapServiceParams {
            service_name: name.clone(),
            namespace: namespace.clone(),
        }),
    );
    push(
        t::DEPLOY_BOOTSTRAP_JOB,
        params_json(DeployBootstrapJobParams {
            job_name: job_name.clone(),
            namespace: namespace.clone(),
        }),
    );
    for task_type in sidecar_progression(snap, peers) {
        push(task_type, params_for(node, task_type, snap, config_apply));
    }
    push(
        t::AWAIT_BOOTSTRAP_COMPLETE,
        params_json(AwaitBootstrapCompleteParams {
            job_name: job_name.clone(),
            namespace: namespace.clone(),
        }),
    );
    push(
        t::TEARDOWN_BOOTSTRAP,
        params_json(TeardownBootstrapParams {
            job_name,
            service_name: name,
            namespace,
        }),
    );
    push(
        t::APPLY_STATEFULSET,
        params_for(node, t::APPLY_STATEFULSET, None, config_apply),
    );
    push(
        t::APPLY_SERVICE,
        params_for(node, t::APPLY_SERVICE, None, config_apply),
    );
    let mut post = vec![t::CONFIGURE_GENESIS, t::CONFIG_APPLY];
    if !peers.is_empty() {
        post.push(t::DISCOVER_PEERS);
    }
    post.extend([t::CONFIG_VALIDATE, t::MARK_READY]);
    for task_type in post {
        push(task_type, params_for(node, task_type, None, config_apply));
    }
    active_plan(plan_id, tasks, node_phase::RUNNING, node_phase::FAILED)
}

/// A genesis-ceremony validator: identity, gentx, artifacts, then the shared genesis.
fn genesis_plan(env: &mut Env, node: &SeiNode, config_apply: &ConfigApplyParams) -> TaskPlan {
    let types = [
        t::ENSURE_DATA_PVC,
        t::APPLY_STATEFULSET,
        t::APPLY_SERVICE,
        t::GENERATE_IDENTITY,
        t::GENERATE_GENTX,
        t::UPLOAD_GENESIS_ARTIFACTS,
        t::CONFIGURE_GENESIS,
        t::CONFIG_APPLY,
        t::SET_GENESIS_PEERS,
        t::CONFIG_VALIDATE,
        t::MARK_READY,
    ];
    let plan_id = env.ids.new_v4();
    let mut tasks = tasks_for(&plan_id, node, &types, None, config_apply);
    for task in tasks
        .iter_mut()
        .filter(|t| t.type_ == task::task_type::CONFIGURE_GENESIS)
    {
        task.max_retries = GENESIS_CONFIGURE_MAX_RETRIES;
    }
    active_plan(plan_id, tasks, node_phase::RUNNING, node_phase::FAILED)
}
