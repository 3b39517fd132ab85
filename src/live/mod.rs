//! Live clusters: read a snapshot (one LIST per kind and namespace), run the same
//! in-memory pipeline as `plan -f`, and optionally send the resulting writes
//! (`apply`). tokio and kube are used here and at the CLI edge only; the core stays
//! synchronous and pure.

pub mod apply;
pub mod attempt;
pub mod authority;
pub mod client;
pub mod explain;
pub mod fidelity;
pub mod identity;
pub mod kubeconfig;
pub mod readback;
pub mod request;
pub mod saved;
pub mod secrets;
pub mod select;
pub mod sidecar;
pub mod snapshot;
pub mod step;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::engine::plan::{
    listed_kinds, plan_each, PlanOptions, PlanReport, TargetRef, TargetReport,
};
use crate::engine::world::{self, Origin};
use crate::sidecar::Sidecars;
use crate::world::ApiServer;
use sidecar::{LiveSidecars, SidecarAnswer, SidecarQuery, SidecarRoute, Submission};

pub use attempt::RetryPolicy;
pub use client::{Cluster, ConnectOptions};
pub use select::LabelSelector;
pub use snapshot::Scope;

/// Where sidecar answers come from in a live plan.
#[derive(Clone)]
pub enum SidecarSource {
    /// The scripted model (`--sidecar model|running|completed|failed`).
    Model,
    /// The real sidecars, read-only.
    Live(SidecarRoute),
}

/// What to plan.
pub struct LiveRequest {
    pub scope: Scope,
    pub selector: LabelSelector,
    /// `seinode/NAME`, `snd/NAME`, `KIND/NS/NAME`; empty: every target in scope.
    pub names: Vec<String>,
    /// Objects from `-f`, put over the live ones.
    pub overlay: Vec<Value>,
    pub options: PlanOptions,
    pub sidecars: SidecarSource,
    /// Where each target's report goes as soon as it is final (to be rendered while the
    /// next targets are reconciled); `None`: the reports are kept in [`LivePlan::report`].
    pub reports: Option<std::sync::mpsc::Sender<TargetReport>>,
}

/// A plan against a live snapshot.
pub struct LivePlan {
    /// The run; its targets are empty when they went to [`LiveRequest::reports`].
    pub report: PlanReport,
    pub targets: Vec<TargetRef>,
    /// Submissions the pipeline made (simulated), with their place among the writes.
    pub submissions: Vec<Submission>,
    /// Objects in the snapshot (after the overlay).
    pub objects: Vec<Value>,
    /// Requests sent to the API server for the snapshot (discovery + LISTs).
    pub api_requests: usize,
    /// Read-only requests sent to sidecars.
    pub sidecar_requests: usize,
    /// Sidecar reads that failed (unreachable, errors), for the output.
    pub sidecar_problems: Vec<String>,
    /// The in-memory world the plan ran on, handed back so the caller decides when it is
    /// freed (a command that ends with the plan need not free it object by object).
    pub world: ApiServer,
}

/// What the engine's thread hands back.
struct Run {
    report: PlanReport,
    submissions: Vec<Submission>,
    /// Every sidecar read the run made, with its answer.
    answers: BTreeMap<SidecarQuery, SidecarAnswer>,
    objects: Vec<Value>,
    targets: Vec<TargetRef>,
    world: ApiServer,
}

/// Reads the cluster and runs the engine once on it. Sends only GETs. `None`: no
/// target is in scope and matches the selector (kubectl's "No resources found").
///
/// The engine is synchronous: it runs on a blocking thread while this task answers
/// its sidecar reads (live sidecars) as it makes them.
pub async fn plan(cluster: &Cluster, request: LiveRequest) -> Result<Option<LivePlan>, String> {
    let snapshot = snapshot::read(cluster, &request.scope).await?;
    let mut objects = snapshot.objects;
    snapshot::overlay(&mut objects, request.overlay);
    let targets =
        select::select_targets(&objects, &request.names, &request.scope, &request.selector)?;
    if targets.is_empty() {
        return Ok(None);
    }
    let mut options = request.options;
    options.served_kinds.extend(snapshot.served_optional);
    options.served_kinds.sort();
    options.served_kinds.dedup();
    let (ask, asks) = sidecar::channel();
    let live = matches!(request.sidecars, SidecarSource::Live(_));
    let reports = request.reports;
    let engine = tokio::task::spawn_blocking(move || {
        let mut api = world::load_api(&objects, &options, Origin::Cluster)?;
        let sidecars: Box<dyn Sidecars> = if live {
            Box::new(LiveSidecars::new(ask, api.write_probe()))
        } else {
            world::scripted_sidecars(&options)
        };
        let mut env = options.env(api, sidecars);
        let listed = listed_kinds(&objects, &options.served_kinds);
        let mut kept = Vec::new();
        let end = plan_each(
            &mut env,
            &listed,
            &targets,
            &options,
            &mut |r| match &reports {
                // A receiver that is gone no longer wants them.
                Some(to) => drop(to.send(r)),
                None => kept.push(r),
            },
        )?;
        // The last report is in: the receiver may finish while the rest is put away.
        drop(reports);
        let report = end.with_targets(kept);
        // What the plan submitted (simulated), for apply to send, and the reads it made.
        let (submissions, answers) = env
            .sidecars
            .as_any_mut()
            .and_then(|any| any.downcast_mut::<LiveSidecars>())
            .map(|live| {
                (
                    std::mem::take(&mut live.submissions),
                    std::mem::take(&mut live.answers),
                )
            })
            .unwrap_or_default();
        Ok::<_, String>(Run {
            report,
            submissions,
            answers,
            objects,
            targets,
            world: env.api,
        })
    });
    let run = match &request.sidecars {
        SidecarSource::Live(route) => tokio::join!(sidecar::serve(route, asks), engine).1,
        SidecarSource::Model => engine.await,
    };
    let run = run.map_err(|e| format!("the plan stopped: {e}"))??;
    let sidecar_problems = run
        .answers
        .iter()
        .filter_map(|(q, a)| a.as_ref().err().map(|e| format!("{q:?}: {e}")))
        .collect();
    Ok(Some(LivePlan {
        report: run.report,
        targets: run.targets,
        submissions: run.submissions,
        objects: run.objects,
        api_requests: snapshot.requests,
        sidecar_requests: run.answers.len(),
        sidecar_problems,
        world: run.world,
    }))
}

/// Every write of a plan, in order.
pub fn planned_writes(report: &PlanReport) -> Vec<crate::world::WriteRecord> {
    in_run_order(report.targets.iter().flat_map(writes_of).collect())
}

/// The writes of one target's reconciles.
pub fn writes_of(target: &TargetReport) -> impl Iterator<Item = crate::world::WriteRecord> + '_ {
    target
        .steps
        .iter()
        .flat_map(|s| s.trace.writes.iter().cloned())
}

/// Writes in the order they happened (targets settled together take turns).
pub fn in_run_order(mut writes: Vec<crate::world::WriteRecord>) -> Vec<crate::world::WriteRecord> {
    writes.sort_by_key(|w| w.seq);
    writes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::plan::{plan, targets_of, PlanOptions};
    use crate::env::Clock;
    use crate::sidecar::model::SidecarScript;

    /// A group settled together with its nodes takes turns with them: apply must send the
    /// writes in the order they happened, not grouped by target.
    #[test]
    fn planned_writes_follow_the_run_not_the_targets() {
        let objects =
            crate::cli::input::read_objects(&["examples/genesis-devnet/devnet.yaml".into()], false)
                .expect("example loads")
                .objects;
        let mut options = PlanOptions::new(Clock::parse("2026-01-01T00:00:00Z").unwrap());
        options.sidecar = SidecarScript::uniform("completed");
        options.until_settled = Some(50);
        options.cascade = true;
        let report = plan(&objects, &targets_of(&objects), &options).expect("plans");
        let grouped: Vec<u64> = report
            .targets
            .iter()
            .flat_map(|t| {
                t.steps
                    .iter()
                    .flat_map(|s| s.trace.writes.iter().map(|w| w.seq))
            })
            .collect();
        assert!(
            grouped.windows(2).any(|w| w[0] > w[1]),
            "the run did not interleave targets"
        );
        let sent: Vec<u64> = planned_writes(&report).iter().map(|w| w.seq).collect();
        assert!(sent.windows(2).all(|w| w[0] < w[1]), "{sent:?}");
        assert_eq!(sent.len(), grouped.len());
    }
}
