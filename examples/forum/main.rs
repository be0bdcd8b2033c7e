//! A course forum's JSON backend (axum) over two linked APITable datasheets, Topics and Posts.
//!
//! Runs against an in-process emulator seeded with a demo course, unless `APITABLE_HOST`,
//! `APITABLE_TOKEN`, `APITABLE_FORUM_TOPICS` and `APITABLE_FORUM_POSTS` are set: then it uses
//! that server and those datasheets. Topics needs Title and Author (SingleText), Body (Text) and
//! Created (CreatedTime); Posts needs Body (Text), Author (SingleText), Created (CreatedTime) and
//! Topic, a two-way link to Topics whose other side in Topics is named Posts.
//!
//! ```sh
//! cargo run --example forum                  # http://127.0.0.1:3000
//! cargo run --example forum -- --port 8080
//! curl -s localhost:3000/topics
//! curl -s localhost:3000/topics/rec…
//! curl -s -X POST localhost:3000/topics/rec…/replies -H 'content-type: application/json' \
//!      -d '{"author": "Ada", "body": "Thanks!"}'
//! curl -s -X POST localhost:3000/topics -H 'content-type: application/json' \
//!      -d '{"title": "Exam dates", "author": "Grace", "body": "When is the final?"}'
//! ```

mod app;

use std::error::Error;

use apitable_emulator::Emulator;
use apitable_orm::prelude::*;
use apitable_orm::{DatasheetId, Pacing};
use clap::Parser;

use app::{Forum, Post, Topic};

/// The course forum's JSON backend.
#[derive(Debug, Parser)]
#[command(name = "forum", about)]
struct Args {
    /// The port to listen on, on 127.0.0.1.
    #[arg(long, default_value_t = 3000)]
    port: u16,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let args = Args::parse();
    let real = match (
        std::env::var("APITABLE_HOST"),
        std::env::var("APITABLE_TOKEN"),
        std::env::var("APITABLE_FORUM_TOPICS"),
        std::env::var("APITABLE_FORUM_POSTS"),
    ) {
        (Ok(host), Ok(_), Ok(topics), Ok(posts)) => Some((host, topics, posts)),
        _ => None,
    };

    let (forum, emulator) = match real {
        Some((host, topics, posts)) => {
            println!(
                "Using the APITable server at {host}, datasheets {topics} (topics) and {posts} (posts)"
            );
            let topics: DatasheetId = topics.parse()?;
            let posts: DatasheetId = posts.parse()?;
            (Forum::new(Client::from_env()?, topics, posts), None)
        }
        None => {
            let emu = Emulator::builder()
                .seed_json(&app::emulator_seed())
                .start()
                .await?;
            println!(
                "Using the in-process emulator at {} (set APITABLE_HOST, APITABLE_TOKEN, APITABLE_FORUM_TOPICS and APITABLE_FORUM_POSTS for a real server)",
                emu.base_url()
            );
            let client = Client::builder()
                .token(emu.token())
                .base_url(emu.base_url())
                .pacing(Pacing::off())
                .build()?;
            let forum = Forum::new(
                client,
                <Topic as Table>::DATASHEET.parse()?,
                <Post as Table>::DATASHEET.parse()?,
            );
            let topics = forum.seed_demo_course().await?;
            println!("Seeded a demo course: {} topics.", topics.len());
            (forum, Some(emu))
        }
    };

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", args.port))?;
    let url = format!("http://{}", listener.local_addr()?);
    let example_topic = forum
        .list_topics()
        .await
        .ok()
        .and_then(|v| v["topics"][0]["id"].as_str().map(str::to_string))
        .unwrap_or_else(|| "recXXXXXXXXXXXXX".into());
    println!("\nThe forum is at {url}. Try:\n");
    println!("  curl -s {url}/topics");
    println!("  curl -s {url}/topics/{example_topic}");
    println!(
        "  curl -s -X POST {url}/topics/{example_topic}/replies -H 'content-type: application/json' -d '{{\"author\": \"Ada\", \"body\": \"Thanks!\"}}'"
    );
    println!(
        "  curl -s -X POST {url}/topics -H 'content-type: application/json' -d '{{\"title\": \"Exam dates\", \"author\": \"Grace\", \"body\": \"When is the final?\"}}'"
    );
    println!("\nCtrl-C stops it.");

    axum::serve(listener, app::router(forum))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    if let Some(emu) = emulator {
        emu.shutdown().await;
    }
    Ok(())
}
