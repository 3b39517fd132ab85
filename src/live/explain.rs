//! `explain` on a live cluster: the snapshot (one LIST per kind and namespace), the
//! chosen target, and for a SeiNode the real sidecar's view of its current task
//! (`GET /v0/tasks/{id}`, read-only). Only GETs are sent.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::attempt::RawRequest;
use super::client::Cluster;
use super::select::{self, LabelSelector};
use super::sidecar::SidecarRoute;
use super::snapshot::{self, Scope};
use crate::engine::plan::TargetRef;
use crate::explain::sidecar_view::{compare, is_sidecar_task, not_asked};
use crate::explain::{stored_current_task, SidecarTaskAnswer, SidecarView};
use crate::sidecar::SidecarError;

/// What `explain` read from the cluster.
pub struct LiveExplainInput {
    pub objects: Vec<Value>,
    /// Optional kinds the cluster serves (`group/version/Kind`).
    pub served_optional: Vec<String>,
    pub target: TargetRef,
    pub sidecar_view: SidecarView,
    /// Requests sent to the API server for the snapshot (discovery + LISTs).
    pub api_requests: usize,
    /// Requests sent to the sidecar (0 or 1).
    pub sidecar_requests: usize,
}

/// Reads the snapshot, selects `name` (exactly one target) and asks its sidecar.
pub async fn read(
    cluster: &Cluster,
    route: &SidecarRoute,
    scope: &Scope,
    selector: &LabelSelector,
    name: &str,
    now: DateTime<Utc>,
) -> Result<LiveExplainInput, String> {
    let snapshot = snapshot::read(cluster, scope).await?;
    let targets = select::select_targets(
        &snapshot.objects,
        std::slice::from_ref(&name.to_string()),
        scope,
        selector,
    )?;
    let target = match targets.as_slice() {
        [one] => one.clone(),
        [] => return Err(format!("{name}: the label selector matches no object")),
        many => {
            let names: Vec<String> = many.iter().map(TargetRef::to_string).collect();
            return Err(format!(
                "{name} matches several objects ({}); name one as KIND/NAMESPACE/NAME",
                names.join(", ")
            ));
        }
    };
    let object = snapshot
        .objects
        .iter()
        .find(|o| snapshot::identity(o) == identity_of(&target))
        .ok_or_else(|| format!("{target} vanished from the snapshot"))?;
    let (sidecar_view, sidecar_requests) = if target.kind == "SeiNode" {
        node_view(route, object, now).await
    } else {
        (group_view(&snapshot.objects, &target), 0)
    };
    Ok(LiveExplainInput {
        objects: snapshot.objects,
        served_optional: snapshot.served_optional,
        target,
        sidecar_view,
        api_requests: snapshot.requests,
        sidecar_requests,
    })
}

fn identity_of(t: &TargetRef) -> (String, (String, String)) {
    (t.kind.clone(), (t.namespace.clone(), t.name.clone()))
}

/// The sidecar URL of a SeiNode object as the operator builds it.
fn sidecar_url(node: &Value) -> String {
    match serde_json::from_value::<crate::api::SeiNode>(node.clone()) {
        Ok(n) => crate::resources::node_sidecar_url(&n),
        Err(_) => {
            let text = |p: &str| node.pointer(p).and_then(Value::as_str).unwrap_or("");
            crate::sidecar::sidecar_url(
                text("/metadata/name"),
                text("/metadata/namespace"),
                i64::from(crate::resources::DEFAULT_SIDECAR_PORT),
            )
        }
    }
}

/// Asks the node's sidecar about its current task, if that task runs there.
async fn node_view(route: &SidecarRoute, node: &Value, now: DateTime<Utc>) -> (SidecarView, usize) {
    let url = sidecar_url(node);
    let pod = match route {
        SidecarRoute::PodProxy(_) => {
            let name = node.pointer("/metadata/name").and_then(Value::as_str);
            format!("{}-0", name.unwrap_or(""))
        }
        SidecarRoute::Direct(c) => c.context.clone(),
    };
    let Some(task) = stored_current_task(node, now) else {
        let view = not_asked(
            &pod,
            None,
            "no current task in status.plan: nothing to ask the sidecar",
        );
        return (view, 0);
    };
    if !is_sidecar_task(&task) {
        let reason = format!(
            "{} runs in the controller, not on the sidecar: no sidecar request was sent",
            task.task_type
        );
        return (not_asked(&pod, Some(&task), &reason), 0);
    }
    let answer = route
        .send(&url, RawRequest::get(format!("/v0/tasks/{}", task.id)))
        .await;
    (compare(&pod, &task, classify(answer)), 1)
}

/// Reads a `GET /v0/tasks/{id}` answer like the seictl client.
fn classify(answer: Result<Value, SidecarError>) -> SidecarTaskAnswer {
    match answer {
        Ok(body) => match body.get("status").and_then(Value::as_str).unwrap_or("") {
            "completed" => SidecarTaskAnswer::Completed,
            "failed" => SidecarTaskAnswer::Failed(
                body.get("error")
                    .and_then(Value::as_str)
                    .filter(|e| !e.is_empty())
                    .unwrap_or("unknown error")
                    .to_string(),
            ),
            _ => SidecarTaskAnswer::Running,
        },
        Err(SidecarError::NotFound) => SidecarTaskAnswer::NotFound,
        Err(SidecarError::Unreachable(e)) => SidecarTaskAnswer::Unreachable(e),
        Err(SidecarError::Other(e)) => SidecarTaskAnswer::Error(e),
    }
}

/// A SeiNodeDeployment's tasks reach many sidecars: the view is node-only.
fn group_view(objects: &[Value], target: &TargetRef) -> SidecarView {
    let children: Vec<&str> = objects
        .iter()
        .filter(|o| {
            o.get("kind").and_then(Value::as_str) == Some("SeiNode")
                && o.pointer("/metadata/namespace").and_then(Value::as_str)
                    == Some(target.namespace.as_str())
                && o.pointer("/metadata/ownerReferences")
                    .and_then(Value::as_array)
                    .is_some_and(|refs| {
                        refs.iter().any(|r| {
                            r.get("kind").and_then(Value::as_str) == Some("SeiNodeDeployment")
                                && r.get("name").and_then(Value::as_str)
                                    == Some(target.name.as_str())
                        })
                    })
        })
        .filter_map(|o| o.pointer("/metadata/name").and_then(Value::as_str))
        .collect();
    let hint = match children.as_slice() {
        [] => String::new(),
        names => format!(" (children: {})", names.join(", ")),
    };
    not_asked(
        "",
        None,
        &format!("the sidecar view is node-only: explain a child with `nodectl explain seinode/NAME`{hint}"),
    )
}
