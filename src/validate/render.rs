//! Renderers for a validation [`Report`]: text (rustc-like), json, junit, sarif, github.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use serde_json::json;

use super::{Diagnostic, Report, Severity, Status};
use crate::ansi::{paint, BLUE, BOLD, RED, YELLOW};

/// Version of the JSON output layout.
pub const FORMAT_VERSION: u32 = 1;

/// Output formats of `nodectl validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
    Junit,
    Sarif,
    Github,
}

/// Writes the report in `format` on `out`, without colour; the summary line goes to `err`.
pub fn render(
    report: &Report,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<()> {
    render_styled(report, format, false, out, err)
}

/// Writes the report in `format` on `out` (text in colour when `color`); the summary line
/// goes to `err` for every format, so `out` holds only the report and the line is always
/// in the same place.
pub fn render_styled(
    report: &Report,
    format: Format,
    color: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Text => out.write_all(text_styled(report, color).as_bytes())?,
        Format::Json => {
            // Written as it is serialized: a report of many documents is never held twice.
            let mut buffered = io::BufWriter::new(&mut *out);
            serde_json::to_writer_pretty(&mut buffered, &JsonReport::of(report))?;
            writeln!(buffered)?;
            buffered.flush()?;
        }
        Format::Junit => out.write_all(junit(report).as_bytes())?,
        Format::Sarif => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&sarif(report)).unwrap_or_default()
        )?,
        Format::Github => out.write_all(github(report).as_bytes())?,
    }
    out.flush()?;
    let line = report.summary_line();
    writeln!(err, "{}", paint(color, BOLD, &line))
}

/// Headline text: the message, prefixed with the JSON path unless it already names it.
fn headline(d: &Diagnostic) -> String {
    if d.json_path.is_empty() || d.message.contains(&d.json_path) {
        d.message.clone()
    } else {
        format!("{}: {}", d.json_path, d.message)
    }
}

/// Length of the token starting at a column (for the underline).
fn token_len(line: &str, col: usize) -> usize {
    let rest: String = line.chars().skip(col.saturating_sub(1)).collect();
    let quoted = rest.starts_with('"') || rest.starts_with('\'');
    let n = if quoted {
        let q = rest.chars().next().unwrap_or('"');
        rest.chars()
            .skip(1)
            .position(|c| c == q)
            .map_or(rest.chars().count(), |p| p + 2)
    } else {
        rest.chars()
            .take_while(|c| !c.is_whitespace() && *c != ':' && *c != ',' && *c != '}' && *c != ']')
            .count()
    };
    n.clamp(1, 80)
}

/// rustc/miette-like text: `error[rule]: message`, ` --> file:line:col`, snippet, caret, help.
pub fn text(report: &Report) -> String {
    text_styled(report, false)
}

/// [`text`], in rustc's colours when `color`: the severity and caret red (yellow for a
/// warning), the gutter blue, the headline bold.
pub fn text_styled(report: &Report, color: bool) -> String {
    let mut s = String::new();
    for d in report.diagnostics() {
        let tone = match d.severity {
            Severity::Error => RED,
            _ => YELLOW,
        };
        let head = format!("{}[{}]", d.severity.as_str(), d.rule);
        let _ = writeln!(
            s,
            "{}{}",
            paint(color, tone, &head),
            paint(color, BOLD, &format!(": {}", headline(d)))
        );
        let num = d.line.to_string();
        let pad = " ".repeat(num.len());
        let gutter = |t: &str| paint(color, BLUE, t);
        let _ = writeln!(
            s,
            "{pad}{} {}:{}:{}",
            gutter("-->"),
            d.file,
            d.line,
            d.column
        );
        let line = report
            .sources
            .get(&d.file)
            .and_then(|src| src.line_text(d.line));
        if let Some(line) = line {
            let shown: String = line
                .chars()
                .map(|c| if c == '\t' { ' ' } else { c })
                .collect();
            let shown: String = shown.chars().take(200).collect();
            let col = d.column as usize;
            let bar = gutter(&format!("{pad} |"));
            let _ = writeln!(s, "{bar}");
            let _ = writeln!(s, "{} {shown}", gutter(&format!("{num} |")));
            let under = format!("^{}", "~".repeat(token_len(&shown, col) - 1));
            let _ = writeln!(
                s,
                "{bar} {}{}",
                " ".repeat(col.saturating_sub(1)),
                paint(color, tone, &under)
            );
        }
        if let Some(o) = &d.object {
            let _ = writeln!(s, "{pad} {} object: {o}", gutter("="));
        }
        if let Some(h) = &d.help {
            let _ = writeln!(s, "{pad} {} help: {h}", gutter("="));
        }
        s.push('\n');
    }
    s
}

/// The JSON document (`formatVersion` 1), serialized straight from the report.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonReport<'a> {
    format_version: u32,
    summary: super::Summary,
    documents: &'a [super::DocResult],
}

impl<'a> JsonReport<'a> {
    fn of(report: &'a Report) -> Self {
        JsonReport {
            format_version: FORMAT_VERSION,
            summary: report.summary(),
            documents: &report.documents,
        }
    }
}

/// The JSON document (`formatVersion` 1) as a value.
pub fn json_value(report: &Report) -> serde_json::Value {
    serde_json::to_value(JsonReport::of(report)).unwrap_or_default()
}

fn xml_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => o.push_str("&#xFFFD;"),
            c => o.push(c),
        }
    }
    o
}

/// JUnit XML: one testsuite per file, one testcase per document.
pub fn junit(report: &Report) -> String {
    let sum = report.summary();
    let mut by_file: BTreeMap<&str, Vec<&super::DocResult>> = BTreeMap::new();
    for d in &report.documents {
        by_file.entry(&d.file).or_default().push(d);
    }
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        s,
        "<testsuites name=\"nodectl validate\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">",
        sum.documents, sum.invalid, sum.skipped
    );
    for (file, docs) in by_file {
        let failures = docs.iter().filter(|d| d.status == Status::Invalid).count();
        let skipped = docs.iter().filter(|d| d.status == Status::Skipped).count();
        let _ = writeln!(
            s,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\">",
            xml_escape(file),
            docs.len()
        );
        for d in docs {
            let _ = write!(
                s,
                "    <testcase name=\"{}\" classname=\"{}\"",
                xml_escape(&d.label()),
                xml_escape(file)
            );
            let errors: Vec<&Diagnostic> = d
                .diagnostics
                .iter()
                .filter(|x| x.severity == Severity::Error)
                .collect();
            match d.status {
                Status::Skipped if errors.is_empty() => {
                    s.push_str(">\n      <skipped/>\n    </testcase>\n")
                }
                Status::Invalid => {
                    s.push_str(">\n");
                    for e in errors {
                        let _ = writeln!(
                            s,
                            "      <failure type=\"{}\" message=\"{}\">{}:{}:{}: {}</failure>",
                            xml_escape(&e.rule),
                            xml_escape(&headline(e)),
                            xml_escape(&e.file),
                            e.line,
                            e.column,
                            xml_escape(&headline(e))
                        );
                    }
                    s.push_str("    </testcase>\n");
                }
                _ => s.push_str("/>\n"),
            }
        }
        s.push_str("  </testsuite>\n");
    }
    s.push_str("</testsuites>\n");
    s
}

/// Minimal valid SARIF 2.1.0.
pub fn sarif(report: &Report) -> serde_json::Value {
    let diags = report.diagnostics();
    let mut rules: Vec<&str> = diags.iter().map(|d| d.rule.as_str()).collect();
    rules.sort_unstable();
    rules.dedup();
    let results: Vec<serde_json::Value> = diags
        .iter()
        .map(|d| {
            json!({
                "ruleId": d.rule,
                "level": d.severity.as_str(),
                "message": {"text": headline(d)},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": d.file},
                    "region": {"startLine": d.line.max(1), "startColumn": d.column.max(1)}
                }}],
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "nodectl",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/sei-protocol/sei-k8s-controller",
                "rules": rules.iter().map(|r| json!({"id": r})).collect::<Vec<_>>(),
            }},
            "results": results,
        }]
    })
}

fn gh_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn gh_prop(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub Actions workflow commands (`::error file=…,line=…,col=…,title=…::message`).
pub fn github(report: &Report) -> String {
    let mut s = String::new();
    for d in report.diagnostics() {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let _ = writeln!(
            s,
            "::{level} file={},line={},col={},title={}::{}",
            gh_prop(&d.file),
            d.line,
            d.column,
            gh_prop(&d.rule),
            gh_data(&headline(d))
        );
    }
    s
}
