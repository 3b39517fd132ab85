//! The committed completion scripts and man pages must match the clap tree.
//! Regenerate with: `cargo run -- completions --dir completions && cargo run -- man --dir man`.

use std::path::Path;

use nodectl::cli::generate::{completion_script, man_pages, CompletionShell};

#[test]
fn completions_match_the_clap_tree() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    for shell in CompletionShell::ALL {
        let path = dir.join(shell.file_name());
        let committed = std::fs::read(&path).unwrap_or_default();
        assert!(
            committed == completion_script(shell),
            "{} is out of date: run `cargo run -- completions --dir completions`",
            path.display()
        );
    }
}

#[test]
fn man_pages_match_the_clap_tree() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let pages = man_pages();
    assert!(pages.len() > 3, "one page per subcommand");
    for (name, bytes) in pages {
        let committed = std::fs::read(dir.join(&name)).unwrap_or_default();
        assert!(
            committed == bytes,
            "man/{name} is out of date: run `cargo run -- man --dir man`"
        );
    }
}
