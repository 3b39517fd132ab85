//! Public networking of a group: the external Service, the HTTPRoutes, the DNS
//! readiness gate, `status.networkingStatus`, and the cleanup/orphaning of these
//! objects when networking is turned off or the group is deleted.

use serde_json::{json, Value};

use crate::api::{NetworkingStatus, OwnerReference, RouteStatus, SeiNodeDeployment};
use crate::env::Env;
use crate::world::{ApiError, DeleteOptions};

use super::conditions::{has_condition_reason, remove_condition, set_condition};
use super::{owner_refs_without, FIELD_MANAGER};
use crate::resources::labels::{
    controller_reference, external_service_name, group_selector, managed_by_annotations,
    GROUP_LABEL,
};

pub const HTTPROUTE_API_VERSION: &str = "gateway.networking.k8s.io/v1";
pub const HTTPROUTE_KIND: &str = "HTTPRoute";
pub const ROUTE_READY: &str = crate::api::condition_type::ROUTE_READY;
const CRD_NOT_INSTALLED: &str = "CRDNotInstalled";
const HTTPROUTE_READY: &str = "HTTPRouteReady";

/// sei-config's node modes as far as the group cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupMode {
    Full,
    Archive,
    Validator,
}

/// The group's mode: archive, then validator, else full (fullNode, replayer, none).
pub fn group_mode(group: &SeiNodeDeployment) -> GroupMode {
    let spec = &group.spec.template.spec;
    if spec.archive.is_some() {
        GroupMode::Archive
    } else if spec.validator.is_some() {
        GroupMode::Validator
    } else {
        GroupMode::Full
    }
}

/// sei-config `NodePortsForMode`, in its order.
pub fn ports_for_mode(mode: GroupMode) -> &'static [(&'static str, i64)] {
    match mode {
        GroupMode::Full | GroupMode::Archive => &[
            ("evm-rpc", 8545),
            ("evm-ws", 8546),
            ("grpc", 9090),
            ("rest", 1317),
            ("p2p", 26656),
            ("rpc", 26657),
            ("metrics", 26660),
        ],
        GroupMode::Validator => &[("p2p", 26656), ("metrics", 26660)],
    }
}

/// Route protocols in their fixed order, with the backend port.
const ROUTE_PROTOCOLS: [(&str, i64); 4] = [
    ("evm", 8545),
    ("rpc", 26657),
    ("rest", 1317),
    ("grpc", 9090),
];
const EVM_WS_PORT: i64 = 8546;

/// One public route of the group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectiveRoute {
    pub name: String,
    pub protocol: String,
    pub hostnames: Vec<String>,
    pub port: i64,
    /// The WebSocket backend port (evm only), 0 when absent.
    pub ws_port: i64,
}

/// Whether the route protocol `prefix` is served by a mode with `active_ports`:
/// `evm` needs the `evm-rpc` port, every other protocol the port of its own name.
pub fn is_protocol_active_for_mode(prefix: &str, active_ports: &[&str]) -> bool {
    let port = if prefix == "evm" { "evm-rpc" } else { prefix };
    active_ports.contains(&port)
}

/// The routes the group's mode exposes, with internal (and public) hostnames.
pub fn effective_routes(
    group: &SeiNodeDeployment,
    domain: &str,
    public_domain: &str,
) -> Vec<EffectiveRoute> {
    let ports: Vec<&str> = ports_for_mode(group_mode(group))
        .iter()
        .map(|(name, _)| *name)
        .collect();
    ROUTE_PROTOCOLS
        .iter()
        .filter(|(prefix, _)| is_protocol_active_for_mode(prefix, &ports))
        .map(|(prefix, port)| {
            let subdomain = format!("{}-{prefix}", group.name());
            let mut hostnames = vec![format!("{subdomain}.{domain}")];
            if !public_domain.is_empty() {
                hostnames.push(format!("{subdomain}.{}.{public_domain}", group.namespace()));
            }
            EffectiveRoute {
                name: subdomain,
                protocol: prefix.to_string(),
                hostnames,
                port: *port,
                ws_port: if *prefix == "evm" && ports.contains(&"evm-ws") {
                    EVM_WS_PORT
                } else {
                    0
                },
            }
        })
        .collect()
}

fn routes_for(env: &Env, group: &SeiNodeDeployment) -> Vec<EffectiveRoute> {
    effective_routes(
        group,
        &env.platform.gateway_domain,
        &env.platform.gateway_public_domain,
    )
}

/// The external Service as applied (server-side apply body, with type meta).
pub fn external_service(group: &SeiNodeDeployment) -> Value {
    let ports: Vec<Value> = ports_for_mode(group_mode(group))
        .iter()
        .map(|(name, port)| {
            let mut entry = json!({"name": name, "protocol": "TCP"});
            if *name == "grpc" {
                entry["appProtocol"] = json!("kubernetes.io/h2c");
            }
            entry["port"] = json!(port);
            entry["targetPort"] = json!(port);
            entry
        })
        .collect();
    json!({
        "kind": "Service",
        "apiVersion": "v1",
        "metadata": {
            "name": external_service_name(group),
            "namespace": group.namespace(),
            "labels": {GROUP_LABEL: group.name()},
            "ownerReferences": [controller_reference(group)],
        },
        "spec": {"ports": ports, "selector": group_selector(group), "type": "ClusterIP"},
        "status": {"loadBalancer": {}},
    })
}

/// The HTTPRoute of one effective route.
pub fn http_route(
    group: &SeiNodeDeployment,
    route: &EffectiveRoute,
    gateway_name: &str,
    gateway_namespace: &str,
) -> Value {
    let service = external_service_name(group);
    let mut rules = vec![json!({"backendRefs": [{"name": service, "port": route.port}]})];
    if route.ws_port != 0 {
        rules.push(json!({
            "matches": [{"headers": [{"type": "Exact", "name": "Upgrade", "value": "websocket"}]}],
            "backendRefs": [{"name": service, "port": route.ws_port}],
        }));
    }
    json!({
        "apiVersion": HTTPROUTE_API_VERSION,
        "kind": HTTPROUTE_KIND,
        "metadata": {
            "name": route.name,
            "namespace": group.namespace(),
            "labels": {GROUP_LABEL: group.name()},
            "annotations": managed_by_annotations(),
            "ownerReferences": [controller_reference(group)],
        },
        "spec": {
            "parentRefs": [{"name": gateway_name, "namespace": gateway_namespace}],
            "hostnames": route.hostnames,
            "rules": rules,
        },
    })
}

/// `status.networkingStatus`: every route × hostname; `None` without networking or routes.
pub fn networking_status(env: &Env, group: &SeiNodeDeployment) -> Option<NetworkingStatus> {
    group.spec.networking.as_ref()?;
    let routes: Vec<RouteStatus> = routes_for(env, group)
        .into_iter()
        .flat_map(|r| {
            let protocol = r.protocol;
            r.hostnames.into_iter().map(move |hostname| RouteStatus {
                hostname,
                protocol: protocol.clone(),
            })
        })
        .collect();
    (!routes.is_empty()).then_some(NetworkingStatus { routes })
}

/// The DNS gate: true without networking or routes, else whether the first
/// hostname of the first route resolves.
pub fn route_hostname_resolvable(env: &mut Env, group: &SeiNodeDeployment) -> bool {
    if group.spec.networking.is_none() {
        return true;
    }
    match routes_for(env, group)
        .first()
        .and_then(|r| r.hostnames.first())
    {
        Some(host) => {
            let host = host.clone();
            env.dns.resolves(&host)
        }
        None => true,
    }
}

/// Applies (or removes) the group's networking objects and sets `RouteReady`.
pub fn reconcile_networking(env: &mut Env, group: &mut SeiNodeDeployment) -> Result<(), String> {
    if group.spec.networking.is_none() {
        remove_condition(group, ROUTE_READY);
        return delete_networking_resources(env, group);
    }
    env.api
        .apply("v1", "Service", external_service(group), FIELD_MANAGER)
        .map_err(|e| format!("reconciling external service: {e}"))?;
    reconcile_routes(env, group).map_err(|e| format!("reconciling route: {e}"))
}

fn reconcile_routes(env: &mut Env, group: &mut SeiNodeDeployment) -> Result<(), String> {
    let routes = routes_for(env, group);
    if routes.is_empty() {
        remove_condition(group, ROUTE_READY);
        return delete_http_routes_by_label(env, group);
    }
    for route in &routes {
        let body = http_route(
            group,
            route,
            &env.platform.gateway_name,
            &env.platform.gateway_namespace,
        );
        match env
            .api
            .apply(HTTPROUTE_API_VERSION, HTTPROUTE_KIND, body, FIELD_MANAGER)
        {
            Err(e) if e.is_no_match() => {
                if !has_condition_reason(group, ROUTE_READY, CRD_NOT_INSTALLED) {
                    group_event(env, group, "Warning", CRD_NOT_INSTALLED,
                        "Gateway API CRD (HTTPRoute) is not installed; HTTPRoute will not be created");
                }
                set_condition(
                    env,
                    group,
                    ROUTE_READY,
                    false,
                    CRD_NOT_INSTALLED,
                    "Gateway API CRD (HTTPRoute) is not installed",
                );
                return Ok(());
            }
            Err(e) => return Err(format!("applying HTTPRoute {}: {e}", route.name)),
            Ok(_) => {}
        }
    }
    let desired: Vec<&str> = routes.iter().map(|r| r.name.as_str()).collect();
    delete_labelled_http_routes(env, group, |name| !desired.contains(&name), ORPHAN_CLEANUP)
        .map_err(|e| format!("cleaning up orphaned HTTPRoutes: {e}"))?;
    if !has_condition_reason(group, ROUTE_READY, HTTPROUTE_READY) {
        group_event(
            env,
            group,
            "Normal",
            HTTPROUTE_READY,
            "HTTPRoute reconciled successfully",
        );
    }
    let message = format!("{} HTTPRoute(s) reconciled successfully", routes.len());
    set_condition(env, group, ROUTE_READY, true, HTTPROUTE_READY, &message);
    Ok(())
}

fn group_event(env: &mut Env, group: &SeiNodeDeployment, kind: &str, reason: &str, message: &str) {
    super::group_event(env, group, kind, reason, message.to_string());
}

/// How a route cleanup words its errors: the list failure prefix and the noun
/// of a deleted route (the operator words its two cleanups differently).
struct CleanupWording {
    listing: &'static str,
    route: &'static str,
}

const FULL_CLEANUP: CleanupWording = CleanupWording {
    listing: "listing HTTPRoutes for deletion",
    route: "HTTPRoute",
};
const ORPHAN_CLEANUP: CleanupWording = CleanupWording {
    listing: "listing HTTPRoutes",
    route: "orphaned HTTPRoute",
};

/// Deletes every HTTPRoute labelled with the group.
fn delete_http_routes_by_label(env: &mut Env, group: &SeiNodeDeployment) -> Result<(), String> {
    delete_labelled_http_routes(env, group, |_| true, FULL_CLEANUP)
}

/// Deletes the labelled HTTPRoutes whose name passes `doomed` (a missing CRD is not an error).
fn delete_labelled_http_routes(
    env: &mut Env,
    group: &SeiNodeDeployment,
    doomed: impl Fn(&str) -> bool,
    wording: CleanupWording,
) -> Result<(), String> {
    let routes = match env.api.list(
        HTTPROUTE_API_VERSION,
        HTTPROUTE_KIND,
        Some(group.namespace()),
        &[(GROUP_LABEL, group.name())],
    ) {
        Err(e) if e.is_no_match() => return Ok(()),
        Err(e) => return Err(format!("{}: {e}", wording.listing)),
        Ok(routes) => routes,
    };
    for route in routes {
        let name = crate::world::json::get_str(&route, &["metadata", "name"])
            .unwrap_or_default()
            .to_string();
        if !doomed(&name) {
            continue;
        }
        match env.api.delete(
            HTTPROUTE_API_VERSION,
            HTTPROUTE_KIND,
            group.namespace(),
            &name,
            DeleteOptions::default(),
        ) {
            Err(e) if !e.is_not_found() => {
                return Err(format!("deleting {} {name}: {e}", wording.route))
            }
            _ => {}
        }
    }
    Ok(())
}

/// Deletes the external Service (when it exists) and every labelled HTTPRoute.
pub fn delete_networking_resources(env: &mut Env, group: &SeiNodeDeployment) -> Result<(), String> {
    let service = external_service_name(group);
    let found = env
        .api
        .get_opt("v1", "Service", group.namespace(), &service)
        .map_err(|e| format!("fetching external Service for deletion: {e}"))?;
    if found.is_some() {
        match env.api.delete(
            "v1",
            "Service",
            group.namespace(),
            &service,
            DeleteOptions::default(),
        ) {
            Err(e) if !e.is_not_found() => return Err(e.to_string()),
            _ => {}
        }
    }
    delete_http_routes_by_label(env, group).map_err(|e| format!("deleting HTTPRoutes: {e}"))
}

/// Removes the group's owner reference from the external Service, the HTTPRoutes
/// and the ServiceMonitors (Retain deletion policy).
pub fn orphan_networking_resources(env: &mut Env, group: &SeiNodeDeployment) -> Result<(), String> {
    let service = external_service_name(group);
    match env.api.get("v1", "Service", group.namespace(), &service) {
        Ok(object) => remove_owner_ref(env, "v1", "Service", &object, group, true)
            .map_err(|e| format!("orphaning external Service: {e}"))?,
        Err(e) if e.is_not_found() => {}
        Err(e) => return Err(format!("fetching external Service for orphan: {e}")),
    }
    for (api_version, kind) in [
        (HTTPROUTE_API_VERSION, HTTPROUTE_KIND),
        (
            super::monitoring::SERVICE_MONITOR_API_VERSION,
            super::monitoring::SERVICE_MONITOR_KIND,
        ),
    ] {
        let objects = match env.api.list(
            api_version,
            kind,
            Some(group.namespace()),
            &[(GROUP_LABEL, group.name())],
        ) {
            Err(e) if e.is_no_match() => continue,
            Err(e) => return Err(format!("listing {kind} for orphan: {e}")),
            Ok(objects) => objects,
        };
        for object in objects {
            let name = crate::world::json::get_str(&object, &["metadata", "name"])
                .unwrap_or_default()
                .to_string();
            remove_owner_ref(env, api_version, kind, &object, group, false)
                .map_err(|e| format!("orphaning {kind} {name}: {e}"))?;
        }
    }
    Ok(())
}

/// Merge-patches away every owner reference to `group`. Typed objects send an
/// emptied list as `null`, unstructured ones as `[]`.
pub fn remove_owner_ref(
    env: &mut Env,
    api_version: &str,
    kind: &str,
    object: &Value,
    group: &SeiNodeDeployment,
    typed: bool,
) -> Result<(), ApiError> {
    let refs: Vec<OwnerReference> = object
        .pointer("/metadata/ownerReferences")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default();
    let Some(remaining) = owner_refs_without(&refs, group) else {
        return Ok(());
    };
    let value = if remaining.is_empty() && typed {
        Value::Null
    } else {
        json!(remaining)
    };
    let namespace = crate::world::json::get_str(object, &["metadata", "namespace"])
        .unwrap_or_default()
        .to_string();
    let name = crate::world::json::get_str(object, &["metadata", "name"])
        .unwrap_or_default()
        .to_string();
    let patch = json!({"metadata": {"ownerReferences": value}});
    env.api
        .merge_patch(api_version, kind, &namespace, &name, patch, false)
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(mode: &str) -> SeiNodeDeployment {
        SeiNodeDeployment::from_value(&json!({
            "metadata": {"name": "g", "namespace": "ns", "uid": "u1"},
            "spec": {"replicas": 1, "template": {"spec": {"chainId": "c", "image": "i", mode: {}}},
                     "updateStrategy": {"type": "InPlace"}, "networking": {}}
        }))
        .unwrap()
    }

    #[test]
    fn full_mode_has_seven_ports_and_four_routes() {
        let g = group("fullNode");
        let svc = external_service(&g);
        let names: Vec<&str> = svc["spec"]["ports"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            ["evm-rpc", "evm-ws", "grpc", "rest", "p2p", "rpc", "metrics"]
        );
        assert_eq!(svc["spec"]["ports"][2]["appProtocol"], "kubernetes.io/h2c");
        assert_eq!(svc["metadata"]["name"], "g-external");
        let routes = effective_routes(&g, "d.io", "pub.io");
        let protos: Vec<&str> = routes.iter().map(|r| r.protocol.as_str()).collect();
        assert_eq!(protos, ["evm", "rpc", "rest", "grpc"]);
        assert_eq!(routes[0].hostnames, ["g-evm.d.io", "g-evm.ns.pub.io"]);
        assert_eq!(
            (routes[0].port, routes[0].ws_port, routes[1].ws_port),
            (8545, 8546, 0)
        );
    }

    #[test]
    fn validator_mode_has_no_routes() {
        let g = group("validator");
        assert!(effective_routes(&g, "d.io", "").is_empty());
        let svc = external_service(&g);
        assert_eq!(svc["spec"]["ports"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn evm_route_has_websocket_rule() {
        let g = group("archive");
        let routes = effective_routes(&g, "d.io", "");
        assert_eq!(routes[0].hostnames, ["g-evm.d.io"]);
        let route = http_route(&g, &routes[0], "gw", "gw-ns");
        assert_eq!(route["spec"]["rules"].as_array().unwrap().len(), 2);
        assert_eq!(route["spec"]["rules"][1]["backendRefs"][0]["port"], 8546);
        assert_eq!(
            route["spec"]["parentRefs"],
            json!([{"name": "gw", "namespace": "gw-ns"}])
        );
        assert_eq!(
            route["metadata"]["annotations"]["sei.io/managed-by"],
            "seinodedeployment"
        );
        let rpc = http_route(&g, &routes[1], "gw", "gw-ns");
        assert_eq!(
            rpc["spec"]["rules"],
            json!([{"backendRefs": [{"name": "g-external", "port": 26657}]}])
        );
    }
}
