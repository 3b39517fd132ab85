//! nodectl: an in-memory simulator and one-shot reconciler for the Sei Kubernetes operator.

pub mod cli;
pub mod manifest;
pub mod validate;
