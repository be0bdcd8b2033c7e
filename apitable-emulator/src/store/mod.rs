//! The data store: an in-memory [`State`] behind a lock, written through to SQLite.
//!
//! Writers hold the state's write lock while they validate, queue their SQL operations into a
//! [`Batch`], mutate the state and commit; the answer is sent only after the commit. So
//! concurrent writers are serialised and no acknowledged write is lost.

pub(crate) mod db;
pub mod model;

use std::path::Path;
use std::sync::{Mutex, RwLock, RwLockReadGuard};

pub(crate) use db::{Batch, Db};
pub use model::State;

use crate::envelope::ApiError;

/// State + database.
#[derive(Debug)]
pub(crate) struct Store {
    state: RwLock<State>,
    db: Mutex<Db>,
}

impl Store {
    /// Opens the database and loads it.
    pub fn open(path: Option<&Path>) -> Result<Store, String> {
        let db = Db::open(path).map_err(|e| e.to_string())?;
        let state = db.load()?;
        Ok(Store {
            state: RwLock::new(state),
            db: Mutex::new(db),
        })
    }

    /// Shared read access.
    pub fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` with exclusive access; commits its batch when it succeeds.
    ///
    /// `f` must validate before it mutates: an `Err` must leave the state untouched.
    pub fn write<T>(
        &self,
        f: impl FnOnce(&mut State, &mut Batch) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        let mut batch = Batch::default();
        let out = f(&mut state, &mut batch)?;
        let mut db = self.db.lock().unwrap_or_else(|e| e.into_inner());
        if let Err(e) = db.commit(batch) {
            // Bring memory back in line with what is durable.
            if let Ok(s) = db.load() {
                *state = s;
            }
            return Err(ApiError::server(e));
        }
        Ok(out)
    }

    /// The stored bytes of an asset.
    pub fn asset_bytes(&self, token: &str) -> Option<Vec<u8>> {
        self.db
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .asset_bytes(token)
    }
}
