//! Every request nodectl sends to an API server is built here, from typed parts.
//!
//! Names and namespaces come from manifests, saved plans and the cluster itself, so
//! none of them is trusted to be a path segment: each is validated as Kubernetes
//! validates it (an object name is a DNS-1123 subdomain, a namespace a DNS-1123
//! label) and percent-escaped, and a write's query (`fieldManager`, `force`,
//! `dryRun`) is one structure encoded once, so a name can never add or cut off a
//! query parameter. kube's own `Request` builders put the name into the path as
//! written, which is why they are not used for this.

use std::collections::HashMap;

use http::Method;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{json, Value};

use super::attempt::RawRequest;
use crate::validate::metadata::{is_dns1123_label, is_dns1123_subdomain};
use crate::world::kinds::{kind_info, split_api_version};
use crate::world::{WriteRecord, APPLY_PATCH, MERGE_PATCH};

/// Kubernetes' own message for an object name that is not a DNS-1123 subdomain.
pub const SUBDOMAIN_MESSAGE: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
/// Kubernetes' own message for a namespace that is not a DNS-1123 label.
pub const LABEL_MESSAGE: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";

/// Characters left as they are in a path segment: RFC 3986 unreserved.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Why a request could not be built. Nothing is sent when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidRequest {
    #[error("{object}: metadata.name {name:?}: Invalid value: {SUBDOMAIN_MESSAGE}")]
    Name { object: String, name: String },
    #[error("{object}: metadata.namespace {namespace:?}: Invalid value: {LABEL_MESSAGE}")]
    Namespace { object: String, namespace: String },
    #[error("{object}: {what} {value:?} is not a valid path part")]
    Part {
        object: String,
        what: &'static str,
        value: String,
    },
    #[error("{object}: unknown verb {verb:?}")]
    Verb { object: String, verb: String },
}

/// Checks an object name as the API server does (DNS-1123 subdomain).
pub fn check_name(object: &str, name: &str) -> Result<(), InvalidRequest> {
    if is_dns1123_subdomain(name) {
        Ok(())
    } else {
        Err(InvalidRequest::Name {
            object: object.to_string(),
            name: name.to_string(),
        })
    }
}

/// Checks a namespace as the API server does (DNS-1123 label).
pub fn check_namespace(object: &str, namespace: &str) -> Result<(), InvalidRequest> {
    if is_dns1123_label(namespace) {
        Ok(())
    } else {
        Err(InvalidRequest::Namespace {
            object: object.to_string(),
            namespace: namespace.to_string(),
        })
    }
}

/// Checks the name and (when set) the namespace of a manifest object, naming it in the error.
pub fn check_object(object: &Value) -> Result<(), InvalidRequest> {
    let text = |p: &str| super::identity::text(object, p);
    let (kind, namespace, name) = (
        text("/kind"),
        text("/metadata/namespace"),
        text("/metadata/name"),
    );
    let label = format!("{kind} {namespace}/{name}");
    if !namespace.is_empty() {
        check_namespace(&label, namespace)?;
    }
    check_name(&label, name)
}

/// One escaped path segment; empty, `.` and `..` are refused (a server would resolve them).
fn segment(object: &str, what: &'static str, value: &str) -> Result<String, InvalidRequest> {
    if value.is_empty() || value == "." || value == ".." {
        return Err(InvalidRequest::Part {
            object: object.to_string(),
            what,
            value: value.to_string(),
        });
    }
    Ok(utf8_percent_encode(value, SEGMENT).to_string())
}

/// The REST location of a collection, an object or a subresource, as typed parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourcePath<'a> {
    pub api_version: &'a str,
    pub plural: &'a str,
    /// `None`: cluster-scoped, or all namespaces for a collection.
    pub namespace: Option<&'a str>,
    pub name: Option<&'a str>,
    pub subresource: Option<&'a str>,
}

impl<'a> ResourcePath<'a> {
    pub fn collection(api_version: &'a str, plural: &'a str, namespace: Option<&'a str>) -> Self {
        ResourcePath {
            api_version,
            plural,
            namespace,
            name: None,
            subresource: None,
        }
    }

    pub fn object(
        api_version: &'a str,
        plural: &'a str,
        namespace: Option<&'a str>,
        name: &'a str,
    ) -> Self {
        ResourcePath {
            name: Some(name),
            ..Self::collection(api_version, plural, namespace)
        }
    }

    fn describe(&self) -> String {
        format!(
            "{} {}/{}",
            self.plural,
            self.namespace.unwrap_or(""),
            self.name.unwrap_or("")
        )
    }

    /// Validates every part and joins the escaped segments.
    pub fn build(&self) -> Result<String, InvalidRequest> {
        let object = self.describe();
        let (group, version) = split_api_version(self.api_version);
        if !(group.is_empty() || is_dns1123_subdomain(group)) {
            return Err(InvalidRequest::Part {
                object,
                what: "API group",
                value: group.into(),
            });
        }
        for (what, value) in [("API version", version), ("resource", self.plural)] {
            if !is_dns1123_label(value) {
                return Err(InvalidRequest::Part {
                    object,
                    what,
                    value: value.into(),
                });
            }
        }
        let mut path = if group.is_empty() {
            format!("/api/{version}")
        } else {
            format!("/apis/{group}/{version}")
        };
        if let Some(ns) = self.namespace {
            check_namespace(&object, ns)?;
            path.push_str("/namespaces/");
            path.push_str(&segment(&object, "namespace", ns)?);
        }
        path.push('/');
        path.push_str(self.plural);
        if let Some(name) = self.name {
            check_name(&object, name)?;
            path.push('/');
            path.push_str(&segment(&object, "name", name)?);
        }
        if let Some(sub) = self.subresource {
            if !is_dns1123_label(sub) {
                return Err(InvalidRequest::Part {
                    object,
                    what: "subresource",
                    value: sub.into(),
                });
            }
            path.push('/');
            path.push_str(sub);
        }
        Ok(path)
    }
}

/// Whether a write is stored or only dry-run by the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    Send,
    /// `dryRun=All`: authorized and admitted like a write, stored nowhere.
    DryRun,
}

/// The whole query of a write, encoded in one place.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteQuery {
    pub dry_run: bool,
    pub field_manager: Option<String>,
    pub force: bool,
}

impl WriteQuery {
    /// `?dryRun=All&fieldManager=...&force=true`, or empty.
    pub fn encode(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if self.dry_run {
            query.append_pair("dryRun", "All");
        }
        if let Some(m) = &self.field_manager {
            query.append_pair("fieldManager", m);
        }
        if self.force {
            query.append_pair("force", "true");
        }
        let text = query.finish();
        if text.is_empty() {
            text
        } else {
            format!("?{text}")
        }
    }
}

/// `GET` of a collection (one LIST).
pub fn list(
    api_version: &str,
    plural: &str,
    namespace: Option<&str>,
) -> Result<RawRequest, InvalidRequest> {
    Ok(RawRequest::get(
        ResourcePath::collection(api_version, plural, namespace).build()?,
    ))
}

/// `GET` of one object.
pub fn get(
    api_version: &str,
    kind: &str,
    namespace: Option<&str>,
    name: &str,
) -> Result<RawRequest, InvalidRequest> {
    let plural = kind_info(api_version, kind).plural;
    Ok(RawRequest::get(
        ResourcePath::object(api_version, &plural, namespace, name).build()?,
    ))
}

/// Discovery of one group version (`/apis/GROUP/VERSION`).
pub fn discovery(api_version: &str) -> Result<RawRequest, InvalidRequest> {
    let path = ResourcePath::collection(api_version, "x", None).build()?;
    Ok(RawRequest::get(
        path.strip_suffix("/x").unwrap_or(&path).to_string(),
    ))
}

/// The HTTP request the operator sends for a recorded write; `mode` decides `dryRun`.
pub fn write(
    w: &WriteRecord,
    versions: &HashMap<String, String>,
    mode: WriteMode,
) -> Result<RawRequest, InvalidRequest> {
    let plural = kind_info(&w.api_version, &w.kind).plural;
    let namespace = (!w.namespace.is_empty()).then_some(w.namespace.as_str());
    let object = ResourcePath {
        api_version: &w.api_version,
        plural: &plural,
        namespace,
        name: Some(&w.name),
        subresource: w.subresource,
    };
    let mut query = WriteQuery {
        dry_run: mode == WriteMode::DryRun,
        ..WriteQuery::default()
    };
    let with_identity = |body: &Value| {
        let mut body = relock(body.clone(), versions);
        if let Some(map) = body.as_object_mut() {
            map.entry("apiVersion")
                .or_insert_with(|| json!(w.api_version));
            map.entry("kind").or_insert_with(|| json!(w.kind));
        }
        body
    };
    let empty = json!({});
    let (method, path, content_type, body) = match w.verb {
        "Create" => {
            // The name is in the body; it is checked all the same.
            check_name(&object.describe(), &w.name)?;
            let path = ResourcePath::collection(&w.api_version, &plural, namespace).build()?;
            let body = with_identity(w.object.as_deref().unwrap_or(&empty));
            (Method::POST, path, "application/json", body)
        }
        "Update" => (
            Method::PUT,
            object.build()?,
            "application/json",
            with_identity(w.object.as_deref().unwrap_or(&empty)),
        ),
        "Delete" => {
            let mut options = json!({"apiVersion": "v1", "kind": "DeleteOptions"});
            if let Some(p) = &w.propagation_policy {
                options["propagationPolicy"] = json!(p);
            }
            (Method::DELETE, object.build()?, "application/json", options)
        }
        "Patch" if w.patch_type == Some(APPLY_PATCH) => {
            query.field_manager = Some(w.field_manager.clone().unwrap_or("nodectl".into()));
            query.force = true;
            let body = w.patch.as_deref().cloned().unwrap_or_default();
            (Method::PATCH, object.build()?, APPLY_PATCH, body)
        }
        "Patch" => {
            let body = relock(w.patch.as_deref().cloned().unwrap_or_default(), versions);
            (Method::PATCH, object.build()?, MERGE_PATCH, body)
        }
        other => {
            return Err(InvalidRequest::Verb {
                object: object.describe(),
                verb: other.to_string(),
            })
        }
    };
    Ok(RawRequest::with_body(
        method,
        format!("{path}{}", query.encode()),
        content_type,
        body,
    ))
}

/// Replaces a predicted `metadata.resourceVersion` by the one the cluster returned.
fn relock(mut body: Value, versions: &HashMap<String, String>) -> Value {
    if let Some(rv) = body.pointer_mut("/metadata/resourceVersion") {
        if let Some(real) = rv.as_str().and_then(|p| versions.get(p)) {
            *rv = Value::String(real.clone());
        }
    }
    body
}

/// A sidecar pod behind the API server's pod proxy, as parsed from its cluster URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SidecarPod {
    pub namespace: String,
    pub pod: String,
    pub port: u16,
}

impl SidecarPod {
    /// `http://POD.SVC.NS.svc...:PORT` -> the pod, its namespace and port; `None` when the
    /// URL does not name a pod that way or its parts are not valid names.
    pub fn of_url(url: &str) -> Option<SidecarPod> {
        let host_port = url.split("://").nth(1)?.split('/').next()?;
        let (host, port) = host_port.rsplit_once(':')?;
        let labels: Vec<&str> = host.split('.').collect();
        let (pod, namespace) = match labels.as_slice() {
            [pod, _svc, ns, ..] => (*pod, *ns),
            _ => return None,
        };
        let pod = SidecarPod {
            namespace: namespace.to_string(),
            pod: pod.to_string(),
            port: port.parse().ok()?,
        };
        (is_dns1123_label(namespace) && is_dns1123_subdomain(pod.pod.as_str())).then_some(pod)
    }

    /// `/api/v1/namespaces/NS/pods/POD:PORT/proxy` + the escaped segments of `path`.
    pub fn proxy_path(&self, path: &str) -> Result<String, InvalidRequest> {
        let object = format!("pod {}/{}", self.namespace, self.pod);
        let base = ResourcePath::object("v1", "pods", Some(&self.namespace), &self.pod).build()?;
        Ok(format!(
            "{base}:{}/proxy{}",
            self.port,
            sidecar_path(&object, path)?
        ))
    }
}

/// A sidecar path (`/v0/tasks/ID`) with each segment escaped.
pub fn sidecar_path(object: &str, path: &str) -> Result<String, InvalidRequest> {
    let mut out = String::new();
    for part in path.trim_start_matches('/').split('/') {
        out.push('/');
        out.push_str(&segment(object, "sidecar path", part)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::WriteOutcome;

    const HOSTILE: &[&str] = &[
        "victim?fieldManager=x&force=true#",
        "kube-system#x",
        "../x",
        "a/b",
        "%2e%2e",
        "..",
        "ünïcode",
        "",
        "UPPER",
    ];

    fn write(verb: &'static str, namespace: &str, name: &str) -> WriteRecord {
        WriteRecord {
            seq: 1,
            verb,
            subresource: None,
            api_version: "apps/v1".into(),
            kind: "StatefulSet".into(),
            namespace: namespace.into(),
            name: name.into(),
            patch_type: (verb == "Patch").then_some(APPLY_PATCH),
            patch: Some(json!({}).into()),
            object: Some(json!({}).into()),
            field_manager: Some("seinode-controller".into()),
            force: Some(true),
            propagation_policy: None,
            error: None,
            outcome: WriteOutcome::Failed,
        }
    }

    #[test]
    fn hostile_names_and_namespaces_build_no_request() {
        for bad in HOSTILE {
            for verb in ["Create", "Update", "Patch", "Delete"] {
                let versions = HashMap::new();
                let by_name = super::write(&write(verb, "ns", bad), &versions, WriteMode::Send);
                assert!(
                    matches!(by_name, Err(InvalidRequest::Name { .. })),
                    "{verb} {bad:?}: {by_name:?}"
                );
                let by_ns = super::write(&write(verb, bad, "a"), &versions, WriteMode::Send);
                assert!(
                    bad.is_empty() || matches!(by_ns, Err(InvalidRequest::Namespace { .. })),
                    "{verb} ns {bad:?}: {by_ns:?}"
                );
            }
            assert!(list("v1", "pods", Some(bad)).is_err(), "{bad:?}");
            assert!(get("v1", "Pod", Some("ns"), bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_dry_run_is_part_of_the_one_query_of_every_write() {
        for verb in ["Create", "Update", "Patch", "Delete"] {
            let r =
                super::write(&write(verb, "ns", "a"), &HashMap::new(), WriteMode::DryRun).unwrap();
            let query = r.path.split_once('?').map(|(_, q)| q).unwrap_or("");
            assert!(query.starts_with("dryRun=All"), "{verb}: {}", r.path);
            assert!(!r.path.contains('#'));
        }
        let r = super::write(&write("Patch", "ns", "a"), &HashMap::new(), WriteMode::Send).unwrap();
        assert_eq!(
            r.path,
            "/apis/apps/v1/namespaces/ns/statefulsets/a?fieldManager=seinode-controller&force=true"
        );
    }

    #[test]
    fn field_managers_and_task_ids_are_escaped() {
        let mut w = write("Patch", "ns", "a");
        w.field_manager = Some("m&force=false#".into());
        let r = super::write(&w, &HashMap::new(), WriteMode::DryRun).unwrap();
        assert!(
            r.path
                .ends_with("?dryRun=All&fieldManager=m%26force%3Dfalse%23&force=true"),
            "{}",
            r.path
        );
        let pod = SidecarPod::of_url("http://a-0.a.ns.svc.cluster.local:7777").unwrap();
        assert_eq!(
            pod.proxy_path("/v0/tasks/x?y#z").unwrap(),
            "/api/v1/namespaces/ns/pods/a-0:7777/proxy/v0/tasks/x%3Fy%23z"
        );
        assert!(pod.proxy_path("/v0/tasks/..").is_err());
        assert_eq!(
            SidecarPod::of_url("http://a-0.a.kube-system#x.svc:7777"),
            None
        );
        assert_eq!(SidecarPod::of_url("http://localhost:7777"), None);
    }

    #[test]
    fn discovery_and_lists_follow_the_rest_layout() {
        assert_eq!(
            discovery("monitoring.coreos.com/v1").unwrap().path,
            "/apis/monitoring.coreos.com/v1"
        );
        assert_eq!(
            list("sei.io/v1alpha1", "seinodes", None).unwrap().path,
            "/apis/sei.io/v1alpha1/seinodes"
        );
        assert_eq!(
            get("v1", "Pod", Some("ns"), "a.b").unwrap().path,
            "/api/v1/namespaces/ns/pods/a.b"
        );
    }
}
