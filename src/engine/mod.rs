//! The reconcile engine: a target reconciled on the in-memory world until it
//! settles, stalls or loops (`plan`), and the trace of each reconcile (`trace`)
//! that `plan`, `simulate`, `explain` and the live path render.

pub mod plan;
pub mod trace;
