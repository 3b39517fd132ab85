fn main() -> std::process::ExitCode {
    nodectl::cli::main()
}
