//! The task registry: rebuilds a task's execution from its stored `(type, id,
//! params)`, for the SeiNode tasks and the group-plan tasks alike.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::group::{
    AwaitNodesRunning, AwaitNodesRunningParams, CollectAndSetPeers, CollectAndSetPeersParams,
    AWAIT_NODES_RUNNING, COLLECT_AND_SET_PEERS,
};
use super::nodes::task_params;
use super::params::*;
use super::{
    bootstrap, controller_params, infra, sidecar, unknown_task_type_error, GoParams, TaskExecution,
};

/// Rebuilds the execution of a stored task. Errors are terminal for the plan.
pub fn deserialize(
    task_type: &str,
    id: &str,
    params: Option<&Value>,
) -> Result<Box<dyn TaskExecution>, String> {
    use super::task_type as t;
    let execution: Box<dyn TaskExecution> = match task_type {
        t::ENSURE_DATA_PVC => Box::new(infra::EnsureDataPvc::new(controller_params(
            task_type, params,
        )?)),
        t::APPLY_STATEFULSET => {
            controller_params::<ApplyStatefulSetParams>(task_type, params)?;
            Box::new(infra::apply_statefulset())
        }
        t::APPLY_SERVICE => {
            controller_params::<ApplyServiceParams>(task_type, params)?;
            Box::new(infra::apply_service())
        }
        t::DEPLOY_BOOTSTRAP_SERVICE => Box::new(bootstrap::DeployBootstrapService::new(
            controller_params(task_type, params)?,
        )),
        t::DEPLOY_BOOTSTRAP_JOB => Box::new(bootstrap::DeployBootstrapJob::new(controller_params(
            task_type, params,
        )?)),
        t::AWAIT_BOOTSTRAP_COMPLETE => Box::new(bootstrap::AwaitBootstrapComplete::new(
            controller_params(task_type, params)?,
        )),
        t::TEARDOWN_BOOTSTRAP => Box::new(bootstrap::TeardownBootstrap::new(controller_params(
            task_type, params,
        )?)),
        t::SNAPSHOT_RESTORE => sidecar::task::<SnapshotRestoreParams>(id, params)?,
        t::CONFIGURE_STATE_SYNC => sidecar::task::<ConfigureStateSyncParams>(id, params)?,
        t::AWAIT_CONDITION => sidecar::task::<AwaitConditionParams>(id, params)?,
        t::CONFIG_APPLY => sidecar::task::<ConfigApplyParams>(id, params)?,
        t::CONFIG_VALIDATE => sidecar::task::<ConfigValidateParams>(id, params)?,
        t::CONFIGURE_GENESIS => sidecar::task::<ConfigureGenesisParams>(id, params)?,
        t::DISCOVER_PEERS => sidecar::task::<DiscoverPeersParams>(id, params)?,
        t::MARK_READY => sidecar::task::<MarkReadyParams>(id, params)?,
        t::GENERATE_IDENTITY => sidecar::task::<GenerateIdentityParams>(id, params)?,
        t::GENERATE_GENTX => sidecar::task::<GenerateGentxParams>(id, params)?,
        t::UPLOAD_GENESIS_ARTIFACTS => sidecar::task::<UploadGenesisArtifactsParams>(id, params)?,
        t::ASSEMBLE_GENESIS => sidecar::task::<AssembleAndUploadGenesisParams>(id, params)?,
        t::SET_GENESIS_PEERS => sidecar::task::<SetGenesisPeersParams>(id, params)?,
        t::ASSEMBLE_GENESIS_FORK => sidecar::task::<AssembleForkGenesisParams>(id, params)?,
        other => match deserialize_group_task(other, id, params) {
            Some(group_task) => group_task?,
            None => return Err(unknown_task_type_error(other)),
        },
    };
    Ok(execution)
}

/// Rebuilds a group-plan task from its stored type and params; `None` for types
/// that are not group tasks.
pub fn deserialize_group_task(
    task_type: &str,
    id: &str,
    params: Option<&serde_json::Value>,
) -> Option<Result<Box<dyn TaskExecution>, String>> {
    use super::fork::{self as f, ExporterStep as E, ExporterTask};
    use super::rollout::{self as r, RolloutStep as R, RolloutTask};

    fn rollout<P>(
        task_type: &str,
        step: R,
        id: &str,
        params: Option<&serde_json::Value>,
    ) -> Result<Box<dyn TaskExecution>, String>
    where
        P: GoParams + DeserializeOwned + Default + Into<r::NodeListParams>,
    {
        let p: P = task_params(task_type, params)?;
        Ok(Box::new(RolloutTask::new(step, id, p.into())))
    }
    fn exporter<P>(
        task_type: &str,
        step: E,
        params: Option<&serde_json::Value>,
    ) -> Result<Box<dyn TaskExecution>, String>
    where
        P: GoParams + DeserializeOwned + Default + Into<f::ExporterParams>,
    {
        let p: P = task_params(task_type, params)?;
        Ok(Box::new(ExporterTask::new(step, p.into())))
    }

    Some(match task_type {
        AWAIT_NODES_RUNNING => task_params::<AwaitNodesRunningParams>(task_type, params)
            .map(|p| Box::new(AwaitNodesRunning::new(p)) as Box<dyn TaskExecution>),
        COLLECT_AND_SET_PEERS => task_params::<CollectAndSetPeersParams>(task_type, params)
            .map(|p| Box::new(CollectAndSetPeers::new(p)) as Box<dyn TaskExecution>),
        r::CREATE_ENTRANT_NODES => {
            rollout::<r::CreateEntrantNodesParams>(task_type, R::CreateEntrantNodes, id, params)
        }
        r::UPDATE_NODE_SPECS => {
            rollout::<r::UpdateNodeSpecsParams>(task_type, R::UpdateNodeSpecs, id, params)
        }
        r::AWAIT_SPEC_UPDATE => {
            rollout::<r::AwaitSpecUpdateParams>(task_type, R::AwaitSpecUpdate, id, params)
        }
        r::MARK_NODES_READY => {
            rollout::<r::MarkNodesReadyParams>(task_type, R::MarkNodesReady, id, params)
        }
        r::SUBMIT_HALT_SIGNAL => {
            rollout::<r::SubmitHaltSignalParams>(task_type, R::SubmitHaltSignal, id, params)
        }
        r::AWAIT_NODES_AT_HEIGHT => {
            rollout::<r::AwaitNodesAtHeightParams>(task_type, R::AwaitNodesAtHeight, id, params)
        }
        r::AWAIT_NODES_CAUGHT_UP => {
            rollout::<r::AwaitNodesCaughtUpParams>(task_type, R::AwaitNodesCaughtUp, id, params)
        }
        r::SWITCH_TRAFFIC => {
            rollout::<r::SwitchTrafficParams>(task_type, R::SwitchTraffic, id, params)
        }
        r::TEARDOWN_NODES => {
            rollout::<r::TeardownNodesParams>(task_type, R::TeardownNodes, id, params)
        }
        f::CREATE_EXPORTER => exporter::<f::CreateExporterParams>(task_type, E::Create, params),
        f::AWAIT_EXPORTER_RUNNING => {
            exporter::<f::AwaitExporterRunningParams>(task_type, E::AwaitRunning, params)
        }
        f::SUBMIT_EXPORT_STATE => {
            exporter::<f::SubmitExportStateParams>(task_type, E::SubmitExportState, params)
        }
        f::TEARDOWN_EXPORTER => {
            exporter::<f::TeardownExporterParams>(task_type, E::Teardown, params)
        }
        _ => return None,
    })
}
