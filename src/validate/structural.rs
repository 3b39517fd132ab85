//! The API server's structural pipeline over one object: null pruning and defaults, then
//! schema checks (types, required, enum, pattern, format, bounds, unknown fields), then CEL.

use serde_json::{Map, Value};

use super::cel::{bind, type_word, Outcome};
use super::schema::{Schema, Type};
use super::{Finding, Severity};
use crate::manifest::path::{child_index, child_key};

/// Options for the schema pass.
#[derive(Debug, Clone, Copy, Default)]
pub struct SchemaOptions {
    pub allow_unknown_fields: bool,
}

/// Removes `null` from non-nullable properties and fills in `default`s, recursively
/// (the API server does this before validation, so defaulted required fields pass).
pub fn apply_defaults(schema: &Schema, value: &mut Value) {
    match value {
        Value::Object(obj) => {
            let mut pruned = false;
            for (key, child) in obj.iter_mut() {
                let cs = match schema.properties.get(key) {
                    Some(cs) => cs,
                    None => match &schema.additional_properties {
                        Some(ap) => ap,
                        None => continue,
                    },
                };
                if child.is_null() {
                    pruned |= !cs.nullable;
                } else if matches!(child, Value::Object(_) | Value::Array(_)) {
                    apply_defaults(cs, child);
                }
            }
            if pruned {
                obj.retain(|k, v| {
                    !v.is_null()
                        || schema
                            .properties
                            .get(k)
                            .or(schema.additional_properties.as_deref())
                            .is_none_or(|cs| cs.nullable)
                });
            }
            for name in &schema.defaulted {
                if !obj.contains_key(name) {
                    let ps = &schema.properties[name];
                    let mut d = ps.default.clone().unwrap_or(Value::Null);
                    apply_defaults(ps, &mut d);
                    obj.insert(name.clone(), d);
                }
            }
        }
        Value::Array(items) => {
            if let Some(is) = &schema.items {
                for v in items.iter_mut() {
                    if matches!(v, Value::Object(_) | Value::Array(_)) {
                        apply_defaults(is, v);
                    }
                }
            }
        }
        _ => {}
    }
}

fn short(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Object(_) => "\"object\"".to_string(),
        Value::Array(_) => "\"array\"".to_string(),
        Value::Null => "\"null\"".to_string(),
        other => other.to_string(),
    }
}

/// Edit distance for "did you mean" suggestions.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = Vec::with_capacity(b.len() + 1);
    for (i, ca) in a.chars().enumerate() {
        cur.clear();
        cur.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(!ca.eq_ignore_ascii_case(cb));
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The closest known property name, if reasonably close.
pub fn suggest<'a>(key: &str, known: impl Iterator<Item = &'a String>) -> Option<&'a String> {
    known
        .map(|k| (distance(key, k), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Walks a value against its schema and collects findings.
pub struct Checker<'o> {
    pub opts: SchemaOptions,
    pub out: &'o mut Vec<Finding>,
}

impl Checker<'_> {
    fn push(&mut self, path: &str, rule: &'static str, message: String, blocking: bool) {
        self.out.push(Finding {
            path: path.to_string(),
            rule,
            severity: Severity::Error,
            message,
            help: None,
            blocking,
        });
    }

    fn type_error(&mut self, path: &str, v: &Value, want: &str) {
        self.push(
            path,
            "schema.type",
            format!(
                "Invalid value: {}: {} in body must be of type {want}: {}",
                short(v),
                display(path),
                short(&Value::String(type_word(v).to_string()))
            ),
            true,
        );
    }

    /// Checks `v` against `s`; `path` is the JSON path of `v` (restored on return).
    pub fn check(&mut self, s: &Schema, v: &Value, path: &mut String) {
        if v.is_null() {
            if !s.nullable {
                if let Some(t) = s.ty {
                    self.type_error(path, v, t.name());
                }
            }
            return;
        }
        if s.int_or_string {
            match v {
                Value::String(_) => self.check_string(s, v, path),
                Value::Number(n) if n.is_i64() || n.is_u64() => {}
                _ => self.type_error(path, v, "integer or string"),
            }
            return;
        }
        let Some(ty) = s.ty else {
            return; // untyped (e.g. preserve-unknown-fields payloads)
        };
        let ok = match (ty, v) {
            (Type::Object, Value::Object(_))
            | (Type::Array, Value::Array(_))
            | (Type::String, Value::String(_))
            | (Type::Boolean, Value::Bool(_)) => true,
            (Type::Number, Value::Number(_)) => true,
            (Type::Integer, Value::Number(n)) => {
                n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
            }
            _ => false,
        };
        if !ok {
            self.type_error(path, v, ty.name());
            return;
        }
        if !s.enum_values.is_empty() && !s.enum_values.contains(v) {
            let allowed: Vec<String> = s.enum_values.iter().map(|e| e.to_string()).collect();
            self.push(
                path,
                "schema.enum",
                format!(
                    "Unsupported value: {}: supported values: {}",
                    v,
                    allowed.join(", ")
                ),
                true,
            );
        }
        match v {
            Value::Object(obj) => self.check_object(s, obj, path),
            Value::Array(items) => self.check_array(s, items, path),
            Value::String(_) => self.check_string(s, v, path),
            Value::Number(_) => self.check_number(s, v, path),
            _ => {}
        }
    }

    fn check_string(&mut self, s: &Schema, v: &Value, path: &str) {
        let Value::String(text) = v else { return };
        let len = text.chars().count() as u64;
        if let Some(min) = s.min_length {
            if len < min {
                self.push(
                    path,
                    "schema.min-length",
                    format!(
                        "Invalid value: {}: {} in body should be at least {min} chars long",
                        short(v),
                        display(path)
                    ),
                    false,
                );
            }
        }
        if let Some(max) = s.max_length {
            if len > max {
                self.push(
                    path,
                    "schema.max-length",
                    format!("Too long: may not be more than {max} bytes"),
                    false,
                );
            }
        }
        if let Some((src, re)) = &s.pattern {
            if !re.is_match(text) {
                self.push(
                    path,
                    "schema.pattern",
                    format!(
                        "Invalid value: {}: {} in body should match '{src}'",
                        short(v),
                        display(path)
                    ),
                    false,
                );
            }
        }
        if s.format.as_deref() == Some("date-time") && !is_date_time(text) {
            self.push(
                path,
                "schema.format",
                format!(
                    "Invalid value: {}: {} in body must be of type date-time: {}",
                    short(v),
                    display(path),
                    short(v)
                ),
                false,
            );
        }
    }

    fn check_number(&mut self, s: &Schema, v: &Value, path: &str) {
        let f = v.as_f64().unwrap_or(0.0);
        if let Some(min) = s.minimum {
            if f < min || (s.exclusive_minimum && f == min) {
                let op = if s.exclusive_minimum {
                    "greater than"
                } else {
                    "greater than or equal to"
                };
                self.push(
                    path,
                    "schema.minimum",
                    format!(
                        "Invalid value: {v}: {} in body should be {op} {min}",
                        display(path)
                    ),
                    false,
                );
            }
        }
        if let Some(max) = s.maximum {
            if f > max || (s.exclusive_maximum && f == max) {
                let op = if s.exclusive_maximum {
                    "less than"
                } else {
                    "less than or equal to"
                };
                self.push(
                    path,
                    "schema.maximum",
                    format!(
                        "Invalid value: {v}: {} in body should be {op} {max}",
                        display(path)
                    ),
                    false,
                );
            }
        }
        // The operator decodes into Go int32/int64 fields: out-of-range numbers fail there.
        let (lo, hi, word) = match s.format.as_deref() {
            Some("int32") => (i32::MIN as f64, i32::MAX as f64, "int32"),
            Some("int64") | None if s.ty == Some(Type::Integer) => {
                (i64::MIN as f64, i64::MAX as f64, "int64")
            }
            _ => return,
        };
        let too_big = v
            .as_u64()
            .is_some_and(|u| u > i64::MAX as u64 && word == "int64");
        if f < lo || f > hi || too_big {
            self.push(
                path,
                "operator.decode",
                format!(
                    "Invalid value: {v}: {} does not fit the operator's {word} field",
                    display(path)
                ),
                false,
            );
        }
    }

    fn check_array(&mut self, s: &Schema, items: &[Value], path: &mut String) {
        let n = items.len() as u64;
        if let Some(min) = s.min_items {
            if n < min {
                self.push(
                    path,
                    "schema.min-items",
                    format!(
                        "Invalid value: {n}: {} in body should have at least {min} items",
                        display(path)
                    ),
                    false,
                );
            }
        }
        if let Some(max) = s.max_items {
            if n > max {
                self.push(
                    path,
                    "schema.max-items",
                    format!("Too many: {n}: must have at most {max} items"),
                    false,
                );
            }
        }
        let Some(is) = &s.items else { return };
        let base = path.len();
        let mut seen_keys: Vec<Vec<&Value>> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            child_index(path, i);
            self.check(is, item, path);
            if s.list_type.as_deref() == Some("map") && !s.list_map_keys.is_empty() {
                let key: Vec<&Value> = s
                    .list_map_keys
                    .iter()
                    .map(|k| item.get(k).unwrap_or(&Value::Null))
                    .collect();
                if seen_keys.contains(&key) {
                    let shown: Vec<String> = key.iter().map(|k| k.to_string()).collect();
                    self.push(
                        path,
                        "schema.duplicate",
                        format!("Duplicate value: {{{}}}", shown.join(", ")),
                        false,
                    );
                }
                seen_keys.push(key);
            } else if s.list_type.as_deref() == Some("set") && items[..i].contains(item) {
                self.push(
                    path,
                    "schema.duplicate",
                    format!("Duplicate value: {item}"),
                    false,
                );
            }
            path.truncate(base);
        }
    }

    fn check_object(&mut self, s: &Schema, obj: &Map<String, Value>, path: &mut String) {
        let base = path.len();
        for req in &s.required {
            if !obj.contains_key(req) {
                child_key(path, req);
                self.push(path, "schema.required", "Required value".to_string(), false);
                path.truncate(base);
            }
        }
        let n = obj.len() as u64;
        if let Some(min) = s.min_properties {
            if n < min {
                self.push(
                    path,
                    "schema.min-properties",
                    format!(
                        "Invalid value: {n}: {} in body should have at least {min} properties",
                        display(path)
                    ),
                    false,
                );
            }
        }
        if let Some(max) = s.max_properties {
            if n > max {
                self.push(
                    path,
                    "schema.max-properties",
                    format!("Too many: {n}: must have at most {max} items"),
                    false,
                );
            }
        }
        for (key, child) in obj {
            child_key(path, key);
            if let Some(ps) = s.properties.get(key) {
                // `metadata` at the root is ObjectMeta, checked separately.
                if !(base == 0 && key == "metadata") {
                    self.check(ps, child, path);
                }
            } else if let Some(ap) = &s.additional_properties {
                self.check(ap, child, path);
            } else if s.rejects_unknown() && !self.opts.allow_unknown_fields {
                let help = suggest(key, s.property_order.iter())
                    .map(|k| format!("did you mean `{k}`?"))
                    .or_else(|| {
                        (!s.property_order.is_empty())
                            .then(|| format!("known fields here: {}", s.property_order.join(", ")))
                    })
                    .or(Some("this object takes no fields: they would be dropped (pruned) by the API server".to_string()));
                self.out.push(Finding {
                    path: path.clone(),
                    rule: "schema.unknown-field",
                    severity: Severity::Error,
                    message: format!("unknown field \"{path}\""),
                    help,
                    blocking: false,
                });
            }
            path.truncate(base);
        }
    }
}

/// Renders a path the way Kubernetes messages do (`<root>` for the empty path).
pub fn display(path: &str) -> &str {
    if path.is_empty() {
        "<root>"
    } else {
        path
    }
}

/// RFC 3339 date-time (what the API server's `date-time` format accepts).
fn is_date_time(s: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(s).is_ok()
}

/// Runs the CEL rules of `s` and its descendants on `v`, with `old` for transition rules.
pub fn check_cel(
    s: &Schema,
    v: &Value,
    old: Option<&Value>,
    path: &mut String,
    out: &mut Vec<Finding>,
) {
    if !s.has_rules_below || v.is_null() {
        return;
    }
    if !s.rules.is_empty() {
        let ctx = bind(v, old);
        for rule in &s.rules {
            let (rule_name, message) = match rule.evaluate_in(&ctx, old.is_some()) {
                Outcome::Pass | Outcome::Skipped => continue,
                Outcome::Fail(msg) => ("cel", msg),
                Outcome::Error(msg) => ("cel.error", msg),
            };
            let mut at = path.clone();
            if let Some(fp) = &rule.field_path {
                for part in fp
                    .trim_start_matches('.')
                    .split('.')
                    .filter(|p| !p.is_empty())
                {
                    child_key(&mut at, part);
                }
            }
            let prefix = match rule.reason.as_deref() {
                Some("FieldValueForbidden") => "Forbidden".to_string(),
                Some("FieldValueRequired") => "Required value".to_string(),
                Some("FieldValueDuplicate") => format!("Duplicate value: \"{}\"", type_word(v)),
                _ => format!("Invalid value: \"{}\"", type_word(v)),
            };
            out.push(Finding {
                path: at,
                rule: rule_name,
                severity: Severity::Error,
                message: format!("{prefix}: {message}"),
                help: Some(format!("rule: {}", rule.rule)),
                blocking: false,
            });
        }
    }
    let base = path.len();
    match v {
        Value::Object(obj) => {
            for (key, child) in obj {
                let cs = match s.properties.get(key) {
                    Some(cs) => cs,
                    None => match &s.additional_properties {
                        Some(ap) => ap,
                        None => continue,
                    },
                };
                if !cs.has_rules_below {
                    continue;
                }
                child_key(path, key);
                check_cel(cs, child, old.and_then(|o| o.get(key)), path, out);
                path.truncate(base);
            }
        }
        Value::Array(items) => {
            if let Some(is) = &s.items {
                for (i, item) in items.iter().enumerate() {
                    child_index(path, i);
                    let old_item = correlate_item(s, item, old);
                    check_cel(is, item, old_item, path, out);
                    path.truncate(base);
                }
            }
        }
        _ => {}
    }
}

/// Old list items are only correlated for `x-kubernetes-list-type: map` lists (by their keys).
fn correlate_item<'a>(s: &Schema, item: &Value, old: Option<&'a Value>) -> Option<&'a Value> {
    if s.list_type.as_deref() != Some("map") || s.list_map_keys.is_empty() {
        return None;
    }
    old?.as_array()?
        .iter()
        .find(|o| s.list_map_keys.iter().all(|k| o.get(k) == item.get(k)))
}
