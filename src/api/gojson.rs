//! Serde helpers that reproduce Go `encoding/json` decoding and `omitempty` rules.
//!
//! Go is lenient when decoding: a JSON `null` leaves a field at its zero value, and
//! unknown fields are ignored. These helpers are meant for `deserialize_with` /
//! `skip_serializing_if` attributes on the API types.

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::fmt;
use std::marker::PhantomData;

/// Decodes a value, mapping JSON `null` to `T::default()` (Go leaves the zero value).
pub fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// `omitempty` test for scalars: true when the value equals its zero value.
pub fn is_zero<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// `omitempty` test for `Option<String>` fields modelled after Go plain strings.
pub fn is_none_or_empty(v: &Option<String>) -> bool {
    v.as_deref().is_none_or(str::is_empty)
}

struct IntVisitor<T>(PhantomData<T>);

impl<'de, T: TryFrom<i64>> Visitor<'de> for IntVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an integer or null")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        T::try_from(v)
            .map(Some)
            .map_err(|_| E::custom(format!("number {v} overflows the target integer type")))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        let v = i64::try_from(v).map_err(|_| E::custom(format!("number {v} overflows int64")))?;
        self.visit_i64(v)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        if v.fract() == 0.0 && v >= i64::MIN as f64 && v <= i64::MAX as f64 {
            self.visit_i64(v as i64)
        } else {
            Err(E::custom(format!("number {v} is not an integer")))
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// Decodes an integer (accepting integral floats); `null` gives 0.
pub fn int<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64> + Default,
{
    Ok(opt_int(d)?.unwrap_or_default())
}

/// Decodes an optional integer (Go `*int`); `null` gives `None`.
pub fn opt_int<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64>,
{
    d.deserialize_option(IntVisitor(PhantomData))
}

/// Decodes a `metav1.Time`: `null` or `""` is the zero time (`None`); anything else
/// must be RFC3339 and is normalised the way Go re-encodes it (UTC, whole seconds).
pub fn time<'de, D>(d: D) -> Result<Option<String>, D::Error>
where
    D: Deserializer<'de>,
{
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) if s.is_empty() => Ok(None),
        Some(s) => normalize_time(&s).map(Some).map_err(de::Error::custom),
    }
}

/// Formats an RFC3339 timestamp as `metav1.Time` does: UTC, whole seconds, `Z` suffix.
pub fn normalize_time(s: &str) -> Result<String, String> {
    let t = chrono::DateTime::parse_from_rfc3339(s)
        .map_err(|e| format!("parsing time {s:?} as RFC3339: {e}"))?;
    Ok(format_time(t.with_timezone(&chrono::Utc)))
}

/// Formats a UTC instant as a `metav1.Time` string (`2006-01-02T15:04:05Z`).
pub fn format_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A number as Go's `encoding/json` writes it: integers as they are, a float64 in the
/// shortest form that reads back, fixed below 1e21 and down to 1e-6, else with an
/// exponent of at least one digit (`1e+21`, `1.5e-7`). The API server stores a custom
/// resource's numbers so (it decodes them as int64 or float64 and re-encodes them), so this
/// is the literal the operator's decoder reads: `1e3` or `1000.0` in a manifest reaches it
/// as `1000`.
pub fn number_text(n: &serde_json::Number) -> String {
    let Some(f) = n.as_f64().filter(|_| n.is_f64()) else {
        return n.to_string();
    };
    let abs = f.abs();
    if abs == 0.0 || (1e-6..1e21).contains(&abs) {
        return format!("{f}");
    }
    let text = format!("{f:e}");
    match text.split_once('e') {
        Some((mantissa, exp)) if !exp.starts_with('-') => format!("{mantissa}e+{exp}"),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default)]
    struct S {
        #[serde(deserialize_with = "int")]
        a: i32,
        #[serde(deserialize_with = "opt_int")]
        b: Option<i64>,
        #[serde(deserialize_with = "null_default")]
        c: String,
        #[serde(deserialize_with = "time")]
        t: Option<String>,
    }

    fn de(v: serde_json::Value) -> Result<S, serde_json::Error> {
        S::deserialize(&v)
    }

    #[test]
    fn nulls_and_missing_are_zero() {
        assert_eq!(de(json!({})).unwrap(), S::default());
        let s = de(json!({"a": null, "b": null, "c": null, "t": null, "x": 1})).unwrap();
        assert_eq!(s, S::default());
        assert_eq!(de(json!({"t": ""})).unwrap().t, None);
    }

    #[test]
    fn integers() {
        assert_eq!(de(json!({"a": 7, "b": 0})).unwrap().b, Some(0));
        assert_eq!(de(json!({"a": 3.0})).unwrap().a, 3);
        assert!(de(json!({"a": 3.5})).is_err());
        assert!(
            de(json!({"a": 4_294_967_296_i64})).is_err(),
            "int32 overflow"
        );
        assert!(de(json!({"a": "3"})).is_err());
    }

    /// encoding/json `floatEncoder.encode`: the literal Go writes for a float64.
    #[test]
    fn float_encoder_encode() {
        let text = |v: serde_json::Value| match v {
            serde_json::Value::Number(n) => number_text(&n),
            other => panic!("not a number: {other}"),
        };
        assert_eq!(text(json!(1e3)), "1000");
        assert_eq!(text(json!(1000.0)), "1000");
        assert_eq!(text(json!(1.5)), "1.5");
        assert_eq!(text(json!(-0.000001)), "-0.000001");
        assert_eq!(text(json!(1.5e-7)), "1.5e-7");
        assert_eq!(text(json!(1e-10)), "1e-10");
        assert_eq!(text(json!(1e21)), "1e+21");
        assert_eq!(text(json!(1.25e300)), "1.25e+300");
        assert_eq!(
            text(json!(123456789012345680000.0)),
            "123456789012345680000"
        );
        assert_eq!(text(json!(0.0)), "0");
        assert_eq!(text(json!(-7)), "-7");
        assert_eq!(text(json!(18446744073709551615u64)), "18446744073709551615");
    }

    #[test]
    fn times_are_normalised_like_metav1() {
        let s = de(json!({"t": "2026-01-01T01:00:00.75+01:00"})).unwrap();
        assert_eq!(s.t.as_deref(), Some("2026-01-01T00:00:00Z"));
        assert!(de(json!({"t": "yesterday"})).is_err());
    }
}
