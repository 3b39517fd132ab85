//! Running parity fixtures: load a fixture, reconcile its target on the in-memory
//! world the requested number of times, and produce the trace of PARITY.md §3.

pub mod compare;
pub mod runner;
pub mod scenario;
pub mod settle;

pub use runner::{build_env, run_fixture, RunOptions};
pub use scenario::{Fixture, Scenario, Target};
