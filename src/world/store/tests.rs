//! Objects loaded compactly behave exactly as objects loaded parsed: every read, list,
//! write and delete gives the same answers and records.

use serde_json::{json, Value};

use super::ApiServer;
use crate::world::compact::StoredObject;
use crate::world::DeleteOptions;

fn config_map(name: &str, team: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": "ns", "labels": {"team": team, "z": "1"}},
        "data": {"b": "\u{e9}\n\"q\"", "a": "2"}, "binaryData": {}})
}

/// Two servers holding the same objects, the second one compactly.
fn pair(objects: &[Value]) -> (ApiServer, ApiServer) {
    let mut parsed = ApiServer::new("2026-01-01T00:00:00Z");
    let mut compact = parsed.clone();
    for o in objects {
        parsed.load(o.clone()).unwrap();
        compact.load_compact(o.clone()).unwrap();
    }
    (parsed, compact)
}

fn values(api: &ApiServer) -> Vec<(String, Value)> {
    api.all_objects()
        .into_iter()
        .map(|(kind, o)| (kind.to_string(), o.value().into_owned()))
        .collect()
}

fn texts(api: &ApiServer) -> usize {
    api.all_objects()
        .iter()
        .filter(|(_, o)| matches!(o, StoredObject::Text(_)))
        .count()
}

#[test]
fn a_compact_object_rests_without_its_server_fields_and_reads_them_back() {
    let (parsed, compact) = pair(&[config_map("a", "x")]);
    let all = compact.all_objects();
    let StoredObject::Text(rest) = &all[0].1 else {
        panic!("loaded compactly, held as text")
    };
    let whole = serde_json::to_string(&*parsed.get("v1", "ConfigMap", "ns", "a").unwrap()).unwrap();
    // uid, resourceVersion and creationTimestamp (111 bytes of members here) held in 45.
    assert_eq!(rest.text(), whole);
    assert!(
        rest.len() + 60 < whole.len(),
        "{} bytes at rest for {}",
        rest.len(),
        whole.len()
    );
}

#[test]
fn a_compact_object_reads_back_identical_to_the_parsed_one() {
    let objects = [config_map("a", "x"), config_map("b", "y")];
    let (parsed, compact) = pair(&objects);
    assert_eq!(texts(&parsed), 0);
    assert_eq!(texts(&compact), 2, "nothing read yet: both held as text");
    // Listing without reading gives the same objects, byte for byte once encoded.
    assert_eq!(values(&parsed), values(&compact));
    let text = |api: &ApiServer| serde_json::to_string(&values(api)).unwrap();
    assert_eq!(text(&parsed), text(&compact));
    assert_eq!(texts(&compact), 2, "a listing for output keeps them text");
    let a = compact.get("v1", "ConfigMap", "ns", "a").unwrap();
    assert_eq!(a, parsed.get("v1", "ConfigMap", "ns", "a").unwrap());
    assert_eq!(
        texts(&compact),
        1,
        "a read decodes the object once and keeps it"
    );
    // Label selectors find compact objects through the index built when they were stored.
    for selector in [&[("team", "y")][..], &[("team", "x"), ("z", "1")], &[]] {
        let list = |api: &ApiServer| api.list("v1", "ConfigMap", Some("ns"), selector).unwrap();
        assert_eq!(list(&parsed), list(&compact), "{selector:?}");
    }
    assert_eq!(
        compact
            .list("v1", "ConfigMap", Some("ns"), &[("team", "y")])
            .unwrap()[0]["metadata"]["name"],
        "b"
    );
}

#[test]
fn writes_to_compact_objects_behave_as_before() {
    let objects = [
        config_map("a", "x"),
        config_map("b", "y"),
        config_map("c", "x"),
    ];
    let (mut parsed, mut compact) = pair(&objects);
    for api in [&mut parsed, &mut compact] {
        // A patch of an object never read, a relabel, a no-op update and deletes.
        api.merge_patch(
            "v1",
            "ConfigMap",
            "ns",
            "a",
            json!({"data": {"a": "3"}}),
            false,
        )
        .unwrap();
        api.merge_patch(
            "v1",
            "ConfigMap",
            "ns",
            "b",
            json!({"metadata": {"labels": {"team": "x"}}}),
            false,
        )
        .unwrap();
        let c = api.get("v1", "ConfigMap", "ns", "c").unwrap();
        api.update("v1", "ConfigMap", Value::clone(&c), false)
            .unwrap();
        api.delete("v1", "ConfigMap", "ns", "c", DeleteOptions::default())
            .unwrap();
    }
    assert_eq!(parsed.writes(), compact.writes());
    assert_eq!(values(&parsed), values(&compact));
    let team = |api: &ApiServer, t: &str| {
        api.list("v1", "ConfigMap", Some("ns"), &[("team", t)])
            .unwrap()
    };
    assert_eq!(team(&compact, "x"), team(&parsed, "x"));
    assert_eq!(team(&compact, "x").len(), 2, "a and the relabelled b");
    assert!(team(&compact, "y").is_empty(), "b left team y");
    // A compact object deleted without ever being read leaves the label index too.
    let (mut parsed, mut compact) = pair(&objects);
    for api in [&mut parsed, &mut compact] {
        api.delete("v1", "ConfigMap", "ns", "b", DeleteOptions::default())
            .unwrap();
    }
    assert_eq!(parsed.writes(), compact.writes());
    assert!(team(&compact, "y").is_empty());
    assert_eq!(values(&parsed), values(&compact));
}

#[test]
fn an_object_with_a_float_is_stored_parsed() {
    let mut api = ApiServer::new("2026-01-01T00:00:00Z");
    let mut o = config_map("f", "x");
    o["spec"] = json!({"ratio": 0.1});
    api.load_compact(o).unwrap();
    assert_eq!(texts(&api), 0);
}

fn deployment(replicas: u64, extra_label: Option<&str>) -> Value {
    let mut labels = json!({"app": "web"});
    if let Some(l) = extra_label {
        labels[l] = json!("1");
    }
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "ns", "labels": labels},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "c", "image": "i",
                    "ports": [{"containerPort": 80}]}]}}}})
}

/// One request of the rested-server test.
enum Request {
    /// A server-side apply of [`deployment`] by `manager`.
    Apply {
        replicas: u64,
        label: Option<&'static str>,
        manager: &'static str,
        force: bool,
    },
    /// A merge patch of `spec.replicas`.
    Patch { replicas: u64 },
}

/// A forced apply by the manager `op`, as the operator applies.
fn by_op(replicas: u64, label: Option<&'static str>) -> Request {
    Request::Apply {
        replicas,
        label,
        manager: "op",
        force: true,
    }
}

/// Sends a request; its answer as text (success, or the error's words).
fn send(api: &mut ApiServer, request: &Request) -> String {
    let answer = match request {
        Request::Apply {
            replicas,
            label,
            manager,
            force,
        } => api.apply_with(
            "apps/v1",
            "Deployment",
            deployment(*replicas, *label),
            manager,
            *force,
        ),
        Request::Patch { replicas } => {
            let patch = json!({"spec": {"replicas": replicas}});
            api.merge_patch("apps/v1", "Deployment", "ns", "web", patch, false)
        }
    };
    format!("{:?}", answer.map(drop).map_err(|e| e.to_string()))
}

/// The outcome kind of the last recorded write.
fn last_outcome(api: &ApiServer) -> String {
    let w = api.writes().last().expect("a write was recorded");
    format!("{:?}", w.outcome)
        .split(['{', ' ', '('])
        .next()
        .unwrap_or("")
        .to_string()
}

/// Resting (objects, ownership and last applies to compact text) changes no answer:
/// a server rested after every write gives the same reads, records and managedFields as
/// one never rested, through repeated, changed and conflicting applies and updates.
#[test]
fn a_rested_server_answers_as_one_never_rested() {
    let mut plain = ApiServer::new("2026-01-01T00:00:00Z");
    let mut rested = plain.clone();
    let steps = [
        by_op(1, None),
        // The same body again: a repeat, known unchanged without a merge.
        by_op(1, None),
        by_op(2, Some("x")),
        // Another manager without force conflicts on the replicas the first one owns.
        Request::Apply {
            replicas: 3,
            label: None,
            manager: "other",
            force: false,
        },
        Request::Patch { replicas: 5 },
        // Back to the first body: the label the manager stopped sending is removed.
        by_op(1, None),
        by_op(1, None),
    ];
    for (i, step) in steps.iter().enumerate() {
        let answer = send(&mut plain, step);
        assert_eq!(answer, send(&mut rested, step), "step {i}");
        if let Request::Apply { force: false, .. } = step {
            assert!(answer.contains("conflict"), "step {i}: {answer}");
        }
        rested.rest();
        assert_eq!(last_outcome(&plain), last_outcome(&rested), "step {i}");
        assert_eq!(values(&plain), values(&rested), "step {i}");
        assert_eq!(
            plain.managed_fields("apps/v1", "Deployment", "ns", "web"),
            rested.managed_fields("apps/v1", "Deployment", "ns", "web"),
            "step {i}"
        );
        assert_eq!(texts(&rested), 1, "step {i}: the object rests as text");
    }
    assert_eq!(
        last_outcome(&rested),
        "Unchanged",
        "the repeat is recognised at rest"
    );
    let labels = &rested.get("apps/v1", "Deployment", "ns", "web").unwrap()["metadata"]["labels"];
    assert_eq!(labels, &json!({"app": "web"}));
    let w = |api: &ApiServer| -> Vec<String> {
        api.writes().iter().map(|w| format!("{w:?}")).collect()
    };
    assert_eq!(w(&plain), w(&rested));
}

/// `list_names` gives the identities `list` gives, in its order, and reads no object: a
/// store holding its objects as text keeps them text.
#[test]
fn list_names_answers_as_list_without_reading() {
    let objects = [
        config_map("b", "x"),
        config_map("a", "x"),
        config_map("c", "y"),
    ];
    for selector in [
        &[("team", "x")][..],
        &[("team", "x"), ("z", "1")],
        &[("team", "none")],
        &[],
    ] {
        for namespace in [Some("ns"), Some("other"), None] {
            let (_, compact) = pair(&objects);
            let names = compact
                .list_names("v1", "ConfigMap", namespace, selector)
                .unwrap();
            if namespace.is_some() && !selector.is_empty() {
                assert_eq!(texts(&compact), 3, "{selector:?}: nothing decoded");
            }
            let listed: Vec<(String, String)> = compact
                .list("v1", "ConfigMap", namespace, selector)
                .unwrap()
                .iter()
                .map(|o| super::namespace_and_name(o))
                .collect();
            assert_eq!(names, listed, "{namespace:?} {selector:?}");
        }
    }
    let (_, compact) = pair(&objects);
    let names = compact
        .list_names("v1", "ConfigMap", Some("ns"), &[("team", "x")])
        .unwrap();
    let ns_name = |n: &str| ("ns".to_string(), n.to_string());
    assert_eq!(names, [ns_name("a"), ns_name("b")]);
}

/// The uid a create is given: the name's `n`th creation (loads count as creations).
fn nth_uid(name: &str, n: u64) -> String {
    let seed = format!("uid:/ConfigMap/ns/{name}/{n}");
    uuid::Uuid::new_v5(&super::NAMESPACE_URL, seed.as_bytes()).to_string()
}

fn uid_of(object: &Value) -> &str {
    object["metadata"]["uid"].as_str().unwrap()
}

#[test]
fn a_recreated_name_takes_the_next_uid_whether_it_was_loaded_or_created() {
    let mut api = ApiServer::new("2026-01-01T00:00:00Z");
    api.load(config_map("loaded", "a")).unwrap();
    api.load_compact(config_map("twice", "a")).unwrap();
    api.load(config_map("twice", "b")).unwrap();
    api.load(config_map("kept", "a")).unwrap();
    let mut body = config_map("new", "a");
    body["metadata"].as_object_mut().unwrap().remove("labels");
    let created = api.create("v1", "ConfigMap", body.clone()).unwrap();
    assert_eq!(uid_of(&created), nth_uid("new", 0));
    // A create of a stored name is refused and counts nothing.
    assert!(api
        .create("v1", "ConfigMap", config_map("kept", "a"))
        .is_err());
    for (name, previous) in [("loaded", 1), ("twice", 2), ("new", 1), ("new", 2)] {
        api.delete("v1", "ConfigMap", "ns", name, DeleteOptions::default())
            .unwrap();
        let mut body = body.clone();
        body["metadata"]["name"] = json!(name);
        let again = api.create("v1", "ConfigMap", body).unwrap();
        assert_eq!(uid_of(&again), nth_uid(name, previous), "{name}");
    }
    let kept = api.get("v1", "ConfigMap", "ns", "kept").unwrap();
    assert_eq!(uid_of(&kept), nth_uid("kept", 0));
    api.delete("v1", "ConfigMap", "ns", "kept", DeleteOptions::default())
        .unwrap();
    let again = api
        .create("v1", "ConfigMap", config_map("kept", "a"))
        .unwrap();
    assert_eq!(uid_of(&again), nth_uid("kept", 1));
}

fn seinode() -> Value {
    json!({"apiVersion": "sei.io/v1alpha1", "kind": "SeiNode",
        "metadata": {"name": "n", "namespace": "ns"},
        "spec": {"chainId": "pacific-1", "image": "sei:v1", "fullNode": {}}})
}

#[test]
fn a_status_patch_that_leaves_the_rest_stores_what_the_whole_decode_stores() {
    // The same status patch twice: alone (the rest is as stored, only the status is
    // decoded) and with a spec change the status subresource ignores (the whole candidate
    // is decoded). Both store the same object.
    let status = json!({"phase": "Initializing", "plan": {"id": "p", "phase": "Active",
        "tasks": [{"type": "mark-ready", "id": "t", "status": "Pending", "extra": 1}]}});
    let mut stored = Vec::new();
    for patch in [
        json!({"status": status}),
        json!({"spec": {"image": "sei:v2"}, "status": status}),
    ] {
        let mut api = ApiServer::new("2026-01-01T00:00:00Z");
        api.load(seinode()).unwrap();
        let after = api
            .merge_patch("sei.io/v1alpha1", "SeiNode", "ns", "n", patch, true)
            .unwrap();
        assert_eq!(after["status"]["phase"], "Initializing");
        assert_eq!(
            after["spec"]["image"], "sei:v1",
            "a status write keeps the spec"
        );
        stored.push(Value::clone(&after));
    }
    assert_eq!(stored[0], stored[1]);
    assert!(stored[0]["status"]["plan"]["tasks"][0]
        .get("extra")
        .is_none());
    // A status Go cannot decode is refused with the same text either way.
    let mut errors = Vec::new();
    for patch in [
        json!({"status": {"phase": 5}}),
        json!({"spec": {"image": "sei:v2"}, "status": {"phase": 5}}),
    ] {
        let mut api = ApiServer::new("2026-01-01T00:00:00Z");
        api.load(seinode()).unwrap();
        let error = api
            .merge_patch("sei.io/v1alpha1", "SeiNode", "ns", "n", patch, true)
            .unwrap_err();
        errors.push(error.to_string());
    }
    assert!(
        errors[0].contains("cannot unmarshal number"),
        "{}",
        errors[0]
    );
    assert_eq!(errors[0], errors[1]);
}

/// A kind served by two groups is listed once, by namespace then name across both groups,
/// an object of each group under the same name in the group order; other kinds by kind.
#[test]
fn a_listing_orders_a_kind_of_two_groups_by_namespace_and_name() {
    let widget = |group: &str, ns: &str, name: &str| {
        json!({"apiVersion": format!("{group}/v1"), "kind": "Widget",
            "metadata": {"name": name, "namespace": ns}})
    };
    let objects = [
        widget("b.io", "ns1", "w2"),
        widget("a.io", "ns2", "w1"),
        widget("b.io", "ns1", "w1"),
        widget("a.io", "ns1", "w2"),
        config_map("c", "x"),
        widget("a.io", "ns1", "w3"),
    ];
    let (parsed, compact) = pair(&objects);
    for api in [&parsed, &compact] {
        let listed: Vec<(String, String, String, String)> = values(api)
            .into_iter()
            .map(|(kind, o)| {
                let text = |p: &str| {
                    o.pointer(p)
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string()
                };
                (
                    kind,
                    text("/apiVersion"),
                    text("/metadata/namespace"),
                    text("/metadata/name"),
                )
            })
            .collect();
        let row = |k: &str, g: &str, ns: &str, n: &str| {
            (k.to_string(), g.to_string(), ns.to_string(), n.to_string())
        };
        assert_eq!(
            listed,
            [
                row("ConfigMap", "v1", "ns", "c"),
                row("Widget", "b.io/v1", "ns1", "w1"),
                row("Widget", "a.io/v1", "ns1", "w2"),
                row("Widget", "b.io/v1", "ns1", "w2"),
                row("Widget", "a.io/v1", "ns1", "w3"),
                row("Widget", "a.io/v1", "ns2", "w1"),
            ]
        );
    }
}
