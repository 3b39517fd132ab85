//! Validation of a single document: kind dispatch, schema, metadata, CEL, operator checks.

use serde_json::Value;

use super::cross::{object_key, ChildTemplate, ObjectFacts, SelectorRef};
use super::schema::{registry, CrdSchema};
use super::structural::{apply_defaults, check_cel, Checker, SchemaOptions};
use super::{
    metadata, operator, Diagnostic, DocResult, Finding, OldObjects, Options, Severity, Status,
};
use crate::manifest::Document;

fn finding(
    path: &str,
    rule: &'static str,
    severity: Severity,
    message: String,
    help: Option<String>,
) -> Finding {
    Finding {
        path: path.to_string(),
        rule,
        severity,
        message,
        help,
        blocking: false,
    }
}

/// Places a finding in the document's file.
pub fn locate(doc: &Document, f: Finding, object: Option<&str>) -> Diagnostic {
    let span = doc.position_of(&f.path).unwrap_or(doc.start);
    Diagnostic {
        file: doc.source.name.clone(),
        line: span.line,
        column: span.column,
        json_path: f.path,
        rule: f.rule.to_string(),
        severity: f.severity,
        message: f.message,
        help: f.help,
        object: object.map(str::to_string),
    }
}

/// Schema + metadata + CEL over one object value (defaults applied in place).
fn schema_pass(
    crd: &CrdSchema,
    v: &mut Value,
    old: Option<&Value>,
    opts: &Options,
    out: &mut Vec<Finding>,
) {
    apply_defaults(&crd.root, v);
    let mut path = String::new();
    Checker {
        opts: SchemaOptions {
            allow_unknown_fields: opts.allow_unknown_fields,
        },
        out,
    }
    .check(&crd.root, v, &mut path);
    if out.iter().any(|f| f.blocking) {
        out.push(finding(
            "",
            "cel.skipped",
            Severity::Note,
            "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation".into(),
            None,
        ));
    } else {
        check_cel(&crd.root, v, old, &mut path, out);
    }
}

/// Selector references (`…peers[i].label.selector`) under a spec at `base`.
fn selectors(spec: &Value, base: &str, own_ns: &str, doc: &Document) -> Vec<SelectorRef> {
    let mut out = Vec::new();
    for (i, peer) in spec["peers"].as_array().into_iter().flatten().enumerate() {
        if let Some(sel) = peer["label"]["selector"].as_object() {
            let p = format!("{base}.peers[{i}].label.selector");
            out.push(SelectorRef {
                span: doc.position_of(&p).unwrap_or(doc.start),
                path: p,
                namespace: peer["label"]["namespace"]
                    .as_str()
                    .filter(|s| !s.is_empty())
                    .unwrap_or(own_ns)
                    .to_string(),
                selector: sel.clone(),
            });
        }
    }
    out
}

/// Validates one document; returns its result and the facts cross-checks need.
/// Defaults are applied to `doc.value` in place (the API server's view of the object).
pub fn validate_document(
    doc: &mut Document,
    old: &OldObjects,
    opts: &Options,
) -> (DocResult, ObjectFacts) {
    let mut value = std::mem::take(&mut doc.value);
    let v = &value;
    let kind = v.get("kind").and_then(Value::as_str).map(str::to_string);
    let api_version = v.get("apiVersion").and_then(Value::as_str);
    let name = v["metadata"]["name"].as_str().map(str::to_string);
    let namespace = v["metadata"]["namespace"]
        .as_str()
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let ns = namespace.clone().unwrap_or_else(|| "default".into());
    let mut result = DocResult {
        file: doc.source.name.clone(),
        index: Some(doc.index_in_file),
        line: doc.start.line,
        kind: kind.clone(),
        namespace: namespace.clone(),
        name: name.clone(),
        status: Status::Valid,
        diagnostics: Vec::new(),
    };
    let mut facts = ObjectFacts::new(doc.source.clone());
    let mut out = Vec::new();
    let object_label = result.label();

    if !v.is_object() {
        out.push(finding(
            "",
            "manifest.not-object",
            Severity::Error,
            format!(
                "document is {}, not an object",
                article(super::cel::type_word(v))
            ),
            None,
        ));
    } else if kind.is_none() || api_version.is_none() {
        let what = if api_version.is_none() {
            "apiVersion"
        } else {
            "kind"
        };
        out.push(finding(
            what,
            "manifest.kind",
            Severity::Error,
            format!(
                "Object '{}' is missing",
                if what == "kind" { "Kind" } else { what }
            ),
            Some("every document needs apiVersion and kind".into()),
        ));
    } else {
        let (av, k) = (
            api_version.unwrap_or_default(),
            kind.as_deref().unwrap_or_default(),
        );
        let reg = registry();
        match reg.find(av, k) {
            None if reg.owns_group(av) || k == "SeiNode" || k == "SeiNodeDeployment" => {
                out.push(finding(
                    "apiVersion",
                    "manifest.api-version",
                    Severity::Error,
                    format!("no schema for {av} {k}"),
                    Some(format!("known kinds: {}", reg.kinds().join(", "))),
                ));
            }
            None => {
                result.status = Status::Skipped;
                if opts.strict_kinds {
                    out.push(finding(
                        "kind",
                        "manifest.unknown-kind",
                        Severity::Error,
                        format!("{av} {k} is not a SeiNode or SeiNodeDeployment"),
                        Some(
                            "--strict-kinds rejects other kinds; drop the flag to skip them".into(),
                        ),
                    ));
                }
            }
            Some(crd) => {
                let (k, key) = (k.to_string(), object_key(v));
                let old_value = key.as_ref().and_then(|key| old.get(key));
                schema_pass(crd, &mut value, old_value, opts, &mut out);
                metadata::check(&value, opts.allow_unknown_fields, &mut out);
                facts.key = key;
                facts.name_span = doc.position_of("metadata.name").unwrap_or(doc.start);
                facts.labels = value["metadata"]["labels"]
                    .as_object()
                    .cloned()
                    .unwrap_or_default();
                facts.kind = k;
                if facts.kind == "SeiNode" {
                    operator_node(&value, &ns, name.as_deref().unwrap_or(""), &mut out);
                    facts.selectors = selectors(&value["spec"], "spec", &ns, doc);
                } else {
                    operator_deployment(crd, &value, opts, &mut out, &mut facts);
                    facts.selectors = selectors(
                        &value["spec"]["template"]["spec"],
                        "spec.template.spec",
                        &ns,
                        doc,
                    );
                }
            }
        }
    }
    result.diagnostics = out
        .into_iter()
        .map(|f| locate(doc, f, Some(&object_label)))
        .collect();
    facts.object = object_label;
    if result.status != Status::Skipped
        || result
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    {
        result.status = if result
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
        {
            Status::Invalid
        } else {
            Status::Valid
        };
    }
    doc.value = value;
    (result, facts)
}

fn article(word: &str) -> String {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {word}")
    } else {
        format!("a {word}")
    }
}

/// Operator checks for a SeiNode (value already defaulted).
fn operator_node(v: &Value, ns: &str, name: &str, out: &mut Vec<Finding>) {
    if v["spec"].is_object() {
        if let Some(e) = operator::validate_seinode_spec(ns, name, &v["spec"]) {
            out.push(finding(&e.path, "operator.validate", Severity::Error, e.message, Some(format!("the operator's {} rejects this spec; every reconcile would fail with `resolving plan: …`", e.source_fn))));
        }
    }
    if let Some(e) = operator::check_node_name(name) {
        out.push(finding(
            &e.path,
            "operator.name-length",
            Severity::Error,
            e.message,
            Some("use a shorter metadata.name".into()),
        ));
    }
}

/// Operator checks for a SeiNodeDeployment: the child SeiNode its template produces.
fn operator_deployment(
    _crd: &CrdSchema,
    v: &Value,
    opts: &Options,
    out: &mut Vec<Finding>,
    facts: &mut ObjectFacts,
) {
    if !v["spec"]["template"]["spec"].is_object() || v["metadata"]["name"].as_str().is_none() {
        return;
    }
    let replicas = v["spec"]["replicas"].as_u64().unwrap_or(1).min(100) as u32;
    let base = "spec.template.spec";
    // Only a genesis deployment with a validator template changes the spec it stamps out.
    let injects =
        v["spec"]["genesis"].is_object() && v["spec"]["template"]["spec"]["validator"].is_object();
    let child = if injects {
        operator::generate_child(v, 0)
    } else {
        operator::generate_child_identity(v, 0)
    };
    let child_spec = if injects {
        &child.spec
    } else {
        &v["spec"]["template"]["spec"]
    };
    let help = format!(
        "the deployment controller creates SeiNode {}/{} from this template",
        child.namespace, child.name
    );
    // The child is validated as a SeiNode: only findings new to the template are reported, and
    // only for a deployment the API server would admit (otherwise no child is ever created).
    let admitted = injects && !out.iter().any(|f| f.severity == Severity::Error);
    if let Some(node_crd) = registry()
        .find("sei.io/v1alpha1", "SeiNode")
        .filter(|_| admitted)
    {
        let mut node = serde_json::json!({
            "apiVersion": "sei.io/v1alpha1", "kind": "SeiNode",
            "metadata": {"name": child.name.clone(), "namespace": child.namespace.clone(), "labels": child.labels.clone()},
            "spec": child.spec.clone(),
        });
        let mut child_findings = Vec::new();
        schema_pass(node_crd, &mut node, None, opts, &mut child_findings);
        for f in child_findings {
            let Some(rest) = f.path.strip_prefix("spec") else {
                continue;
            };
            let mapped = format!("{base}{rest}");
            if f.severity != Severity::Error
                || out.iter().any(|o| o.path == mapped && o.rule == f.rule)
            {
                continue;
            }
            out.push(finding(
                &mapped,
                "cross.template",
                Severity::Error,
                format!("child SeiNode {}: {}", child.name, f.message),
                Some(help.clone()),
            ));
        }
    }
    if let Some(e) = operator::validate_seinode_spec(&child.namespace, &child.name, child_spec) {
        let mapped = e.path.replacen("spec", base, 1);
        out.push(finding(
            &mapped,
            "operator.validate",
            Severity::Error,
            e.message,
            Some(format!("{help}; its {} rejects it", e.source_fn)),
        ));
    }
    let last = format!(
        "{}-{}",
        v["metadata"]["name"].as_str().unwrap_or(""),
        replicas.saturating_sub(1)
    );
    if let Some(e) = operator::check_node_name(&last) {
        out.push(finding(
            "metadata.name",
            "operator.name-length",
            Severity::Error,
            format!("child SeiNode {last}: {}", e.message),
            Some("use a shorter metadata.name for the deployment".into()),
        ));
    }
    if v["metadata"]["name"]
        .as_str()
        .is_some_and(|n| n.len() > operator::MAX_LABEL_VALUE)
    {
        out.push(finding("metadata.name", "operator.name-length", Severity::Error, format!("the deployment name is used as the `{}` label value, which may not exceed {} characters", operator::GROUP_LABEL, operator::MAX_LABEL_VALUE), None));
    }
    facts.children = Some(ChildTemplate {
        namespace: child.namespace,
        group: v["metadata"]["name"].as_str().unwrap_or("").to_string(),
        labels: child.labels,
        replicas,
    });
}
