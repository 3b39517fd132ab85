//! Kubernetes objects generated for a SeiNode, as the request bodies the Go operator
//! sends: the data PVC, StatefulSet and headless Service (`internal/noderesource`)
//! and the bootstrap Service and Job (`internal/task/bootstrap_resources.go`).
//!
//! Bodies are built as JSON rather than typed Kubernetes structs because they must
//! match Go's encoder field for field, zero-valued non-omitempty fields included
//! (`"resources": {}`, `"updateStrategy": {}`, `"status": {...}`). Server-side apply
//! bodies carry `kind`/`apiVersion`; Create bodies do not.

mod bootstrap;
mod goquote;
pub mod labels;
mod node;
mod pod;

use serde_json::{json, Value};

use crate::api::{SeiNode, API_VERSION, SEINODE_KIND};

pub use bootstrap::{
    bootstrap_image, bootstrap_job, bootstrap_job_name, bootstrap_labels, bootstrap_seid_script,
    bootstrap_service, bootstrap_service_name, MissingS3Snapshot, BOOTSTRAP_COMPONENT,
    COMPONENT_LABEL,
};
pub use goquote::go_quote;
pub use node::{
    container_ports, data_pvc, default_resources_for_mode, default_storage_for_mode,
    headless_service, needs_long_startup, node_mode, node_sidecar_url, nodepool, resource_labels,
    seid_exec_line, seid_wait_script, selector_labels, service_ports, statefulset, MODE_ARCHIVE,
    MODE_FULL, MODE_VALIDATOR, NODE_PORTS, RPC_PORT,
};
pub use pod::{
    data_pvc_name, sidecar_image, sidecar_port, DEFAULT_SIDECAR_PORT, DO_NOT_DISRUPT_ANNOTATION,
    NODEPOOL_LABEL,
};

/// Label key carried by every resource owned by a SeiNode.
pub const NODE_LABEL: &str = "sei.io/node";

/// Field manager of the node controller's server-side applies (always forced).
pub const FIELD_MANAGER: &str = "seinode-controller";

/// The controller owner reference to `node` (`ctrl.SetControllerReference`).
pub fn owner_reference(node: &SeiNode) -> Value {
    json!({
        "apiVersion": API_VERSION,
        "kind": SEINODE_KIND,
        "name": node.name(),
        "uid": node.uid(),
        "controller": true,
        "blockOwnerDeletion": true,
    })
}
