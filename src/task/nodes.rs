//! Helpers the controller-side group tasks share (await-nodes-running,
//! collect-and-set-peers, the rollout and the fork exporter): params decoding and
//! reading a child SeiNode and its sidecar client.

use serde::de::DeserializeOwned;

use super::{decode_params, GoParams};
use crate::api::{SeiNode, API_VERSION, SEINODE_KIND};
use crate::env::Env;
use crate::resources::node_sidecar_url;

/// Implements [`GoParams`] for a group-task params struct.
macro_rules! group_params {
    ($ty:ident, [$(($field:literal, $kind:ident $(($elem:literal))?)),* $(,)?]) => {
        impl GoParams for $ty {
            const GO_NAME: &'static str = stringify!($ty);
            const FIELDS: &'static [(&'static str, GoKind)] =
                &[$(($field, GoKind::$kind $(($elem))?)),*];
        }
    };
}
pub(crate) use group_params;

/// Decodes a controller-side task's params, wrapping errors as the operator does.
pub fn task_params<P: GoParams + DeserializeOwned + Default>(
    task_type: &str,
    params: Option<&serde_json::Value>,
) -> Result<P, String> {
    decode_params(params).map_err(|e| format!("deserializing {task_type} params: {e}"))
}

/// Gets a SeiNode by name as the typed client returns it.
pub fn get_node(env: &Env, namespace: &str, name: &str) -> Result<SeiNode, crate::world::ApiError> {
    let object = env.api.get(API_VERSION, SEINODE_KIND, namespace, name)?;
    let mut node = SeiNode::from_value(&object).unwrap_or_default();
    node.kind = None;
    node.api_version = None;
    Ok(node)
}

/// Gets a node and the URL of its sidecar; a failed read is reported as text.
///
/// Group tasks make their client from the node's pod DNS name
/// (`sidecarClientForNode`), which never fails, so the execution config's client
/// builder (and the scenario's `buildError`, PARITY.md §2.1) is not consulted here.
pub fn node_client(
    env: &mut Env,
    namespace: &str,
    name: &str,
) -> Result<(SeiNode, String), String> {
    let node = get_node(env, namespace, name).map_err(|e| format!("getting node {name}: {e}"))?;
    let url = node_sidecar_url(&node);
    Ok((node, url))
}

/// controller-runtime v0.23.1 `validateOwner`, the check `SetControllerReference`
/// makes before it adds the reference: a namespaced owner must share the
/// object's namespace.
pub fn validate_owner(owner_namespace: &str, object_namespace: &str) -> Result<(), String> {
    if owner_namespace.is_empty() {
        return Ok(());
    }
    if object_namespace.is_empty() {
        return Err(format!(
            "cluster-scoped resource must not have a namespace-scoped owner, owner's namespace {owner_namespace}"
        ));
    }
    if owner_namespace != object_namespace {
        return Err(format!(
            "cross-namespace owner references are disallowed, owner's namespace {owner_namespace}, obj's namespace {object_namespace}"
        ));
    }
    Ok(())
}
