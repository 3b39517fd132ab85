// The pipeline allocates and frees many small JSON nodes; mimalloc does that
// several times faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (its position in the option enum of the bundled v3,
/// which the bindings name only for v2).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> std::process::ExitCode {
    // Memory freed in bulk (each document once it is checked) is returned at once rather than
    // after mimalloc's default delay of a second, during which a large input's freed pages
    // would count again toward the peak.
    // SAFETY: setting an option is allowed at any time; the value is a plain integer.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    // Ctrl-C ends every command with 130, the documented "interrupted" code; during an
    // apply it first lets the request in flight finish and prints the report.
    let _ = ctrlc::set_handler(nodectl::interrupt::on_signal);
    nodectl::cli::main()
}
