//! Label-peer resolution (`peers.go`): SeiNodes matching a label selector become
//! `status.resolvedPeers` DNS names.

use crate::api::{LabelPeerSource, SeiNode, API_VERSION, SEINODE_KIND};
use crate::env::Env;
use crate::world::json::get_str;

/// Recomputes `status.resolvedPeers`; returns whether it changed.
pub fn reconcile_peers(env: &Env, node: &mut SeiNode) -> Result<bool, String> {
    let mut resolved = Vec::new();
    for source in node.spec.peers.iter().filter_map(|p| p.label.as_ref()) {
        resolved.extend(resolve_label_peers(env, node, source)?);
    }
    resolved.sort();
    resolved.dedup();
    if resolved != node.status.resolved_peers {
        node.status.resolved_peers = resolved;
        return Ok(true);
    }
    Ok(false)
}

/// The DNS names of the SeiNodes a label source selects, excluding the node itself.
fn resolve_label_peers(
    env: &Env,
    node: &SeiNode,
    source: &LabelPeerSource,
) -> Result<Vec<String>, String> {
    let namespace = if source.namespace.is_empty() {
        node.namespace()
    } else {
        &source.namespace
    };
    let selector: Vec<(&str, &str)> = source
        .selector
        .iter()
        .flatten()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let peers = env
        .api
        .list(API_VERSION, SEINODE_KIND, Some(namespace), &selector)
        .map_err(|e| format!("listing peers by label: {e}"))?;
    Ok(peers
        .iter()
        .filter_map(|peer| {
            let name = get_str(peer, &["metadata", "name"])?;
            let peer_ns = get_str(peer, &["metadata", "namespace"]).unwrap_or("");
            let is_self = name == node.name() && peer_ns == node.namespace();
            (!is_self).then(|| format!("{name}-0.{name}.{peer_ns}.svc.cluster.local"))
        })
        .collect())
}
