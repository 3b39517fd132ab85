// The pipeline allocates and frees many small JSON nodes; mimalloc does that
// several times faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    nodectl::cli::main()
}
