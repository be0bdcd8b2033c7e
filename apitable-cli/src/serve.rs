//! `apitable serve`: the emulator, as its own binary runs it.

use std::time::Duration;

use apitable_emulator::Emulator;

use crate::cli::ServeArgs;
use crate::{Console, Failure};

pub(crate) async fn serve(
    args: &ServeArgs,
    token: Option<&str>,
    io: &mut Console<'_>,
) -> Result<(), Failure> {
    let mut builder = Emulator::builder()
        .port(args.port)
        .rate_limit((args.rate_limit > 0).then_some(args.rate_limit))
        .strict_dto(args.strict_dto)
        .header_read_timeout(Duration::from_millis(args.header_read_timeout_ms))
        .body_read_timeout(Duration::from_millis(args.body_read_timeout_ms));
    if let Some(db) = &args.db {
        builder = builder.database(db);
    }
    if let Some(t) = token {
        builder = builder.token(t);
    }
    if let Some(seed) = &args.seed {
        builder = builder.seed_file(seed);
    }
    if let Some(admin) = &args.admin_token {
        builder = builder.admin_token(admin.clone());
    }
    let emu = builder
        .start()
        .await
        .map_err(|e| Failure::new(format!("the emulator did not start: {e}")))?;
    io.say(format_args!("base_url: {}", emu.base_url()));
    io.say(format_args!("token: {}", emu.token()));
    io.say(format_args!("outsider_token: {}", emu.outsider_token()));
    io.say(format_args!("admin_token: {}", emu.admin_token()));
    io.say(format_args!("space_id: {}", emu.space_id()));
    for apitable_emulator::Entry { id, name } in emu.datasheets() {
        io.say(format_args!("datasheet: {id} {name}"));
    }
    match &args.db {
        Some(db) => io.say(format_args!("database: {}", db.display())),
        None => io.say(format_args!("database: memory")),
    }
    io.flush();
    let _ = tokio::signal::ctrl_c().await;
    emu.shutdown().await;
    Ok(())
}
