//! Input objects as the engine reads them: a parsed JSON value, or, for an object nothing
//! reconciles (a ConfigMap, a Secret…), its compact JSON text with the identity fields
//! beside it. A parsed `serde_json::Value` with ordered maps costs a dozen times its text
//! (each map is an index table plus entries; each level of nesting an allocation), so a
//! file of many such objects is held at about its own size and decoded one object at a
//! time when the world is built.

use std::borrow::Cow;
use std::sync::Arc;

use serde_json::Value;

use super::rest_text::RestText;

/// The identity fields read without decoding an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    ApiVersion,
    Kind,
    Namespace,
    Name,
    ResourceVersion,
}

impl Field {
    const ALL: [Field; 5] = [
        Field::ApiVersion,
        Field::Kind,
        Field::Namespace,
        Field::Name,
        Field::ResourceVersion,
    ];

    fn pointer(self) -> &'static str {
        match self {
            Field::ApiVersion => "/apiVersion",
            Field::Kind => "/kind",
            Field::Namespace => "/metadata/namespace",
            Field::Name => "/metadata/name",
            Field::ResourceVersion => "/metadata/resourceVersion",
        }
    }

    fn index(self) -> usize {
        self as usize + 1
    }
}

/// What the engine needs of an input object.
pub trait InputObject {
    /// The string at an identity field (`None` when absent or not a string).
    fn field(&self, field: Field) -> Option<&str>;

    /// The whole object (decoded when it is held compactly).
    fn value(&self) -> Cow<'_, Value>;

    /// [`InputObject::field`], empty when absent.
    fn text(&self, field: Field) -> &str {
        self.field(field).unwrap_or("")
    }

    /// Whether the object is held compactly (then the store keeps it compact too).
    fn is_compact(&self) -> bool {
        false
    }
}

impl<T: InputObject + ?Sized> InputObject for &T {
    fn field(&self, field: Field) -> Option<&str> {
        (**self).field(field)
    }

    fn value(&self) -> Cow<'_, Value> {
        (**self).value()
    }

    fn is_compact(&self) -> bool {
        (**self).is_compact()
    }
}

impl<T: InputObject + ?Sized> InputObject for &mut T {
    fn field(&self, field: Field) -> Option<&str> {
        (**self).field(field)
    }

    fn value(&self) -> Cow<'_, Value> {
        (**self).value()
    }

    fn is_compact(&self) -> bool {
        (**self).is_compact()
    }
}

impl InputObject for Value {
    fn field(&self, field: Field) -> Option<&str> {
        self.pointer(field.pointer()).and_then(Value::as_str)
    }

    fn value(&self) -> Cow<'_, Value> {
        Cow::Borrowed(self)
    }
}

/// An object held as one allocation: its compact JSON text, then each identity field's
/// text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compact {
    buf: Box<str>,
    /// Where each part ends in `buf`: the JSON text, then the fields in [`Field::ALL`] order.
    ends: [u32; 6],
    /// Bit `i` set: field `i` (in [`Field::ALL`] order) is absent.
    absent: u8,
}

impl Compact {
    /// The compact form of `value`, or `None` when [`encode_text`] declines it or it is too
    /// big to index with 32-bit offsets.
    pub fn encode(value: &Value) -> Option<Compact> {
        let text = encode_text(value)?;
        let fields = Field::ALL.map(|field| value.field(field));
        // Allocated at its final size: a text written into a growing buffer and then shrunk
        // keeps the grown block (the allocator shrinks in place), up to twice the text.
        let size = text.len() + fields.iter().flatten().map(|f| f.len()).sum::<usize>();
        let mut buf = String::with_capacity(size);
        buf.push_str(&text);
        let mut ends = [0u32; 6];
        ends[0] = u32::try_from(buf.len()).ok()?;
        let mut absent = 0u8;
        for (i, (field, text)) in Field::ALL.into_iter().zip(fields).enumerate() {
            match text {
                Some(text) => buf.push_str(text),
                None => absent |= 1 << i,
            }
            ends[field.index()] = u32::try_from(buf.len()).ok()?;
        }
        Some(Compact {
            buf: buf.into_boxed_str(),
            ends,
            absent,
        })
    }

    fn part(&self, index: usize) -> &str {
        let start = if index == 0 {
            0
        } else {
            self.ends[index - 1] as usize
        };
        &self.buf[start..self.ends[index] as usize]
    }

    /// The object, decoded from its text.
    pub fn decode(&self) -> Value {
        decode(self.text())
    }

    /// The object's compact JSON text.
    pub fn text(&self) -> &str {
        self.part(0)
    }
}

/// The compact JSON text of `value`, or `None` when [`decode`] would not give back an equal
/// value (a floating-point number may not survive a text round trip exactly) or the text
/// would not be much smaller than the parsed value.
pub fn encode_text(value: &Value) -> Option<String> {
    let nodes = nodes_without_floats(value)?;
    let text = serde_json::to_string(value).ok()?;
    // Parsed, each node costs about this much beside its text: an object made mostly of a
    // few big scalars is held parsed, as compacting it would save next to nothing.
    const NODE_COST: usize = 100;
    (nodes.saturating_mul(NODE_COST) >= text.len() / 8).then_some(text)
}

/// An object from its compact JSON text (written by [`encode_text`]).
pub fn decode(text: &str) -> Value {
    serde_json::from_str(text).expect("compact text is JSON written by serde_json")
}

/// A stored object handed out without decoding it: shared and parsed, or the compact
/// text of an object nothing has read.
#[derive(Debug, Clone)]
pub enum StoredObject {
    Parsed(Arc<Value>),
    Text(RestText),
}

impl StoredObject {
    /// The object (a compact one decoded afresh on each call; the store keeps its text).
    pub fn value(&self) -> Cow<'_, Value> {
        match self {
            StoredObject::Parsed(v) => Cow::Borrowed(v),
            StoredObject::Text(text) => Cow::Owned(decode(&text.text())),
        }
    }
}

impl InputObject for Compact {
    fn field(&self, field: Field) -> Option<&str> {
        let i = field.index();
        (self.absent & (1 << (i - 1)) == 0).then(|| self.part(i))
    }

    fn value(&self) -> Cow<'_, Value> {
        Cow::Owned(self.decode())
    }

    fn is_compact(&self) -> bool {
        true
    }
}

/// An input object, parsed or compact. The parsed value is boxed: inline it would make every
/// kept input object (most of them compact) as large as a whole `Value` map header.
#[derive(Debug, Clone, PartialEq)]
pub enum Manifest {
    Parsed(Box<Value>),
    Compact(Compact),
}

impl Manifest {
    /// `value` held compactly when it can be (see [`Compact::encode`]).
    pub fn compact(value: Value) -> Manifest {
        match Compact::encode(&value) {
            Some(c) => Manifest::Compact(c),
            None => Manifest::Parsed(Box::new(value)),
        }
    }

    /// The object itself.
    pub fn into_value(self) -> Value {
        match self {
            Manifest::Parsed(v) => *v,
            Manifest::Compact(c) => c.decode(),
        }
    }
}

impl From<Value> for Manifest {
    fn from(value: Value) -> Self {
        Manifest::Parsed(Box::new(value))
    }
}

impl InputObject for Manifest {
    fn field(&self, field: Field) -> Option<&str> {
        match self {
            Manifest::Parsed(v) => v.field(field),
            Manifest::Compact(c) => c.field(field),
        }
    }

    fn value(&self) -> Cow<'_, Value> {
        match self {
            Manifest::Parsed(v) => Cow::Borrowed(v),
            Manifest::Compact(c) => c.value(),
        }
    }

    fn is_compact(&self) -> bool {
        matches!(self, Manifest::Compact(_))
    }
}

/// How many values `value` is made of, `None` when a floating-point number occurs in it.
fn nodes_without_floats(value: &Value) -> Option<usize> {
    match value {
        Value::Number(n) if n.is_f64() => None,
        Value::Array(items) => items
            .iter()
            .try_fold(1usize, |n, v| Some(n + nodes_without_floats(v)?)),
        Value::Object(map) => map
            .values()
            .try_fold(1usize, |n, v| Some(n + nodes_without_floats(v)?)),
        _ => Some(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_compact_object_reads_back_identical_with_its_identity() {
        let v = json!({"kind": "ConfigMap", "apiVersion": "v1",
            "metadata": {"namespace": "ns", "name": "c\u{e9}\"1", "labels": {"b": "1", "a": "2"}},
            "data": {"z": "\n\u{1}", "a": [1, -2, {"y": null, "x": true}], "n": 18446744073709551615u64}});
        let m = Manifest::compact(v.clone());
        let Manifest::Compact(c) = &m else {
            panic!("expected a compact object: {m:?}")
        };
        assert_eq!(c.decode(), v);
        // Key order survives (maps are ordered), so the re-encoded text is byte-identical.
        assert_eq!(
            serde_json::to_string(&c.decode()).unwrap(),
            serde_json::to_string(&v).unwrap()
        );
        assert_eq!(m.field(Field::Kind), Some("ConfigMap"));
        assert_eq!(m.field(Field::ApiVersion), Some("v1"));
        assert_eq!(m.field(Field::Namespace), Some("ns"));
        assert_eq!(m.field(Field::Name), Some("c\u{e9}\"1"));
        assert_eq!(m.field(Field::ResourceVersion), None);
        assert_eq!(m.text(Field::ResourceVersion), "");
        assert_eq!(m.value().into_owned(), v);
        assert_eq!(m.into_value(), v);
    }

    #[test]
    fn absent_and_non_string_fields_read_as_the_parsed_object_does() {
        let v = json!({"kind": 3, "metadata": {"name": "", "resourceVersion": "7"}});
        let m = Manifest::compact(v.clone());
        assert!(matches!(m, Manifest::Compact(_)));
        for field in Field::ALL {
            assert_eq!(m.field(field), v.field(field), "{field:?}");
        }
        assert_eq!(m.field(Field::Name), Some(""));
        assert_eq!(m.field(Field::ResourceVersion), Some("7"));
    }

    #[test]
    fn floats_and_objects_of_a_few_big_scalars_stay_parsed() {
        let v = json!({"kind": "X", "spec": {"ratio": [0.1]}});
        assert_eq!(Manifest::compact(v.clone()), Manifest::Parsed(Box::new(v)));
        let big = json!({"kind": "ConfigMap", "data": {"k": "x".repeat(10_000)}});
        assert_eq!(
            Manifest::compact(big.clone()),
            Manifest::Parsed(Box::new(big))
        );
        let small = json!({"kind": "ConfigMap", "data": {"k": "x".repeat(100)}});
        assert!(matches!(Manifest::compact(small), Manifest::Compact(_)));
    }
}
