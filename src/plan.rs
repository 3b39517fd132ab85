//! `plan`: reconcile every SeiNode / SeiNodeDeployment found in the input once (or
//! N times) against a world made of all the input objects, and report what the
//! operator would do — without writing anywhere but the in-memory world.

use serde_json::Value;

use crate::controller;
use crate::env::{Clock, Dns, Env, Ids};
use crate::platform::Platform;
use crate::sidecar::model::{PodSidecarScript, ScriptedSidecars, SidecarScript};
use crate::sim::trace::{final_objects, write_json, ReconcileTrace};
use crate::world::ApiServer;

/// The kinds `plan` reconciles, in this order.
pub const TARGET_KINDS: &[&str] = &["SeiNodeDeployment", "SeiNode"];

/// How the outside world behaves during a plan.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    pub clock: Clock,
    pub seed: String,
    pub sidecar: SidecarScript,
    pub pod_sidecar: PodSidecarScript,
    pub reconciles: usize,
    pub dns: Dns,
    /// Optional kinds (`group/version/Kind`) the API server serves.
    pub served_kinds: Vec<String>,
    pub platform: Platform,
}

/// One object to reconcile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRef {
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl std::fmt::Display for TargetRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}/{}", self.kind, self.namespace, self.name)
    }
}

/// One reconcile of one target: the target before and after, and what happened.
#[derive(Debug, Clone)]
pub struct ReconcileStep {
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub trace: ReconcileTrace,
}

/// Everything `plan` found out about one target.
#[derive(Debug, Clone)]
pub struct TargetReport {
    pub target: TargetRef,
    pub steps: Vec<ReconcileStep>,
}

/// The result of a plan run.
#[derive(Debug, Clone)]
pub struct PlanReport {
    pub now: String,
    pub targets: Vec<TargetReport>,
    pub final_objects: Vec<Value>,
}

/// The objects of the input that `plan` reconciles, SeiNodeDeployments first.
pub fn targets_of(objects: &[Value]) -> Vec<TargetRef> {
    let mut targets = Vec::new();
    for kind in TARGET_KINDS {
        for o in objects {
            if o.get("kind").and_then(Value::as_str) == Some(kind) {
                targets.push(TargetRef {
                    kind: (*kind).to_string(),
                    namespace: o
                        .pointer("/metadata/namespace")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    name: o
                        .pointer("/metadata/name")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                });
            }
        }
    }
    targets
}

/// Builds the in-memory world from the input objects.
pub fn build_env(objects: &[Value], options: &PlanOptions) -> Result<Env, String> {
    let mut api = ApiServer::new(options.clock.now_string());
    for gvk in &options.served_kinds {
        api.install_kind(gvk);
    }
    for o in objects {
        api.load(o.clone()).map_err(|e| e.to_string())?;
    }
    Ok(Env {
        api,
        sidecars: Box::new(ScriptedSidecars::new(
            options.sidecar.clone(),
            options.pod_sidecar.clone(),
        )),
        dns: options.dns.clone(),
        events: Vec::new(),
        ids: Ids::seeded(&options.seed),
        clock: options.clock,
        platform: options.platform.clone(),
    })
}

/// Reconciles each target `options.reconciles` times, in order, on one shared world.
pub fn plan(
    objects: &[Value],
    targets: &[TargetRef],
    options: &PlanOptions,
) -> Result<PlanReport, String> {
    plan_in(build_env(objects, options)?, objects, targets, options)
}

/// [`plan`] on a world built by the caller (e.g. from a live cluster snapshot).
pub fn plan_in(
    mut env: Env,
    objects: &[Value],
    targets: &[TargetRef],
    options: &PlanOptions,
) -> Result<PlanReport, String> {
    let mut reports = Vec::new();
    let mut index = 0;
    for target in targets {
        let mut steps = Vec::new();
        for _ in 0..options.reconciles.max(1) {
            let before = read_target(&env, target);
            env.sidecars.begin_reconcile(index);
            let outcome =
                controller::reconcile(&mut env, &target.kind, &target.namespace, &target.name)?;
            let after = read_target(&env, target);
            steps.push(ReconcileStep {
                before,
                after,
                trace: ReconcileTrace {
                    index,
                    outcome,
                    writes: env.api.take_writes(),
                    sidecar_calls: env.sidecars.take_calls(),
                    events: std::mem::take(&mut env.events),
                    dns_lookups: env.dns.take_lookups(),
                },
            });
            index += 1;
        }
        reports.push(TargetReport {
            target: target.clone(),
            steps,
        });
    }
    let mut kinds: Vec<String> = objects
        .iter()
        .filter_map(|o| o.get("kind").and_then(Value::as_str).map(str::to_string))
        .collect();
    kinds.extend(
        options
            .served_kinds
            .iter()
            .filter_map(|g| g.rsplit('/').next().map(str::to_string)),
    );
    kinds.sort();
    kinds.dedup();
    Ok(PlanReport {
        now: env.clock.now_string(),
        targets: reports,
        final_objects: final_objects(&env.api, &kinds),
    })
}

fn read_target(env: &Env, t: &TargetRef) -> Option<Value> {
    env.api
        .get("sei.io/v1alpha1", &t.kind, &t.namespace, &t.name)
        .ok()
}

impl PlanReport {
    /// The machine-readable plan: the trace schema of `simulate` (each reconcile
    /// also names its target) plus `formatVersion`.
    pub fn to_json(&self) -> Value {
        let target = self
            .targets
            .iter()
            .map(|t| t.target.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let reconciles: Vec<Value> = self
            .targets
            .iter()
            .flat_map(|t| {
                t.steps.iter().map(move |s| {
                    let mut r = s.trace.to_json();
                    if let Some(m) = r.as_object_mut() {
                        m.insert("target".into(), Value::String(t.target.to_string()));
                    }
                    r
                })
            })
            .collect();
        serde_json::json!({
            "formatVersion": 1,
            "target": target,
            "now": self.now,
            "reconciles": reconciles,
            "finalObjects": self.final_objects,
        })
    }

    /// Every write of the run as trace JSON, in order.
    pub fn writes_json(&self) -> Vec<Value> {
        self.targets
            .iter()
            .flat_map(|t| {
                t.steps
                    .iter()
                    .flat_map(|s| s.trace.writes.iter().map(write_json))
            })
            .collect()
    }
}
