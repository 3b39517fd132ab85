//! The SeiNodeDeployment reconciler: finalizer, deletion (Delete / Retain),
//! networking before nodes behind the DNS gate, child SeiNodes, group plans,
//! monitoring, and one optimistic-locked status patch per reconcile.

pub mod conditions;
pub mod monitoring;
pub mod networking;
pub mod nodes;
pub mod plan;
pub mod status;

use std::time::Duration;

use serde_json::Value;

use crate::api::{
    deletion_policy, group_phase, OwnerReference, SeiNodeDeployment, API_VERSION,
    SEINODEDEPLOYMENT_KIND,
};
use crate::env::{Env, ReconcileOutcome, Requeue};
use crate::world::json::create_merge_patch;

use crate::resources::labels::is_controlled_by;

/// Finalizer guarding the group's cleanup.
pub const FINALIZER: &str = "sei.io/seinodedeployment-finalizer";
/// Field manager of every server-side apply of this controller.
pub const FIELD_MANAGER: &str = "seinodedeployment-controller";

const STEADY_POLL: Duration = Duration::from_secs(30);
const DNS_PENDING_POLL: Duration = Duration::from_secs(10);

/// Records an event on the group.
pub fn group_event(
    env: &mut Env,
    group: &SeiNodeDeployment,
    event_type: &str,
    reason: &str,
    message: String,
) {
    env.event(
        SEINODEDEPLOYMENT_KIND,
        group.namespace(),
        group.name(),
        event_type,
        reason,
        message,
    );
}

/// Decodes a stored group as the typed client returns it (no type meta).
pub fn decode_group(object: &Value) -> Result<SeiNodeDeployment, String> {
    let mut group = SeiNodeDeployment::from_value(object)
        .map_err(|e| format!("decoding SeiNodeDeployment: {e}"))?;
    group.kind = None;
    group.api_version = None;
    Ok(group)
}

/// `refs` without the references to `group`; `None` when none pointed at it.
pub fn owner_refs_without(
    refs: &[OwnerReference],
    group: &SeiNodeDeployment,
) -> Option<Vec<OwnerReference>> {
    let kept: Vec<OwnerReference> = refs
        .iter()
        .filter(|r| r.uid != group.uid())
        .cloned()
        .collect();
    (kept.len() != refs.len()).then_some(kept)
}

/// Reconciles one SeiNodeDeployment.
pub fn reconcile(env: &mut Env, namespace: &str, name: &str) -> ReconcileOutcome {
    let mut group = match env
        .api
        .get_opt(API_VERSION, SEINODEDEPLOYMENT_KIND, namespace, name)
    {
        Ok(None) => return ReconcileOutcome::ok(Requeue::NONE),
        Err(e) => return ReconcileOutcome::err(Requeue::NONE, e.to_string()),
        Ok(Some(object)) => match decode_group(&object) {
            Ok(group) => group,
            Err(e) => return ReconcileOutcome::err(Requeue::NONE, e),
        },
    };
    let result = if group.is_deleting() {
        handle_deletion(env, &mut group)
    } else {
        reconcile_live(env, &mut group)
    };
    match result {
        Ok(requeue) => ReconcileOutcome::ok(requeue),
        Err(e) => ReconcileOutcome::err(Requeue::NONE, e),
    }
}

/// Merge-patches the main resource from `base` to `group` (no lock); the response
/// replaces `group`.
fn patch_main(env: &mut Env, group: &mut SeiNodeDeployment, base: &Value) -> Result<(), String> {
    let patch = create_merge_patch(base, &group.to_value());
    let stored = env
        .api
        .merge_patch(
            API_VERSION,
            SEINODEDEPLOYMENT_KIND,
            group.namespace(),
            group.name(),
            patch,
            false,
        )
        .map_err(|e| e.to_string())?;
    *group = decode_group(&stored)?;
    Ok(())
}

fn reconcile_live(env: &mut Env, group: &mut SeiNodeDeployment) -> Result<Requeue, String> {
    if !group.has_finalizer(FINALIZER) {
        let base = group.to_value();
        group.add_finalizer(FINALIZER);
        patch_main(env, group, &base)?;
    }
    let status_base = group.to_value();

    networking::reconcile_networking(env, group)
        .map_err(|e| format!("reconciling networking: {e}"))?;

    if !networking::route_hostname_resolvable(env, group) {
        conditions::set_condition(
            env,
            group,
            networking::ROUTE_READY,
            false,
            "DNSPending",
            "Waiting for route hostname to resolve in DNS",
        );
        status::update_status(env, group, &status_base)
            .map_err(|e| format!("updating status: {e}"))?;
        return Ok(Requeue::after(DNS_PENDING_POLL));
    }

    nodes::reconcile_seinodes(env, group).map_err(|e| format!("reconciling SeiNodes: {e}"))?;

    let plan_result =
        plan::reconcile_plan(env, group).map_err(|e| format!("reconciling plan: {e}"))?;
    if !plan_result.after.is_zero() {
        status::update_status(env, group, &status_base)
            .map_err(|e| format!("updating status: {e}"))?;
        return Ok(plan_result);
    }

    monitoring::reconcile_monitoring(env, group)
        .map_err(|e| format!("reconciling monitoring: {e}"))?;
    status::update_status(env, group, &status_base).map_err(|e| format!("updating status: {e}"))?;
    Ok(Requeue::after(STEADY_POLL))
}

/// Deletion: mark Terminating, orphan (Retain) or clean up networking (Delete),
/// then drop the finalizer.
fn handle_deletion(env: &mut Env, group: &mut SeiNodeDeployment) -> Result<Requeue, String> {
    if !group.has_finalizer(FINALIZER) {
        return Ok(Requeue::NONE);
    }
    let base = group.to_value();
    group.status.phase = group_phase::TERMINATING.into();
    status::patch_status(env, group, &base, false)
        .map_err(|e| format!("setting terminating status: {e}"))?;

    if group.spec.deletion_policy == deletion_policy::RETAIN {
        group_event(
            env,
            group,
            "Normal",
            "RetainResources",
            "Orphaning child SeiNodes and networking resources".into(),
        );
        orphan_child_seinodes(env, group).map_err(|e| format!("orphaning child SeiNodes: {e}"))?;
        networking::orphan_networking_resources(env, group)
            .map_err(|e| format!("orphaning networking resources: {e}"))?;
    } else if let Err(e) = networking::delete_networking_resources(env, group) {
        group_event(
            env,
            group,
            "Warning",
            "DeleteFailed",
            format!("Failed to clean up networking resources: {e}"),
        );
        return Err(format!("cleaning up networking: {e}"));
    }

    let base = group.to_value();
    group.remove_finalizer(FINALIZER);
    patch_main(env, group, &base)?;
    Ok(Requeue::NONE)
}

fn orphan_child_seinodes(env: &mut Env, group: &SeiNodeDeployment) -> Result<(), String> {
    for node in nodes::list_child_seinodes(env, group)? {
        debug_assert!(is_controlled_by(&node.metadata.owner_references, group));
        networking::remove_owner_ref(
            env,
            API_VERSION,
            crate::api::SEINODE_KIND,
            &node.to_value(),
            group,
            true,
        )
        .map_err(|e| format!("orphaning SeiNode {}: {e}", node.metadata.name))?;
    }
    Ok(())
}
