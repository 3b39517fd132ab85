//! Ports of the operator's SeiNodeDeployment controller unit tests
//! (`internal/controller/nodedeployment/{monitoring,networking,route_resolvable,
//! status,predicates}_test.go` at 86fc035): the ServiceMonitor, the external
//! Service, routes and HTTPRoutes, the DNS gate, the group phase and the
//! networking status. Each test is named after the Go test it ports; child
//! SeiNodes and plans are in `operator_deployment_nodes.rs`, planners and
//! tasks in `operator_deployment_tasks.rs`.
//!
//! Not ported: `TestChildPhaseChangedPredicate_Update` and
//! `TestChildPhaseChangedPredicate_CreateDelete` check the controller-runtime
//! watch predicate on owned SeiNodes. nodectl has no watches: reconciles are
//! driven explicitly (by count or until settled), so the predicate has no
//! observable counterpart.

mod support {
    pub mod operator_deployment;
}

use std::collections::BTreeSet;

use serde_json::{json, Value};

use nodectl::api::condition_type::{PLAN_IN_PROGRESS, ROLLOUT_IN_PROGRESS};
use nodectl::api::{
    group_phase, ArchiveSpec, MonitoringConfig, NetworkingConfig, RolloutStatus, SeiNode,
    SeiNodeDeployment, ServiceMonitorConfig, StringMap, ValidatorSpec,
};
use nodectl::controller::deployment::monitoring::service_monitor;
use nodectl::controller::deployment::networking::{
    effective_routes, external_service, http_route, is_protocol_active_for_mode, networking_status,
    route_hostname_resolvable, EffectiveRoute,
};
use nodectl::controller::deployment::status::compute_group_phase;
use nodectl::resources::labels::GROUP_LABEL;

use support::operator_deployment::{env_with_domains, node, set_condition, test_group};

const PROD_DOMAIN: &str = "prod.platform.sei.io";
const PUBLIC_DOMAIN: &str = "platform.sei.io";

fn networked(name: &str, namespace: &str) -> SeiNodeDeployment {
    let mut group = test_group(name, namespace);
    group.spec.networking = Some(NetworkingConfig {});
    group
}

fn validator_group(name: &str, namespace: &str) -> SeiNodeDeployment {
    let mut group = test_group(name, namespace);
    group.spec.template.spec.full_node = None;
    group.spec.template.spec.validator = Some(ValidatorSpec::default());
    group
}

fn with_service_monitor(config: ServiceMonitorConfig) -> SeiNodeDeployment {
    let mut group = test_group("archive-rpc", "sei");
    group.spec.monitoring = Some(MonitoringConfig {
        service_monitor: Some(config),
    });
    group
}

fn port_names(service: &Value) -> Vec<&str> {
    service["spec"]["ports"]
        .as_array()
        .expect("ports")
        .iter()
        .map(|p| p["name"].as_str().expect("port name"))
        .collect()
}

fn sorted<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut names: Vec<&str> = names.into_iter().collect();
    names.sort_unstable();
    names
}

fn prod_routes(group: &SeiNodeDeployment) -> Vec<EffectiveRoute> {
    effective_routes(group, PROD_DOMAIN, PUBLIC_DOMAIN)
}

fn route_named(routes: &[EffectiveRoute], name: &str) -> EffectiveRoute {
    routes
        .iter()
        .find(|r| r.name == name)
        .cloned()
        .unwrap_or_else(|| panic!("route {name} missing"))
}

fn first_backend(route: &Value) -> &Value {
    &route["spec"]["rules"][0]["backendRefs"][0]
}

// ------------------------------------------------------------------ monitoring

#[test]
fn generate_service_monitor_basic_fields() {
    let group = with_service_monitor(ServiceMonitorConfig {
        interval: "15s".into(),
        ..Default::default()
    });
    let config = group
        .spec
        .monitoring
        .clone()
        .unwrap()
        .service_monitor
        .unwrap();

    let sm = service_monitor(&group, &config);

    assert_eq!(sm["metadata"]["name"], "archive-rpc");
    assert_eq!(sm["metadata"]["namespace"], "sei");
    assert_eq!(
        sm["spec"]["selector"]["matchLabels"][GROUP_LABEL],
        "archive-rpc"
    );
    let endpoints = sm["spec"]["endpoints"].as_array().expect("endpoints");
    assert_eq!(endpoints.len(), 1);
    assert_eq!(endpoints[0]["port"], "metrics");
    assert_eq!(endpoints[0]["interval"], "15s");
}

#[test]
fn generate_service_monitor_default_interval() {
    let group = with_service_monitor(ServiceMonitorConfig::default());

    let sm = service_monitor(&group, &ServiceMonitorConfig::default());

    let endpoint = &sm["spec"]["endpoints"][0];
    assert_eq!(endpoint["port"], "metrics");
    assert_eq!(endpoint["interval"], "30s");
}

#[test]
fn generate_service_monitor_custom_labels() {
    let config = ServiceMonitorConfig {
        labels: StringMap::from([("release".into(), "prometheus".into())]),
        ..Default::default()
    };
    let group = with_service_monitor(config.clone());

    let sm = service_monitor(&group, &config);

    let labels = &sm["metadata"]["labels"];
    assert_eq!(labels["release"], "prometheus");
    assert_eq!(labels[GROUP_LABEL], "archive-rpc");
}

// ------------------------------------------------------------ external Service

#[test]
fn generate_external_service_basic_fields() {
    let group = networked("pacific-1-wave", "pacific-1");

    let svc = external_service(&group);

    assert_eq!(svc["metadata"]["name"], "pacific-1-wave-external");
    assert_eq!(svc["metadata"]["namespace"], "pacific-1");
    assert_eq!(svc["metadata"]["labels"][GROUP_LABEL], "pacific-1-wave");
    assert_eq!(svc["spec"]["type"], "ClusterIP");
    assert_eq!(svc["spec"]["selector"][GROUP_LABEL], "pacific-1-wave");
}

#[test]
fn generate_external_service_all_ports_for_full_mode() {
    let group = networked("pacific-1-wave", "pacific-1");

    let svc = external_service(&group);

    let names = port_names(&svc);
    assert_eq!(names.len(), 7);
    assert_eq!(
        sorted(names),
        sorted(["evm-rpc", "evm-ws", "grpc", "rest", "p2p", "rpc", "metrics"])
    );
}

#[test]
fn generate_external_service_validator_mode_ports() {
    // The operator's test adds a validator sub-spec next to the fullNode one;
    // the validator mode wins.
    let mut group = networked("pacific-1-val", "pacific-1");
    group.spec.template.spec.validator = Some(ValidatorSpec::default());

    let svc = external_service(&group);

    let names = port_names(&svc);
    assert_eq!(names.len(), 2);
    assert_eq!(sorted(names), sorted(["p2p", "metrics"]));
}

#[test]
fn generate_external_service_grpc_app_protocol() {
    let group = networked("pacific-1-wave", "pacific-1");

    let svc = external_service(&group);

    let grpc = svc["spec"]["ports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "grpc")
        .expect("grpc port not found");
    assert_eq!(grpc["appProtocol"], "kubernetes.io/h2c");
}

#[test]
fn generate_external_service_always_cluster_ip() {
    let group = networked("pacific-1-wave", "pacific-1");

    let svc = external_service(&group);

    assert_eq!(svc["spec"]["type"], "ClusterIP");
    let annotations = &svc["metadata"]["annotations"];
    assert!(
        annotations.is_null() || annotations.as_object().is_some_and(|a| a.is_empty()),
        "unexpected annotations {annotations}"
    );
}

// ------------------------------------------------------------ effective routes

#[test]
fn resolve_effective_routes_full_mode_four_routes() {
    let group = networked("pacific-1-wave", "pacific-1");

    let routes = prod_routes(&group);

    assert_eq!(routes.len(), 4);
    let expected = [
        ("pacific-1-wave-evm", 8545),
        ("pacific-1-wave-rpc", 26657),
        ("pacific-1-wave-rest", 1317),
        ("pacific-1-wave-grpc", 9090),
    ];
    for (route, (name, port)) in routes.iter().zip(expected) {
        assert_eq!(route.name, name);
        assert_eq!(
            route.hostnames,
            [
                format!("{name}.prod.platform.sei.io"),
                format!("{name}.pacific-1.platform.sei.io")
            ]
        );
        assert_eq!(route.port, port);
    }
}

#[test]
fn resolve_effective_routes_archive_mode_four_routes() {
    let mut group = networked("pacific-1-archive", "pacific-1");
    group.spec.template.spec.full_node = None;
    group.spec.template.spec.archive = Some(ArchiveSpec::default());

    assert_eq!(prod_routes(&group).len(), 4);
}

#[test]
fn resolve_effective_routes_validator_mode_no_routes() {
    let mut group = validator_group("pacific-1-val", "pacific-1");
    group.spec.networking = Some(NetworkingConfig {});

    assert!(prod_routes(&group).is_empty());
}

#[test]
fn resolve_effective_routes_no_public_domain_single_hostname() {
    let group = networked("pacific-1-wave", "pacific-1");

    let routes = effective_routes(&group, "dev.platform.sei.io", "");

    assert_eq!(routes.len(), 4);
    assert!(routes.iter().all(|r| r.hostnames.len() == 1));
    assert_eq!(
        routes[0].hostnames[0],
        "pacific-1-wave-evm.dev.platform.sei.io"
    );
}

// ------------------------------------------------------------------ HTTPRoutes

#[test]
fn generate_http_route_hostname_pattern() {
    let group = networked("pacific-1-wave", "pacific-1");
    let routes = prod_routes(&group);
    assert!(!routes.is_empty());
    let internal = regex::Regex::new(r"^pacific-1-wave-\w+\.prod\.platform\.sei\.io$").unwrap();
    let public = regex::Regex::new(r"^pacific-1-wave-\w+\.pacific-1\.platform\.sei\.io$").unwrap();

    for route in &routes {
        let generated = http_route(&group, route, "sei-gateway", "istio-system");
        let hostnames = generated["spec"]["hostnames"].as_array().unwrap();
        assert_eq!(hostnames.len(), 2);
        assert!(internal.is_match(hostnames[0].as_str().unwrap()));
        assert!(public.is_match(hostnames[1].as_str().unwrap()));
    }
}

#[test]
fn generate_http_route_basic_fields() {
    let group = networked("pacific-1-wave", "pacific-1");
    let routes = prod_routes(&group);
    assert!(!routes.is_empty());

    let route = http_route(&group, &routes[0], "sei-gateway", "gateway");

    assert_eq!(route["metadata"]["namespace"], "pacific-1");
    assert_eq!(
        route["spec"]["parentRefs"],
        json!([{"name": "sei-gateway", "namespace": "gateway"}])
    );
}

#[test]
fn generate_http_route_managed_by_annotation() {
    let group = networked("pacific-1-wave", "pacific-1");
    let routes = prod_routes(&group);

    let route = http_route(&group, &routes[0], "sei-gateway", "gateway");

    assert_eq!(
        route["metadata"]["annotations"]["sei.io/managed-by"],
        "seinodedeployment"
    );
}

#[test]
fn generate_http_route_backend_ref() {
    let group = networked("pacific-1-wave", "pacific-1");
    let rpc = route_named(&prod_routes(&group), "pacific-1-wave-rpc");

    let route = http_route(&group, &rpc, "sei-gateway", "gateway");

    assert_eq!(route["spec"]["rules"].as_array().unwrap().len(), 1);
    assert_eq!(first_backend(&route)["name"], "pacific-1-wave-external");
}

#[test]
fn generate_http_route_grpc_route_port() {
    let group = networked("pacific-1-wave", "pacific-1");
    let grpc = route_named(&prod_routes(&group), "pacific-1-wave-grpc");

    let route = http_route(&group, &grpc, "sei-gateway", "gateway");

    let hostnames: BTreeSet<&str> = route["spec"]["hostnames"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap())
        .collect();
    assert_eq!(
        hostnames,
        BTreeSet::from([
            "pacific-1-wave-grpc.prod.platform.sei.io",
            "pacific-1-wave-grpc.pacific-1.platform.sei.io"
        ])
    );
    assert_eq!(first_backend(&route)["port"], 9090);
    assert_eq!(first_backend(&route)["name"], "pacific-1-wave-external");
}

#[test]
fn generate_http_route_evm_merged() {
    let group = networked("pacific-1-wave", "pacific-1");
    let routes = prod_routes(&group);

    let evm: Vec<&EffectiveRoute> = routes
        .iter()
        .filter(|r| r.name == "pacific-1-wave-evm")
        .collect();

    assert_eq!(evm.len(), 1);
    assert_eq!(evm[0].port, 8545);
    assert_eq!(evm[0].ws_port, 8546);
}

#[test]
fn generate_http_route_evm_web_socket_rule() {
    let group = networked("pacific-1-wave", "pacific-1");
    let evm = route_named(&prod_routes(&group), "pacific-1-wave-evm");

    let route = http_route(&group, &evm, "sei-gateway", "gateway");

    let rules = route["spec"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[0]["backendRefs"][0]["port"], 8545);
    let header = &rules[1]["matches"][0]["headers"][0];
    assert_eq!(header["name"], "Upgrade");
    assert_eq!(header["value"], "websocket");
    assert_eq!(rules[1]["backendRefs"][0]["port"], 8546);
}

#[test]
fn generate_http_route_non_evm_route_single_rule() {
    let group = networked("pacific-1-wave", "pacific-1");
    let rpc = route_named(&prod_routes(&group), "pacific-1-wave-rpc");

    let route = http_route(&group, &rpc, "sei-gateway", "gateway");

    assert_eq!(route["spec"]["rules"].as_array().unwrap().len(), 1);
    assert_eq!(rpc.ws_port, 0);
}

#[test]
fn is_protocol_active_for_mode_evm_mapping() {
    let active = ["evm-rpc", "evm-ws", "rpc"];

    assert!(is_protocol_active_for_mode("evm", &active));
    assert!(is_protocol_active_for_mode("rpc", &active));
    assert!(!is_protocol_active_for_mode("grpc", &active));
}

// ------------------------------------------------------------------- DNS gate

#[test]
fn route_hostname_resolvable_no_routes() {
    let mut env = env_with_domains(PROD_DOMAIN, "");
    let mut group = validator_group("pacific-1-val", "pacific-1");
    group.spec.networking = Some(NetworkingConfig {});

    assert!(
        route_hostname_resolvable(&mut env, &group),
        "validator mode has no routes, should be immediately resolvable"
    );
    assert!(env.dns.take_lookups().is_empty(), "no DNS lookup expected");
}

#[test]
fn route_hostname_resolvable_nil_networking() {
    let mut env = env_with_domains(PROD_DOMAIN, "");
    let group = test_group("pacific-1-wave", "pacific-1");

    assert!(
        route_hostname_resolvable(&mut env, &group),
        "no networking means private, should be immediately resolvable"
    );
    assert!(env.dns.take_lookups().is_empty(), "no DNS lookup expected");
}

// --------------------------------------------------------------------- status

fn nodes_in(phases: &[&str]) -> Vec<SeiNode> {
    phases
        .iter()
        .map(|phase| node(json!({}), json!({}), json!({"phase": phase})))
        .collect()
}

fn uniform_nodes(count: usize, phase: &str) -> Vec<SeiNode> {
    nodes_in(&vec![phase; count])
}

fn plan_in_progress(group: &mut SeiNodeDeployment, reason: &str, message: &str) {
    set_condition(group, PLAN_IN_PROGRESS, true, reason, message);
}

#[test]
fn compute_group_phase_no_nodes() {
    let phase = compute_group_phase(&SeiNodeDeployment::default(), 0, 3, &[]);
    assert_eq!(phase, group_phase::PENDING);
}

#[test]
fn compute_group_phase_all_ready() {
    let nodes = uniform_nodes(3, "Running");
    let phase = compute_group_phase(&SeiNodeDeployment::default(), 3, 3, &nodes);
    assert_eq!(phase, group_phase::READY);
}

#[test]
fn compute_group_phase_initializing() {
    let nodes = nodes_in(&["Running", "Initializing", "Pending"]);
    let phase = compute_group_phase(&SeiNodeDeployment::default(), 1, 3, &nodes);
    assert_eq!(phase, group_phase::INITIALIZING);
}

#[test]
fn compute_group_phase_degraded() {
    let nodes = nodes_in(&["Running", "Running", "Failed"]);
    let phase = compute_group_phase(&SeiNodeDeployment::default(), 2, 3, &nodes);
    assert_eq!(phase, group_phase::DEGRADED);
}

#[test]
fn compute_group_phase_some_failed_some_initializing() {
    let nodes = nodes_in(&["Failed", "Initializing", "Pending"]);
    let phase = compute_group_phase(&SeiNodeDeployment::default(), 0, 3, &nodes);
    assert_eq!(
        phase,
        group_phase::INITIALIZING,
        "should be Initializing when some nodes are still progressing, not Failed"
    );
}

#[test]
fn compute_group_phase_all_failed() {
    let nodes = uniform_nodes(2, "Failed");
    let phase = compute_group_phase(&SeiNodeDeployment::default(), 0, 2, &nodes);
    assert_eq!(phase, group_phase::FAILED);
}

#[test]
fn compute_group_phase_upgrading() {
    let mut group = SeiNodeDeployment::default();
    group.status.rollout = Some(RolloutStatus {
        strategy: "BlueGreen".into(),
        target_hash: "abc123".into(),
        incumbent_revision: "1".into(),
        entrant_revision: "2".into(),
        ..Default::default()
    });
    plan_in_progress(&mut group, "Deployment", "deploying");
    let nodes = uniform_nodes(3, "Running");

    assert_eq!(
        compute_group_phase(&group, 3, 3, &nodes),
        group_phase::UPGRADING
    );
}

#[test]
fn compute_group_phase_plan_in_progress_genesis() {
    let mut group = SeiNodeDeployment::default();
    plan_in_progress(&mut group, "GenesisAssembly", "assembling");
    let nodes = uniform_nodes(3, "Pending");

    assert_eq!(
        compute_group_phase(&group, 0, 3, &nodes),
        group_phase::INITIALIZING
    );
}

#[test]
fn compute_group_phase_rollout_in_progress() {
    let mut group = SeiNodeDeployment::default();
    set_condition(
        &mut group,
        ROLLOUT_IN_PROGRESS,
        true,
        "TemplateChanged",
        "hash changed",
    );
    let nodes = uniform_nodes(3, "Running");

    assert_eq!(
        compute_group_phase(&group, 3, 3, &nodes),
        group_phase::UPGRADING
    );
}

#[test]
fn build_networking_status_full_mode_dual_domain() {
    let env = env_with_domains(PROD_DOMAIN, PUBLIC_DOMAIN);
    let group = networked("pacific-1-wave", "pacific-1");

    let status = networking_status(&env, &group).expect("networking status");

    assert_eq!(status.routes.len(), 8);
    let hostnames: BTreeSet<&str> = status.routes.iter().map(|r| r.hostname.as_str()).collect();
    for expected in [
        "pacific-1-wave-evm.prod.platform.sei.io",
        "pacific-1-wave-evm.pacific-1.platform.sei.io",
        "pacific-1-wave-rpc.prod.platform.sei.io",
        "pacific-1-wave-rpc.pacific-1.platform.sei.io",
    ] {
        assert!(hostnames.contains(expected), "{expected} missing");
    }
    assert!(status.routes.iter().all(|r| !r.protocol.is_empty()));
}

#[test]
fn build_networking_status_single_domain() {
    let env = env_with_domains("dev.platform.sei.io", "");
    let group = networked("pacific-1-wave", "pacific-1");

    let status = networking_status(&env, &group).expect("networking status");

    assert_eq!(status.routes.len(), 4);
    assert!(status
        .routes
        .iter()
        .all(|r| r.hostname.ends_with(".dev.platform.sei.io")));
}

#[test]
fn build_networking_status_validator_mode_nil() {
    let env = env_with_domains(PROD_DOMAIN, PUBLIC_DOMAIN);
    let group = validator_group("pacific-1-val", "pacific-1");

    assert_eq!(networking_status(&env, &group), None);
}

#[test]
fn build_networking_status_protocol_values() {
    let env = env_with_domains(PROD_DOMAIN, "");
    let group = networked("pacific-1-wave", "pacific-1");

    let status = networking_status(&env, &group).expect("networking status");

    let protocols = sorted(status.routes.iter().map(|r| r.protocol.as_str()));
    assert_eq!(protocols, sorted(["evm", "rpc", "rest", "grpc"]));
}
