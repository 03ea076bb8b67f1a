//! The `sockunit` binary: everything lives in the library's `cli` module.

fn main() -> std::process::ExitCode {
    sockunit::cli::run()
}
