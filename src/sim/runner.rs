//! Runs a fixture against the in-memory world.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::controller;
use crate::env::{Clock, Dns, Env, Ids};
use crate::platform::Platform;
use crate::sidecar::model::ScriptedSidecars;
use crate::sidecar::Sidecars;
use crate::world::ApiServer;

use super::scenario::{Fixture, Scenario};
use crate::engine::trace::{final_objects, ReconcileTrace, Trace};

/// Options of a fixture run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Overrides the scenario's reconcile count.
    pub reconciles: Option<usize>,
}

/// Builds the environment a scenario describes, with `objects` loaded in order.
pub fn build_env(scenario: &Scenario, objects: &[Value]) -> Result<Env, String> {
    let clock = Clock::parse(scenario.now())?;
    let mut api = ApiServer::new(clock.now_string());
    for gvk in &scenario.installed_crds {
        api.install_kind(gvk);
    }
    for (i, obj) in objects.iter().enumerate() {
        api.load(obj.clone())
            .map_err(|e| format!("cluster object #{}: {e}", i + 1))?;
    }
    let mut platform = Platform::default();
    for (name, value) in &scenario.platform {
        platform.set(name, value)?;
    }
    let gw = &scenario.gateway;
    for (field, value) in [
        (&mut platform.gateway_name, &gw.name),
        (&mut platform.gateway_namespace, &gw.namespace),
        (&mut platform.gateway_domain, &gw.domain),
        (&mut platform.gateway_public_domain, &gw.public_domain),
    ] {
        if let Some(v) = value {
            *field = v.clone();
        }
    }
    let sidecars: Box<dyn Sidecars> = Box::new(ScriptedSidecars::new(
        scenario.sidecar.clone(),
        scenario.pod_sidecar.clone(),
    ));
    let dns = Dns::new(
        scenario.dns.default == "resolvable",
        scenario.dns.hosts.clone(),
    );
    Ok(Env {
        api,
        sidecars,
        dns,
        events: Vec::new(),
        ids: Ids::seeded(scenario.uuid_seed.as_deref().unwrap_or("0")),
        clock,
        platform,
        jobs_complete: false,
    })
}

/// Runs a loaded fixture and returns its trace.
pub fn run_fixture(fixture: &Fixture, options: &RunOptions) -> Result<Trace, String> {
    let scenario = &fixture.scenario;
    let mut env = build_env(scenario, &fixture.objects)?;
    let target = &scenario.target;
    let count = options
        .reconciles
        .unwrap_or_else(|| scenario.reconcile_count());
    let mut reconciles = Vec::with_capacity(count);
    for index in 0..count {
        env.sidecars.begin_reconcile(index);
        let outcome =
            controller::reconcile(&mut env, &target.kind, &target.namespace, &target.name)?;
        reconciles.push(ReconcileTrace {
            index,
            outcome,
            writes: env.api.take_writes(),
            sidecar_calls: env.sidecars.take_calls(),
            events: std::mem::take(&mut env.events),
            dns_lookups: env.dns.take_lookups(),
        });
    }
    let mut extra: BTreeSet<String> = fixture
        .objects
        .iter()
        .filter_map(|o| o.get("kind").and_then(Value::as_str).map(str::to_string))
        .collect();
    for gvk in &scenario.installed_crds {
        if let Some(kind) = gvk.rsplit('/').next() {
            extra.insert(kind.to_string());
        }
    }
    let extra: Vec<String> = extra.into_iter().collect();
    Ok(Trace {
        target: format!("{} {}/{}", target.kind, target.namespace, target.name),
        now: env.clock.now_string(),
        reconciles,
        final_objects: final_objects(&env.api, &extra),
    })
}
