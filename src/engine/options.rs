//! The options of an engine run: how the outside world (clock, sidecars, DNS, served
//! kinds, platform) behaves, and the Env they describe. A leaf of the engine, so the
//! world builder and the reconcile loop both read it without importing each other.

use crate::env::{Clock, Dns, Env, Ids};
use crate::platform::Platform;
use crate::sidecar::model::{PodSidecarScript, SidecarScript};
use crate::world::ApiServer;

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
    /// Keep reconciling each target until it settles, loops or reaches this many reconciles.
    pub until_settled: Option<usize>,
    /// Jobs (bootstrap Jobs) run to completion before the next reconcile.
    pub complete_jobs: bool,
    /// Also reconcile every SeiNode a target creates (the whole tree a manifest becomes).
    pub cascade: bool,
}

impl PlanOptions {
    /// One reconcile per target at `clock`, sidecar tasks still running, DNS
    /// resolvable, no optional kinds served, default platform settings.
    pub fn new(clock: Clock) -> Self {
        PlanOptions {
            clock,
            seed: "0".into(),
            sidecar: SidecarScript::uniform("running"),
            pod_sidecar: PodSidecarScript::default(),
            reconciles: 1,
            dns: Dns::new(true, Default::default()),
            served_kinds: Vec::new(),
            platform: Platform::default(),
            until_settled: None,
            complete_jobs: false,
            cascade: false,
        }
    }
}

impl PlanOptions {
    /// The environment these options describe, around a loaded API server and a
    /// choice of sidecars.
    pub fn env(&self, api: ApiServer, sidecars: Box<dyn crate::sidecar::Sidecars>) -> Env {
        Env {
            api,
            sidecars,
            dns: self.dns.clone(),
            events: Vec::new(),
            ids: Ids::seeded(&self.seed),
            clock: self.clock,
            platform: self.platform.clone(),
            jobs_complete: self.complete_jobs,
        }
    }
}
