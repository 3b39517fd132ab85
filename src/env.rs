//! The environment one reconcile runs in: the API server, the node sidecars, DNS,
//! the event recorder, the fixed clock, the plan-id source and the platform
//! settings. Everything the operator reads from the outside world goes through here.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha12Rng;
use serde::Serialize;

use crate::platform::Platform;
use crate::sidecar::Sidecars;
use crate::world::ApiServer;

/// A Kubernetes event emitted by a reconciler (PARITY.md §3.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// `*v1alpha1.SeiNode <ns>/<name>` or `*v1alpha1.SeiNodeDeployment <ns>/<name>`.
    pub object: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub reason: String,
    pub message: String,
}

/// The fixed wall clock (PARITY.md §4.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    now: DateTime<Utc>,
}

impl Clock {
    /// A clock fixed at `now`, truncated to whole seconds.
    pub fn fixed(now: DateTime<Utc>) -> Self {
        let secs = now.timestamp();
        Clock {
            now: DateTime::from_timestamp(secs, 0).unwrap_or(now),
        }
    }

    /// Parses an RFC 3339 instant.
    pub fn parse(text: &str) -> Result<Self, String> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| Clock::fixed(t.with_timezone(&Utc)))
            .map_err(|e| format!("invalid RFC 3339 time {text:?}: {e}"))
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// `now` as the API server writes timestamps: `2026-01-01T00:00:00Z`.
    pub fn now_string(&self) -> String {
        format_time(self.now)
    }
}

/// Formats an instant as RFC 3339 with whole seconds, UTC.
pub fn format_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Parses an RFC 3339 timestamp as written in object metadata/status.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Source of random UUIDv4s (plan ids), seedable for reproducible output.
///
/// ChaCha12 from `rand_chacha`, whose streams are value-stable across releases (the
/// algorithm behind rand 0.8's `StdRng`, which promises no such stability): the same
/// seed gives the same plan ids whatever rand version the build resolves.
pub struct Ids {
    rng: ChaCha12Rng,
}

impl Ids {
    /// A stream determined by `seed`.
    pub fn seeded(seed: &str) -> Self {
        let mut bytes = [0u8; 32];
        let digest = <sha2::Sha256 as sha2::Digest>::digest(seed.as_bytes());
        bytes.copy_from_slice(&digest);
        Ids {
            rng: ChaCha12Rng::from_seed(bytes),
        }
    }

    /// The next UUIDv4, as a lowercase hyphenated string.
    pub fn new_v4(&mut self) -> String {
        let mut bytes = [0u8; 16];
        self.rng.fill_bytes(&mut bytes);
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    }
}

/// Host-name resolution used by the deployment controller's DNS gate.
#[derive(Debug, Clone, Default)]
pub struct Dns {
    /// Answer for hosts not listed in `hosts`.
    pub default_resolvable: bool,
    pub hosts: BTreeMap<String, bool>,
    lookups: Vec<String>,
}

impl Dns {
    pub fn new(default_resolvable: bool, hosts: BTreeMap<String, bool>) -> Self {
        Dns {
            default_resolvable,
            hosts,
            lookups: Vec::new(),
        }
    }

    /// Resolves `host`, recording `"<host>=true|false"`.
    pub fn resolves(&mut self, host: &str) -> bool {
        let ok = self
            .hosts
            .get(host)
            .copied()
            .unwrap_or(self.default_resolvable);
        self.lookups.push(format!("{host}={ok}"));
        ok
    }

    pub fn take_lookups(&mut self) -> Vec<String> {
        std::mem::take(&mut self.lookups)
    }
}

/// Everything a reconcile may touch.
pub struct Env {
    pub api: ApiServer,
    pub sidecars: Box<dyn Sidecars>,
    pub dns: Dns,
    pub events: Vec<Event>,
    pub ids: Ids,
    pub clock: Clock,
    pub platform: Platform,
    /// Stand in for the Job controller: Jobs run to completion before the next
    /// reconcile (`plan --sidecar completed`; never in parity fixtures).
    pub jobs_complete: bool,
}

impl Env {
    /// Records an event on a SeiNode (`node = true`) or SeiNodeDeployment.
    pub fn event(
        &mut self,
        kind: &str,
        namespace: &str,
        name: &str,
        event_type: &str,
        reason: &str,
        message: String,
    ) {
        self.events.push(Event {
            object: format!("*v1alpha1.{kind} {namespace}/{name}"),
            event_type: event_type.to_string(),
            reason: reason.to_string(),
            message,
        });
    }

    pub fn now_string(&self) -> String {
        self.clock.now_string()
    }
}

/// What a reconcile asks of the work queue (controller-runtime's `ctrl.Result`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Requeue {
    pub requeue: bool,
    pub after: Duration,
}

impl Requeue {
    pub const NONE: Requeue = Requeue {
        requeue: false,
        after: Duration::ZERO,
    };

    pub fn after(d: Duration) -> Self {
        Requeue {
            requeue: false,
            after: d,
        }
    }

    /// `ctrl.Result.IsZero()`.
    pub fn is_zero(&self) -> bool {
        !self.requeue && self.after.is_zero()
    }
}

/// The outcome of one reconcile call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconcileOutcome {
    pub result: Requeue,
    pub error: Option<String>,
}

impl ReconcileOutcome {
    pub fn ok(result: Requeue) -> Self {
        ReconcileOutcome {
            result,
            error: None,
        }
    }

    pub fn err(result: Requeue, error: impl Into<String>) -> Self {
        ReconcileOutcome {
            result,
            error: Some(error.into()),
        }
    }
}

/// Formats a duration the way Go's `time.Duration.String` does: `0s`, `1ms`,
/// `5s`, `1m30s`, `2h0m0s`.
pub fn go_duration(d: Duration) -> String {
    let nanos = d.as_nanos();
    if nanos == 0 {
        return "0s".into();
    }
    if nanos < 1_000_000_000 {
        let (unit, div) = if nanos < 1_000 {
            ("ns", 1u128)
        } else if nanos < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        return format!("{}{unit}", trim_fraction(nanos, div));
    }
    let total_secs = nanos / 1_000_000_000;
    let frac = nanos % 1_000_000_000;
    let hours = total_secs / 3600;
    let minutes = (total_secs % 3600) / 60;
    let secs = total_secs % 60;
    let sec_text = trim_fraction(secs * 1_000_000_000 + frac, 1_000_000_000);
    if hours > 0 {
        format!("{hours}h{minutes}m{sec_text}s")
    } else if minutes > 0 {
        format!("{minutes}m{sec_text}s")
    } else {
        format!("{sec_text}s")
    }
}

fn trim_fraction(value: u128, div: u128) -> String {
    let whole = value / div;
    let frac = value % div;
    if frac == 0 {
        return whole.to_string();
    }
    let width = div.to_string().len() - 1;
    let digits = format!("{frac:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// Parses a Go duration string (`9999h0m0s`, `1.5h`, `300ms`).
pub fn parse_go_duration(text: &str) -> Option<Duration> {
    let mut rest = text.trim();
    if rest == "0" {
        return Some(Duration::ZERO);
    }
    let mut total = 0f64;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_end == 0 {
            return None;
        }
        let number: f64 = rest[..num_end].parse().ok()?;
        rest = &rest[num_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_end] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        total += number * scale;
        rest = &rest[unit_end..];
    }
    // Too large for a Duration is invalid, as Go's ParseDuration says for an overflow.
    Duration::try_from_secs_f64(total).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_print_like_go() {
        assert_eq!(go_duration(Duration::ZERO), "0s");
        assert_eq!(go_duration(Duration::from_millis(1)), "1ms");
        assert_eq!(go_duration(Duration::from_secs(5)), "5s");
        assert_eq!(go_duration(Duration::from_secs(90)), "1m30s");
        assert_eq!(go_duration(Duration::from_secs(7200)), "2h0m0s");
        assert_eq!(go_duration(Duration::from_millis(1500)), "1.5s");
    }

    #[test]
    fn go_durations_parse() {
        assert_eq!(
            parse_go_duration("9999h0m0s"),
            Some(Duration::from_secs(9999 * 3600))
        );
        assert_eq!(parse_go_duration("1m30s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_go_duration("bogus"), None);
    }

    #[test]
    fn seeded_ids_are_reproducible_v4s() {
        let a = Ids::seeded("0").new_v4();
        assert_eq!(a, Ids::seeded("0").new_v4());
        assert_ne!(a, Ids::seeded("1").new_v4());
        assert_eq!(uuid::Uuid::parse_str(&a).unwrap().get_version_num(), 4);
    }

    #[test]
    fn clock_truncates_to_seconds() {
        let c = Clock::parse("2026-01-01T00:00:00.9Z").unwrap();
        assert_eq!(c.now_string(), "2026-01-01T00:00:00Z");
    }
}
