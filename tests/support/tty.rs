//! Running the binary on a real pseudo-terminal (stdin, stdout and stderr on one pty),
//! with a deadline, so a test sees what a person at a terminal sees and a hang fails.

// Shared by several test binaries, each using a part of it.
#![allow(dead_code)]

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a run on a terminal printed (stdout and stderr share the terminal) and its exit code.
pub struct TtyRun {
    pub screen: String,
    pub code: Option<i32>,
}

/// Runs `nodectl ARGS` with stdin, stdout and stderr on one pseudo-terminal; kills it and
/// fails the test if it has not ended after `deadline`.
pub fn run_on_tty(args: &[&str], deadline: Duration) -> TtyRun {
    run_on_tty_with(args, &[], deadline)
}

/// [`run_on_tty`] with extra environment variables.
pub fn run_on_tty_with(args: &[&str], env: &[(&str, &str)], deadline: Duration) -> TtyRun {
    let size = nix::pty::Winsize {
        ws_row: 40,
        ws_col: 120,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    let pty = nix::pty::openpty(&size, None).expect("openpty");
    let stdio = || Stdio::from(pty.slave.try_clone().expect("dup pty"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_nodectl"))
        .args(args)
        .env_remove("KUBECONFIG")
        .env_remove("NO_COLOR")
        .env("TERM", "xterm")
        .envs(env.iter().copied())
        .stdin(stdio())
        .stdout(stdio())
        .stderr(stdio())
        .spawn()
        .expect("spawn nodectl");
    drop(pty.slave);
    // The terminal must be drained while the program runs, or a full buffer blocks it.
    let mut master = std::fs::File::from(pty.master);
    let reader = std::thread::spawn(move || {
        let mut screen = Vec::new();
        let mut chunk = [0u8; 4096];
        // Linux answers EIO once the last slave descriptor is closed: the end of output.
        while let Ok(n) = master.read(&mut chunk) {
            if n == 0 {
                break;
            }
            screen.extend_from_slice(&chunk[..n]);
        }
        String::from_utf8_lossy(&screen).into_owned()
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            let screen = reader.join().unwrap_or_default();
            panic!(
                "nodectl {} did not finish within {deadline:?} on a terminal (a progress bar hangs?); screen:\n{screen}",
                args.join(" ")
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    TtyRun {
        screen: reader.join().expect("reader"),
        code: status.code(),
    }
}
