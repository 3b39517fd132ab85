//! Sidecars of a live cluster. The core stays synchronous: the engine runs on a
//! thread of its own, and each read it makes (`GET /v0/tasks/ID`, `/v0/status`,
//! `/v0/node-id`) goes over a channel to the async side ([`serve`]), which fetches it
//! through the API server's pod proxy (or `--sidecar-url`) while the engine waits.
//! Each read is fetched once: the run sees one answer per read (a snapshot).
//! Submissions are never sent here: they are simulated as accepted and kept, with
//! their place among the API writes, for `apply` to send.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

use super::attempt::{Failure, RawRequest, RequestError, RetryPolicy};
use super::client::Cluster;
use super::request::{sidecar_path, SidecarPod};
pub use super::step::Submission;
use crate::sidecar::{SidecarCall, SidecarError, Sidecars, TaskRequest, TaskState, Via};

/// The `returned` text of a submission that was simulated, not sent.
pub const SIMULATED_OK: &str = "ok (simulated: not sent in a dry run)";

/// A read-only sidecar request.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SidecarQuery {
    Task { url: String, id: String },
    Status { url: String },
    NodeId { url: String },
}

impl SidecarQuery {
    fn url(&self) -> &str {
        match self {
            SidecarQuery::Task { url, .. }
            | SidecarQuery::Status { url }
            | SidecarQuery::NodeId { url } => url,
        }
    }

    fn path(&self) -> String {
        match self {
            SidecarQuery::Task { id, .. } => format!("/v0/tasks/{id}"),
            SidecarQuery::Status { .. } => "/v0/status".into(),
            SidecarQuery::NodeId { .. } => "/v0/node-id".into(),
        }
    }
}

/// What a sidecar answered: the JSON body, or why there was none.
pub type SidecarAnswer = Result<Value, SidecarError>;

/// A read on its way to the async side, with where its answer goes.
pub type Ask = (SidecarQuery, oneshot::Sender<SidecarAnswer>);

/// The engine's end of the channel to [`serve`].
pub fn channel() -> (mpsc::UnboundedSender<Ask>, mpsc::UnboundedReceiver<Ask>) {
    mpsc::unbounded_channel()
}

/// Sidecars answering each read with the real sidecar's answer, fetched by [`serve`]
/// while the (synchronous) engine waits on its thread.
pub struct LiveSidecars {
    ask: mpsc::UnboundedSender<Ask>,
    /// Every read answered so far: asked again, it gets the same answer (and the run's
    /// reads, for its report, once it is over).
    pub answers: BTreeMap<SidecarQuery, SidecarAnswer>,
    probe: Arc<AtomicU64>,
    submitted: BTreeSet<String>,
    anonymous: usize,
    pub submissions: Vec<Submission>,
    calls: Vec<SidecarCall>,
}

impl LiveSidecars {
    /// Sidecars asking `ask` for their reads; `probe` counts the API writes so far.
    pub fn new(ask: mpsc::UnboundedSender<Ask>, probe: Arc<AtomicU64>) -> Self {
        LiveSidecars {
            ask,
            answers: BTreeMap::new(),
            probe,
            submitted: BTreeSet::new(),
            anonymous: 0,
            submissions: Vec::new(),
            calls: Vec::new(),
        }
    }

    /// The answer to `query`: the one already given, or the async side's (blocking this
    /// thread until it is back). Must not run on a runtime thread.
    fn answer(&mut self, query: SidecarQuery) -> SidecarAnswer {
        if let Some(answer) = self.answers.get(&query) {
            return answer.clone();
        }
        let (reply, answer) = oneshot::channel();
        let url = query.url().to_string();
        let answer = match self.ask.send((query.clone(), reply)) {
            Ok(()) => answer.blocking_recv().ok(),
            Err(_) => None,
        }
        .unwrap_or_else(|| Err(SidecarError::Unreachable(format!("{url}: not fetched"))));
        self.answers.insert(query, answer.clone());
        answer
    }

    fn record(
        &mut self,
        op: String,
        url: &str,
        id: &str,
        ty: &str,
        params: Option<Value>,
        returned: String,
    ) {
        self.calls
            .push(SidecarCall::new(op, url, id, ty, params, returned));
    }
}

impl Sidecars for LiveSidecars {
    fn as_any_mut(&mut self) -> Option<&mut dyn std::any::Any> {
        Some(self)
    }

    fn build_client(&mut self, _url: &str) -> Result<(), String> {
        Ok(())
    }

    fn submit_task(
        &mut self,
        via: Via,
        url: &str,
        request: &TaskRequest,
    ) -> Result<String, SidecarError> {
        let id = request.id.clone().unwrap_or_else(|| {
            self.anonymous += 1;
            let seed = format!("{url}/{}/{}", request.task_type, self.anonymous);
            uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, seed.as_bytes()).to_string()
        });
        self.submitted.insert(id.clone());
        self.submissions.push(Submission {
            after_write: self.probe.load(Ordering::SeqCst),
            via,
            url: url.to_string(),
            request: request.clone(),
            id: id.clone(),
        });
        let op = via.op_label("SubmitTask", "POST", "/v0/tasks");
        self.record(
            op,
            url,
            &id,
            &request.task_type,
            request.params.clone(),
            SIMULATED_OK.into(),
        );
        Ok(id)
    }

    fn get_task(&mut self, via: Via, url: &str, id: &str) -> Result<TaskState, SidecarError> {
        let op = via.op_label("GetTask", "GET", &format!("/v0/tasks/{id}"));
        if self.submitted.contains(id) {
            // Accepted a moment ago in this simulation: still running.
            self.record(op, url, id, "", None, "running (simulated)".into());
            return Ok(TaskState::Running);
        }
        let answer = self.answer(SidecarQuery::Task {
            url: url.to_string(),
            id: id.to_string(),
        });
        let (returned, result) = match answer {
            Err(e @ SidecarError::Unreachable(_)) => return Err(e),
            Err(SidecarError::NotFound) => ("notfound".to_string(), Err(SidecarError::NotFound)),
            Err(e) => (format!("error: {e}"), Err(e)),
            Ok(body) => {
                let status = body.get("status").and_then(Value::as_str).unwrap_or("");
                match status {
                    "completed" => ("completed".into(), Ok(TaskState::Completed)),
                    "failed" => {
                        let error = body.get("error").and_then(Value::as_str).unwrap_or("");
                        let text = if error.is_empty() {
                            format!("task {id} failed with unknown error")
                        } else {
                            error.to_string()
                        };
                        ("failed".into(), Ok(TaskState::Failed(text)))
                    }
                    _ => ("running".into(), Ok(TaskState::Running)),
                }
            }
        };
        let task_type = self
            .answers
            .get(&SidecarQuery::Task {
                url: url.into(),
                id: id.into(),
            })
            .and_then(|a| a.as_ref().ok())
            .and_then(|b| b.get("type").and_then(Value::as_str))
            .unwrap_or("")
            .to_string();
        self.record(op, url, id, &task_type, None, returned);
        result
    }

    fn status(&mut self, url: &str) -> Result<String, SidecarError> {
        let body = self.answer(SidecarQuery::Status {
            url: url.to_string(),
        })?;
        let status = body
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        self.record(
            "HTTP GET /v0/status".into(),
            url,
            "",
            "",
            None,
            status.clone(),
        );
        Ok(status)
    }

    fn node_id(&mut self, url: &str) -> Result<String, SidecarError> {
        let body = self.answer(SidecarQuery::NodeId {
            url: url.to_string(),
        })?;
        let id = body
            .get("nodeId")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if id.is_empty() {
            return Err(SidecarError::Other(
                "sidecar returned an empty node id".into(),
            ));
        }
        self.record("HTTP GET /v0/node-id".into(), url, "", "", None, id.clone());
        Ok(id)
    }

    fn take_calls(&mut self) -> Vec<SidecarCall> {
        std::mem::take(&mut self.calls)
    }
}

/// Where sidecar requests go.
#[derive(Clone)]
pub enum SidecarRoute {
    /// Through the API server: `/api/v1/namespaces/NS/pods/POD:PORT/proxy/PATH`.
    PodProxy(Cluster),
    /// Straight to one base URL (`--sidecar-url`), e.g. a port-forward.
    Direct(Cluster),
}

impl SidecarRoute {
    fn target(&self, url: &str, path: &str) -> Result<(&Cluster, String), SidecarError> {
        match self {
            SidecarRoute::Direct(c) => sidecar_path(url, path)
                .map(|p| (c, p))
                .map_err(|e| SidecarError::Other(e.to_string())),
            SidecarRoute::PodProxy(c) => {
                let pod = SidecarPod::of_url(url).ok_or_else(|| {
                    SidecarError::Other(format!("cannot map sidecar URL {url} to a pod"))
                })?;
                pod.proxy_path(path)
                    .map(|p| (c, p))
                    .map_err(|e| SidecarError::Other(e.to_string()))
            }
        }
    }

    /// The retry policy of the connection the sidecar requests go through.
    pub fn retry(&self) -> RetryPolicy {
        match self {
            SidecarRoute::Direct(c) | SidecarRoute::PodProxy(c) => c.retry,
        }
    }

    /// One attempt of a request, without retries (apply submits a task at most once
    /// unless the sidecar says it does not have it): the body, the failed attempt, or
    /// (`Err(Err)`) a URL that cannot be routed.
    pub async fn attempt(
        &self,
        url: &str,
        request: &RawRequest,
    ) -> Result<Value, Result<Failure, SidecarError>> {
        let (cluster, path) = self.target(url, &request.path).map_err(Err)?;
        let routed = RawRequest {
            path,
            ..request.clone()
        };
        cluster.attempt(&routed).await.map_err(Ok)
    }

    /// Sends one request to a sidecar and classifies the answer like the seictl client.
    pub async fn send(&self, url: &str, request: RawRequest) -> SidecarAnswer {
        let (cluster, path) = self.target(url, &request.path)?;
        let routed = RawRequest { path, ..request };
        match cluster.send(&routed).await {
            Ok(body) => Ok(body),
            Err(RequestError::Status {
                code: 404, message, ..
            }) => {
                // Through the proxy, a missing pod is a 404 from the API server itself.
                if matches!(self, SidecarRoute::PodProxy(_)) && message.starts_with("pods \"") {
                    Err(SidecarError::Unreachable(format!("{url}: {message}")))
                } else {
                    Err(SidecarError::NotFound)
                }
            }
            Err(
                e @ (RequestError::Timeout { .. }
                | RequestError::Transport { .. }
                | RequestError::Refused { .. }),
            ) => Err(SidecarError::Unreachable(format!("{url}: {e}"))),
            // The API server's proxy answers 502/503 when it cannot reach the pod.
            Err(
                e @ RequestError::Status {
                    code: 502 | 503, ..
                },
            ) => Err(SidecarError::Unreachable(format!("{url}: {e}"))),
            Err(e) => Err(SidecarError::Other(format!("{url}: {e}"))),
        }
    }
}

/// The async side of [`LiveSidecars`]: fetches each read it is asked, in turn, until
/// the engine's end of the channel is dropped (the engine keeps the answers).
pub async fn serve(route: &SidecarRoute, mut asks: mpsc::UnboundedReceiver<Ask>) {
    let mut bar = None;
    while let Some((query, reply)) = asks.recv().await {
        let bar = bar.get_or_insert_with(|| crate::progress::bar(0, "sidecars"));
        bar.inc_length(1);
        let answer = route.send(query.url(), RawRequest::get(query.path())).await;
        bar.inc(1);
        // The engine waits for this answer; if it is gone, the run is over.
        let _ = reply.send(answer);
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sidecar_urls_map_to_the_pod_proxy() {
        let pod = SidecarPod::of_url("http://a-0.a.ns.svc.cluster.local:7777").unwrap();
        assert_eq!(
            pod.proxy_path("/v0/status").as_deref(),
            Ok("/api/v1/namespaces/ns/pods/a-0:7777/proxy/v0/status")
        );
        assert_eq!(SidecarPod::of_url("http://localhost:7777"), None);
    }

    #[test]
    fn reads_are_asked_once_and_submissions_are_simulated() {
        let (ask, mut asks) = channel();
        let url = "http://a-0.a.ns.svc.cluster.local:7777";
        // The async side, here a thread answering every read with Ready.
        let server = std::thread::spawn(move || {
            let mut seen = Vec::new();
            while let Some((query, reply)) = asks.blocking_recv() {
                seen.push(query);
                reply
                    .send(Ok(serde_json::json!({"status": "Ready"})))
                    .unwrap();
            }
            seen
        });
        let probe = Arc::new(AtomicU64::new(3));
        let mut s = LiveSidecars::new(ask, probe);
        assert_eq!(s.status(url).as_deref(), Ok("Ready"));
        assert_eq!(s.status(url).as_deref(), Ok("Ready"));
        let req = TaskRequest {
            id: Some("t1".into()),
            task_type: "x".into(),
            params: None,
        };
        assert_eq!(s.submit_task(Via::Client, url, &req).unwrap(), "t1");
        assert_eq!(s.submissions[0].after_write, 3);
        assert_eq!(s.get_task(Via::Client, url, "t1"), Ok(TaskState::Running));
        assert_eq!(s.take_calls()[2].returned, SIMULATED_OK);
        drop(s);
        let seen = server.join().unwrap();
        assert_eq!(
            seen,
            [SidecarQuery::Status { url: url.into() }],
            "one read, asked once"
        );
    }

    #[test]
    fn a_read_nobody_serves_is_unreachable() {
        let (ask, asks) = channel();
        drop(asks);
        let mut s = LiveSidecars::new(ask, Arc::new(AtomicU64::new(0)));
        assert!(matches!(
            s.status("http://a-0.a.ns.svc.cluster.local:7777"),
            Err(SidecarError::Unreachable(_))
        ));
    }
}
