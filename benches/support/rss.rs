//! The wall time and peak RSS of a child process (shared by the benchmarks that measure
//! whole `nodectl` runs).

// Shared by several benchmarks, each using a part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Wall time and peak RSS (bytes) of one child process, and whether it exited 0.
pub struct Run {
    pub wall: Duration,
    pub peak_rss: u64,
    /// User + system CPU time of the child.
    pub cpu: Duration,
    pub ok: bool,
}

/// Runs `binary args…` with stdout to /dev/null; the peak RSS is the child's own,
/// read with wait4(2).
pub fn run(binary: &Path, args: &[&str]) -> Run {
    let mut command = Command::new(binary);
    command.args(args);
    run_command(command)
}

/// [`run`] of a command the caller prepared (arguments, environment).
pub fn run_command(mut command: Command) -> Run {
    let binary = PathBuf::from(command.get_program());
    let start = Instant::now();
    let child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", binary.display()));
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid out-parameter; `pid` is our unwaited child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    assert_eq!(waited, pid, "wait4 on {}", binary.display());
    // The child is reaped: forget the handle so its Drop does not wait again.
    std::mem::forget(child);
    Run {
        wall,
        peak_rss: u64::try_from(usage.ru_maxrss).unwrap_or(0) * 1024,
        cpu: [usage.ru_utime, usage.ru_stime]
            .iter()
            .map(|t| {
                Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
                    + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
            })
            .sum(),
        ok: libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
    }
}
