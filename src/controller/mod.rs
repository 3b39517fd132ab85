//! The reconcilers: SeiNode (`node`) and SeiNodeDeployment (`deployment`).

pub mod deployment;
pub mod node;

use crate::env::{Env, ReconcileOutcome};

/// Reconciles one object of `kind` (`SeiNode` or `SeiNodeDeployment`).
pub fn reconcile(
    env: &mut Env,
    kind: &str,
    namespace: &str,
    name: &str,
) -> Result<ReconcileOutcome, String> {
    match kind {
        "SeiNode" => Ok(recovered(|| node::reconcile(env, namespace, name))),
        "SeiNodeDeployment" => Ok(recovered(|| deployment::reconcile(env, namespace, name))),
        other => Err(format!(
            "cannot reconcile kind {other:?}: expected SeiNode or SeiNodeDeployment"
        )),
    }
}

/// A reconcile under controller-runtime's panic recovery: a Go panic ends it with
/// a zero result and the error `panic: ... [recovered]` (the request is then
/// requeued with the rate limiter, as for any reconcile error).
fn recovered(reconcile: impl FnOnce() -> ReconcileOutcome) -> ReconcileOutcome {
    crate::api::gopanic::recover(reconcile).unwrap_or_else(|error| ReconcileOutcome {
        result: crate::env::Requeue::NONE,
        error: Some(error),
    })
}
