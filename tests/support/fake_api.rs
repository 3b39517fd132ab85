//! An in-process fake Kubernetes API server for tests: axum on 127.0.0.1 (random
//! port) around `world::ApiServer` (PARITY.md §4 semantics), with discovery,
//! GET/LIST, Create, Update, merge patch, server-side apply, Delete, the status
//! subresource, `dryRun=All`, the pod proxy to a fake sidecar, injected faults,
//! and a log of EVERY request.

// Shared by several test binaries, each using a part of it.
#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use nodectl::sidecar::model::default_node_id;
use nodectl::world::{ApiError, ApiServer, DeleteOptions, APPLY_PATCH};

/// The environment variables that would point a child `nodectl` at the machine's own
/// cluster or proxy; every test and bench run against the fake removes them.
pub const CLUSTER_ENV: &[&str] = &[
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "KUBECONFIG",
];

/// The `nodectl` binary, isolated from the machine's cluster settings: proxies and
/// `$KUBECONFIG` removed, no backtraces.
pub fn isolated_nodectl() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("nodectl").unwrap();
    for var in CLUSTER_ENV {
        cmd.env_remove(var);
    }
    cmd.env("RUST_BACKTRACE", "0");
    cmd
}

/// The objects of a manifest file (to start a fake cluster with).
pub fn manifest_objects(path: &str) -> Vec<Value> {
    nodectl::cli::input::read_objects(&[path.into()], false)
        .expect("manifest loads")
        .into_values()
}

/// One request as received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: String,
    pub content_type: String,
    pub body: Option<Value>,
    /// The `Authorization` header as sent.
    pub authorization: String,
}

impl Recorded {
    pub fn is_proxy(&self) -> bool {
        self.path.contains("/proxy/")
    }
}

/// What an injected fault does to a matching request (before it is processed).
#[derive(Debug, Clone)]
pub enum FaultKind {
    /// Answer with this HTTP status (a Kubernetes Status body).
    Status(u16, &'static str),
    /// Answer only after this delay, with 504, without processing.
    Delay(Duration),
    /// Process the request, then answer with this HTTP status anyway (a write that landed
    /// although the client saw an error).
    AppliedThen(u16, &'static str),
    /// Process the request, then answer only after this delay, with 504 (a write that
    /// landed while the client timed out).
    AppliedThenDelay(Duration),
    /// Hold the request this long, then process and answer it normally (a slow request
    /// to interrupt).
    Pause(Duration),
    /// Answer with this status and a `Retry-After` of this many seconds, unprocessed.
    RetryAfter(u16, u64),
}

#[derive(Debug, Clone)]
pub struct Fault {
    pub method: &'static str,
    pub path_contains: String,
    pub kind: FaultKind,
    /// How many matching requests it hits.
    pub times: usize,
}

/// The fake cluster's state.
pub struct State {
    pub api: ApiServer,
    pub requests: Vec<Recorded>,
    pub faults: Vec<Fault>,
    /// Pods (`NAME-0`) whose sidecar cannot be reached.
    pub unreachable: HashSet<String>,
    /// Scripted `GET /v0/tasks/{id}` answers by task id: a body, or `None` for a
    /// 404 (unscripted tasks are running).
    pub tasks: HashMap<String, Option<Value>>,
    /// Faults by the position of a write (every non-GET request, sidecar submissions
    /// included, counted from 1).
    pub write_faults: HashMap<usize, FaultKind>,
    /// Non-GET requests received so far.
    pub writes_received: usize,
    /// Bodies of the `POST /v0/tasks` the fake sidecar accepted.
    pub submitted: Vec<Value>,
    /// When set, `GET /v0/tasks/{id}` of a task neither scripted nor submitted is a 404
    /// (a sidecar that remembers what it was given).
    pub strict_tasks: bool,
}

/// A running fake server.
pub struct Fake {
    pub state: Arc<Mutex<State>>,
    pub addr: SocketAddr,
}

impl Fake {
    /// Starts a server holding `objects` (loaded like a fixture) and serving `optional` kinds.
    pub fn start(objects: &[Value], optional: &[&str]) -> Fake {
        let mut api = ApiServer::new("2026-01-01T00:00:00Z");
        for gvk in optional {
            api.install_kind(gvk);
        }
        for o in objects {
            api.load(o.clone()).expect("fixture object loads");
        }
        let state = Arc::new(Mutex::new(State {
            api,
            requests: Vec::new(),
            faults: Vec::new(),
            unreachable: HashSet::new(),
            tasks: HashMap::new(),
            write_faults: HashMap::new(),
            writes_received: 0,
            submitted: Vec::new(),
            strict_tasks: false,
        }));
        let shared = state.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(listener.local_addr().unwrap()).unwrap();
                let app = axum::Router::new().fallback(
                    move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                        let state = shared.clone();
                        async move { handle(state, method, uri, headers, body).await }
                    },
                );
                axum::serve(listener, app).await.unwrap();
            });
        });
        let addr = rx.recv().expect("server started");
        Fake { state, addr }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Writes a kubeconfig pointing at this server; returns its path.
    pub fn kubeconfig(&self, dir: &std::path::Path) -> std::path::PathBuf {
        let path = dir.join("kubeconfig");
        let text = format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: fake\nclusters:\n- name: fake\n  cluster:\n    server: {}\ncontexts:\n- name: fake\n  context:\n    cluster: fake\n    user: fake\n    namespace: default\nusers:\n- name: fake\n  user:\n    token: t\n",
            self.url()
        );
        std::fs::write(&path, text).unwrap();
        path
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }

    pub fn fault(&self, fault: Fault) {
        self.state.lock().unwrap().faults.push(fault);
    }

    /// Scripts the sidecar's answer for task `id` (`None`: 404).
    pub fn task_answer(&self, id: &str, body: Option<Value>) {
        self.state.lock().unwrap().tasks.insert(id.into(), body);
    }

    /// Makes the sidecar of pod `pod` unreachable.
    pub fn unreachable(&self, pod: &str) {
        self.state.lock().unwrap().unreachable.insert(pod.into());
    }

    /// Injects `kind` at the `n`-th write (non-GET request, from 1).
    pub fn fault_at_write(&self, n: usize, kind: FaultKind) {
        self.state.lock().unwrap().write_faults.insert(n, kind);
    }

    /// Non-GET requests received so far.
    pub fn writes_received(&self) -> usize {
        self.state.lock().unwrap().writes_received
    }

    /// The cluster as a test compares it: every stored object of the kinds served
    /// (server-kept metadata removed) and every task the sidecar accepted.
    pub fn cluster_state(&self) -> Value {
        let s = self.state.lock().unwrap();
        let mut objects = Vec::new();
        for (api_version, kind) in [
            ("sei.io/v1alpha1", "SeiNode"),
            ("sei.io/v1alpha1", "SeiNodeDeployment"),
            ("apps/v1", "StatefulSet"),
            ("batch/v1", "Job"),
            ("v1", "Service"),
            ("v1", "PersistentVolumeClaim"),
            ("gateway.networking.k8s.io/v1", "HTTPRoute"),
            ("monitoring.coreos.com/v1", "ServiceMonitor"),
        ] {
            for o in s.api.list(api_version, kind, None, &[]).unwrap_or_default() {
                let mut o = Value::clone(&o);
                if let Some(meta) = o.get_mut("metadata").and_then(Value::as_object_mut) {
                    for k in [
                        "resourceVersion",
                        "uid",
                        "creationTimestamp",
                        "generation",
                        "managedFields",
                    ] {
                        meta.remove(k);
                    }
                }
                objects.push(o);
            }
        }
        // The sidecar keeps tasks by id: the same id submitted again is the same task.
        let mut tasks = s.submitted.clone();
        tasks.sort_by_key(|t| t.to_string());
        tasks.dedup();
        json!({"objects": objects, "tasks": tasks})
    }

    /// Writes the store recorded (successful or not).
    pub fn store_writes(&self) -> usize {
        self.state.lock().unwrap().api.writes().len()
    }
}

fn status(code: u16, reason: &str, message: &str) -> Response {
    let body = json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
        "reason": reason, "message": message, "code": code});
    (StatusCode::from_u16(code).unwrap(), axum::Json(body)).into_response()
}

fn api_error(e: &ApiError) -> Response {
    let (code, reason) = match e {
        ApiError::NotFound { .. } | ApiError::NotServed { .. } => (404, "NotFound"),
        ApiError::AlreadyExists { .. } => (409, "AlreadyExists"),
        ApiError::Conflict { .. } | ApiError::ApplyConflict(_) => (409, "Conflict"),
        ApiError::Invalid(_) => (422, "Invalid"),
    };
    status(code, reason, &e.to_string())
}

/// `(apiVersion, Kind)` of a plural under a group version.
fn kind_of(group_version: &str, plural: &str) -> Option<(&'static str, &'static str)> {
    Some(match (group_version, plural) {
        ("sei.io/v1alpha1", "seinodes") => ("sei.io/v1alpha1", "SeiNode"),
        ("sei.io/v1alpha1", "seinodedeployments") => ("sei.io/v1alpha1", "SeiNodeDeployment"),
        ("apps/v1", "statefulsets") => ("apps/v1", "StatefulSet"),
        ("batch/v1", "jobs") => ("batch/v1", "Job"),
        ("v1", "services") => ("v1", "Service"),
        ("v1", "persistentvolumeclaims") => ("v1", "PersistentVolumeClaim"),
        ("v1", "pods") => ("v1", "Pod"),
        ("gateway.networking.k8s.io/v1", "httproutes") => {
            ("gateway.networking.k8s.io/v1", "HTTPRoute")
        }
        ("monitoring.coreos.com/v1", "servicemonitors") => {
            ("monitoring.coreos.com/v1", "ServiceMonitor")
        }
        _ => return None,
    })
}

async fn handle(
    state: Arc<Mutex<State>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let query = uri.query().unwrap_or("").to_string();
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body: Option<Value> =
        (!body.is_empty()).then(|| serde_json::from_slice(&body).unwrap_or(Value::Null));
    let fault = {
        let mut s = state.lock().unwrap();
        s.requests.push(Recorded {
            method: method.to_string(),
            path: path.clone(),
            query: query.clone(),
            content_type: content_type.clone(),
            body: body.clone(),
            authorization: headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string(),
        });
        let at_write = if method != Method::GET {
            s.writes_received += 1;
            let n = s.writes_received;
            s.write_faults.remove(&n)
        } else {
            None
        };
        let hit = s.faults.iter_mut().find(|f| {
            f.times > 0 && f.method == method.as_str() && path.contains(&f.path_contains)
        });
        at_write.or_else(|| {
            hit.map(|f| {
                f.times -= 1;
                f.kind.clone()
            })
        })
    };
    match fault {
        Some(FaultKind::Status(code, reason)) => return status(code, reason, "injected fault"),
        Some(FaultKind::Delay(d)) => {
            tokio::time::sleep(d).await;
            return status(504, "Timeout", "injected delay");
        }
        Some(FaultKind::AppliedThen(code, reason)) => {
            let mut s = state.lock().unwrap();
            let _ = serve(&mut s, &method, &path, &query, &content_type, body);
            return status(code, reason, "injected fault after processing");
        }
        Some(FaultKind::AppliedThenDelay(d)) => {
            {
                let mut s = state.lock().unwrap();
                let _ = serve(&mut s, &method, &path, &query, &content_type, body);
            }
            tokio::time::sleep(d).await;
            return status(504, "Timeout", "injected delay after processing");
        }
        Some(FaultKind::Pause(d)) => tokio::time::sleep(d).await,
        Some(FaultKind::RetryAfter(code, seconds)) => {
            let mut response = status(code, "TooManyRequests", "injected Retry-After");
            response.headers_mut().insert(
                "retry-after",
                axum::http::HeaderValue::from_str(&seconds.to_string()).unwrap(),
            );
            return response;
        }
        None => {}
    }
    let mut s = state.lock().unwrap();
    serve(&mut s, &method, &path, &query, &content_type, body)
}

fn serve(
    s: &mut State,
    method: &Method,
    path: &str,
    query: &str,
    content_type: &str,
    body: Option<Value>,
) -> Response {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let (group_version, rest) = match segments.as_slice() {
        ["api"] | ["apis"] => {
            return axum::Json(json!({"kind": "APIGroupList", "groups": []})).into_response()
        }
        ["api", v, rest @ ..] => (v.to_string(), rest.to_vec()),
        ["apis", g, v, rest @ ..] => (format!("{g}/{v}"), rest.to_vec()),
        _ => return status(404, "NotFound", "unknown path"),
    };
    if rest.is_empty() {
        let served = |gvk: &str| {
            s.api
                .is_served(&group_version, gvk.rsplit('/').next().unwrap_or(""))
        };
        let resources: Vec<Value> = [
            ("gateway.networking.k8s.io/v1", "httproutes", "HTTPRoute"),
            (
                "monitoring.coreos.com/v1",
                "servicemonitors",
                "ServiceMonitor",
            ),
        ]
        .iter()
        .filter(|(gv, _, kind)| *gv == group_version && served(kind))
        .map(|(_, plural, kind)| json!({"name": plural, "kind": kind, "namespaced": true}))
        .collect();
        if resources.is_empty() && group_version != "v1" && !group_version.starts_with("sei.io") {
            return status(
                404,
                "NotFound",
                "the server could not find the requested resource",
            );
        }
        return axum::Json(json!({"kind": "APIResourceList", "groupVersion": group_version, "resources": resources}))
            .into_response();
    }
    let (namespace, rest) = match rest.as_slice() {
        ["namespaces", ns, rest @ ..] => (Some(ns.to_string()), rest.to_vec()),
        _ => (None, rest),
    };
    if let ["pods", pod, "proxy", tail @ ..] = rest.as_slice() {
        return sidecar(s, pod, &tail.join("/"), method, body);
    }
    let Some((api_version, kind)) = rest.first().and_then(|p| kind_of(&group_version, p)) else {
        return status(
            404,
            "NotFound",
            "the server could not find the requested resource",
        );
    };
    let name = rest.get(1).copied();
    let status_sub = rest.get(2) == Some(&"status");
    let dry_run = query.split('&').any(|q| q == "dryRun=All");
    let manager = query
        .split('&')
        .find_map(|q| q.strip_prefix("fieldManager="))
        .unwrap_or("")
        .to_string();
    let ns = namespace.clone().unwrap_or_default();
    let mut scratch;
    let api: &mut ApiServer = if dry_run {
        scratch = s.api.clone();
        &mut scratch
    } else {
        &mut s.api
    };
    let with_namespace = |mut b: Value| {
        if let (Some(ns), Some(meta)) = (
            &namespace,
            b.get_mut("metadata").and_then(Value::as_object_mut),
        ) {
            meta.entry("namespace").or_insert_with(|| json!(ns));
        }
        b
    };
    let result = match (method.as_str(), name) {
        ("GET", None) => {
            return match api.list(api_version, kind, namespace.as_deref(), &[]) {
                Ok(items) => axum::Json(
                    json!({"kind": format!("{kind}List"), "apiVersion": api_version,
                    "metadata": {}, "items": items.iter().map(|i| Value::clone(i)).collect::<Vec<_>>()}),
                )
                .into_response(),
                Err(e) => api_error(&e),
            }
        }
        ("GET", Some(n)) => api.get(api_version, kind, &ns, n),
        ("POST", None) => api.create(api_version, kind, with_namespace(body.unwrap_or_default())),
        ("PUT", Some(_)) => api.update(
            api_version,
            kind,
            with_namespace(body.unwrap_or_default()),
            status_sub,
        ),
        ("PATCH", Some(_)) if content_type == APPLY_PATCH => api.apply(
            api_version,
            kind,
            with_namespace(body.unwrap_or_default()),
            &manager,
        ),
        ("PATCH", Some(n)) => api.merge_patch(
            api_version,
            kind,
            &ns,
            n,
            body.unwrap_or_default(),
            status_sub,
        ),
        ("DELETE", Some(n)) => {
            let policy = body
                .as_ref()
                .and_then(|b| b.get("propagationPolicy"))
                .and_then(Value::as_str)
                .map(str::to_string);
            api.delete(
                api_version,
                kind,
                &ns,
                n,
                DeleteOptions {
                    propagation_policy: policy,
                },
            )
        }
        _ => return status(405, "MethodNotAllowed", "method not allowed"),
    };
    match result {
        Ok(object) => {
            let code = if method == Method::POST {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            (code, axum::Json(Value::clone(&object))).into_response()
        }
        Err(e) => api_error(&e),
    }
}

/// The fake sidecar behind the pod proxy: every task is running, status Ready,
/// node ids as the scripted model's defaults.
fn sidecar(
    s: &mut State,
    pod_port: &str,
    tail: &str,
    method: &Method,
    body: Option<Value>,
) -> Response {
    let pod = pod_port.split(':').next().unwrap_or("");
    if s.unreachable.contains(pod) {
        return status(
            503,
            "ServiceUnavailable",
            &format!("error trying to reach service: dial tcp {pod}: connect: connection refused"),
        );
    }
    let node = pod.strip_suffix("-0").unwrap_or(pod);
    match (method.as_str(), tail) {
        ("GET", "v0/status") => axum::Json(json!({"status": "Ready"})).into_response(),
        ("GET", "v0/node-id") => {
            axum::Json(json!({"nodeId": default_node_id(node)})).into_response()
        }
        ("GET", t) if t.starts_with("v0/tasks/") => {
            let id = t.trim_start_matches("v0/tasks/");
            let submitted = s
                .submitted
                .iter()
                .any(|b| b.get("id").and_then(Value::as_str) == Some(id));
            match s.tasks.get(id) {
                Some(Some(body)) => axum::Json(body.clone()).into_response(),
                Some(None) => (StatusCode::NOT_FOUND, "task not found").into_response(),
                None if s.strict_tasks && !submitted => {
                    (StatusCode::NOT_FOUND, "task not found").into_response()
                }
                None => {
                    axum::Json(json!({"id": id, "type": "", "status": "running"})).into_response()
                }
            }
        }
        ("POST", "v0/tasks") => {
            s.submitted.push(body.clone().unwrap_or_default());
            let id = body
                .as_ref()
                .and_then(|b| b.get("id"))
                .and_then(Value::as_str)
                .unwrap_or("00000000-0000-4000-8000-000000000001")
                .to_string();
            (StatusCode::CREATED, axum::Json(json!({"id": id}))).into_response()
        }
        _ => (StatusCode::NOT_FOUND, "404 page not found").into_response(),
    }
}
