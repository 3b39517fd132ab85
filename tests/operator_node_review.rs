//! Behaviour of the SeiNode reconciler that the operator's own unit tests leave
//! uncovered, found by reviewing the Go controller against nodectl.

mod support {
    pub mod operator_node;
}

use serde_json::json;

use nodectl::api::{API_VERSION, SEINODE_KIND};

use support::operator_node::*;

/// The typed Go client decodes `spec.sidecar.resources` into `resource.Quantity`
/// values, so the finalizer Update writes them back in canonical form. The store
/// holds objects typed (as the fake client that traced the fixtures does), so the
/// loaded node already carries that form: the spec, hence the generation, does
/// not change.
#[test]
fn finalizer_update_writes_sidecar_quantities_in_canonical_form() {
    let mut node = snapshot_node();
    node["spec"]["sidecar"]["resources"] = json!({
        "requests": {"cpu": "0.5", "memory": "1024Mi"},
        "limits": {"cpu": "1000m"},
    });
    let mock = MockSidecar::default();
    let mut env = env_with(&mock, &[node]);
    reconcile_ok(&mut env, "test-node");

    let writes = env.api.take_writes();
    let update = writes
        .iter()
        .find(|w| w.verb == "Update" && w.kind == SEINODE_KIND)
        .expect("finalizer update");
    let body = update.object.as_ref().expect("update body");
    let canonical = json!({
        "requests": {"cpu": "500m", "memory": "1Gi"},
        "limits": {"cpu": "1"},
    });
    assert_eq!(body["spec"]["sidecar"]["resources"], canonical);

    let stored = env
        .api
        .get(API_VERSION, SEINODE_KIND, NS, "test-node")
        .expect("stored");
    assert_eq!(stored["spec"]["sidecar"]["resources"], canonical);
    assert_eq!(
        stored["metadata"]["generation"], 1,
        "typed storage: no phantom spec change"
    );
}
