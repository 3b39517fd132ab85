//! The connection to a cluster: kubeconfig loading with the kubectl conventions,
//! and raw JSON requests with a per-attempt timeout and bounded retries.

use std::path::PathBuf;
use std::time::Duration;

use http::{Method, Request};
use kube::client::Body;
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::Value;

use super::kubeconfig::{check_token, load_kubeconfig, read_token_file};
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

impl RetryPolicy {
    /// The largest `--retries` accepted (client-go retries at most 10 times by default).
    pub const MAX_RETRIES: u32 = 100;
    /// The longest `--request-timeout` accepted.
    pub const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 3600);
    /// The longest `Retry-After` honoured; a longer one ends the request.
    pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

    /// A policy from flag values, range-checked (a huge timeout would overflow the timer, a
    /// huge retry count the attempt counter).
    pub fn checked(timeout: Duration, retries: u32, backoff: Duration) -> Result<Self, String> {
        if timeout > Self::MAX_TIMEOUT {
            return Err(format!(
                "--request-timeout {}s: at most {}s (24h)",
                timeout.as_secs(),
                Self::MAX_TIMEOUT.as_secs()
            ));
        }
        if retries > Self::MAX_RETRIES {
            return Err(format!(
                "--retries {retries}: at most {}",
                Self::MAX_RETRIES
            ));
        }
        if backoff > Self::MAX_TIMEOUT {
            return Err(format!(
                "--retry-backoff {}s: at most 24h",
                backoff.as_secs()
            ));
        }
        Ok(RetryPolicy {
            timeout,
            retries,
            backoff,
        })
    }

    /// Total time one request may take with all its attempts and waits: every attempt's
    /// timeout plus a minute of backoff and `Retry-After` waits.
    pub fn deadline(&self) -> Duration {
        self.timeout
            .saturating_mul(self.retries.saturating_add(1))
            .saturating_add(Duration::from_secs(60))
    }
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
    /// The connection failed, on every attempt. `unsent`: it failed before the request
    /// went out (connection refused, TLS handshake), so nothing can have landed.
    Transport {
        attempts: u32,
        message: String,
        unsent: bool,
    },
    /// Nothing listens at the server's address (kubectl's "The connection to the server
    /// … was refused"): nothing was sent.
    Refused { attempts: u32, server: String },
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

    /// Worth another attempt: 429, 5xx, a timeout or a transport failure.
    pub fn is_retryable(&self) -> bool {
        match self {
            RequestError::Status { code, .. } => *code == 429 || *code >= 500,
            RequestError::Timeout { .. }
            | RequestError::Transport { .. }
            | RequestError::Refused { .. } => true,
        }
    }

    /// The request may have been processed although no success came back: a timeout, a
    /// connection lost after sending, or a 5xx other than a 503 the server asked to retry
    /// (429 and 503 with `Retry-After` are refusals before processing).
    pub fn may_have_landed(&self, retry_after: Option<Duration>) -> bool {
        match self {
            RequestError::Status { code: 503, .. } => retry_after.is_none(),
            RequestError::Status { code, .. } => *code >= 500,
            RequestError::Timeout { .. } => true,
            RequestError::Transport { unsent, .. } => !unsent,
            RequestError::Refused { .. } => false,
        }
    }

    /// The same error counted over `attempts` attempts.
    pub fn with_attempts(self, attempts: u32) -> Self {
        match self {
            RequestError::Timeout { .. } => RequestError::Timeout { attempts },
            RequestError::Transport {
                message, unsent, ..
            } => RequestError::Transport {
                attempts,
                message,
                unsent,
            },
            RequestError::Refused { server, .. } => RequestError::Refused { attempts, server },
            status => status,
        }
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
            RequestError::Transport {
                attempts, message, ..
            } => {
                write!(f, "{message} ({attempts} attempts)")
            }
            RequestError::Refused { attempts, server } => write!(
                f,
                "The connection to the server {server} was refused - did you specify the right host or port? ({attempts} attempts)"
            ),
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

/// One failed attempt: the error and the server's `Retry-After`, if it sent one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub error: RequestError,
    pub retry_after: Option<Duration>,
}

impl From<RequestError> for Failure {
    fn from(error: RequestError) -> Self {
        Failure {
            error,
            retry_after: None,
        }
    }
}

/// `Retry-After` in seconds (the form the API server sends; an HTTP date is ignored).
fn retry_after(headers: &http::HeaderMap) -> Option<Duration> {
    let text = headers.get(http::header::RETRY_AFTER)?.to_str().ok()?;
    text.trim().parse::<u64>().ok().map(Duration::from_secs)
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

/// The waits between the attempts of one request, like client-go: exponential backoff
/// (doubling from `--retry-backoff`, at most 30 s) with up to 10% jitter, or the server's
/// `Retry-After` (at most [`RetryPolicy::MAX_RETRY_AFTER`]), within `--retries` and the
/// policy's total deadline. `NODECTL_RETRY_SEED` makes the jitter repeatable (tests).
pub struct Backoff {
    policy: RetryPolicy,
    attempts: u32,
    delay: Duration,
    deadline: tokio::time::Instant,
    rng: rand_chacha::ChaCha12Rng,
    /// The error of the last failed attempt.
    pub last: Option<RequestError>,
}

impl Backoff {
    const MAX_DELAY: Duration = Duration::from_secs(30);

    pub fn new(policy: RetryPolicy) -> Self {
        let seed = std::env::var("NODECTL_RETRY_SEED")
            .ok()
            .and_then(|s| s.parse::<u64>().ok());
        Self::with_seed(policy, seed)
    }

    /// With a fixed jitter stream (`None`: from the OS).
    pub fn with_seed(policy: RetryPolicy, seed: Option<u64>) -> Self {
        use rand_chacha::rand_core::SeedableRng;
        Backoff {
            policy,
            attempts: 0,
            delay: policy.backoff,
            deadline: tokio::time::Instant::now() + policy.deadline(),
            rng: match seed {
                Some(seed) => rand_chacha::ChaCha12Rng::seed_from_u64(seed),
                None => rand_chacha::ChaCha12Rng::seed_from_u64(entropy()),
            },
            last: None,
        }
    }

    /// Counts an attempt about to be made; returns its number (1 for the first).
    pub fn begin(&mut self) -> u32 {
        self.attempts += 1;
        self.attempts
    }

    /// Attempts made so far.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// After a failed attempt: how long to wait before the next one, or `None` when the
    /// retries or the deadline are used up (or the server asks for too long a wait). Logs
    /// every retry at info level (`-v`).
    pub fn next_wait(&mut self, request: &RawRequest, failure: &Failure) -> Option<Duration> {
        self.last = Some(failure.error.clone());
        if self.attempts > self.policy.retries {
            return None;
        }
        let wait = match failure.retry_after {
            Some(asked) if asked > RetryPolicy::MAX_RETRY_AFTER => {
                tracing::info!(method = %request.method, path = %request.path,
                    "not retrying: the server asked to wait {}s (at most {}s)",
                    asked.as_secs(), RetryPolicy::MAX_RETRY_AFTER.as_secs());
                return None;
            }
            Some(asked) => asked,
            None => {
                use rand_chacha::rand_core::RngCore;
                let base = self.delay.min(Self::MAX_DELAY);
                self.delay = self.delay.saturating_mul(2);
                base + base.mul_f64(0.1 * (self.rng.next_u32() as f64 / (u32::MAX as f64 + 1.0)))
            }
        };
        if tokio::time::Instant::now() + wait + self.policy.timeout > self.deadline {
            tracing::info!(method = %request.method, path = %request.path,
                "not retrying: the next attempt would end after the deadline of {}s",
                self.policy.deadline().as_secs());
            return None;
        }
        tracing::info!(
            method = %request.method,
            path = %request.path,
            "retrying in {}ms after {} (attempt {} of {})",
            wait.as_millis(),
            failure.error,
            self.attempts + 1,
            self.policy.retries + 1
        );
        Some(wait)
    }
}

/// A jitter seed that differs from run to run (time and process id; jitter needs no more).
fn entropy() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    nanos ^ (u64::from(std::process::id()) << 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(code: u16, retry_after: Option<u64>) -> Failure {
        Failure {
            error: RequestError::Status {
                code,
                reason: String::new(),
                message: String::new(),
            },
            retry_after: retry_after.map(Duration::from_secs),
        }
    }

    fn waits(seed: u64, policy: RetryPolicy, f: &Failure) -> Vec<Duration> {
        let request = RawRequest::get("/x");
        let mut b = Backoff::with_seed(policy, Some(seed));
        let mut out = Vec::new();
        b.begin();
        while let Some(w) = b.next_wait(&request, f) {
            out.push(w);
            b.begin();
        }
        out
    }

    #[tokio::test]
    async fn backoff_doubles_with_bounded_jitter_repeatably_within_the_retries() {
        let policy =
            RetryPolicy::checked(Duration::from_secs(1), 4, Duration::from_millis(100)).unwrap();
        let f = failure(500, None);
        let a = waits(7, policy, &f);
        assert_eq!(a, waits(7, policy, &f), "same seed, same waits");
        assert_eq!(a.len(), 4, "--retries 4: four waits");
        for (i, w) in a.iter().enumerate() {
            let base = Duration::from_millis(100 << i);
            assert!(*w >= base && *w <= base.mul_f64(1.1), "{i}: {w:?}");
        }
        assert_ne!(a, waits(8, policy, &f), "the jitter varies with the seed");
    }

    #[tokio::test]
    async fn retry_after_is_honoured_up_to_its_bound() {
        let policy =
            RetryPolicy::checked(Duration::from_secs(1), 2, Duration::from_millis(100)).unwrap();
        assert_eq!(
            waits(1, policy, &failure(429, Some(3))),
            vec![Duration::from_secs(3); 2]
        );
        assert!(waits(1, policy, &failure(503, Some(3600))).is_empty());
    }

    #[tokio::test]
    async fn the_deadline_ends_retries_early() {
        // Every attempt may take 50 s: the fourth would end after the deadline.
        let policy =
            RetryPolicy::checked(Duration::from_secs(50), 1, Duration::from_secs(20)).unwrap();
        let request = RawRequest::get("/x");
        let mut b = Backoff::with_seed(policy, Some(1));
        b.begin();
        // 50 s x 2 attempts + 60 s = 160 s; a wait of 120 s plus an attempt of 50 s is past it.
        assert!(b.next_wait(&request, &failure(429, Some(59))).is_some());
        let mut b = Backoff::with_seed(
            RetryPolicy {
                retries: 5,
                ..policy
            },
            Some(1),
        );
        b.deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        b.begin();
        assert!(b.next_wait(&request, &failure(429, Some(30))).is_none());
    }

    #[test]
    fn flag_values_are_range_checked() {
        let s = Duration::from_secs(1);
        assert!(RetryPolicy::checked(Duration::from_secs(25 * 3600), 1, s).is_err());
        assert!(RetryPolicy::checked(s, u32::MAX, s).is_err());
        assert!(RetryPolicy::checked(s, 100, s).is_ok());
        let p = RetryPolicy::checked(RetryPolicy::MAX_TIMEOUT, 100, s).unwrap();
        assert!(p.deadline() > RetryPolicy::MAX_TIMEOUT);
    }

    #[test]
    fn ambiguous_failures_are_the_ones_that_may_have_landed() {
        assert!(failure(500, None).error.may_have_landed(None));
        assert!(!failure(429, None).error.may_have_landed(None));
        assert!(!failure(503, Some(1))
            .error
            .may_have_landed(Some(Duration::from_secs(1))));
        assert!(RequestError::Timeout { attempts: 1 }.may_have_landed(None));
        let refused = RequestError::Transport {
            attempts: 1,
            message: String::new(),
            unsent: true,
        };
        assert!(!refused.may_have_landed(None) && refused.is_retryable());
        assert!(!failure(403, None).error.is_retryable());
    }
}
