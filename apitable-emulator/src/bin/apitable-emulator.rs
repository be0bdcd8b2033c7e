//! `apitable-emulator --db FILE --port N [--token T] [--seed FILE] [--header-read-timeout-ms MS]
//! [--body-read-timeout-ms MS]`
//!
//! Serves the emulated Fusion API on 127.0.0.1:N until Ctrl-C. Data lives in `FILE` and survives
//! restarts; the seed is applied only when the database is new.

use std::path::PathBuf;
use std::time::Duration;

use apitable_emulator::Emulator;
use clap::Parser;

/// A local APITable Fusion API server.
#[derive(Debug, Parser)]
#[command(name = "apitable-emulator", version, about)]
struct Args {
    /// SQLite database file (created if missing).
    #[arg(long)]
    db: PathBuf,
    /// Port on 127.0.0.1 (0 = any free port).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// API token of the default user (default: kept from the database, or random).
    #[arg(long)]
    token: Option<String>,
    /// Seed JSON file, applied to a new database.
    #[arg(long)]
    seed: Option<PathBuf>,
    /// Requests per second per (datasheet-or-space, token); 0 disables the limiter.
    #[arg(long, default_value_t = 5)]
    rate_limit: u32,
    /// Admin token for /_emulator/… (default: random).
    #[arg(long)]
    admin_token: Option<String>,
    /// Answer DTO-level parameter errors as the real server: HTTP 500 with an array message.
    #[arg(long)]
    strict_dto: bool,
    /// Milliseconds a client may take to send a request's headers (also the idle keep-alive
    /// limit); the connection is closed after that.
    #[arg(long, default_value_t = 10_000)]
    header_read_timeout_ms: u64,
    /// Milliseconds a client may take to send a request's body; then HTTP 408 and close.
    #[arg(long, default_value_t = 30_000)]
    body_read_timeout_ms: u64,
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args = Args::parse();
    let mut b = Emulator::builder()
        .database(&args.db)
        .port(args.port)
        .rate_limit((args.rate_limit > 0).then_some(args.rate_limit))
        .strict_dto(args.strict_dto)
        .header_read_timeout(Duration::from_millis(args.header_read_timeout_ms))
        .body_read_timeout(Duration::from_millis(args.body_read_timeout_ms));
    if let Some(t) = &args.token {
        b = b.token(t.clone());
    }
    if let Some(s) = &args.seed {
        b = b.seed_file(s);
    }
    if let Some(a) = &args.admin_token {
        b = b.admin_token(a.clone());
    }
    let emu = match b.start().await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("apitable-emulator: {e}");
            std::process::exit(1);
        }
    };
    println!("base_url: {}", emu.base_url());
    println!("token: {}", emu.token());
    println!("outsider_token: {}", emu.outsider_token());
    println!("admin_token: {}", emu.admin_token());
    println!("space_id: {}", emu.space_id());
    for apitable_emulator::Entry { id, name } in emu.datasheets() {
        println!("datasheet: {id} {name}");
    }
    // Last line: scripts may read up to here.
    println!("database: {}", args.db.display());
    let _ = tokio::signal::ctrl_c().await;
    emu.shutdown().await;
}
