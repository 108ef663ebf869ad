//! `vendhub`: one binary for the API, admin panel, client app, workers, scheduler and operations CLI.

fn main() -> std::process::ExitCode {
    vendhub::cli::main()
}
