//! The one mapping from a command's end to the process exit code. Every command ends
//! either in a [`Done`] (it ran) or a [`CliError`] (it could not); `--help` of every
//! subcommand, the man pages and the README print [`EXIT_CODES`].

use std::io::Write;

/// Why a command could not finish.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Invalid input, flags or a validation failure (messages name file:line:column).
    #[error("{0}")]
    Invalid(String),
    /// A saved plan `apply` refuses (edited, for another cluster, stale, outside the role).
    #[error("{0}")]
    Refused(String),
    /// A runtime failure: reading or writing files, the cluster, the sidecar.
    #[error("{0}")]
    Runtime(String),
    /// Ended by Ctrl-C.
    #[error("interrupted")]
    Interrupted,
}

impl CliError {
    /// The exit code this error ends the process with.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Invalid(_) | CliError::Refused(_) => 2,
            CliError::Runtime(_) => 1,
            CliError::Interrupted => crate::interrupt::EXIT_CODE,
        }
    }
}

/// How a command that ran ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    /// Success (with `--detailed-exitcode`: no changes).
    Ok,
    /// A plan the operator would fail at, or a run that loops or does not settle.
    Problems,
    /// `plan --detailed-exitcode`: changes pending.
    Changes,
}

impl Done {
    /// The exit code for this ending.
    pub fn exit_code(self) -> u8 {
        match self {
            Done::Ok => 0,
            Done::Problems => 1,
            Done::Changes => 3,
        }
    }

    /// The ending an exit code stands for, if it is one of [`Done`]'s.
    pub fn from_code(code: u8) -> Option<Done> {
        [Done::Ok, Done::Problems, Done::Changes]
            .into_iter()
            .find(|d| d.exit_code() == code)
    }
}

/// The exit codes of every command, as `--help`, the man pages and the README list them.
pub const EXIT_CODES: &[(u8, &str)] = &[
    (0, "success (with --detailed-exitcode: no changes)"),
    (
        1,
        "runtime error, a plan with problems, a 409 conflict during apply",
    ),
    (
        2,
        "invalid input or flags, validation failure, refused saved plan",
    ),
    (
        3,
        "plan --detailed-exitcode: changes pending (a plan without problems)",
    ),
    (130, "interrupted"),
];

/// The exit-code table as `--help` prints it.
pub fn exit_codes_help() -> String {
    let mut text = String::from("Exit codes:\n");
    for (code, meaning) in EXIT_CODES {
        text.push_str(&format!("  {code:>3}  {meaning}\n"));
    }
    text.pop();
    text
}

/// Prints `error: MESSAGE` on stderr and returns the exit code of `kind`.
pub(crate) fn fail(
    err: &mut dyn Write,
    kind: fn(String) -> CliError,
    message: impl std::fmt::Display,
) -> u8 {
    report(err, &kind(message.to_string()))
}

/// Prints the error on stderr and returns its exit code.
pub(crate) fn report(err: &mut dyn Write, error: &CliError) -> u8 {
    let _ = writeln!(err, "error: {error}");
    error.exit_code()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_lists_exactly_the_codes_the_mapping_returns() {
        let mut mapped: Vec<u8> = [Done::Ok, Done::Problems, Done::Changes]
            .into_iter()
            .map(Done::exit_code)
            .chain(
                [
                    CliError::Invalid(String::new()),
                    CliError::Refused(String::new()),
                    CliError::Runtime(String::new()),
                    CliError::Interrupted,
                ]
                .iter()
                .map(CliError::exit_code),
            )
            .collect();
        mapped.sort_unstable();
        mapped.dedup();
        let listed: Vec<u8> = EXIT_CODES.iter().map(|(c, _)| *c).collect();
        assert_eq!(mapped, listed);
    }
}
