// The pipeline allocates and frees many small JSON nodes; mimalloc does that
// several times faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // Ctrl-C ends every command with 130, the documented "interrupted" code; during an
    // apply it first lets the request in flight finish and prints the report.
    let _ = ctrlc::set_handler(nodectl::interrupt::on_signal);
    nodectl::cli::main()
}
