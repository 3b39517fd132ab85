//! Library-level checks of API-server semantics the corpus does not show directly.

use nodectl::manifest::parse_str;
use nodectl::validate::schema::compile;
use nodectl::validate::structural::{apply_defaults, check_cel};
use nodectl::validate::{validate_loads, OldObjects, Options, Report};
use serde_json::json;

fn run(text: &str) -> Report {
    validate_loads(
        vec![parse_str("t.yaml", text)],
        &OldObjects::default(),
        &Options::default(),
    )
}

fn rules(r: &Report) -> Vec<String> {
    r.diagnostics()
        .iter()
        .map(|d| format!("{}@{}", d.rule, d.json_path))
        .collect()
}

const SND_NO_REPLICAS: &str = "apiVersion: sei.io/v1alpha1
kind: SeiNodeDeployment
metadata:
  name: g
spec:
  updateStrategy: {type: InPlace}
  template:
    metadata:
      labels: {tier: seed}
    spec:
      chainId: c
      image: i
      archive: {}
";

#[test]
fn defaults_apply_before_required() {
    // spec.replicas is required but defaults to 1, so it may be omitted.
    let r = run(SND_NO_REPLICAS);
    assert!(!r.is_invalid(), "{:?}", rules(&r));
    // An explicit null is pruned and defaulted as well.
    let r = run(&SND_NO_REPLICAS.replace("spec:\n  update", "spec:\n  replicas: null\n  update"));
    assert!(!r.is_invalid(), "{:?}", rules(&r));
}

#[test]
fn label_selectors_match_children_and_explicit_nodes() {
    let node = |name: &str, sel: &str| {
        format!(
            "apiVersion: sei.io/v1alpha1\nkind: SeiNode\nmetadata:\n  name: {name}\n  labels: {{role: rpc}}\nspec:\n  chainId: c\n  image: i\n  peers:\n    - label:\n        selector: {{{sel}}}\n  fullNode: {{}}\n"
        )
    };
    // Matches the deployment's children (template labels + sei.io/nodedeployment).
    let text = format!(
        "{SND_NO_REPLICAS}---\n{}",
        node("a", "tier: seed, sei.io/nodedeployment: g")
    );
    assert!(rules(&run(&text)).is_empty(), "{:?}", rules(&run(&text)));
    // Matches another explicit node, but not itself.
    let text = format!("{}---\n{}", node("a", "role: rpc"), node("b", "role: rpc"));
    assert!(rules(&run(&text)).is_empty());
    let r = run(&node("a", "role: rpc"));
    assert_eq!(
        rules(&r),
        ["cross.peer-selector@spec.peers[0].label.selector"]
    );
    assert!(!r.is_invalid(), "selector warnings do not fail validation");
    // Ordinal beyond replicas does not match.
    let text = format!(
        "{SND_NO_REPLICAS}---\n{}",
        node("a", "sei.io/nodedeployment-ordinal: \"1\"")
    );
    assert_eq!(
        rules(&run(&text)),
        ["cross.peer-selector@spec.peers[0].label.selector"]
    );
}

#[test]
fn transition_rules_use_the_old_object() {
    let schema = compile(
        &json!({"type": "object", "properties": {"genesis": {"type": "object",
            "x-kubernetes-preserve-unknown-fields": true,
            "x-kubernetes-validations": [{"rule": "self == oldSelf", "message": "spec.genesis is immutable after creation"}]}}}),
        "",
    )
    .unwrap();
    let new = json!({"genesis": {"chainId": "a"}});
    let mut out = Vec::new();
    check_cel(&schema, &new, None, &mut String::new(), &mut out);
    assert!(
        out.is_empty(),
        "no old object: transition rules are skipped"
    );
    check_cel(
        &schema,
        &new,
        Some(&json!({"genesis": {"chainId": "a"}})),
        &mut String::new(),
        &mut out,
    );
    assert!(out.is_empty());
    check_cel(
        &schema,
        &new,
        Some(&json!({"genesis": {"chainId": "b"}})),
        &mut String::new(),
        &mut out,
    );
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].path, "genesis");
    assert_eq!(
        out[0].message,
        "Invalid value: \"object\": spec.genesis is immutable after creation"
    );
}

#[test]
fn int_or_string_quantities_and_yaml_11_booleans() {
    let text = "apiVersion: sei.io/v1alpha1\nkind: SeiNode\nmetadata:\n  name: q\nspec:\n  chainId: c\n  image: i\n  archive: {}\n  sidecar:\n    resources:\n      limits: {cpu: 2, memory: 4Gi}\n      requests: {cpu: 500m}\n";
    assert!(!run(text).is_invalid(), "{:?}", rules(&run(text)));
    // `on` is a boolean for kubectl (go-yaml v2), so an unquoted `on` label value is rejected.
    let r = run(&text.replace("  name: q\n", "  name: q\n  labels: {enabled: on}\n"));
    assert_eq!(rules(&r), ["schema.type@metadata.labels.enabled"]);
}

#[test]
fn defaults_are_filled_recursively() {
    let crd = nodectl::validate::schema::registry()
        .find("sei.io/v1alpha1", "SeiNode")
        .unwrap();
    let mut v = json!({"spec": {"sidecar": {}}});
    apply_defaults(&crd.root, &mut v);
    assert_eq!(v["spec"]["sidecar"]["port"], 7777);
}

/// A stream of many documents: ConfigMaps (skipped), valid and invalid SeiNodes, a duplicate,
/// a selector matching nothing, a scalar document and one that does not parse; over 256 KiB,
/// so it is parsed in parallel pieces and renumbered.
fn mixed_stream() -> String {
    let node = |name: &str, extra: &str| {
        format!("apiVersion: sei.io/v1alpha1\nkind: SeiNode\nmetadata:\n  name: {name}\nspec:\n  chainId: c\n  image: i\n  fullNode: {{}}\n{extra}")
    };
    let mut docs = Vec::new();
    for i in 0..4000 {
        docs.push(match i {
            7 => node("ok", ""),
            1500 => node("bad", "  replicas: nope\n"),
            2100 => node("ok", ""),
            2500 => node(
                "peer",
                "  peers:\n    - label:\n        selector: {role: nothing}\n",
            ),
            3000 => "just a scalar\n".to_string(),
            3500 => "a: [unclosed\n".to_string(),
            _ => format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c-{i}\ndata:\n  k: v\n"
            ),
        });
    }
    docs.join("---\n")
}

fn as_json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).expect("serialises")
}

#[test]
fn a_report_listing_only_diagnosed_documents_counts_the_rest() {
    use nodectl::manifest::discover_inputs;
    use nodectl::validate::{validate_inputs_keeping, validate_loads_keeping, Kept, Listing};
    let text = mixed_stream();
    assert!(text.len() > 256 << 10, "parsed in pieces");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mixed.yaml");
    std::fs::write(&path, &text).unwrap();
    let inputs = discover_inputs(&[path], false);
    let keep = |d: &nodectl::manifest::Document| (d.index_in_file, d.start.line);
    let (old, opts) = (OldObjects::default(), Options::default());
    let by_loads = |listing| {
        validate_loads_keeping(
            vec![parse_str("t.yaml", &text)],
            &old,
            &opts,
            listing,
            &|| {},
            &keep,
        )
    };
    let by_inputs = |listing| validate_inputs_keeping(&inputs, &old, &opts, listing, &|| {}, &keep);
    type Run<'a> = &'a dyn Fn(Listing) -> Kept<(usize, u32)>;
    let runs: [(Run, &str); 2] = [(&by_loads, "loads"), (&by_inputs, "inputs")];
    for (run, how) in runs {
        let every = run(Listing::Every);
        let diagnosed = run(Listing::Diagnosed);
        assert_eq!(
            every.report.documents.len(),
            4000,
            "{how}: one per document"
        );
        let listed: Vec<_> = every
            .report
            .documents
            .iter()
            .filter(|d| !d.diagnostics.is_empty())
            .collect();
        // bad (error), the second "ok" (duplicate), peer (selector), the scalar, the parse error.
        assert_eq!(listed.len(), 5, "{how}: {:?}", rules(&every.report));
        assert_eq!(
            as_json(&diagnosed.report.documents),
            as_json(&listed),
            "{how}"
        );
        assert_eq!(diagnosed.report.summary(), every.report.summary(), "{how}");
        assert_eq!(
            diagnosed.report.summary_line(),
            every.report.summary_line(),
            "{how}"
        );
        assert_eq!(
            as_json(&diagnosed.report.diagnostics()),
            as_json(&every.report.diagnostics()),
            "{how}"
        );
        assert!(
            diagnosed.report.is_invalid() && every.report.is_invalid(),
            "{how}"
        );
        assert_eq!(
            diagnosed.kept, every.kept,
            "{how}: the same documents kept, in order"
        );
        assert_eq!(diagnosed.unreadable, every.unreadable, "{how}");
        let s = diagnosed.report.summary();
        assert_eq!(
            (s.documents, s.valid, s.invalid, s.skipped),
            (4000, 2, 4, 3994),
            "{how}"
        );
    }
}
