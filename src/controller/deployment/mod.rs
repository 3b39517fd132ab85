//! The SeiNodeDeployment reconciler.

use crate::env::{Env, ReconcileOutcome, Requeue};

/// Reconciles one SeiNodeDeployment. (Not yet ported: does nothing.)
pub fn reconcile(_env: &mut Env, _namespace: &str, _name: &str) -> ReconcileOutcome {
    ReconcileOutcome::ok(Requeue::NONE)
}
