//! Boots the server or runs an admin command; everything else lives in the library.

use clap::Parser;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = standin_server::cli::Cli::parse();
    match standin_server::cli::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("standin-server: {error}");
            ExitCode::FAILURE
        }
    }
}
