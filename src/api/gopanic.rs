//! The places where the operator's Go code would panic (a negative shift, a nil
//! pointer, `make` with a negative length). controller-runtime recovers a panic
//! in a reconciler and ends that reconcile with the error
//! `panic: <value> [recovered]` and a zero result (pkg/internal/controller,
//! `Reconcile`'s deferred recover), so the port unwinds to the reconcile's entry
//! the same way and ends it there — the writes before the panic stay made.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

/// A Go runtime panic value, e.g. `runtime error: negative shift amount`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoPanic(pub String);

/// Go's `runtime error: negative shift amount`.
pub const NEGATIVE_SHIFT: &str = "runtime error: negative shift amount";
/// Go's `runtime error: invalid memory address or nil pointer dereference`.
pub const NIL_DEREFERENCE: &str =
    "runtime error: invalid memory address or nil pointer dereference";
/// Go's `runtime error: makeslice: len out of range`.
pub const MAKESLICE_LEN: &str = "runtime error: makeslice: len out of range";

/// Panics as Go would with `message`. Unwinds without the panic hook (nothing
/// is printed); only [`recover`] at a reconcile's entry catches it.
pub fn go_panic(message: &str) -> ! {
    resume_unwind(Box::new(GoPanic(message.to_string())))
}

/// Runs a reconcile; a [`go_panic`] inside it becomes controller-runtime's
/// recovered error text. Any other panic continues.
pub fn recover<T>(reconcile: impl FnOnce() -> T) -> Result<T, String> {
    match catch_unwind(AssertUnwindSafe(reconcile)) {
        Ok(value) => Ok(value),
        Err(payload) => match payload.downcast::<GoPanic>() {
            Ok(panic) => Err(format!("panic: {} [recovered]", panic.0)),
            Err(other) => resume_unwind(other),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recover_ends_like_controller_runtime() {
        let out: Result<i32, String> = recover(|| go_panic(NEGATIVE_SHIFT));
        assert_eq!(
            out.unwrap_err(),
            "panic: runtime error: negative shift amount [recovered]"
        );
        assert_eq!(recover(|| 7), Ok(7));
    }
}
