//! A notes command-line app over an APITable datasheet.
//!
//! Runs against an in-process emulator whose data is kept in a file (`target/notes-demo.db`,
//! or `--db FILE`), so notes survive from one run to the next. With `APITABLE_HOST`,
//! `APITABLE_TOKEN` and `APITABLE_NOTES_DATASHEET` set, it uses that server and datasheet
//! instead, which needs the fields Title (SingleText, primary), Body (Text), Tags (MultiSelect),
//! Attachments (Attachment), Created (CreatedTime) and Updated (LastModifiedTime).
//!
//! ```sh
//! cargo run --example notes -- add "Buy milk" --tag shopping
//! cargo run --example notes -- add "Trip" --body "Pack the tent" --attach README.md
//! cargo run --example notes -- list
//! cargo run --example notes -- list --tag shopping
//! cargo run --example notes -- search milk
//! cargo run --example notes -- show rec…
//! cargo run --example notes -- edit rec… --body "Two litres"
//! cargo run --example notes -- tag rec… urgent --remove shopping
//! cargo run --example notes -- delete rec…
//! ```

mod app;

use std::process::ExitCode;

use apitable_orm::DatasheetId;
use apitable_orm::prelude::*;
use clap::Parser;

use app::{Cli, Note, Notes};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    let real = match (
        std::env::var("APITABLE_HOST"),
        std::env::var("APITABLE_TOKEN"),
        std::env::var("APITABLE_NOTES_DATASHEET"),
    ) {
        (Ok(host), Ok(_), Ok(dst)) => Some((host, dst)),
        _ => None,
    };
    let (client, datasheet, emulator): (Client, DatasheetId, _) = match real {
        Some((host, dst)) => {
            println!("(APITable server at {host}, datasheet {dst})");
            let dst = dst
                .parse()
                .map_err(|e| format!("APITABLE_NOTES_DATASHEET: {e}"))?;
            (Client::from_env()?, dst, None)
        }
        None => {
            let (emu, client) = app::open_emulator(&cli.db).await?;
            println!(
                "(in-process emulator, data in {}; set APITABLE_HOST, APITABLE_TOKEN and APITABLE_NOTES_DATASHEET for a real server)",
                cli.db.display()
            );
            (client, <Note as Table>::DATASHEET.parse()?, Some(emu))
        }
    };

    let mut out = String::new();
    let result = Notes::new(&client, datasheet)
        .run(cli.command, &mut out)
        .await;
    print!("{out}");
    if let Some(emu) = emulator {
        emu.shutdown().await;
    }
    Ok(result?)
}
