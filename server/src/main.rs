//! The `transferhub` binary.

fn main() -> std::process::ExitCode {
    transferhub_server::cli::run()
}
