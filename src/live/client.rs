//! The connection to a cluster: kubeconfig loading with the kubectl conventions,
//! and raw JSON requests with a per-attempt timeout and bounded retries.

use std::path::PathBuf;

use http::Request;
use kube::client::Body;
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::Value;

use super::attempt::{retry_after, Backoff, Failure, RawRequest, RequestError, RetryPolicy};
use super::identity::ClusterIdentity;
use super::kubeconfig::{check_token, load_kubeconfig, read_token_file};
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
        let kubeconfig = load_kubeconfig(options.kubeconfig.as_deref())?;
        Self::from_kubeconfig(kubeconfig, options.context.clone(), options.retry).await
    }

    /// The client of `context` (default: the current context) of a loaded kubeconfig. Files
    /// the kubeconfig names (CA, client certificate, `tokenFile`) are read; nothing is sent
    /// before the first request.
    pub async fn from_kubeconfig(
        kubeconfig: Kubeconfig,
        context: Option<String>,
        retry: RetryPolicy,
    ) -> Result<Cluster, String> {
        let name = context
            .clone()
            .or_else(|| kubeconfig.current_context.clone())
            .unwrap_or_default();
        let kube_options = KubeConfigOptions {
            context,
            ..Default::default()
        };
        let mut config = kube::Config::from_custom_kubeconfig(kubeconfig, &kube_options)
            .await
            .map_err(|e| format!("kubeconfig context {name:?}: {}", kubeconfig_error(&e)))?;
        read_token_file(&mut config.auth_info)?;
        check_token(&name, &config.auth_info)?;
        Self::from_config(config, name, retry)
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

    /// Sends a request, retrying 429 and 5xx answers, timeouts and transport errors with
    /// [`Backoff`]; returns the parsed JSON body (or `Null` when empty).
    pub async fn send(&self, request: &RawRequest) -> Result<Value, RequestError> {
        let mut backoff = Backoff::new(self.retry);
        let mut timed_out = false;
        loop {
            let attempt = backoff.begin();
            tracing::debug!(method = %request.method, path = %request.path, attempt, "API request");
            let failure = match self.attempt(request).await {
                Ok(value) => return Ok(value),
                Err(f) => f,
            };
            let error = match failure.error {
                // A retried write answered 409: the attempt that "failed" may have landed.
                RequestError::Status {
                    code: 409,
                    reason,
                    message,
                } if attempt > 1 => {
                    let last = backoff
                        .last
                        .take()
                        .map(|e| e.to_string())
                        .unwrap_or_default();
                    return Err(RequestError::Status {
                        code: 409,
                        reason,
                        message: format!(
                            "{message} (an earlier attempt of this request failed with {last}; it may have been applied)"
                        ),
                    });
                }
                RequestError::Timeout { .. } => {
                    timed_out = true;
                    RequestError::Timeout { attempts: attempt }
                }
                // A connection left behind by a timed-out attempt can fail the next one.
                RequestError::Transport { .. } if timed_out => {
                    RequestError::Timeout { attempts: attempt }
                }
                other => other.with_attempts(attempt),
            };
            let failure = Failure {
                error,
                retry_after: failure.retry_after,
            };
            if !failure.error.is_retryable() {
                return Err(failure.error);
            }
            match backoff.next_wait(request, &failure) {
                Some(wait) if !crate::interrupt::sleep(wait).await => {}
                _ => return Err(failure.error),
            }
        }
    }

    /// One attempt, without retries (apply decides itself what to do after an ambiguous
    /// failure).
    pub async fn attempt(&self, request: &RawRequest) -> Result<Value, Failure> {
        self.attempt_raw(request).await
    }

    async fn attempt_raw(&self, request: &RawRequest) -> Result<Value, Failure> {
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
        let http_request = builder.body(Body::from(body)).map_err(|e| {
            Failure::from(RequestError::Transport {
                attempts: 1,
                message: format!("building request {}: {e}", request.path),
                unsent: true,
            })
        })?;
        let exchange = async {
            let response = self.client.send(http_request).await?;
            let status = response.status().as_u16();
            let retry_after = retry_after(response.headers());
            let bytes = response.into_body().collect_bytes().await?;
            Ok::<_, kube::Error>((status, retry_after, bytes))
        };
        let (status, retry_after, bytes) =
            match tokio::time::timeout(self.retry.timeout, exchange).await {
                Err(_) => return Err(RequestError::Timeout { attempts: 1 }.into()),
                Ok(Err(e)) if is_refused(&e) => {
                    return Err(RequestError::Refused {
                        attempts: 1,
                        server: self.identity.address().to_string(),
                    }
                    .into());
                }
                Ok(Err(e)) => {
                    let (message, unsent) = transport_message(&e);
                    return Err(RequestError::Transport {
                        attempts: 1,
                        message,
                        unsent,
                    }
                    .into());
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
        let error = RequestError::Status {
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
        };
        Err(Failure { error, retry_after })
    }
}

/// The connection was refused: a `ConnectionRefused` I/O error somewhere in the causes.
fn is_refused(error: &kube::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
        {
            return true;
        }
        source = e.source();
    }
    false
}

/// The whole cause chain of a transport error (kube's own text is only "client error
/// (Connect)"; the reason, e.g. a TLS alert or "Connection refused", is in its sources),
/// and whether it failed while connecting, before anything was sent.
fn transport_message(error: &kube::Error) -> (String, bool) {
    // A credential plugin's or kubeconfig's failure is told without its details.
    let safe = client_error(error);
    if safe != error.to_string() {
        return (safe, false);
    }
    let mut message = error.to_string();
    let mut unsent = message.ends_with("(Connect)");
    let mut source = std::error::Error::source(error);
    while let Some(e) = source {
        let text = e.to_string();
        unsent |= text.ends_with("(Connect)");
        if !message.contains(&text) {
            message = format!("{message}: {text}");
        }
        source = e.source();
    }
    (message, unsent)
}
