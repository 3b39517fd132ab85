//! `plan --base-git REV`: the `-f` paths as they are at a git revision, read with the `git`
//! command (`git cat-file`, `git ls-tree`, `git show`) from the current directory's
//! repository. A revision or path git does not know is an input error with git's reason.

use std::path::{Path, PathBuf};
use std::process::Command;

use std::sync::Arc;

use crate::manifest::{parse_source, FileLoad};

/// Why the base could not be read from git.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("--base-git: cannot run git: {0}")]
    Spawn(#[source] std::io::Error),
    #[error("--base-git {rev}: {path}: {reason}")]
    Git {
        rev: String,
        path: String,
        reason: String,
    },
    #[error("--base-git reads the -f paths from git; stdin (-) has no revision")]
    Stdin,
}

/// Runs git with `args`; stdout, or git's own message on failure.
fn git(args: &[&str], rev: &str, path: &str) -> Result<Vec<u8>, GitError> {
    let out = Command::new("git")
        .args(args)
        .output()
        .map_err(GitError::Spawn)?;
    if out.status.success() {
        return Ok(out.stdout);
    }
    let reason = String::from_utf8_lossy(&out.stderr)
        .trim()
        .trim_start_matches("fatal: ")
        .to_string();
    Err(GitError::Git {
        rev: rev.to_string(),
        path: path.to_string(),
        reason,
    })
}

/// `./path` relative to the current directory, as git's `REV:./path` syntax wants it; an
/// absolute path is made relative to the current directory first.
fn git_path(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    let text = relative.to_string_lossy().replace('\\', "/");
    let text = text.trim_start_matches("./").trim_end_matches('/');
    if text.is_empty() || text == "." {
        ".".into()
    } else {
        format!("./{text}")
    }
}

fn is_manifest(path: &str) -> bool {
    matches!(
        Path::new(path).extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

/// The manifest files under a tree at `rev` (`recursive`: also in subtrees), sorted as git
/// lists them, relative to the current directory.
fn tree_files(rev: &str, dir: &str, recursive: bool) -> Result<Vec<String>, GitError> {
    let spec = format!("{dir}/");
    let mut args = vec!["ls-tree", "-z"];
    if recursive {
        args.push("-r");
    }
    args.extend([rev, "--", spec.as_str()]);
    let out = git(&args, rev, dir)?;
    let text = String::from_utf8_lossy(&out);
    Ok(text
        .split('\0')
        .filter_map(|entry| {
            let (meta, path) = entry.split_once('\t')?;
            let blob = meta.split(' ').nth(1) == Some("blob");
            (blob && is_manifest(path)).then(|| path.to_string())
        })
        .collect())
}

/// The `paths` as they are at `rev`, loaded one [`FileLoad`] per file and named `REV:path`
/// in messages; a file that does not decode or parse carries its error in its load, as a
/// file read from disk does.
pub fn read_loads(
    rev: &str,
    paths: &[PathBuf],
    recursive: bool,
) -> Result<Vec<FileLoad>, GitError> {
    let mut files = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            return Err(GitError::Stdin);
        }
        let p = git_path(path);
        let object = format!("{rev}:{p}");
        let kind = git(&["cat-file", "-t", &object], rev, &p)?;
        match String::from_utf8_lossy(&kind).trim() {
            "tree" => files.extend(tree_files(rev, &p, recursive)?),
            _ => files.push(p),
        }
    }
    let mut loads = Vec::new();
    for file in files {
        let file = git_path(Path::new(&file));
        let object = format!("{rev}:{file}");
        let bytes = git(&["show", &object], rev, &file)?;
        let name = format!("{rev}:{}", file.trim_start_matches("./"));
        loads.push(match crate::manifest::decode(&name, bytes) {
            Ok(source) => parse_source(Arc::new(source)),
            Err(e) => FileLoad {
                name,
                source: None,
                documents: Vec::new(),
                errors: vec![e],
            },
        });
    }
    Ok(loads)
}
