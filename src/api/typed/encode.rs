//! The table's interpreter: decodes a JSON value into a Go type the way
//! `encoding/json` does (case-sensitive field names, as the API server's decoder)
//! and writes what `encoding/json` would write back, in one pass. The walk consumes
//! its input: strings and keys move into the result instead of being copied (the
//! store re-encodes every write, so this is on the hot path of a plan).

use std::borrow::Cow;

use serde_json::{Map, Number, Value};

use super::duration::{format_duration, parse_duration};
use super::schema::{Field, GoStruct, Omit, Ty};
use super::time::{format_time, parse_time, MICRO, SECONDS};

/// A value Go would not decode into the type (the API server rejects the object).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DecodeError {
    /// The dotted JSON path of the offending field.
    pub path: String,
    /// The error as Go words it.
    pub message: String,
}

/// One re-encoded value and what `omitempty` / `omitzero` make of it.
struct Encoded {
    json: Value,
    empty: bool,
    zero: bool,
}

impl Encoded {
    fn new(json: Value, empty: bool, zero: bool) -> Self {
        Encoded { json, empty, zero }
    }

    fn omitted(&self, omit: Omit) -> bool {
        match omit {
            Omit::Never => false,
            Omit::Empty => self.empty,
            Omit::Zero => self.zero,
            Omit::EmptyOrZero => self.empty || self.zero,
        }
    }
}

/// The decoding walk: the JSON path for error texts and dropped-field reports.
pub(super) struct Walk<'a> {
    /// Struct field names from the root (Go's error context), map keys included: the
    /// table's own names are borrowed, only map keys are copied.
    fields: Vec<Cow<'static, str>>,
    /// The path with list indices, as unknown fields are reported.
    path: String,
    /// The Go struct being decoded (for error texts).
    current: &'static str,
    dropped: &'a mut Vec<String>,
    /// The decoded fields of the structs being walked, innermost on top: table index,
    /// key moved from the input, value.
    present: Vec<(usize, String, Encoded)>,
    /// The same for structs re-encoded in place: table index, and whether it is written.
    kept: Vec<(usize, bool)>,
}

impl<'a> Walk<'a> {
    pub(super) fn new(dropped: &'a mut Vec<String>) -> Self {
        Walk {
            fields: Vec::new(),
            path: String::new(),
            current: "",
            dropped,
            present: Vec::new(),
            kept: Vec::new(),
        }
    }

    pub(super) fn struct_value(
        &mut self,
        def: &'static GoStruct,
        input: Value,
    ) -> Result<Value, DecodeError> {
        Ok(self.decode_struct(def, input, "")?.json)
    }

    /// One field's value re-encoded (`path` is the field's JSON name).
    pub(super) fn field_value(
        &mut self,
        field: &'static Field,
        input: Value,
    ) -> Result<Value, DecodeError> {
        self.path = field.json.to_string();
        self.fields.push(Cow::Borrowed(field.json));
        Ok(self.decode(&field.ty, field.go, input)?.json)
    }

    fn error(&self, value: &str, go: &str) -> DecodeError {
        let message = if self.fields.is_empty() {
            format!("json: cannot unmarshal {value} into Go value of type {go}")
        } else {
            format!(
                "json: cannot unmarshal {value} into Go struct field {}.{} of type {go}",
                self.current.rsplit('.').next().unwrap_or(self.current),
                self.fields.join(".")
            )
        };
        DecodeError {
            path: self.path.clone(),
            message,
        }
    }

    fn custom_error(&self, message: String) -> DecodeError {
        DecodeError {
            path: self.path.clone(),
            message,
        }
    }

    /// What `omitempty` and `omitzero` see in `ty`'s zero value: (empty, zero), as
    /// [`Walk::zero`] builds it.
    fn zero_flags(ty: &Ty) -> (bool, bool) {
        match ty {
            Ty::Bool
            | Ty::Int32
            | Ty::Int64
            | Ty::Uint16
            | Ty::Uint32
            | Ty::Uint64
            | Ty::Float64
            | Ty::String
            | Ty::Bytes
            | Ty::Ptr(_)
            | Ty::Slice(_)
            | Ty::Map(_) => (true, true),
            Ty::Time
            | Ty::MicroTime
            | Ty::Raw
            | Ty::Duration
            | Ty::Quantity
            | Ty::IntOrString
            | Ty::Struct(_) => (false, true),
        }
    }

    /// The encoding of `ty`'s Go zero value.
    fn zero(ty: &Ty) -> Encoded {
        match ty {
            Ty::Bool => Encoded::new(Value::Bool(false), true, true),
            Ty::Int32 | Ty::Int64 | Ty::Uint16 | Ty::Uint32 | Ty::Uint64 => {
                Encoded::new(Value::from(0), true, true)
            }
            Ty::Float64 => Encoded::new(Value::from(0), true, true),
            Ty::String => Encoded::new(Value::String(String::new()), true, true),
            Ty::Bytes | Ty::Ptr(_) | Ty::Slice(_) | Ty::Map(_) => {
                Encoded::new(Value::Null, true, true)
            }
            Ty::Time | Ty::MicroTime | Ty::Raw => Encoded::new(Value::Null, false, true),
            Ty::Duration => Encoded::new(Value::String("0s".into()), false, true),
            Ty::Quantity => Encoded::new(Value::String("0".into()), false, true),
            Ty::IntOrString => Encoded::new(Value::from(0), false, true),
            Ty::Struct(def) => {
                let mut map = Map::new();
                for field in def.fields {
                    let value = Self::zero(&field.ty);
                    if !value.omitted(field.omit) {
                        map.insert(field.json.to_string(), value.json);
                    }
                }
                Encoded::new(Value::Object(map), false, true)
            }
        }
    }

    fn decode(&mut self, ty: &Ty, go: &str, input: Value) -> Result<Encoded, DecodeError> {
        if input.is_null() {
            // A JSON null leaves a value at its zero (pointers, slices and maps nil);
            // Duration's own decoder alone refuses it.
            if matches!(ty, Ty::Duration) {
                return Err(self.custom_error("time: invalid duration \"\"".into()));
            }
            return Ok(Self::zero(ty));
        }
        let kind = json_kind(&input);
        match ty {
            Ty::Bool => match input {
                Value::Bool(b) => Ok(Encoded::new(Value::Bool(b), !b, !b)),
                _ => Err(self.error(kind, go)),
            },
            Ty::Int32 => self.integer(&input, go, i32::MIN as i64, i32::MAX as i64),
            Ty::Int64 => self.integer(&input, go, i64::MIN, i64::MAX),
            Ty::Uint16 => self.integer(&input, go, 0, u16::MAX as i64),
            Ty::Uint32 => self.integer(&input, go, 0, u32::MAX as i64),
            Ty::Uint64 => match &input {
                Value::Number(n) if n.as_u64().is_some() => {
                    let zero = n.as_u64() == Some(0);
                    Ok(Encoded::new(input, zero, zero))
                }
                Value::Number(n) => Err(self.error(&format!("number {n}"), go)),
                _ => Err(self.error(kind, go)),
            },
            Ty::Float64 => match &input {
                Value::Number(n) => {
                    let zero = n.as_f64() == Some(0.0);
                    Ok(Encoded::new(input, zero, zero))
                }
                _ => Err(self.error(kind, go)),
            },
            Ty::String => match &input {
                Value::String(s) => {
                    let empty = s.is_empty();
                    Ok(Encoded::new(input, empty, empty))
                }
                _ => Err(self.error(kind, go)),
            },
            Ty::Bytes => match input {
                Value::String(_) => Ok(Encoded::new(input, false, false)),
                _ => Err(self.error(kind, go)),
            },
            Ty::Time | Ty::MicroTime => {
                let Value::String(text) = &input else {
                    return Err(self.error(kind, "string"));
                };
                let precision = if matches!(ty, Ty::Time) {
                    SECONDS
                } else {
                    MICRO
                };
                let instant = parse_time(text, precision).map_err(|e| self.custom_error(e))?;
                Ok(match instant {
                    None => Self::zero(ty),
                    Some(t) => {
                        Encoded::new(Value::String(format_time(&t, precision)), false, false)
                    }
                })
            }
            Ty::Duration => {
                let Value::String(text) = &input else {
                    return Err(self.error(kind, "string"));
                };
                let nanos = parse_duration(text).map_err(|e| self.custom_error(e))?;
                Ok(Encoded::new(
                    Value::String(format_duration(nanos)),
                    false,
                    nanos == 0,
                ))
            }
            Ty::Quantity => {
                let text = match &input {
                    Value::String(s) => s.trim().to_string(),
                    Value::Number(n) => n.to_string(),
                    _ => return Err(self.error(kind, "resource.Quantity")),
                };
                let canonical =
                    crate::api::quantity::canonical_quantity(&text).ok_or_else(|| {
                        self.custom_error(
                            "quantities must match the regular expression \
                         '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
                                .into(),
                        )
                    })?;
                let zero = canonical == "0";
                Ok(Encoded::new(Value::String(canonical), false, zero))
            }
            Ty::IntOrString => match input {
                Value::String(_) => Ok(Encoded::new(input, false, false)),
                _ => {
                    let int = self.integer(&input, "int32", i32::MIN as i64, i32::MAX as i64)?;
                    Ok(Encoded::new(int.json, false, int.zero))
                }
            },
            Ty::Raw => Ok(Encoded::new(input, false, false)),
            Ty::Struct(def) => self.decode_struct(def, input, go),
            Ty::Ptr(inner) => {
                let value = self.decode(inner, go.strip_prefix('*').unwrap_or(go), input)?;
                Ok(Encoded::new(value.json, false, false))
            }
            Ty::Slice(elem) => {
                let Value::Array(mut items) = input else {
                    return Err(self.error(kind, go));
                };
                let elem_go = go.strip_prefix("[]").unwrap_or(go);
                let base = self.path.len();
                // Each item re-encoded where it stands: the list keeps its own vector.
                for (index, item) in items.iter_mut().enumerate() {
                    use std::fmt::Write;
                    let _ = write!(self.path, "[{index}]");
                    let value = self.decode(elem, elem_go, std::mem::take(item));
                    self.path.truncate(base);
                    *item = value?.json;
                }
                let empty = items.is_empty();
                Ok(Encoded::new(Value::Array(items), empty, false))
            }
            Ty::Map(elem) => {
                let Value::Object(mut entries) = input else {
                    return Err(self.error(kind, go));
                };
                let elem_go = go.split_once(']').map_or(go, |(_, v)| v);
                // Go writes a map's keys sorted: a map already so (every map Go wrote) is
                // re-encoded where it stands, keeping its table and hashes.
                let sorted = entries
                    .keys()
                    .zip(entries.keys().skip(1))
                    .all(|(a, b)| a < b);
                if !sorted {
                    let mut pairs: Vec<(String, Value)> = entries.into_iter().collect();
                    pairs.sort_by(|a, b| a.0.cmp(&b.0));
                    entries = pairs.into_iter().collect();
                }
                for (key, item) in entries.iter_mut() {
                    let base = self.path.len();
                    self.push_path(key);
                    self.fields.push(Cow::Owned(key.clone()));
                    let value = self.decode(elem, elem_go, std::mem::take(item));
                    self.fields.pop();
                    self.path.truncate(base);
                    *item = value?.json;
                }
                let empty = entries.is_empty();
                Ok(Encoded::new(Value::Object(entries), empty, false))
            }
        }
    }

    fn push_path(&mut self, key: &str) {
        if !self.path.is_empty() {
            self.path.push('.');
        }
        self.path.push_str(key);
    }

    fn integer(&self, input: &Value, go: &str, min: i64, max: i64) -> Result<Encoded, DecodeError> {
        let Value::Number(n) = input else {
            return Err(self.error(json_kind(input), go));
        };
        match n.as_i64() {
            Some(i) if (min..=max).contains(&i) => {
                Ok(Encoded::new(Value::Number(Number::from(i)), i == 0, i == 0))
            }
            _ => Err(self.error(&format!("number {n}"), go)),
        }
    }

    fn decode_struct(
        &mut self,
        def: &'static GoStruct,
        input: Value,
        go: &str,
    ) -> Result<Encoded, DecodeError> {
        let Value::Object(entries) = input else {
            let go = if go.is_empty() { def.name } else { go };
            return Err(self.error(json_kind(&input), go));
        };
        if self.push_table_order(def, &entries) {
            return self.decode_struct_in_place(def, entries);
        }
        let outer = std::mem::replace(&mut self.current, def.name);
        // The fields present, at the top of the walk's shared stack (a nested struct uses the
        // stack above them and leaves it as it found it), so a struct costs no allocation of
        // its own however many fields its Go type lists. Document order, as Go decodes (and
        // reports the first error). Objects mostly come in the table's own order (Go wrote
        // them), so the search starts after the field found last and usually ends at once.
        let base = self.present.len();
        let mut next = 0;
        let mut in_order = true;
        for (key, value) in entries {
            let path = self.path.len();
            self.push_path(&key);
            match field_index(def, &key, next) {
                Some(index) => {
                    in_order &= index >= next;
                    next = index + 1;
                    let field = &def.fields[index];
                    self.fields.push(Cow::Borrowed(field.json));
                    let decoded = self.decode(&field.ty, field.go, value);
                    self.fields.pop();
                    match decoded {
                        Ok(v) => self.present.push((index, key, v)),
                        Err(e) => {
                            self.path.truncate(path);
                            self.present.truncate(base);
                            self.current = outer;
                            return Err(e);
                        }
                    }
                }
                None => self.dropped.push(self.path.clone()),
            }
            self.path.truncate(path);
        }
        self.current = outer;
        if !in_order {
            // Keys are unique, so are their fields: the table order is total.
            self.present[base..].sort_unstable_by_key(|(index, _, _)| *index);
        }
        // Sized to what is kept: the stored object holds this map, and a Go type lists many
        // more fields than an object usually sets.
        let mut zero = true;
        let mut kept = 0;
        let mut present = self.present[base..].iter().peekable();
        for (index, field) in def.fields.iter().enumerate() {
            match present.next_if(|(at, _, _)| *at == index) {
                Some((_, _, value)) => {
                    zero &= value.zero;
                    kept += usize::from(!value.omitted(field.omit));
                }
                None => kept += usize::from(!zero_omitted(&field.ty, field.omit)),
            }
        }
        let mut map = Map::with_capacity(kept);
        let mut present = self.present.drain(base..).peekable();
        for (index, field) in def.fields.iter().enumerate() {
            match present.next_if(|(at, _, _)| *at == index) {
                Some((_, key, value)) if !value.omitted(field.omit) => {
                    map.insert(key, value.json);
                }
                Some(_) => {}
                // An absent field holds its zero value, built only when it is written.
                None if !zero_omitted(&field.ty, field.omit) => {
                    map.insert(field.json.to_string(), Self::zero(&field.ty).json);
                }
                None => {}
            }
        }
        Ok(Encoded::new(Value::Object(map), false, zero))
    }

    /// Whether every key of `map` names a field of `def`, in the table's order (as in every
    /// object Go wrote); if so, each key's table index is pushed onto `kept` for
    /// [`Walk::decode_struct_in_place`], else nothing is.
    fn push_table_order(&mut self, def: &GoStruct, map: &Map<String, Value>) -> bool {
        let base = self.kept.len();
        let mut next = 0;
        for key in map.keys() {
            match field_index(def, key, next) {
                Some(index) if index >= next => {
                    next = index + 1;
                    self.kept.push((index, true));
                }
                _ => {
                    self.kept.truncate(base);
                    return false;
                }
            }
        }
        true
    }

    /// [`Walk::decode_struct`] of an object whose keys are known fields in the table's
    /// order, their indices on top of `kept` ([`Walk::push_table_order`]): each value
    /// re-encoded where it stands, omitted ones removed and absent written ones inserted
    /// at their places, so the map keeps its table and the hashes of its keys instead of
    /// being built again.
    fn decode_struct_in_place(
        &mut self,
        def: &'static GoStruct,
        mut map: Map<String, Value>,
    ) -> Result<Encoded, DecodeError> {
        let outer = std::mem::replace(&mut self.current, def.name);
        let mut zero = true;
        // The table index of each present field, and (once decoded) whether it is written.
        let base = self.kept.len() - map.len();
        for (at, (key, value)) in map.iter_mut().enumerate() {
            let index = self.kept[base + at].0;
            let field = &def.fields[index];
            let path = self.path.len();
            self.push_path(key);
            self.fields.push(Cow::Borrowed(field.json));
            let decoded = self.decode(&field.ty, field.go, std::mem::take(value));
            self.fields.pop();
            self.path.truncate(path);
            match decoded {
                Ok(v) => {
                    zero &= v.zero;
                    self.kept[base + at].1 = !v.omitted(field.omit);
                    *value = v.json;
                }
                Err(e) => {
                    self.kept.truncate(base);
                    self.current = outer;
                    return Err(e);
                }
            }
        }
        self.current = outer;
        if self.kept[base..].iter().any(|(_, kept)| !kept) {
            let mut kept = self.kept[base..].iter();
            map.retain(|_, _| kept.next().is_some_and(|(_, kept)| *kept));
        }
        // Absent fields Go writes at zero go in at their places among the kept ones.
        let mut at = 0;
        let mut present = self.kept[base..]
            .iter()
            .filter(|(_, kept)| *kept)
            .peekable();
        for (index, field) in def.fields.iter().enumerate() {
            if present.next_if(|(i, _)| *i == index).is_some() {
                at += 1;
            } else if !zero_omitted(&field.ty, field.omit) {
                map.shift_insert(at, field.json.to_string(), Self::zero(&field.ty).json);
                at += 1;
            }
        }
        self.kept.truncate(base);
        Ok(Encoded::new(Value::Object(map), false, zero))
    }
}

/// Whether a field left at its zero value is left out, without building that value.
fn zero_omitted(ty: &Ty, omit: Omit) -> bool {
    let zero = Walk::zero_flags(ty);
    Encoded::new(Value::Null, zero.0, zero.1).omitted(omit)
}

/// The position of the field named `key` in `def`, searched from `from` on and then from
/// the start.
pub(super) fn field_index(def: &GoStruct, key: &str, from: usize) -> Option<usize> {
    let from = from.min(def.fields.len());
    let (before, after) = def.fields.split_at(from);
    after
        .iter()
        .position(|f| f.json == key)
        .map(|i| from + i)
        .or_else(|| before.iter().position(|f| f.json == key))
}

/// How Go's decoder names a JSON value's kind in type errors.
fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field type the table reaches, once.
    fn each_type(
        def: &'static GoStruct,
        seen: &mut Vec<*const GoStruct>,
        out: &mut Vec<&'static Ty>,
    ) {
        if seen.contains(&(def as *const _)) {
            return;
        }
        seen.push(def);
        for field in def.fields {
            let mut ty = &field.ty;
            loop {
                out.push(ty);
                match ty {
                    Ty::Ptr(inner) | Ty::Slice(inner) | Ty::Map(inner) => ty = inner,
                    Ty::Struct(inner) => {
                        each_type(inner, seen, out);
                        break;
                    }
                    _ => break,
                }
            }
        }
    }

    #[test]
    fn zero_flags_are_those_of_the_zero_value_built() {
        let (mut seen, mut types) = (Vec::new(), Vec::new());
        for (_, _, def) in super::super::generated::KINDS {
            each_type(def, &mut seen, &mut types);
        }
        assert!(types.len() > 100, "the table reaches {} types", types.len());
        for ty in types {
            let built = Walk::zero(ty);
            assert_eq!(Walk::zero_flags(ty), (built.empty, built.zero), "{ty:?}");
        }
    }
}
