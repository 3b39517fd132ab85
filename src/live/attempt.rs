//! One request and its attempts: what is sent, why an attempt failed, and how patient
//! the client is (the retry policy of the connection flags; client-go's backoff with
//! jitter between attempts, or the server's `Retry-After`).

use std::time::Duration;

use http::Method;
use serde_json::Value;

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
pub(super) fn retry_after(headers: &http::HeaderMap) -> Option<Duration> {
    let text = headers.get(http::header::RETRY_AFTER)?.to_str().ok()?;
    text.trim().parse::<u64>().ok().map(Duration::from_secs)
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
