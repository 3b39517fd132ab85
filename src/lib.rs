//! nodectl: an in-memory simulator and one-shot reconciler for the Sei Kubernetes operator.

pub mod world;
pub mod env;
pub mod platform;
pub mod sidecar;
pub mod controller;
pub mod sim;
pub mod cli;
pub mod render;
pub mod plan;
