//! A line scanner for the plain block YAML that manifests are written in: block mappings and
//! sequences, plain and one-line quoted scalars, one-line flow sequences of scalars, `{}`,
//! comments and `---` markers. It emits the events granit-parser emits for that text, with the
//! same start positions, at several times its speed. Anything outside the subset (anchors, tags,
//! block scalars, escapes, multi-line scalars, tabs, non-ASCII content, odd markers, and every
//! malformed line) is not guessed at: the scanner reports where the document began and the full
//! parser takes over from there, so errors always come from granit. A test checks both paths
//! build the same documents on every YAML file the project ships and on mutations of them.

use std::borrow::Cow;

use granit_parser::{Event, Marker, ScalarStyle, Span, StructureStyle};

/// One event as the parser hands it out.
pub(super) type Spanned<'a> = (Event<'a>, Span);

/// What one call of [`Scanner::next_document`] found.
pub(super) enum Step {
    /// One document's events, `DocumentStart` to `DocumentEnd`, are in the buffer.
    Document,
    /// The stream ended.
    End,
    /// The document that begins at byte `from` (line `line`, 1-based) is outside the subset.
    Outside { from: usize, line: usize },
}

/// Longest plain key accepted (YAML caps implicit keys at 1024 characters).
const MAX_KEY: usize = 1000;

/// An open block collection.
enum Block {
    /// `pending` holds where the null of a key with no value yet would be (its colon).
    Map {
        indent: usize,
        pending: Option<Marker>,
    },
    /// `indentless`: items at the same column as the keys of the mapping that holds it.
    Seq { indent: usize, indentless: bool },
}

/// Marks the scanned document as outside the subset.
struct Outside;

type Scan<T = ()> = Result<T, Outside>;

pub(super) struct Scanner<'a> {
    text: &'a str,
    /// Byte offset of the next line.
    pos: usize,
    /// 1-based number of the line at `pos`.
    line: usize,
    stack: Vec<Block>,
}

fn at(line: usize, col: usize) -> Span {
    let m = Marker::new(0, line, col);
    Span::new(m, m)
}

fn scalar(text: Cow<'_, str>, style: ScalarStyle) -> Event<'_> {
    Event::Scalar(text, style, 0, None)
}

/// Bytes a plain key is made of (what Kubernetes names, labels and Sei override keys use).
/// The empty node granit reports for a key or document with no value.
fn null() -> Event<'static> {
    scalar(Cow::Borrowed("~"), ScalarStyle::Plain)
}

/// `s` without its trailing spaces.
fn trim_end_spaces(s: &[u8]) -> &[u8] {
    &s[..s.len() - s.iter().rev().take_while(|b| **b == b' ').count()]
}

fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'/')
}

/// Length of the key when `content` starts with `key:` followed by a space or the line end.
fn key_len(content: &[u8]) -> Option<usize> {
    let first = *content.first()?;
    if !(first.is_ascii_alphanumeric() || matches!(first, b'.' | b'_' | b'/')) {
        return None;
    }
    let len = content.iter().position(|b| !is_key_byte(*b))?;
    let colon_ends =
        content.get(len) == Some(&b':') && matches!(content.get(len + 1), None | Some(b' '));
    (colon_ends && len <= MAX_KEY).then_some(len)
}

fn is_item(content: &[u8]) -> bool {
    content == b"-" || content.starts_with(b"- ")
}

/// A comment's text (after `#`) holds only characters the YAML parser accepts.
fn comment_ok(comment: &str) -> bool {
    if comment.is_ascii() {
        return comment
            .bytes()
            .all(|b| b == b'\t' || (0x20..=0x7e).contains(&b));
    }
    comment.chars().all(|c| {
        matches!(c as u32, 0x09 | 0x20..=0x7E | 0x85 | 0xA0..=0xD7FF | 0xE000..=0xFFFD | 0x10000..)
            && c != '\u{feff}'
    })
}

fn printable_ascii(s: &[u8]) -> bool {
    s.iter().all(|b| (0x20..=0x7e).contains(b))
}

impl<'a> Scanner<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Scanner {
            text,
            pos: 0,
            line: 1,
            stack: Vec::new(),
        }
    }

    /// Scans the next document into `out` (cleared first).
    pub(super) fn next_document(&mut self, out: &mut Vec<Spanned<'a>>) -> Step {
        out.clear();
        self.stack.clear();
        let (from, line) = (self.pos, self.line);
        match self.document(out) {
            Ok(true) => Step::Document,
            Ok(false) => Step::End,
            Err(Outside) => Step::Outside { from, line },
        }
    }

    /// The next line: its number and text without the line break.
    fn next_line(&mut self) -> Option<(usize, &'a str)> {
        if self.pos >= self.text.len() {
            return None;
        }
        let rest = &self.text[self.pos..];
        let len = memchr::memchr(b'\n', rest.as_bytes()).unwrap_or(rest.len());
        let number = self.line;
        self.pos += (len + 1).min(rest.len());
        self.line += 1;
        Some((number, &rest[..len]))
    }

    /// Ok(false) when only blank and comment lines were left.
    fn document(&mut self, out: &mut Vec<Spanned<'a>>) -> Scan<bool> {
        let mut explicit: Option<usize> = None;
        let mut has_root = false;
        loop {
            let (save_pos, save_line) = (self.pos, self.line);
            let Some((number, text)) = self.next_line() else {
                break;
            };
            let bytes = text.as_bytes();
            let indent = bytes.iter().take_while(|b| **b == b' ').count();
            let content = &text[indent..];
            if content.is_empty() {
                continue;
            }
            if let Some(comment) = content.strip_prefix('#') {
                if !comment_ok(comment) {
                    return Err(Outside);
                }
                continue;
            }
            if indent == 0 && (text.starts_with("---") || text.starts_with("...")) {
                if text != "---" {
                    return Err(Outside);
                }
                if explicit.is_none() && out.is_empty() {
                    explicit = Some(number);
                    out.push((Event::DocumentStart(true, None), at(number, 0)));
                    continue;
                }
                // The next document's marker: left for the next call.
                self.pos = save_pos;
                self.line = save_line;
                break;
            }
            if out.is_empty() {
                if text.starts_with('%') || text.starts_with('\u{feff}') {
                    return Err(Outside);
                }
                out.push((Event::DocumentStart(false, None), at(number, indent)));
            }
            self.content_line(out, number, indent, content.as_bytes(), &mut has_root)?;
        }
        if out.is_empty() {
            return Ok(false);
        }
        self.close_deeper_than(out, None, self.line);
        if !has_root {
            let line = explicit.unwrap_or(self.line);
            out.push((null(), at(line, 3)));
        }
        out.push((Event::DocumentEnd, at(self.line, 0)));
        Ok(true)
    }

    /// Closes the open collections deeper than `indent` (all of them for `None`), with the null
    /// of a key left without a value.
    fn close_deeper_than(
        &mut self,
        out: &mut Vec<Spanned<'a>>,
        indent: Option<usize>,
        line: usize,
    ) {
        while let Some(top) = self.stack.last() {
            let deeper = match (top, indent) {
                (_, None) => true,
                (Block::Map { indent: m, .. }, Some(i)) => *m > i,
                (Block::Seq { indent: s, .. }, Some(i)) => *s > i,
            };
            if !deeper {
                return;
            }
            match self.stack.pop() {
                Some(Block::Map { pending, .. }) => {
                    if let Some(colon) = pending {
                        out.push((null(), Span::new(colon, colon)));
                    }
                    out.push((Event::MappingEnd, at(line, 0)));
                }
                _ => out.push((Event::SequenceEnd, at(line, 0))),
            }
        }
    }

    fn content_line(
        &mut self,
        out: &mut Vec<Spanned<'a>>,
        line: usize,
        indent: usize,
        content: &'a [u8],
        has_root: &mut bool,
    ) -> Scan {
        if content.contains(&b'\t') || content.contains(&b'\r') {
            return Err(Outside);
        }
        let item = is_item(content);
        self.close_deeper_than(out, Some(indent), line);
        if !item {
            if let Some(Block::Seq {
                indent: s,
                indentless: true,
            }) = self.stack.last()
            {
                if *s == indent {
                    self.stack.pop();
                    out.push((Event::SequenceEnd, at(line, 0)));
                }
            }
        }
        match self.stack.last_mut() {
            None => {
                if *has_root {
                    return Err(Outside);
                }
                *has_root = true;
                self.node(out, line, indent, content)
            }
            Some(Block::Map { indent: m, pending }) => {
                let m = *m;
                match (m == indent, item, pending.take()) {
                    (true, true, Some(_)) => {
                        let first = item_content(indent, content)?;
                        self.stack.push(Block::Seq {
                            indent,
                            indentless: true,
                        });
                        out.push((
                            Event::SequenceStart(StructureStyle::Block, 0, None),
                            at(line, first),
                        ));
                        self.item(out, line, indent, content)
                    }
                    (true, false, pending) => {
                        if let Some(colon) = pending {
                            out.push((null(), Span::new(colon, colon)));
                        }
                        self.entry(out, line, indent, content)
                    }
                    (false, _, Some(_)) => self.node(out, line, indent, content),
                    _ => Err(Outside),
                }
            }
            Some(Block::Seq { indent: s, .. }) if *s == indent && item => {
                self.item(out, line, indent, content)
            }
            Some(Block::Seq { .. }) => Err(Outside),
        }
    }

    /// A block collection that starts on this line.
    fn node(
        &mut self,
        out: &mut Vec<Spanned<'a>>,
        line: usize,
        col: usize,
        content: &'a [u8],
    ) -> Scan {
        if is_item(content) {
            self.stack.push(Block::Seq {
                indent: col,
                indentless: false,
            });
            out.push((
                Event::SequenceStart(StructureStyle::Block, 0, None),
                at(line, col),
            ));
            return self.item(out, line, col, content);
        }
        if key_len(content).is_none() {
            return Err(Outside);
        }
        self.open_map(out, line, col, content)
    }

    /// A block mapping whose first key starts at `col` on this line.
    fn open_map(
        &mut self,
        out: &mut Vec<Spanned<'a>>,
        line: usize,
        col: usize,
        content: &'a [u8],
    ) -> Scan {
        self.stack.push(Block::Map {
            indent: col,
            pending: None,
        });
        out.push((
            Event::MappingStart(StructureStyle::Block, 0, None),
            at(line, col),
        ));
        self.entry(out, line, col, content)
    }

    /// `- …`: an item with its content on the same line.
    fn item(
        &mut self,
        out: &mut Vec<Spanned<'a>>,
        line: usize,
        col: usize,
        content: &'a [u8],
    ) -> Scan {
        let first = item_content(col, content)?;
        let rest = &content[first - col..];
        if key_len(rest).is_some() {
            return self.open_map(out, line, first, rest);
        }
        value(out, line, first, rest)
    }

    /// `key: value` or `key:` in the mapping on top of the stack.
    fn entry(
        &mut self,
        out: &mut Vec<Spanned<'a>>,
        line: usize,
        col: usize,
        content: &'a [u8],
    ) -> Scan {
        let len = key_len(content).ok_or(Outside)?;
        out.push((
            scalar(Cow::Borrowed(as_str(&content[..len])), ScalarStyle::Plain),
            at(line, col),
        ));
        let after = &content[len + 1..];
        let spaces = after.iter().take_while(|b| **b == b' ').count();
        let rest = &after[spaces..];
        if rest.is_empty() || rest[0] == b'#' {
            if !comment_ok(as_str(rest.get(1..).unwrap_or_default())) {
                return Err(Outside);
            }
            if let Some(Block::Map { pending, .. }) = self.stack.last_mut() {
                *pending = Some(Marker::new(0, line, col + len));
            }
            return Ok(());
        }
        value(out, line, col + len + 1 + spaces, rest)
    }
}

/// Column of an item's content (after `- ` and any further spaces); an item with no content on
/// its line, or a nested `- - `, is outside the subset.
fn item_content(col: usize, content: &[u8]) -> Scan<usize> {
    let spaces = content[1..].iter().take_while(|b| **b == b' ').count();
    let rest = &content[1 + spaces..];
    if rest.is_empty() || rest[0] == b'#' || is_item(rest) {
        return Err(Outside);
    }
    Ok(col + 1 + spaces)
}

fn as_str(bytes: &[u8]) -> &str {
    // Only called on ASCII slices cut at ASCII bytes of a `str`.
    std::str::from_utf8(bytes).unwrap_or_default()
}

/// A scalar or one-line flow collection at `col` that ends its line.
fn value<'a>(out: &mut Vec<Spanned<'a>>, line: usize, col: usize, rest: &'a [u8]) -> Scan {
    let tail = match rest[0] {
        b'"' | b'\'' => {
            let (text, style, len) = quoted(rest)?;
            out.push((scalar(text, style), at(line, col)));
            &rest[len..]
        }
        b'[' => {
            out.push((
                Event::SequenceStart(StructureStyle::Flow, 0, None),
                at(line, col),
            ));
            let len = flow_items(out, line, col, rest)?;
            out.push((Event::SequenceEnd, at(line, col + len - 1)));
            &rest[len..]
        }
        b'{' => {
            if !rest.starts_with(b"{}") {
                return Err(Outside);
            }
            out.push((
                Event::MappingStart(StructureStyle::Flow, 0, None),
                at(line, col),
            ));
            out.push((Event::MappingEnd, at(line, col + 1)));
            &rest[2..]
        }
        b'-' if matches!(rest.get(1), None | Some(b' ')) => return Err(Outside),
        b'&' | b'*' | b'!' | b'|' | b'>' | b'%' | b'@' | b'`' | b',' | b']' | b'}' | b'?'
        | b':' | b'#' => return Err(Outside),
        _ => {
            let end = memchr::memmem::find(rest, b" #").unwrap_or(rest.len());
            let text = &rest[..end];
            let text = trim_end_spaces(text);
            if !printable_ascii(text)
                || text.ends_with(b":")
                || memchr::memmem::find(text, b": ").is_some()
            {
                return Err(Outside);
            }
            out.push((
                scalar(Cow::Borrowed(as_str(text)), ScalarStyle::Plain),
                at(line, col),
            ));
            &rest[end..]
        }
    };
    trailing(tail)
}

/// What may follow a node on its line: spaces, then a comment after at least one space.
fn trailing(tail: &[u8]) -> Scan {
    let spaces = tail.iter().take_while(|b| **b == b' ').count();
    let rest = &tail[spaces..];
    match rest.first() {
        None => Ok(()),
        Some(b'#') if spaces > 0 && comment_ok(as_str(&rest[1..])) => Ok(()),
        _ => Err(Outside),
    }
}

/// A quoted scalar closed on its line, without escapes: its text, style and length in bytes.
fn quoted(rest: &[u8]) -> Scan<(Cow<'_, str>, ScalarStyle, usize)> {
    let quote = rest[0];
    if quote == b'"' {
        let end = 1 + memchr::memchr(b'"', &rest[1..]).ok_or(Outside)?;
        let inner = &rest[1..end];
        if inner.contains(&b'\\') || !printable_ascii(inner) {
            return Err(Outside);
        }
        return Ok((
            Cow::Borrowed(as_str(inner)),
            ScalarStyle::DoubleQuoted,
            end + 1,
        ));
    }
    let mut end = 1;
    let mut doubled = false;
    loop {
        end += memchr::memchr(b'\'', &rest[end..]).ok_or(Outside)?;
        if rest.get(end + 1) == Some(&b'\'') {
            doubled = true;
            end += 2;
            continue;
        }
        break;
    }
    let inner = &rest[1..end];
    if !printable_ascii(inner) {
        return Err(Outside);
    }
    let text = if doubled {
        Cow::Owned(as_str(inner).replace("''", "'"))
    } else {
        Cow::Borrowed(as_str(inner))
    };
    Ok((text, ScalarStyle::SingleQuoted, end + 1))
}

/// The items of `[a, "b", c]` (scalars only, closed on the line); returns the length through `]`.
fn flow_items<'a>(
    out: &mut Vec<Spanned<'a>>,
    line: usize,
    col: usize,
    rest: &'a [u8],
) -> Scan<usize> {
    let skip = |i: usize| i + rest[i..].iter().take_while(|b| **b == b' ').count();
    let mut i = skip(1);
    if rest.get(i) == Some(&b']') {
        return Ok(i + 1);
    }
    loop {
        let start = i;
        match rest.get(i).ok_or(Outside)? {
            b'"' | b'\'' => {
                let (text, style, len) = quoted(&rest[i..])?;
                out.push((scalar(text, style), at(line, col + i)));
                i += len;
            }
            b'&' | b'*' | b'!' | b'|' | b'>' | b'%' | b'@' | b'`' | b',' | b']' | b'}' | b'['
            | b'{' | b'?' | b':' | b'#' | b'-' => return Err(Outside),
            _ => {
                let len = rest[i..]
                    .iter()
                    .position(|b| matches!(b, b',' | b']' | b'[' | b'{' | b'}' | b'#' | b':'))
                    .ok_or(Outside)?;
                if !matches!(rest[i + len], b',' | b']') {
                    return Err(Outside);
                }
                let text = &rest[i..i + len];
                let text = trim_end_spaces(text);
                if !printable_ascii(text) {
                    return Err(Outside);
                }
                out.push((
                    scalar(Cow::Borrowed(as_str(text)), ScalarStyle::Plain),
                    at(line, col + start),
                ));
                i += len;
            }
        }
        i = skip(i);
        match rest.get(i) {
            Some(b']') => return Ok(i + 1),
            Some(b',') => {
                i = skip(i + 1);
                if matches!(rest.get(i), None | Some(b']')) {
                    return Err(Outside);
                }
            }
            _ => return Err(Outside),
        }
    }
}
