//! Trace comparison with the normalisation of PARITY.md §6 (the same rules as
//! `compare.py`): patch strings dropped where parsed, resourceVersions reduced to
//! presence, the scenario's now replaced, UUIDs numbered by first appearance.

use std::collections::HashMap;

use serde_json::{Map, Value};

const DEFAULT_NOW: &str = "2026-01-01T00:00:00Z";

/// One difference: JSON path, expected value, actual value.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    pub path: String,
    pub expected: Value,
    pub actual: Value,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let show = |v: &Value| {
            let s = v.to_string();
            if s.len() > 300 {
                format!(
                    "{}...",
                    &s[..s.char_indices().nth(297).map_or(s.len(), |(i, _)| i)]
                )
            } else {
                s
            }
        };
        write!(
            f,
            "{}: expected {}, actual {}",
            self.path,
            show(&self.expected),
            show(&self.actual)
        )
    }
}

/// Compares two traces after normalising both; an empty list means parity.
pub fn compare_traces(expected: &Value, actual: &Value) -> Vec<Difference> {
    let now = expected
        .get("now")
        .and_then(Value::as_str)
        .or_else(|| actual.get("now").and_then(Value::as_str))
        .unwrap_or(DEFAULT_NOW)
        .to_string();
    let e = normalise(expected, &now);
    let a = normalise(actual, &now);
    let mut out = Vec::new();
    diff(&e, &a, "$".to_string(), &mut out);
    out
}

/// Applies the §6 normalisation to one document.
pub fn normalise(doc: &Value, now: &str) -> Value {
    let stage = rv_and_now(&drop_patch_strings(doc), now);
    let mut table = HashMap::new();
    number_uuids(&stage, &mut table)
}

fn drop_patch_strings(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut out: Map<String, Value> = m
                .iter()
                .map(|(k, x)| (k.clone(), drop_patch_strings(x)))
                .collect();
            if out.contains_key("seq")
                && out.contains_key("verb")
                && out.contains_key("patchParsed")
                && out.get("patch").is_some_and(Value::is_string)
            {
                out.remove("patch");
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(drop_patch_strings).collect()),
        other => other.clone(),
    }
}

fn rv_and_now(v: &Value, now: &str) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| {
                    if k == "resourceVersion" && x.is_string() {
                        (k.clone(), Value::String("<RV>".into()))
                    } else {
                        (k.clone(), rv_and_now(x, now))
                    }
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|x| rv_and_now(x, now)).collect()),
        Value::String(s) if s == now || s == "<NOW>" => Value::String("<NOW>".into()),
        other => other.clone(),
    }
}

fn number_uuids(v: &Value, table: &mut HashMap<String, String>) -> Value {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for k in keys {
                let nk = replace_uuids(k, table);
                let nv = number_uuids(&m[k], table);
                out.insert(nk, nv);
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(|x| number_uuids(x, table)).collect()),
        Value::String(s) => Value::String(replace_uuids(s, table)),
        other => other.clone(),
    }
}

/// Replaces every 8-4-4-4-12 hex run in `s` by its `<UUID-n>` placeholder.
fn replace_uuids(s: &str, table: &mut HashMap<String, String>) -> String {
    let bytes = s.as_bytes();
    if bytes.len() < 36 {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut last = 0;
    while i + 36 <= bytes.len() {
        if is_uuid_at(bytes, i) {
            out.push_str(&s[last..i]);
            let key = s[i..i + 36].to_ascii_lowercase();
            let n = table.len() + 1;
            let placeholder = table.entry(key).or_insert_with(|| format!("<UUID-{n}>"));
            out.push_str(placeholder);
            i += 36;
            last = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&s[last..]);
    out
}

fn is_uuid_at(b: &[u8], start: usize) -> bool {
    (0..36).all(|k| {
        let c = b[start + k];
        match k {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_hexdigit(),
        }
    })
}

fn key_path(path: &str, k: &str) -> String {
    let simple = !k.is_empty()
        && k.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if simple {
        format!("{path}.{k}")
    } else {
        format!("{path}[{}]", Value::String(k.to_string()))
    }
}

fn same_scalar(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn diff(e: &Value, a: &Value, path: String, out: &mut Vec<Difference>) {
    let absent = || Value::String("<absent>".into());
    match (e, a) {
        (Value::Object(em), Value::Object(am)) => {
            let mut keys: Vec<&String> = em.keys().chain(am.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let p = key_path(&path, k);
                match (em.get(k), am.get(k)) {
                    (Some(ev), None) => out.push(Difference {
                        path: p,
                        expected: ev.clone(),
                        actual: absent(),
                    }),
                    (None, Some(av)) => out.push(Difference {
                        path: p,
                        expected: absent(),
                        actual: av.clone(),
                    }),
                    (Some(ev), Some(av)) => diff(ev, av, p, out),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(ea), Value::Array(aa)) => {
            if ea.len() != aa.len() {
                out.push(Difference {
                    path: format!("{path}.length"),
                    expected: Value::from(ea.len()),
                    actual: Value::from(aa.len()),
                });
            }
            for i in 0..ea.len().min(aa.len()) {
                diff(&ea[i], &aa[i], format!("{path}[{i}]"), out);
            }
            for (i, ev) in ea.iter().enumerate().skip(aa.len()) {
                out.push(Difference {
                    path: format!("{path}[{i}]"),
                    expected: ev.clone(),
                    actual: absent(),
                });
            }
            for (i, av) in aa.iter().enumerate().skip(ea.len()) {
                out.push(Difference {
                    path: format!("{path}[{i}]"),
                    expected: absent(),
                    actual: av.clone(),
                });
            }
        }
        _ if e.is_object() || e.is_array() || a.is_object() || a.is_array() => {
            out.push(Difference {
                path,
                expected: e.clone(),
                actual: a.clone(),
            });
        }
        _ => {
            if !same_scalar(e, a) {
                out.push(Difference {
                    path,
                    expected: e.clone(),
                    actual: a.clone(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn uuids_compare_structurally() {
        let e = json!({"now": "2026-01-01T00:00:00Z", "a": "plan 11111111-1111-4111-8111-111111111111 failed",
                       "b": "11111111-1111-4111-8111-111111111111"});
        let a = json!({"now": "2026-01-01T00:00:00Z", "a": "plan 22222222-2222-4222-8222-222222222222 failed",
                       "b": "22222222-2222-4222-8222-222222222222"});
        assert!(compare_traces(&e, &a).is_empty());
        let bad = json!({"now": "2026-01-01T00:00:00Z", "a": "plan 22222222-2222-4222-8222-222222222222 failed",
                       "b": "33333333-2222-4222-8222-222222222222"});
        assert_eq!(compare_traces(&e, &bad).len(), 1);
    }

    #[test]
    fn resource_versions_compare_by_presence() {
        let e = json!({"metadata": {"resourceVersion": "100"}});
        assert!(compare_traces(&e, &json!({"metadata": {"resourceVersion": "7"}})).is_empty());
        assert_eq!(
            compare_traces(&e, &json!({"metadata": {}}))[0].path,
            "$.metadata.resourceVersion"
        );
    }

    #[test]
    fn patch_strings_are_ignored_only_when_parsed() {
        let e = json!({"w": [{"seq": 1, "verb": "Patch", "patch": "{}", "patchParsed": {}}]});
        let a = json!({"w": [{"seq": 1, "verb": "Patch", "patch": "{ }", "patchParsed": {}}]});
        assert!(compare_traces(&e, &a).is_empty());
    }

    #[test]
    fn numbers_compare_by_value_and_arrays_by_length() {
        assert!(compare_traces(&json!({"n": 1}), &json!({"n": 1.0})).is_empty());
        let d = compare_traces(&json!({"l": [1, 2]}), &json!({"l": [1]}));
        assert_eq!(d[0].path, "$.l.length");
        assert_eq!(d.len(), 2);
    }
}
