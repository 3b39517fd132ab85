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

    /// Reads the whole input as UTF-8 text: regular files only (a FIFO would block, a
    /// device such as `/dev/zero` never ends), at most [`MAX_INPUT_BYTES`].
    pub fn read(&self) -> Result<SourceFile, LoadError> {
        let name = self.display_name();
        let limit = |e: String| LoadError {
            kind: LoadErrorKind::Limit,
            ..io_error(&name, e)
        };
        let too_large = || {
            limit(format!(
                "larger than the limit of {} MiB",
                MAX_INPUT_BYTES >> 20
            ))
        };
        let mut buf = Vec::new();
        let read = match self {
            Input::File(p) => {
                let meta = std::fs::metadata(p)
                    .map_err(|e| io_error(&name, format!("cannot read: {e}")))?;
                if !meta.is_file() {
                    return Err(limit(format!(
                        "not a regular file ({}): refused",
                        file_type(&meta)
                    )));
                }
                if meta.len() > MAX_INPUT_BYTES {
                    return Err(too_large());
                }
                // Sized from the metadata: `take` hides the file's size from `read_to_end`,
                // which would otherwise grow the buffer by doubling.
                buf.reserve_exact(meta.len() as usize + 1);
                std::fs::File::open(p)
                    .and_then(|f| f.take(MAX_INPUT_BYTES + 1).read_to_end(&mut buf))
            }
            Input::Stdin => std::io::stdin()
                .take(MAX_INPUT_BYTES + 1)
                .read_to_end(&mut buf),
        };
        read.map_err(|e| io_error(&name, format!("cannot read: {e}")))?;
        if buf.len() as u64 > MAX_INPUT_BYTES {
            return Err(too_large());
        }
        decode(&name, buf)
    }
}

/// The largest input read (a manifest of 10,000 SeiNodes is about 10 MiB).
pub const MAX_INPUT_BYTES: u64 = 64 << 20;

fn file_type(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_dir() {
        "a directory"
    } else {
        "a special file"
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

/// Directories and files already taken, by canonical path: a walk follows each link once,
/// so self-links and cycles end and no file is loaded twice.
#[derive(Default)]
struct Seen(std::collections::HashSet<PathBuf>);

impl Seen {
    /// True the first time `path` (after resolving links) is seen.
    fn first(&mut self, path: &Path) -> bool {
        match std::fs::canonicalize(path) {
            Ok(real) => self.0.insert(real),
            // A dangling link: reported when read.
            Err(_) => true,
        }
    }

    /// [`Seen::first`] for an entry of the directory whose canonical path is `real_dir`: an
    /// entry that is not a link is `real_dir/name` itself, so only links need resolving (a
    /// `realpath` per file was most of a large directory's walk).
    fn first_entry(&mut self, real_dir: Option<&Path>, entry: &Entry) -> bool {
        match (real_dir, entry.link, entry.path.file_name()) {
            (Some(dir), false, Some(name)) => self.0.insert(dir.join(name)),
            _ => self.first(&entry.path),
        }
    }
}

/// A directory entry, typed from the directory listing where the file system says so.
struct Entry {
    path: PathBuf,
    link: bool,
    dir: bool,
}

impl Entry {
    fn new(e: &std::fs::DirEntry) -> Entry {
        let path = e.path();
        match e.file_type() {
            Ok(t) if !t.is_symlink() => Entry {
                link: false,
                dir: t.is_dir(),
                path,
            },
            // A link, or an entry whose type could not be read: followed, as any path is.
            _ => Entry {
                dir: path.is_dir(),
                link: true,
                path,
            },
        }
    }
}

fn real_of(path: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(path).ok()
}

/// Walks `dir`, whose canonical path is `real_dir` (None when it could not be resolved).
fn walk(
    dir: &Path,
    real_dir: Option<&Path>,
    recursive: bool,
    seen: &mut Seen,
    out: &mut Vec<Result<Input, LoadError>>,
) {
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
    let mut entries: Vec<Entry> = entries
        .filter_map(|e| e.ok().map(|e| Entry::new(&e)))
        .collect();
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    for entry in entries {
        if entry.dir {
            if recursive && seen.first_entry(real_dir, &entry) {
                let real = real_of(&entry.path);
                walk(&entry.path, real.as_deref(), recursive, seen, out);
            }
        } else if is_manifest(&entry.path) && seen.first_entry(real_dir, &entry) {
            out.push(Ok(Input::File(entry.path)));
        }
    }
}

/// Expands paths into inputs, in order: `-` is stdin, directories list their `.yaml`, `.yml`
/// and `.json` files sorted by name (subdirectories only with `recursive`). A missing path
/// yields an error entry in place. A file reached twice (through links, or named twice) is
/// read once.
pub fn discover_inputs(paths: &[PathBuf], recursive: bool) -> Vec<Result<Input, LoadError>> {
    let mut out = Vec::new();
    let mut seen = Seen::default();
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(Ok(Input::Stdin));
        } else if p.is_dir() {
            if seen.first(p) {
                walk(p, real_of(p).as_deref(), recursive, &mut seen, &mut out);
            }
        } else if p.exists() {
            if seen.first(p) {
                out.push(Ok(Input::File(p.clone())));
            }
        } else {
            out.push(Err(io_error(
                &p.display().to_string(),
                "path does not exist".to_string(),
            )));
        }
    }
    out
}
