//! The SeiNode reconciler (`internal/controller/node`): finalizer, deletion,
//! label peers, plan resolution and execution, image observation, and one status
//! merge patch per reconcile.

mod peers;

use std::time::Duration;

use serde_json::Value;

use crate::api::{node_phase, task_plan_phase, SeiNode, API_VERSION, SEINODE_KIND};
use crate::env::{Env, ReconcileOutcome, Requeue};
use crate::planner::{self, PlanOwner};
use crate::resources;
use crate::world::json::{create_merge_patch, ensure_object, get_path};
use crate::world::DeleteOptions;

pub use peers::reconcile_peers;

/// The SeiNode controller's finalizer.
pub const FINALIZER: &str = "sei.io/seinode-finalizer";
/// Requeue interval of a Running node without an active plan.
pub const STATUS_POLL_INTERVAL: Duration = Duration::from_secs(30);

/// Reconciles one SeiNode.
pub fn reconcile(env: &mut Env, namespace: &str, name: &str) -> ReconcileOutcome {
    match reconcile_node(env, namespace, name) {
        Ok(result) => ReconcileOutcome::ok(result),
        Err(error) => ReconcileOutcome::err(Requeue::NONE, error),
    }
}

/// Decodes a stored SeiNode as controller-runtime's typed client holds it (no type meta).
fn decode(value: &Value) -> Result<SeiNode, String> {
    let mut node = SeiNode::from_value(value).map_err(|e| e.to_string())?;
    node.kind = None;
    node.api_version = None;
    Ok(node)
}

fn reconcile_node(env: &mut Env, namespace: &str, name: &str) -> Result<Requeue, String> {
    let stored = match env.api.get_opt(API_VERSION, SEINODE_KIND, namespace, name) {
        Ok(Some(stored)) => stored,
        Ok(None) => return Ok(Requeue::NONE),
        Err(e) => return Err(e.to_string()),
    };
    let mut node = decode(&stored)?;
    if node.is_deleting() {
        return handle_deletion(env, node);
    }
    if !node.has_finalizer(FINALIZER) {
        node.add_finalizer(FINALIZER);
        let response = env
            .api
            .update(API_VERSION, SEINODE_KIND, node.to_value(), false)
            .map_err(|e| e.to_string())?;
        node = decode(&response)?;
    }
    if node.status.phase == node_phase::FAILED {
        env.event(
            SEINODE_KIND,
            namespace,
            name,
            "Warning",
            "NodeFailed",
            "SeiNode is in Failed state. Delete and recreate the resource to retry.".to_string(),
        );
        return Ok(Requeue::NONE);
    }

    let base = node.clone();
    let observed_phase = node.status.phase.clone();
    let mut status_dirty =
        reconcile_peers(env, &mut node).map_err(|e| format!("reconciling peers: {e}"))?;

    let plan_already_active = has_active_plan(&node);
    planner::resolve_plan(env, &mut node).map_err(|e| format!("resolving plan: {e}"))?;

    let mut result = Requeue::NONE;
    if has_active_plan(&node) {
        let sidecar = Ok(resources::node_sidecar_url(&node));
        result = planner::execute_plan(env, &mut PlanOwner::Node(&mut node), &sidecar)?;
        status_dirty = true;
    }
    if !plan_already_active && node.status.plan.is_some() {
        status_dirty = true;
    }
    if node.status.phase == node_phase::RUNNING && observe_current_image(env, &mut node)? {
        status_dirty = true;
    }
    if status_dirty {
        patch_status(env, &base, &node).map_err(|e| format!("flushing status: {e}"))?;
    }

    if node.status.phase != observed_phase {
        env.event(
            SEINODE_KIND,
            namespace,
            name,
            "Normal",
            "PhaseTransition",
            format!(
                "Phase changed from {observed_phase} to {}",
                node.status.phase
            ),
        );
    }
    if node.status.phase == node_phase::RUNNING && !has_active_plan(&node) {
        return Ok(Requeue::after(STATUS_POLL_INTERVAL));
    }
    Ok(result)
}

fn has_active_plan(node: &SeiNode) -> bool {
    node.status
        .plan
        .as_ref()
        .is_some_and(|p| p.phase == task_plan_phase::ACTIVE)
}

/// Merge-patches the status from `base` to `node`, locked on the base's resourceVersion.
/// Returns the stored object.
fn patch_status(
    env: &mut Env,
    base: &SeiNode,
    node: &SeiNode,
) -> Result<std::sync::Arc<Value>, String> {
    let mut patch = if base.kind == node.kind
        && base.api_version == node.api_version
        && base.metadata == node.metadata
        && base.spec == node.spec
    {
        // Only the status can differ: the patch of the whole objects is that of their
        // statuses, without encoding the rest twice.
        let status = |n: &SeiNode| serde_json::json!({ "status": n.status });
        create_merge_patch(&status(base), &status(node))
    } else {
        create_merge_patch(&base.to_value(), &node.to_value())
    };
    if !patch.is_object() {
        patch = Value::Object(Default::default());
    }
    ensure_object(&mut patch, &["metadata"]).insert(
        "resourceVersion".to_string(),
        Value::String(base.metadata.resource_version.clone()),
    );
    env.api
        .merge_patch(
            API_VERSION,
            SEINODE_KIND,
            node.namespace(),
            node.name(),
            patch,
            true,
        )
        .map_err(|e| e.to_string())
}

/// Stamps `status.currentImage` once the StatefulSet has rolled out the spec;
/// returns whether it changed.
pub fn observe_current_image(env: &Env, node: &mut SeiNode) -> Result<bool, String> {
    let sts = match env
        .api
        .get_opt("apps/v1", "StatefulSet", node.namespace(), node.name())
    {
        Ok(Some(sts)) => sts,
        Ok(None) => return Ok(false),
        Err(e) => return Err(format!("observing current image: {e}")),
    };
    let int_at = |path: &[&str]| get_path(&sts, path).and_then(Value::as_i64);
    let observed_generation = int_at(&["status", "observedGeneration"]).unwrap_or(0);
    let generation = int_at(&["metadata", "generation"]).unwrap_or(0);
    if observed_generation < generation {
        return Ok(false);
    }
    let Some(replicas) = int_at(&["spec", "replicas"]) else {
        return Ok(false);
    };
    if int_at(&["status", "updatedReplicas"]).unwrap_or(0) < replicas {
        return Ok(false);
    }
    if node.status.current_image != node.spec.image {
        node.status.current_image = node.spec.image.clone();
        return Ok(true);
    }
    Ok(false)
}

/// Deletion: mark Terminating, delete the data PVC, drop the finalizer.
fn handle_deletion(env: &mut Env, mut node: SeiNode) -> Result<Requeue, String> {
    if !node.has_finalizer(FINALIZER) {
        return Ok(Requeue::NONE);
    }
    let base = node.clone();
    node.status.phase = node_phase::TERMINATING.to_string();
    let response =
        patch_status(env, &base, &node).map_err(|e| format!("setting terminating status: {e}"))?;
    node = decode(&response)?;

    let pvc_name = resources::data_pvc_name(&node);
    let pvc = env
        .api
        .get_opt("v1", "PersistentVolumeClaim", node.namespace(), &pvc_name)
        .map_err(|e| format!("deleting data PVC: {e}"))?;
    if pvc.is_some() {
        env.api
            .delete(
                "v1",
                "PersistentVolumeClaim",
                node.namespace(),
                &pvc_name,
                DeleteOptions::default(),
            )
            .map_err(|e| format!("deleting data PVC: {e}"))?;
    }

    node.remove_finalizer(FINALIZER);
    env.api
        .update(API_VERSION, SEINODE_KIND, node.to_value(), false)
        .map_err(|e| e.to_string())?;
    Ok(Requeue::NONE)
}
