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

/// Go's `strconv.IsPrint`: letters, marks, numbers, punctuation and symbols
/// (general categories L, M, N, P, S) and the ASCII space. Everything else —
/// controls, other spaces, format characters, surrogates, private use and
/// unassigned code points — is escaped. The category tables are Unicode 15.0.0,
/// the version of Go 1.25's `unicode` package the operator builds with.
fn is_go_printable(c: char) -> bool {
    use unicode_general_category::{get_general_category, GeneralCategory as G};
    c == ' '
        || !matches!(
            get_general_category(c),
            G::Control
                | G::Format
                | G::Surrogate
                | G::PrivateUse
                | G::Unassigned
                | G::SpaceSeparator
                | G::LineSeparator
                | G::ParagraphSeparator
        )
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

    /// `strconv.Quote` escapes code points no Unicode 15.0 character is assigned to.
    #[test]
    fn quote_escapes_unassigned_code_points() {
        assert_eq!(go_quote("a\u{378}b"), r#""a\u0378b""#);
        assert_eq!(
            go_quote("\u{1FAF9}"),
            r#""\U0001faf9""#,
            "unassigned in Unicode 15.0"
        );
        assert_eq!(
            go_quote("\u{1FAF8}"),
            "\"\u{1FAF8}\"",
            "assigned in Unicode 15"
        );
        assert_eq!(
            go_quote("\u{E0100}"),
            "\"\u{E0100}\"",
            "a variation selector is a mark"
        );
    }

    #[test]
    fn printable_unicode_is_kept() {
        assert_eq!(go_quote("héllo wörld ✓ 日本"), "\"héllo wörld ✓ 日本\"");
        assert_eq!(go_quote("$HOME 'x' `y`"), "\"$HOME 'x' `y`\"");
    }
}
