//! Go's `%q` / `strconv.Quote` for the strings folded into generated shell commands.

use std::fmt::Write;

/// Quotes `s` the way Go's `strconv.Quote` does: wrapped in `"`, with `"` and `\`
/// escaped, the C escapes `\a \b \f \n \r \t \v` for those control characters, and
/// `\xNN`, `\uNNNN` or `\UNNNNNNNN` (lowercase hex) for other non-printable runes.
/// Printable Unicode is kept as it is.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{07}' => out.push_str("\\a"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0C}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{0B}' => out.push_str("\\v"),
            c if is_go_printable(c) => out.push(c),
            c if (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

/// Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and the
/// ASCII space. Without Unicode category tables this treats control characters,
/// every space but U+0020, the common format characters (Cf), private-use areas and
/// noncharacters as non-printable; unassigned code points are kept as printable.
fn is_go_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let cp = c as u32;
    let format_or_private = matches!(
        cp,
        0x00AD
            | 0x0600..=0x0605
            | 0x061C
            | 0x06DD
            | 0x070F
            | 0x0890..=0x0891
            | 0x08E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xE000..=0xF8FF
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
            | 0xF0000..=0x10FFFF
    );
    let noncharacter = (cp & 0xFFFE) == 0xFFFE || (0xFDD0..=0xFDEF).contains(&cp);
    !(format_or_private || noncharacter)
}

#[cfg(test)]
mod tests {
    use super::go_quote;

    #[test]
    fn plain_and_escaped() {
        assert_eq!(go_quote("start"), r#""start""#);
        assert_eq!(go_quote(""), r#""""#);
        assert_eq!(go_quote(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(go_quote("x\ny\tz\r"), r#""x\ny\tz\r""#);
        assert_eq!(go_quote("\u{07}\u{08}\u{0C}\u{0B}"), r#""\a\b\f\v""#);
    }

    #[test]
    fn non_printable_runes_use_hex_escapes() {
        assert_eq!(go_quote("\u{1b}[0m"), r#""\x1b[0m""#);
        assert_eq!(go_quote("\u{7f}"), r#""\x7f""#);
        assert_eq!(go_quote("a\u{a0}b"), r#""a\u00a0b""#);
        assert_eq!(go_quote("\u{feff}"), r#""\ufeff""#);
        assert_eq!(go_quote("\u{f0000}"), r#""\U000f0000""#);
    }

    #[test]
    fn printable_unicode_is_kept() {
        assert_eq!(go_quote("héllo wörld ✓ 日本"), "\"héllo wörld ✓ 日本\"");
        assert_eq!(go_quote("$HOME 'x' `y`"), "\"$HOME 'x' `y`\"");
    }
}
