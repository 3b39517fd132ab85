//! nodectl: an in-memory simulator and one-shot reconciler for the Sei Kubernetes operator.
//!
//! The core (api, world, env, sidecar model, controllers, planners, tasks,
//! resources) is pure and synchronous; I/O lives at the edges (cli, render).

pub mod ansi;
pub mod api;
pub mod base;
pub mod cli;
pub mod controller;
pub mod engine;
pub mod env;
pub mod explain;
pub mod interrupt;
pub mod live;
pub mod manifest;
pub mod planner;
pub mod platform;
pub mod progress;
pub mod render;
pub mod resources;
pub mod sidecar;
pub mod sim;
pub mod task;
pub mod validate;
pub mod world;
