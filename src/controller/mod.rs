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
        "SeiNode" => Ok(node::reconcile(env, namespace, name)),
        "SeiNodeDeployment" => Ok(deployment::reconcile(env, namespace, name)),
        other => Err(format!(
            "cannot reconcile kind {other:?}: expected SeiNode or SeiNodeDeployment"
        )),
    }
}
