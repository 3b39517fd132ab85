//! The bytes an object's ownership rests as between targets: field sets written as
//! their trees stand (strings length-prefixed, numbers as varints), so putting a
//! fleet's ownership to rest and waking one costs a copy, not a `FieldsV1` encoding
//! with its formatted keys and escapes and a JSON parse back. Only this module reads
//! what it writes; a round trip gives the very same set (tested).

use serde_json::{Number, Value};

use super::fieldpath::{FieldSet, PathElement, Scalar};

/// Appends `set`.
pub fn write_set(out: &mut Vec<u8>, set: &FieldSet) {
    let (root, members, children) = set.parts();
    out.push(u8::from(root));
    write_len(out, members.len());
    for pe in members {
        write_element(out, pe);
    }
    write_len(out, children.len());
    for (pe, child) in children {
        write_element(out, pe);
        write_set(out, child);
    }
}

/// Reads a set [`write_set`] wrote.
pub fn read_set(input: &mut Reader<'_>) -> FieldSet {
    let root = input.byte() == 1;
    let members = (0..input.len()).map(|_| read_element(input)).collect();
    let children = (0..input.len())
        .map(|_| (read_element(input), read_set(input)))
        .collect();
    FieldSet::from_sorted_parts(root, members, children)
}

/// Appends a string, length first.
pub fn write_str(out: &mut Vec<u8>, text: &str) {
    write_len(out, text.len());
    out.extend_from_slice(text.as_bytes());
}

/// Appends a length (or count).
pub fn write_len(out: &mut Vec<u8>, len: usize) {
    write_varint(out, len as u64);
}

fn write_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn write_element(out: &mut Vec<u8>, pe: &PathElement) {
    match pe {
        PathElement::Field(name) => {
            out.push(0);
            write_str(out, name);
        }
        PathElement::Key(fields) => {
            out.push(1);
            write_len(out, fields.len());
            for (name, value) in fields {
                write_str(out, name);
                write_scalar(out, &value.0);
            }
        }
        PathElement::Value(value) => {
            out.push(2);
            write_scalar(out, &value.0);
        }
        PathElement::Index(i) => {
            out.push(3);
            write_len(out, *i);
        }
    }
}

fn read_element(input: &mut Reader<'_>) -> PathElement {
    match input.byte() {
        0 => PathElement::Field(input.string()),
        1 => PathElement::Key(
            (0..input.len())
                .map(|_| (input.string(), Scalar(read_scalar(input))))
                .collect(),
        ),
        2 => PathElement::Value(Scalar(read_scalar(input))),
        _ => PathElement::Index(input.len()),
    }
}

/// A scalar by its JSON number kind (so the value read back is the very `Number`), lists
/// and maps (never in a key SMD builds, but representable) as their JSON text.
fn write_scalar(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.push(0),
        Value::Bool(b) => out.push(1 + u8::from(*b)),
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => {
                out.push(3);
                write_varint(out, u);
            }
            (None, Some(i), _) => {
                out.push(4);
                write_varint(out, i as u64);
            }
            (_, _, f) => {
                out.push(5);
                out.extend_from_slice(&f.unwrap_or(0.0).to_le_bytes());
            }
        },
        Value::String(s) => {
            out.push(6);
            write_str(out, s);
        }
        other => {
            out.push(7);
            write_str(out, &other.to_string());
        }
    }
}

fn read_scalar(input: &mut Reader<'_>) -> Value {
    match input.byte() {
        0 => Value::Null,
        1 => Value::Bool(false),
        2 => Value::Bool(true),
        3 => Value::Number(Number::from(input.varint())),
        4 => Value::Number(Number::from(input.varint() as i64)),
        5 => {
            let bytes = input.take(8).try_into().expect("eight bytes");
            Number::from_f64(f64::from_le_bytes(bytes)).map_or(Value::Null, Value::Number)
        }
        6 => Value::String(input.string()),
        _ => serde_json::from_str(&input.string()).expect("resting scalar is JSON text"),
    }
}

/// A cursor over resting bytes.
pub struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader(bytes)
    }

    pub fn byte(&mut self) -> u8 {
        self.take(1)[0]
    }

    fn take(&mut self, n: usize) -> &'a [u8] {
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        head
    }

    fn varint(&mut self) -> u64 {
        let (mut n, mut shift) = (0u64, 0);
        loop {
            let b = self.byte();
            n |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return n;
            }
            shift += 7;
        }
    }

    pub fn len(&mut self) -> usize {
        self.varint() as usize
    }

    pub fn string(&mut self) -> String {
        let n = self.len();
        String::from_utf8(self.take(n).to_vec()).expect("resting text is UTF-8 it was")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn round_trip(set: &FieldSet) -> FieldSet {
        let mut bytes = Vec::new();
        write_set(&mut bytes, set);
        let mut reader = Reader::new(&bytes);
        let back = read_set(&mut reader);
        assert!(reader.0.is_empty(), "every byte read");
        back
    }

    #[test]
    fn a_set_reads_back_as_the_very_set_with_every_kind_of_element() {
        let fields = json!({
            "f:metadata": {"f:labels": {".": {}, "f:a\u{0}b": {}, "f:ünï": {}}},
            "f:spec": {
                "f:ports": {
                    "k:{\"port\":26656,\"protocol\":\"TCP\"}": {".": {}, "f:name": {}},
                    "k:{\"port\":-3,\"protocol\":\"UDP\"}": {},
                    "k:{\"ratio\":1.5,\"on\":true,\"off\":false,\"none\":null}": {},
                    "k:{\"big\":18446744073709551615}": {}
                },
                "f:finalizers": {"v:\"a\"": {}, "v:7": {}, "v:[1,{\"x\":2}]": {}},
                "f:args": {"i:0": {}, "i:300": {}}
            }
        });
        let set = FieldSet::from_fields_v1(&fields).unwrap();
        let back = round_trip(&set);
        assert_eq!(back, set);
        assert_eq!(back.to_fields_v1(), set.to_fields_v1());
        assert_eq!(round_trip(&FieldSet::default()), FieldSet::default());
    }
}
