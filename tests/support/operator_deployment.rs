//! Shared fixtures of the ports of the operator's SeiNodeDeployment unit tests:
//! an in-memory environment, the operator's test groups and nodes, and
//! condition helpers.

// Shared by several test binaries, each using a part of it.
#![allow(dead_code)]

use serde_json::{json, Value};

use nodectl::api::{
    find_condition, set_status_condition, Condition, SeiNode, SeiNodeDeployment, API_VERSION,
    SEINODEDEPLOYMENT_KIND, SEINODE_KIND,
};
use nodectl::env::{Clock, Dns, Env, Ids};
use nodectl::platform::Platform;
use nodectl::sidecar::model::{PodSidecarScript, ScriptedSidecars, SidecarScript};
use nodectl::world::ApiServer;

/// The fixed wall clock of every environment built here.
pub const NOW: &str = "2026-01-01T00:00:00Z";

/// An empty cluster with default platform settings and scripted sidecars.
pub fn env() -> Env {
    Env {
        api: ApiServer::new(NOW),
        sidecars: Box::new(ScriptedSidecars::new(
            SidecarScript::default(),
            PodSidecarScript::default(),
        )),
        dns: Dns::default(),
        events: Vec::new(),
        ids: Ids::seeded("operator-deployment"),
        clock: Clock::parse(NOW).expect("valid clock"),
        platform: Platform::default(),
        jobs_complete: false,
    }
}

/// An environment whose gateway uses `domain` and `public_domain`.
pub fn env_with_domains(domain: &str, public_domain: &str) -> Env {
    let mut env = env();
    env.platform.gateway_domain = domain.into();
    env.platform.gateway_public_domain = public_domain.into();
    env
}

/// Stores a SeiNode in the cluster.
pub fn store_node(env: &mut Env, node: &SeiNode) {
    env.api
        .load(node.clone().with_type_meta().to_value())
        .expect("SeiNode loads");
}

/// Stores a SeiNodeDeployment in the cluster.
pub fn store_group(env: &mut Env, group: &SeiNodeDeployment) {
    env.api
        .load(group.clone().with_type_meta().to_value())
        .expect("SeiNodeDeployment loads");
}

/// The stored SeiNode, `None` when absent.
pub fn stored_node(env: &Env, namespace: &str, name: &str) -> Option<SeiNode> {
    env.api
        .get_opt(API_VERSION, SEINODE_KIND, namespace, name)
        .expect("get SeiNode")
        .map(|object| SeiNode::from_value(&object).expect("decodes"))
}

/// The stored SeiNodeDeployment.
pub fn stored_group(env: &Env, namespace: &str, name: &str) -> SeiNodeDeployment {
    let object = env
        .api
        .get(API_VERSION, SEINODEDEPLOYMENT_KIND, namespace, name)
        .expect("group stored");
    SeiNodeDeployment::from_value(&object).expect("decodes")
}

/// The operator's `newTestGroup`: three full nodes of pacific-1 restoring an S3
/// snapshot at 100000, sidecar on port 7777.
pub fn test_group(name: &str, namespace: &str) -> SeiNodeDeployment {
    SeiNodeDeployment::from_value(&json!({
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "replicas": 3,
            "template": {"spec": {
                "chainId": "pacific-1",
                "image": "ghcr.io/sei-protocol/seid:v1.0.0",
                "fullNode": {"snapshot": {"s3": {"targetHeight": 100000}}},
                "sidecar": {"port": 7777},
            }},
        },
    }))
    .expect("valid group")
}

/// A SeiNode built from its JSON parts.
pub fn node(metadata: Value, spec: Value, status: Value) -> SeiNode {
    SeiNode::from_value(&json!({"metadata": metadata, "spec": spec, "status": status}))
        .expect("valid SeiNode")
}

/// Sets a condition like the operator's `setCondition` (observedGeneration =
/// the group's generation).
pub fn set_condition(
    group: &mut SeiNodeDeployment,
    type_: &str,
    status: bool,
    reason: &str,
    message: &str,
) {
    let status = if status { "True" } else { "False" };
    let condition = Condition::new(type_, status, reason, message, group.generation());
    set_status_condition(&mut group.status.conditions, condition, NOW);
}

/// The condition of `type_`, which must be present.
pub fn condition<'a>(group: &'a SeiNodeDeployment, type_: &str) -> &'a Condition {
    find_condition(&group.status.conditions, type_)
        .unwrap_or_else(|| panic!("condition {type_} missing"))
}
