//! nodectl: an in-memory simulator and one-shot reconciler for the Sei Kubernetes operator.

pub mod api;
