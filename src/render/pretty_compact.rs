//! serde_json's pretty format written straight from compact JSON text that serde_json wrote
//! itself (an object at rest in the store), without decoding it into a `Value` and
//! serialising that again. Such text has no whitespace outside strings, no floats and no
//! duplicate keys, so re-indenting it gives the very bytes the round trip would; a plan of
//! a fleet lists tens of thousands of stored objects in `finalObjects`.

/// Appends `text` as serde_json's pretty output (two spaces per level) of a value that
/// starts `depth` levels into a pretty document. `text` must be serde_json's compact output.
pub fn write_pretty(text: &str, depth: usize, out: &mut Vec<u8>) {
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + bytes.len() / 2);
    let mut level = depth;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'"' => {
                let start = i;
                i += 1;
                while bytes[i] != b'"' {
                    // An escape is two bytes (`\"`, `\\`, `\n`…) or starts `\uXXXX`.
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                out.extend_from_slice(&bytes[start..=i]);
            }
            b'{' | b'[' => {
                let close = if b == b'{' { b'}' } else { b']' };
                if bytes.get(i + 1) == Some(&close) {
                    // An empty container stays on its line.
                    out.extend_from_slice(&[b, close]);
                    i += 1;
                } else {
                    level += 1;
                    out.push(b);
                    new_line(out, level);
                }
            }
            b'}' | b']' => {
                level -= 1;
                new_line(out, level);
                out.push(b);
            }
            b',' => {
                out.push(b',');
                new_line(out, level);
            }
            b':' => out.extend_from_slice(b": "),
            _ => out.push(b),
        }
        i += 1;
    }
}

fn new_line(out: &mut Vec<u8>, level: usize) {
    out.push(b'\n');
    out.resize(out.len() + 2 * level, b' ');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What serde_json's pretty printer writes for `value` at `depth`, its lines after the
    /// first indented for their place.
    fn serde_pretty(value: &serde_json::Value, depth: usize) -> String {
        let pretty = serde_json::to_string_pretty(value).unwrap();
        pretty.replace('\n', &format!("\n{}", "  ".repeat(depth)))
    }

    #[test]
    fn compact_text_reindented_is_serde_json_pretty_output() {
        let values = [
            json!({}),
            json!([]),
            json!({"a": {}, "b": [], "c": [[], [{}], [1, [2, [3]]]], "d": null}),
            json!({"s": "with \"quotes\", a \\ backslash, {braces} [brackets]: colons, commas",
                "u": "é ✓ \u{1F600} \u{7} \u{1f}", "n": "line\nbreak\ttab",
                "keys": {"a:b": 1, "{": "}", "\"": "\\"}}),
            json!({"n": [0, -1, 18446744073709551615u64, -9223372036854775808i64, true, false]}),
            json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "c", "labels": {"a": "b"}}, "data": {"k": "v"}}),
            json!("a string alone"),
            json!(42),
        ];
        for value in values {
            let compact = serde_json::to_string(&value).unwrap();
            for depth in [0, 2] {
                let mut out = Vec::new();
                write_pretty(&compact, depth, &mut out);
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    serde_pretty(&value, depth),
                    "{compact} at depth {depth}"
                );
            }
        }
    }
}
