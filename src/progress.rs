//! Progress bars on stderr for long runs (validating many files, reading a
//! cluster). Drawn only when stderr is a terminal: never in pipes or tests, so
//! stdout and captured stderr stay clean.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar of `len` steps labelled `message`, hidden unless stderr is a terminal.
/// Finish it with [`ProgressBar::finish_and_clear`] so nothing is left behind.
pub fn bar(len: u64, message: &'static str) -> ProgressBar {
    bar_for(std::io::stderr().is_terminal(), len, message)
}

/// [`bar`] with the terminal check made by the caller.
pub fn bar_for(terminal: bool, len: u64, message: &'static str) -> ProgressBar {
    if !terminal {
        return ProgressBar::hidden();
    }
    let style = ProgressStyle::with_template("{msg:>10} [{bar:30}] {pos}/{len} ({elapsed})")
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    bar.set_style(style);
    bar.set_message(message);
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_terminal_no_bar() {
        let bar = bar_for(false, 10, "reading");
        assert!(bar.is_hidden());
        bar.inc(5);
        bar.finish_and_clear();
    }
}
