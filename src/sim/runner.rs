//! Runs a fixture against the in-memory world.

use serde_json::Value;

use crate::engine::error::EngineError;
use crate::engine::plan::{self, PlanOptions, TargetRef};
use crate::engine::trace::{final_objects, Trace};
use crate::env::{Clock, Dns, Env};
use crate::platform::Platform;

use super::scenario::{Fixture, Scenario};

/// Options of a fixture run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Overrides the scenario's reconcile count.
    pub reconciles: Option<usize>,
    /// Puts the world to rest ([`crate::world::store::ApiServer::rest`]) after every
    /// reconcile, as `plan` does between targets: resting must change nothing a trace shows.
    pub rest_between_reconciles: bool,
}

/// The engine options a scenario describes: a fixture run is a plan of one target.
pub fn options(scenario: &Scenario) -> Result<PlanOptions, EngineError> {
    let clock = Clock::parse(scenario.now()).map_err(EngineError::Setting)?;
    let mut platform = Platform::default();
    for (name, value) in &scenario.platform {
        platform.set(name, value).map_err(EngineError::Setting)?;
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
    Ok(PlanOptions {
        seed: scenario.uuid_seed.clone().unwrap_or_else(|| "0".into()),
        sidecar: scenario.sidecar.clone(),
        pod_sidecar: scenario.pod_sidecar.clone(),
        reconciles: scenario.reconcile_count(),
        dns: Dns::new(
            scenario.dns.default == "resolvable",
            scenario.dns.hosts.clone(),
        ),
        served_kinds: scenario.installed_crds.clone(),
        platform,
        ..PlanOptions::new(clock)
    })
}

/// The target a scenario names.
pub fn target(scenario: &Scenario) -> TargetRef {
    TargetRef {
        kind: scenario.target.kind.clone(),
        namespace: scenario.target.namespace.clone(),
        name: scenario.target.name.clone(),
    }
}

/// Builds the environment a scenario describes, with `objects` loaded in order.
pub fn build_env(scenario: &Scenario, objects: &[Value]) -> Result<Env, EngineError> {
    plan::build_env(objects, &options(scenario)?)
}

/// Runs a loaded fixture and returns its trace: the engine's reconciles of the
/// scenario's target, as many as the scenario (or `options`) asks.
pub fn run_fixture(fixture: &Fixture, options: &RunOptions) -> Result<Trace, EngineError> {
    let scenario = &fixture.scenario;
    let engine = self::options(scenario)?;
    let mut env = plan::build_env(&fixture.objects, &engine)?;
    let target = target(scenario);
    let count = options.reconciles.unwrap_or(engine.reconciles);
    let mut reconciles = Vec::with_capacity(count);
    let mut index = 0;
    while index < count {
        reconciles.push(plan::reconcile_once(&mut env, &target, &mut index)?.trace);
        if options.rest_between_reconciles {
            env.api.rest();
        }
    }
    Ok(Trace {
        target: target.to_string(),
        now: env.clock.now_string(),
        reconciles,
        final_objects: final_objects(
            &env.api,
            &plan::listed_kinds(&fixture.objects, &engine.served_kinds),
        ),
    })
}
