use serde_json::json;

use super::*;

#[test]
fn apply_replaces_spec_labels_and_annotations_and_keeps_the_rest() {
    let stored = json!({
        "apiVersion": "sei.io/v1alpha1", "kind": "SeiNode",
        "metadata": {"name": "n", "namespace": "default", "uid": "u", "generation": 3,
                     "finalizers": ["sei.io/seinode-finalizer"], "labels": {"a": "1"},
                     "annotations": {"x": "y"}},
        "spec": {"image": "old", "chainId": "c"},
        "status": {"phase": "Running"},
    });
    let head = json!({
        "apiVersion": "sei.io/v1alpha1", "kind": "SeiNode",
        "metadata": {"name": "n", "namespace": "default", "labels": {"b": "2"}},
        "spec": {"image": "new"},
    });
    let body = applied_over(&stored, &head);
    assert_eq!(body["spec"], json!({"image": "new"}));
    assert_eq!(body["metadata"]["labels"], json!({"b": "2"}));
    assert!(body["metadata"].get("annotations").is_none());
    assert_eq!(
        body["metadata"]["finalizers"],
        json!(["sei.io/seinode-finalizer"])
    );
    assert_eq!(body["metadata"]["uid"], "u");
    assert_eq!(body["status"], json!({"phase": "Running"}));
}

#[test]
fn unsettled_text_names_the_verdict_kind() {
    let stalled = Verdict::Stalled {
        after: 3,
        task: "t".into(),
    };
    assert!(unsettled_text(&stalled, None).starts_with("stalled ("));
    assert!(unsettled_text(&Verdict::Limit { max: 100 }, None).starts_with("limit "));
    let loop_ = Verdict::Loop {
        start: 1,
        period: 2,
    };
    assert!(unsettled_text(&loop_, None).starts_with("loop ("));
    let settled = Verdict::Settled { after: 2 };
    assert!(unsettled_text(&settled, Some("Failed")).contains("phase Failed"));
}
