//! The reconcile engine: a target reconciled on the in-memory world until it
//! settles, stalls or loops (`plan`), and the trace of each reconcile (`trace`)
//! that `plan`, `simulate`, `explain` and the live path render, on the world
//! one builder makes for all of them (`world`).

pub mod error;
pub mod options;
pub mod plan;
pub mod trace;
pub mod world;
