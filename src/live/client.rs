//! The connection to a cluster: kubeconfig loading with the kubectl conventions,
//! and raw JSON requests with a per-attempt timeout and bounded retries.

use std::path::PathBuf;
use std::time::Duration;

use http::{Method, Request};
use kube::client::Body;
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::Value;

use super::saved::ClusterIdentity;
use super::secrets::{client_error, kubeconfig_error};

/// How to reach the cluster and how patient to be with it.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// `--kubeconfig`; `None`: `$KUBECONFIG`, then `~/.kube/config`.
    pub kubeconfig: Option<PathBuf>,
    /// `--context`; `None`: the current context.
    pub context: Option<String>,
    pub retry: RetryPolicy,
}

/// Timeouts and retries for API and sidecar requests.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Time allowed for one attempt.
    pub timeout: Duration,
    /// Extra attempts after a 5xx answer, a timeout or a transport error.
    pub retries: u32,
    /// Delay before the first retry; doubled for each further one.
    pub backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            timeout: Duration::from_secs(30),
            retries: 3,
            backoff: Duration::from_millis(250),
        }
    }
}

/// Why a request failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestError {
    /// The server answered with this HTTP status (a Kubernetes `Status` when it could).
    Status {
        code: u16,
        reason: String,
        message: String,
    },
    /// No answer within the timeout, on every attempt.
    Timeout { attempts: u32 },
    /// The connection failed, on every attempt.
    Transport { attempts: u32, message: String },
}

impl RequestError {
    pub fn code(&self) -> Option<u16> {
        match self {
            RequestError::Status { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// An HTTP 409 (resourceVersion conflict or AlreadyExists).
    pub fn is_conflict(&self) -> bool {
        self.code() == Some(409)
    }
}

impl std::fmt::Display for RequestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RequestError::Status {
                code,
                reason,
                message,
            } => write!(f, "HTTP {code} {reason}: {message}"),
            RequestError::Timeout { attempts } => {
                write!(f, "no answer within the timeout ({attempts} attempts)")
            }
            RequestError::Transport { attempts, message } => {
                write!(f, "{message} ({attempts} attempts)")
            }
        }
    }
}

/// One request: method, path with query, optional JSON body and its content type.
#[derive(Debug, Clone)]
pub struct RawRequest {
    pub method: Method,
    pub path: String,
    pub content_type: Option<&'static str>,
    pub body: Option<Value>,
}

impl RawRequest {
    pub fn get(path: impl Into<String>) -> Self {
        RawRequest {
            method: Method::GET,
            path: path.into(),
            content_type: None,
            body: None,
        }
    }

    pub fn with_body(
        method: Method,
        path: impl Into<String>,
        content_type: &'static str,
        body: Value,
    ) -> Self {
        RawRequest {
            method,
            path: path.into(),
            content_type: Some(content_type),
            body: Some(body),
        }
    }
}

/// A cluster (or a sidecar base URL) and the retry policy used with it.
#[derive(Clone)]
pub struct Cluster {
    client: kube::Client,
    /// The namespace of the context (`default` when it names none).
    pub default_namespace: String,
    /// The context name, for messages.
    pub context: String,
    /// The server and CA the context names (what a saved plan is bound to).
    pub identity: std::sync::Arc<ClusterIdentity>,
    pub retry: RetryPolicy,
}

impl Cluster {
    /// Connects with the kubectl conventions (`--kubeconfig`, `KUBECONFIG`, `--context`).
    pub async fn connect(options: &ConnectOptions) -> Result<Cluster, String> {
        let kubeconfig = match &options.kubeconfig {
            Some(path) => Kubeconfig::read_from(path).map_err(|e| {
                format!(
                    "reading kubeconfig {}: {}",
                    path.display(),
                    kubeconfig_error(&e)
                )
            })?,
            None => {
                match Kubeconfig::from_env()
                    .map_err(|e| format!("reading $KUBECONFIG: {}", kubeconfig_error(&e)))?
                {
                    Some(config) => config,
                    None => Kubeconfig::read()
                        .map_err(|e| format!("reading ~/.kube/config: {}", kubeconfig_error(&e)))?,
                }
            }
        };
        let context = options
            .context
            .clone()
            .or_else(|| kubeconfig.current_context.clone())
            .unwrap_or_default();
        let kube_options = KubeConfigOptions {
            context: options.context.clone(),
            ..Default::default()
        };
        let config = kube::Config::from_custom_kubeconfig(kubeconfig, &kube_options)
            .await
            .map_err(|e| format!("kubeconfig context {context:?}: {}", kubeconfig_error(&e)))?;
        Self::from_config(config, context, options.retry)
    }

    /// A plain HTTP(S) endpoint without credentials (a sidecar URL, or a test server).
    pub fn for_url(url: &str, retry: RetryPolicy) -> Result<Cluster, String> {
        let uri: http::Uri = url.parse().map_err(|e| format!("URL {url:?}: {e}"))?;
        Self::from_config(kube::Config::new(uri), url.to_string(), retry)
    }

    fn from_config(
        mut config: kube::Config,
        context: String,
        retry: RetryPolicy,
    ) -> Result<Cluster, String> {
        // Retries are ours: bounded, only for 5xx/timeouts, never for 409.
        config.default_retry = false;
        // Our per-attempt timeout decides; kube's own ones only back it up.
        config.connect_timeout = Some(retry.timeout * 2);
        config.read_timeout = Some(retry.timeout * 2);
        let default_namespace = config.default_namespace.clone();
        let identity = std::sync::Arc::new(ClusterIdentity::of(&config, &context));
        let client = kube::Client::try_from(config)
            .map_err(|e| format!("API client: {}", client_error(&e)))?;
        Ok(Cluster {
            client,
            default_namespace,
            context,
            identity,
            retry,
        })
    }

    /// Sends a request, retrying 5xx answers, timeouts and transport errors with
    /// exponential backoff; returns the parsed JSON body (or `Null` when empty).
    pub async fn send(&self, request: &RawRequest) -> Result<Value, RequestError> {
        let mut delay = self.retry.backoff;
        let attempts = self.retry.retries + 1;
        let mut last = RequestError::Timeout { attempts: 0 };
        let mut timed_out = false;
        for attempt in 1..=attempts {
            tracing::debug!(method = %request.method, path = %request.path, attempt, "API request");
            last = match self.attempt(request).await {
                Ok(value) => return Ok(value),
                Err(RequestError::Status {
                    code,
                    reason,
                    message,
                }) if code < 500 => {
                    // A retried write answered 409: the attempt that "failed" may have landed.
                    let message = if code == 409 && attempt > 1 {
                        format!(
                            "{message} (an earlier attempt of this request failed with {last}; it may have been applied)"
                        )
                    } else {
                        message
                    };
                    return Err(RequestError::Status {
                        code,
                        reason,
                        message,
                    });
                }
                Err(RequestError::Timeout { .. }) => {
                    timed_out = true;
                    RequestError::Timeout { attempts: attempt }
                }
                // A connection left behind by a timed-out attempt can fail the next one.
                Err(RequestError::Transport { .. }) if timed_out => {
                    RequestError::Timeout { attempts: attempt }
                }
                Err(RequestError::Transport { message, .. }) => RequestError::Transport {
                    attempts: attempt,
                    message,
                },
                Err(status) => status,
            };
            if attempt < attempts {
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
        }
        Err(last)
    }

    async fn attempt(&self, request: &RawRequest) -> Result<Value, RequestError> {
        let body = match &request.body {
            Some(v) => serde_json::to_vec(v).unwrap_or_default(),
            None => Vec::new(),
        };
        let mut builder = Request::builder()
            .method(request.method.clone())
            .uri(&request.path)
            .header(http::header::ACCEPT, "application/json");
        if let Some(ct) = request.content_type {
            builder = builder.header(http::header::CONTENT_TYPE, ct);
        }
        let http_request = builder
            .body(Body::from(body))
            .map_err(|e| RequestError::Transport {
                attempts: 1,
                message: format!("building request {}: {e}", request.path),
            })?;
        let exchange = async {
            let response = self.client.send(http_request).await?;
            let status = response.status().as_u16();
            let bytes = response.into_body().collect_bytes().await?;
            Ok::<_, kube::Error>((status, bytes))
        };
        let (status, bytes) = match tokio::time::timeout(self.retry.timeout, exchange).await {
            Err(_) => return Err(RequestError::Timeout { attempts: 1 }),
            Ok(Err(e)) => {
                return Err(RequestError::Transport {
                    attempts: 1,
                    message: client_error(&e),
                })
            }
            Ok(Ok(answer)) => answer,
        };
        let value: Value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        if (200..300).contains(&status) {
            return Ok(value);
        }
        let field = |k: &str| value.get(k).and_then(Value::as_str).map(str::to_string);
        Err(RequestError::Status {
            code: status,
            reason: field("reason").unwrap_or_else(|| {
                http::StatusCode::from_u16(status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or("")
                    .to_string()
            }),
            message: field("message").unwrap_or_else(|| match &value {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            }),
        })
    }
}
