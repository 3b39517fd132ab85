//! Ctrl-C. Outside an apply the process ends at once with 130. During an apply the first
//! Ctrl-C is only noted: the request in flight finishes its attempt (bounded by the request
//! timeout), nothing further is sent, and the apply prints its sent / failed / not-sent
//! report before ending with 130. A second Ctrl-C ends the process at once.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The documented exit code of an interrupted command.
pub const EXIT_CODE: u8 = 130;

static ARMED: AtomicBool = AtomicBool::new(false);
static REQUESTED: AtomicBool = AtomicBool::new(false);

/// The signal handler's work (installed by the binary).
pub fn on_signal() {
    if ARMED.load(Ordering::SeqCst) && !REQUESTED.swap(true, Ordering::SeqCst) {
        eprintln!(
            "interrupt: finishing the request in flight, then stopping (Ctrl-C again to quit at once)"
        );
        return;
    }
    std::process::exit(i32::from(EXIT_CODE));
}

/// Whether an interrupt was asked for since the current apply started.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// While alive, a Ctrl-C is deferred to the apply instead of ending the process.
pub struct Deferred(());

/// Defers Ctrl-C until the returned guard is dropped.
pub fn defer() -> Deferred {
    REQUESTED.store(false, Ordering::SeqCst);
    ARMED.store(true, Ordering::SeqCst);
    Deferred(())
}

impl Drop for Deferred {
    fn drop(&mut self) {
        ARMED.store(false, Ordering::SeqCst);
    }
}

/// Sleeps for `d`, or less when an interrupt comes; returns whether it was interrupted.
pub async fn sleep(d: Duration) -> bool {
    let tick = Duration::from_millis(20);
    let end = tokio::time::Instant::now() + d;
    loop {
        if requested() {
            return true;
        }
        let now = tokio::time::Instant::now();
        if now >= end {
            return false;
        }
        tokio::time::sleep(tick.min(end - now)).await;
    }
}
