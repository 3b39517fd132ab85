//! Label-peer resolution (`peers.go`): SeiNodes matching a label selector become
//! `status.resolvedPeers` DNS names.

use crate::api::{LabelPeerSource, SeiNode, API_VERSION, SEINODE_KIND};
use crate::env::Env;

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
    // Only the peers' identities are needed: listed by name, no peer object is read.
    let peers = env
        .api
        .list_names(API_VERSION, SEINODE_KIND, Some(namespace), &selector)
        .map_err(|e| format!("listing peers by label: {e}"))?;
    Ok(peers
        .iter()
        .filter(|(peer_ns, name)| !(name == node.name() && peer_ns == node.namespace()))
        .map(|(peer_ns, name)| format!("{name}-0.{name}.{peer_ns}.svc.cluster.local"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::{Clock, Dns, Ids};
    use crate::platform::Platform;
    use crate::sidecar::model::ScriptedSidecars;
    use crate::world::ApiServer;
    use serde_json::{json, Value};

    fn seinode(name: &str, ns: &str, labels: Value, peers: Value) -> Value {
        json!({"apiVersion": API_VERSION, "kind": SEINODE_KIND,
               "metadata": {"name": name, "namespace": ns, "labels": labels},
               "spec": {"chainId": "c", "image": "i", "fullNode": {}, "peers": peers}})
    }

    #[test]
    fn label_peers_are_sorted_deduplicated_and_exclude_self() {
        let mut api = ApiServer::new("2026-01-01T00:00:00Z");
        let by_role = json!({"label": {"selector": {"role": "rpc"}}});
        let by_chain = json!({"label": {"selector": {"chain": "c"}}});
        let me = seinode(
            "b",
            "default",
            json!({"role": "rpc", "chain": "c"}),
            json!([by_role, by_chain]),
        );
        for object in [
            me.clone(),
            seinode(
                "a",
                "default",
                json!({"role": "rpc", "chain": "c"}),
                json!([]),
            ),
            seinode("c", "default", json!({"chain": "c"}), json!([])),
            seinode("a", "other", json!({"role": "rpc"}), json!([])),
        ] {
            api.load(object).expect("loads");
        }
        let env = Env {
            api,
            sidecars: Box::new(ScriptedSidecars::default()),
            dns: Dns::default(),
            events: Vec::new(),
            ids: Ids::seeded("0"),
            clock: Clock::parse("2026-01-01T00:00:00Z").expect("time"),
            platform: Platform::default(),
            jobs_complete: false,
        };
        let mut node = SeiNode::from_value(&me).expect("node");
        assert_eq!(reconcile_peers(&env, &mut node), Ok(true));
        assert_eq!(
            node.status.resolved_peers,
            [
                "a-0.a.default.svc.cluster.local",
                "c-0.c.default.svc.cluster.local"
            ]
        );
        assert_eq!(reconcile_peers(&env, &mut node), Ok(false));
    }
}
