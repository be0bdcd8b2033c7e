//! `apitable schema pull` and `apitable schema check`.

use std::fs;
use std::path::{Path, PathBuf};

use apitable_orm::Client;
use apitable_schema::{Snapshot, diff};

use crate::{Console, Failure, files, remote};

/// Writes `dir/<dst>.json` for each datasheet.
pub(crate) async fn pull(
    client: &Client,
    datasheets: &[String],
    dir: &Path,
    io: &mut Console<'_>,
) -> Result<(), Failure> {
    let ids = datasheets
        .iter()
        .map(|d| remote::datasheet_id(d))
        .collect::<Result<Vec<_>, _>>()?;
    fs::create_dir_all(dir).map_err(|e| Failure::io(dir, &e))?;
    for dst in &ids {
        let snap = remote::snapshot(client, dst, io.err).await?;
        let path = dir.join(format!("{dst}.json"));
        files::write_atomic(&path, &snap.to_json())?;
        let (fields, views) = (snap.fields.len(), snap.views.len());
        io.say(format_args!(
            "{dst}: wrote {} ({fields} {}, {views} {})",
            path.display(),
            if fields == 1 { "field" } else { "fields" },
            if views == 1 { "view" } else { "views" },
        ));
    }
    Ok(())
}

/// The snapshot files of `dir`, sorted by name.
fn snapshot_files(dir: &Path) -> Result<Vec<PathBuf>, Failure> {
    let entries = fs::read_dir(dir).map_err(|e| Failure::io(dir, &e))?;
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| Failure::io(dir, &e))?.path();
        if path.is_file() && path.extension().is_some_and(|x| x == "json") {
            paths.push(path);
        }
    }
    paths.sort();
    Ok(paths)
}

/// Compares every snapshot in `dir` with its datasheet. `Ok(true)` when all match.
pub(crate) async fn check(
    client: &Client,
    dir: &Path,
    io: &mut Console<'_>,
) -> Result<bool, Failure> {
    let paths = snapshot_files(dir)?;
    if paths.is_empty() {
        return Err(Failure::new(format!(
            "{}: no snapshot files (*.json); write them with `apitable schema pull`",
            dir.display()
        )));
    }
    let mut snapshots = Vec::with_capacity(paths.len());
    for path in &paths {
        let snap = Snapshot::from_json(&files::read_text(path)?)
            .map_err(|e| Failure::new(format!("{}: {e}", path.display())))?;
        snapshots.push((path, snap));
    }
    let mut clean = true;
    for (path, old) in &snapshots {
        let dst = remote::datasheet_id(&old.datasheet.id)
            .map_err(|e| Failure::new(format!("{}: {}", path.display(), e.message())))?;
        let now = remote::snapshot(client, &dst, io.err).await?;
        let changes = diff(old, &now);
        let label = if old.datasheet.name.is_empty() {
            dst.to_string()
        } else {
            format!("{dst} ({})", old.datasheet.name)
        };
        if changes.is_empty() {
            io.say(format_args!("{label}: matches {}", path.display()));
        } else {
            clean = false;
            let n = changes.len();
            io.say(format_args!(
                "{label}: {n} {} since {}",
                if n == 1 { "change" } else { "changes" },
                path.display()
            ));
            for change in changes {
                io.say(format_args!("  {change}"));
            }
        }
    }
    Ok(clean)
}
