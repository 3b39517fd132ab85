//! Plain-scalar resolution compatible with go-yaml v2 (what `sigs.k8s.io/yaml` and kubectl use).

use serde_json::{Number, Value};

/// Result of resolving a scalar: a JSON value, or a reason it has no JSON form.
pub type Resolved = Result<Value, String>;

/// Resolves an untagged plain scalar.
pub fn resolve_plain(text: &str) -> Resolved {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Ok(Value::Null),
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Ok(Value::Bool(true))
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Ok(Value::Bool(false))
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF"
        | ".nan" | ".NaN" | ".NAN" => {
            return Err(format!(
                "{text:?} (infinity/NaN) has no JSON representation"
            ))
        }
        _ => {}
    }
    let first = text.as_bytes()[0];
    if !(first.is_ascii_digit() || first == b'-' || first == b'+' || first == b'.') {
        return Ok(Value::String(text.to_string()));
    }
    if let Some(v) = parse_int(text) {
        return Ok(v);
    }
    if is_float(text) {
        let cleaned: String = text.chars().filter(|c| *c != '_').collect();
        if let Ok(f) = cleaned.parse::<f64>() {
            if let Some(n) = Number::from_f64(f) {
                return Ok(Value::Number(n));
            }
        }
    }
    Ok(Value::String(text.to_string()))
}

/// Integers: decimal, `0x` hex, `0b` binary, leading-zero octal (YAML 1.1), `_` separators.
fn parse_int(text: &str) -> Option<Value> {
    let (neg, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if body.is_empty() {
        return None;
    }
    let digits: String = body.chars().filter(|c| *c != '_').collect();
    if digits.is_empty() {
        return None;
    }
    let (radix, d) = if let Some(h) = digits.strip_prefix("0x") {
        (16, h.to_string())
    } else if let Some(b) = digits.strip_prefix("0b") {
        (2, b.to_string())
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, digits[1..].to_string())
    } else {
        (10, digits)
    };
    if d.is_empty() || !d.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let mag = u128::from_str_radix(&d, radix).ok();
    match mag {
        Some(m) if neg => {
            if m <= i64::MAX as u128 + 1 {
                Some(Value::Number(Number::from((-(m as i128)) as i64)))
            } else {
                Number::from_f64(-(m as f64)).map(Value::Number)
            }
        }
        Some(m) if m <= u64::MAX as u128 => Some(Value::Number(Number::from(m as u64))),
        _ => {
            // Too large for 64 bits: go-yaml falls back to a float.
            let f: f64 = d.parse().ok()?;
            Number::from_f64(if neg { -f } else { f }).map(Value::Number)
        }
    }
}

/// go-yaml v2 float syntax: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
fn is_float(text: &str) -> bool {
    let s: Vec<u8> = text.bytes().filter(|b| *b != b'_').collect();
    let mut i = 0;
    if i < s.len() && (s[i] == b'-' || s[i] == b'+') {
        i += 1;
    }
    let int_start = i;
    while i < s.len() && s[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = i - int_start;
    let mut frac_digits = 0;
    if i < s.len() && s[i] == b'.' {
        i += 1;
        let f = i;
        while i < s.len() && s[i].is_ascii_digit() {
            i += 1;
        }
        frac_digits = i - f;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if i < s.len() && (s[i] == b'e' || s[i] == b'E') {
        i += 1;
        if i < s.len() && (s[i] == b'-' || s[i] == b'+') {
            i += 1;
        }
        let e = i;
        while i < s.len() && s[i].is_ascii_digit() {
            i += 1;
        }
        if i == e {
            return false;
        }
    }
    i == s.len()
}

/// Resolves a scalar that carries a core-schema tag such as `!!str` or `!!int`.
pub fn resolve_tagged(suffix: &str, text: &str) -> Resolved {
    match suffix {
        "str" | "binary" | "timestamp" => Ok(Value::String(text.to_string())),
        "null" => Ok(Value::Null),
        "bool" => match resolve_plain(text)? {
            v @ Value::Bool(_) => Ok(v),
            _ => Err(format!("cannot read {text:?} as !!bool")),
        },
        "int" => parse_int(text)
            .filter(|v| v.is_i64() || v.is_u64())
            .ok_or_else(|| format!("cannot read {text:?} as !!int")),
        "float" => match resolve_plain(text)? {
            v @ Value::Number(_) => Ok(v),
            _ => Err(format!("cannot read {text:?} as !!float")),
        },
        _ => resolve_plain(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resolves_like_go_yaml_v2() {
        assert_eq!(resolve_plain("~").unwrap(), Value::Null);
        assert_eq!(resolve_plain("yes").unwrap(), json!(true));
        assert_eq!(resolve_plain("Off").unwrap(), json!(false));
        assert_eq!(resolve_plain("42").unwrap(), json!(42));
        assert_eq!(resolve_plain("-7").unwrap(), json!(-7));
        assert_eq!(resolve_plain("0x1F").unwrap(), json!(31));
        assert_eq!(resolve_plain("010").unwrap(), json!(8));
        assert_eq!(resolve_plain("1_000").unwrap(), json!(1000));
        assert_eq!(resolve_plain("1.5").unwrap(), json!(1.5));
        assert_eq!(resolve_plain("1e3").unwrap(), json!(1000.0));
        assert_eq!(resolve_plain("v6.3.0").unwrap(), json!("v6.3.0"));
        assert_eq!(resolve_plain("9999h0m0s").unwrap(), json!("9999h0m0s"));
        assert_eq!(resolve_plain("30s").unwrap(), json!("30s"));
        assert_eq!(resolve_plain("-").unwrap(), json!("-"));
        assert_eq!(resolve_plain("1.2.3").unwrap(), json!("1.2.3"));
        assert!(resolve_plain(".inf").is_err());
        assert_eq!(resolve_tagged("str", "42").unwrap(), json!("42"));
        assert!(resolve_tagged("int", "x").is_err());
        // Found by the mutation test: an empty tagged scalar (`!!int` with no value).
        assert!(resolve_tagged("int", "").is_err());
        assert!(resolve_tagged("float", "").is_err());
        assert_eq!(resolve_tagged("bool", "").ok(), None);
    }
}
