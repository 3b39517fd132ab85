//! `nodectl completions SHELL` and `nodectl man`: generated from the clap tree, so
//! they cannot drift from the real flags (a test compares them with the committed
//! copies under `completions/` and `man/`).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use clap_complete::Shell;

use super::error::{fail, CliError, Done};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
}

impl CompletionShell {
    fn shell(self) -> Shell {
        match self {
            CompletionShell::Bash => Shell::Bash,
            CompletionShell::Zsh => Shell::Zsh,
            CompletionShell::Fish => Shell::Fish,
            CompletionShell::Powershell => Shell::PowerShell,
            CompletionShell::Elvish => Shell::Elvish,
        }
    }

    /// The conventional file name of the completion script.
    pub fn file_name(self) -> &'static str {
        match self {
            CompletionShell::Bash => "nodectl.bash",
            CompletionShell::Zsh => "_nodectl",
            CompletionShell::Fish => "nodectl.fish",
            CompletionShell::Powershell => "_nodectl.ps1",
            CompletionShell::Elvish => "nodectl.elv",
        }
    }

    pub const ALL: [CompletionShell; 5] = [
        CompletionShell::Bash,
        CompletionShell::Zsh,
        CompletionShell::Fish,
        CompletionShell::Powershell,
        CompletionShell::Elvish,
    ];
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate for.
    #[arg(value_enum, required_unless_present = "dir")]
    pub shell: Option<CompletionShell>,
    /// Write the scripts for every shell into DIR instead of printing one.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write a page for the command and each subcommand into DIR instead of printing nodectl(1).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// The completion script for one shell.
pub fn completion_script(shell: CompletionShell) -> Vec<u8> {
    let mut cmd = super::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell.shell(), &mut cmd, "nodectl", &mut buf);
    buf
}

/// Every man page: (file name, roff text), the main page first.
pub fn man_pages() -> Vec<(String, Vec<u8>)> {
    let cmd = super::command();
    let mut pages = Vec::new();
    let mut main = Vec::new();
    let _ = clap_mangen::Man::new(cmd.clone()).render(&mut main);
    pages.push(("nodectl.1".to_string(), main));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("nodectl-{}", sub.get_name());
        let sub = sub.clone().name(name.clone());
        let mut buf = Vec::new();
        let _ = clap_mangen::Man::new(sub).render(&mut buf);
        pages.push((format!("{name}.1"), buf));
    }
    pages
}

fn write_files(dir: &Path, files: &[(String, Vec<u8>)], err: &mut dyn Write) -> u8 {
    if let Err(e) = std::fs::create_dir_all(dir) {
        return fail(err, CliError::Runtime, format!("{}: {e}", dir.display()));
    }
    for (name, bytes) in files {
        let path = dir.join(name);
        if let Err(e) = std::fs::write(&path, bytes) {
            return fail(err, CliError::Runtime, format!("{}: {e}", path.display()));
        }
    }
    Done::Ok.exit_code()
}

pub fn run_completions(args: &CompletionsArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    if let Some(dir) = &args.dir {
        let files: Vec<(String, Vec<u8>)> = CompletionShell::ALL
            .iter()
            .map(|s| (s.file_name().to_string(), completion_script(*s)))
            .collect();
        return write_files(dir, &files, err);
    }
    let Some(shell) = args.shell else {
        return fail(err, CliError::Invalid, "give a shell or --dir");
    };
    match out.write_all(&completion_script(shell)) {
        Ok(()) => Done::Ok.exit_code(),
        Err(e) => fail(err, CliError::Runtime, format!("writing output: {e}")),
    }
}

pub fn run_man(args: &ManArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let pages = man_pages();
    if let Some(dir) = &args.dir {
        return write_files(dir, &pages, err);
    }
    match out.write_all(&pages[0].1) {
        Ok(()) => Done::Ok.exit_code(),
        Err(e) => fail(err, CliError::Runtime, format!("writing output: {e}")),
    }
}
