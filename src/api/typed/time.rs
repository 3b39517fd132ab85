//! `metav1.Time` / `metav1.MicroTime`: parsed as Go's `time.Parse(time.RFC3339)`
//! (offsets and fractions accepted), written in UTC at the type's precision, so
//! equal instants are equal values.

use chrono::{DateTime, SecondsFormat, Utc};

/// Whole seconds (`metav1.Time`).
pub const SECONDS: SecondsFormat = SecondsFormat::Secs;
/// Microseconds (`metav1.MicroTime`).
pub const MICRO: SecondsFormat = SecondsFormat::Micros;

/// Go's layout for RFC 3339, as its parse errors quote it.
const LAYOUT: &str = "2006-01-02T15:04:05Z07:00";
const MICRO_LAYOUT: &str = "2006-01-02T15:04:05.000000Z07:00";

/// The instant a time text names; `None` for Go's zero time (written as `null`).
pub fn parse_time(text: &str, precision: SecondsFormat) -> Result<Option<DateTime<Utc>>, String> {
    let layout = if precision == MICRO {
        MICRO_LAYOUT
    } else {
        LAYOUT
    };
    let bytes = text.as_bytes();
    // Go's parser wants the upper-case `T` and `Z` the layout spells.
    let strict = bytes.get(10) == Some(&b'T') && !text.ends_with('z');
    let parsed = DateTime::parse_from_rfc3339(text)
        .ok()
        .filter(|_| strict)
        .ok_or_else(|| {
            format!("parsing time {text:?} as {layout:?}: cannot parse {text:?} as RFC 3339")
        })?;
    let utc = parsed.with_timezone(&Utc);
    let zero = DateTime::parse_from_rfc3339("0001-01-01T00:00:00Z")
        .expect("a valid instant")
        .with_timezone(&Utc);
    Ok((utc != zero).then_some(utc))
}

/// The instant as the type writes it: UTC, `Z`, fraction truncated to the precision.
pub fn format_time(instant: &DateTime<Utc>, precision: SecondsFormat) -> String {
    let truncated = match precision {
        SecondsFormat::Secs => instant.with_nanosecond_truncated(0),
        _ => instant.with_nanosecond_truncated(1000),
    };
    truncated.to_rfc3339_opts(precision, true)
}

trait Truncate {
    fn with_nanosecond_truncated(&self, unit: u32) -> Self;
}

impl Truncate for DateTime<Utc> {
    /// Drops the fraction below `unit` nanoseconds (0: all of it), as Go's
    /// formatting does (it never rounds).
    fn with_nanosecond_truncated(&self, unit: u32) -> Self {
        use chrono::Timelike;
        let nanos = self.nanosecond();
        let kept = if unit == 0 { 0 } else { nanos - nanos % unit };
        self.with_nanosecond(kept).unwrap_or(*self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(text: &str) -> Option<String> {
        parse_time(text, SECONDS)
            .unwrap()
            .map(|t| format_time(&t, SECONDS))
    }

    #[test]
    fn offsets_and_fractions_name_the_same_instant() {
        assert_eq!(
            canonical("2026-01-01T00:00:00+01:00").as_deref(),
            Some("2025-12-31T23:00:00Z")
        );
        assert_eq!(
            canonical("2026-01-01T00:00:00.999Z").as_deref(),
            Some("2026-01-01T00:00:00Z")
        );
        assert_eq!(canonical("0001-01-01T00:00:00Z"), None);
    }

    #[test]
    fn micro_time_keeps_microseconds() {
        let t = parse_time("2026-01-01T00:00:00.1234567Z", MICRO)
            .unwrap()
            .unwrap();
        assert_eq!(format_time(&t, MICRO), "2026-01-01T00:00:00.123456Z");
    }

    #[test]
    fn texts_go_would_not_parse_are_refused() {
        for text in [
            "2026-01-01",
            "2026-01-01 00:00:00Z",
            "2026-01-01t00:00:00Z",
            "x",
        ] {
            assert!(parse_time(text, SECONDS).is_err(), "{text}");
        }
    }
}
