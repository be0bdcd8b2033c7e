//! Files replaced atomically: written next to their destination under a temporary name, then
//! renamed over it, so a reader never sees half a file and an interrupted run leaves the old
//! one in place.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::Failure;

/// A file being written; [`AtomicFile::commit`] puts it in place. Dropped without a commit,
/// the temporary file is removed.
pub(crate) struct AtomicFile {
    target: PathBuf,
    temp: PathBuf,
    writer: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Starts writing `target` (its directory must exist).
    pub(crate) fn create(target: &Path) -> Result<AtomicFile, Failure> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = target
            .file_name()
            .ok_or_else(|| Failure::new(format!("{} is not a file name", target.display())))?;
        let temp = dir.join(format!(
            ".{}.{}-{}.tmp",
            name.to_string_lossy(),
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let file = File::create(&temp).map_err(|e| Failure::io(&temp, &e))?;
        Ok(AtomicFile {
            target: target.to_path_buf(),
            temp,
            writer: Some(BufWriter::new(file)),
        })
    }

    /// The writer.
    pub(crate) fn writer(&mut self) -> &mut BufWriter<File> {
        self.writer.as_mut().expect("not committed yet")
    }

    /// Flushes, syncs and renames the file into place.
    pub(crate) fn commit(mut self) -> Result<(), Failure> {
        let writer = self.writer.take().expect("not committed yet");
        let file = writer
            .into_inner()
            .map_err(|e| Failure::io(&self.temp, e.error()))?;
        file.sync_all().map_err(|e| Failure::io(&self.temp, &e))?;
        drop(file);
        fs::rename(&self.temp, &self.target).map_err(|e| Failure::io(&self.target, &e))
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

/// Writes `text` to `target` atomically.
pub(crate) fn write_atomic(target: &Path, text: &str) -> Result<(), Failure> {
    let mut file = AtomicFile::create(target)?;
    file.writer()
        .write_all(text.as_bytes())
        .map_err(|e| Failure::io(target, &e))?;
    file.commit()
}

/// Reads a whole text file.
pub(crate) fn read_text(path: &Path) -> Result<String, Failure> {
    fs::read_to_string(path).map_err(|e| Failure::io(path, &e))
}

impl Failure {
    /// An I/O error on `path`.
    pub(crate) fn io(path: &Path, e: &io::Error) -> Failure {
        Failure::new(format!("{}: {e}", path.display()))
    }
}
