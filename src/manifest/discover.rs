//! Turning command-line paths into inputs: files, directories (optionally recursive), stdin.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::{LoadError, LoadErrorKind, SourceFile, Span};

/// One input to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    File(PathBuf),
    Stdin,
}

impl Input {
    /// Name used in diagnostics.
    pub fn display_name(&self) -> String {
        match self {
            Input::File(p) => p.display().to_string(),
            Input::Stdin => "<stdin>".to_string(),
        }
    }

    /// Reads the whole input as UTF-8 text.
    pub fn read(&self) -> Result<SourceFile, LoadError> {
        let name = self.display_name();
        let bytes = match self {
            Input::File(p) => std::fs::read(p),
            Input::Stdin => {
                let mut buf = Vec::new();
                std::io::stdin().read_to_end(&mut buf).map(|_| buf)
            }
        }
        .map_err(|e| io_error(&name, format!("cannot read: {e}")))?;
        decode(&name, bytes)
    }
}

fn io_error(name: &str, message: String) -> LoadError {
    LoadError {
        kind: LoadErrorKind::Io,
        file: name.to_string(),
        span: Span { line: 1, column: 1 },
        document: None,
        message,
        source_file: None,
    }
}

/// Decodes UTF-8 (a leading BOM is dropped), reporting the position of the first bad byte.
pub fn decode(name: &str, bytes: Vec<u8>) -> Result<SourceFile, LoadError> {
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..3);
            }
            Ok(SourceFile::new(name, text))
        }
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let prefix = String::from_utf8_lossy(&e.as_bytes()[..valid]);
            let line = prefix.matches('\n').count() as u32 + 1;
            let column = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
            Err(LoadError {
                kind: LoadErrorKind::Encoding,
                file: name.to_string(),
                span: Span { line, column },
                document: None,
                message: format!("input is not valid UTF-8 (byte offset {valid})"),
                source_file: None,
            })
        }
    }
}

fn is_manifest(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

fn walk(dir: &Path, recursive: bool, out: &mut Vec<Result<Input, LoadError>>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            out.push(Err(io_error(
                &dir.display().to_string(),
                format!("cannot read directory: {e}"),
            )));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            if recursive {
                walk(&p, recursive, out);
            }
        } else if is_manifest(&p) {
            out.push(Ok(Input::File(p)));
        }
    }
}

/// Expands paths into inputs, in order: `-` is stdin, directories list their `.yaml`, `.yml`
/// and `.json` files sorted by name (subdirectories only with `recursive`). A missing path
/// yields an error entry in place.
pub fn discover_inputs(paths: &[PathBuf], recursive: bool) -> Vec<Result<Input, LoadError>> {
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(Ok(Input::Stdin));
        } else if p.is_dir() {
            walk(p, recursive, &mut out);
        } else if p.exists() {
            out.push(Ok(Input::File(p.clone())));
        } else {
            out.push(Err(io_error(
                &p.display().to_string(),
                "path does not exist".to_string(),
            )));
        }
    }
    out
}
