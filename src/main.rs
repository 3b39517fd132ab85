// The pipeline allocates and frees many small JSON nodes; mimalloc does that
// several times faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // Ctrl-C ends every command with 130, the documented "interrupted" code.
    let _ = ctrlc::set_handler(|| std::process::exit(130));
    nodectl::cli::main()
}
