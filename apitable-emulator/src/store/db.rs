//! SQLite persistence. Every statement is parameterised.
//!
//! Layout: `kv` holds the small collections (users, spaces, nodes) as JSON; `datasheets` holds
//! each datasheet's metadata (fields, views, counters); `records` one row per record;
//! `assets` the uploaded files.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use super::model::{Asset, Datasheet, Record, State};

/// One persistence operation, serialised when it is queued.
#[derive(Debug)]
pub(crate) enum Op {
    Kv(&'static str, String),
    Datasheet(String, String),
    Record {
        dst: String,
        id: String,
        seq: i64,
        data: String,
    },
    DeleteRecord {
        dst: String,
        id: String,
    },
    Asset {
        token: String,
        meta: String,
        bytes: Vec<u8>,
    },
}

/// The operations of one write, committed in one transaction.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    pub ops: Vec<Op>,
}

impl Batch {
    pub fn users(&mut self, state: &State) {
        self.ops.push(Op::Kv("users", to_json(&state.users)));
    }
    pub fn spaces(&mut self, state: &State) {
        self.ops.push(Op::Kv("spaces", to_json(&state.spaces)));
    }
    pub fn nodes(&mut self, state: &State) {
        self.ops.push(Op::Kv("nodes", to_json(&state.nodes)));
    }
    pub fn datasheet(&mut self, ds: &Datasheet) {
        self.ops.push(Op::Datasheet(ds.id.clone(), to_json(ds)));
    }
    pub fn record(&mut self, dst: &str, rec: &Record) {
        self.ops.push(Op::Record {
            dst: dst.to_string(),
            id: rec.id.clone(),
            seq: rec.seq,
            data: to_json(rec),
        });
    }
    pub fn delete_record(&mut self, dst: &str, id: &str) {
        self.ops.push(Op::DeleteRecord {
            dst: dst.to_string(),
            id: id.to_string(),
        });
    }
    pub fn asset(&mut self, asset: &Asset, bytes: Vec<u8>) {
        self.ops.push(Op::Asset {
            token: asset.token.clone(),
            meta: to_json(asset),
            bytes,
        });
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// The SQLite connection.
pub(crate) struct Db {
    conn: Connection,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Db")
    }
}

impl Db {
    /// Opens (and creates) the database at `path`, or an in-memory one.
    pub fn open(path: Option<&Path>) -> rusqlite::Result<Db> {
        let conn = match path {
            Some(p) => Connection::open(p)?,
            None => Connection::open_in_memory()?,
        };
        if path.is_some() {
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
        }
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS datasheets (id TEXT PRIMARY KEY, meta TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS records (dst_id TEXT NOT NULL, id TEXT NOT NULL,
                 seq INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (dst_id, id));
             CREATE INDEX IF NOT EXISTS records_seq ON records (dst_id, seq);
             CREATE TABLE IF NOT EXISTS assets (token TEXT PRIMARY KEY, meta TEXT NOT NULL,
                 bytes BLOB NOT NULL);",
        )?;
        Ok(Db { conn })
    }

    /// Applies `batch` in one transaction and commits it.
    pub fn commit(&mut self, batch: Batch) -> rusqlite::Result<()> {
        if batch.ops.is_empty() {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        {
            let mut put_rec = tx.prepare_cached(
                "INSERT OR REPLACE INTO records (dst_id, id, seq, data) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let mut del_rec =
                tx.prepare_cached("DELETE FROM records WHERE dst_id = ?1 AND id = ?2")?;
            for op in batch.ops {
                match op {
                    Op::Kv(k, v) => {
                        tx.execute(
                            "INSERT OR REPLACE INTO kv (key, value) VALUES (?1, ?2)",
                            params![k, v],
                        )?;
                    }
                    Op::Datasheet(id, meta) => {
                        tx.execute(
                            "INSERT OR REPLACE INTO datasheets (id, meta) VALUES (?1, ?2)",
                            params![id, meta],
                        )?;
                    }
                    Op::Record { dst, id, seq, data } => {
                        put_rec.execute(params![dst, id, seq, data])?;
                    }
                    Op::DeleteRecord { dst, id } => {
                        del_rec.execute(params![dst, id])?;
                    }
                    Op::Asset { token, meta, bytes } => {
                        tx.execute(
                            "INSERT OR REPLACE INTO assets (token, meta, bytes) VALUES (?1, ?2, ?3)",
                            params![token, meta, bytes],
                        )?;
                    }
                }
            }
        }
        tx.commit()
    }

    /// Loads the whole state.
    pub fn load(&self) -> Result<State, String> {
        let mut state = State::default();
        let kv = |key: &str| -> Result<Option<String>, String> {
            self.conn
                .query_row("SELECT value FROM kv WHERE key = ?1", params![key], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(|e| e.to_string())
        };
        if let Some(v) = kv("users")? {
            state.users = serde_json::from_str(&v).map_err(|e| e.to_string())?;
        }
        if let Some(v) = kv("spaces")? {
            state.spaces = serde_json::from_str(&v).map_err(|e| e.to_string())?;
        }
        if let Some(v) = kv("nodes")? {
            state.nodes = serde_json::from_str(&v).map_err(|e| e.to_string())?;
        }
        let mut stmt = self
            .conn
            .prepare("SELECT meta FROM datasheets")
            .map_err(|e| e.to_string())?;
        let metas: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .map_err(|e| e.to_string())?
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())?;
        let mut sheets: HashMap<String, Datasheet> = HashMap::new();
        for m in metas {
            let ds: Datasheet = serde_json::from_str(&m).map_err(|e| e.to_string())?;
            sheets.insert(ds.id.clone(), ds);
        }
        let mut stmt = self
            .conn
            .prepare("SELECT dst_id, data FROM records ORDER BY dst_id, seq")
            .map_err(|e| e.to_string())?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(|e| e.to_string())?;
        for row in rows {
            let (dst, data) = row.map_err(|e| e.to_string())?;
            if let Some(ds) = sheets.get_mut(&dst) {
                let mut rec: Record = serde_json::from_str(&data).map_err(|e| e.to_string())?;
                rec.cells
                    .retain(|k, _| ds.fields.iter().any(|f| &f.id == k));
                ds.records.push(rec);
            }
        }
        for ds in sheets.values_mut() {
            ds.reindex();
            if let Some(max) = ds.records.iter().map(|r| r.seq).max() {
                ds.next_seq = ds.next_seq.max(max + 1);
            }
            if let Some(max) = ds.records.iter().map(|r| r.auto_number).max() {
                ds.next_auto = ds.next_auto.max(max + 1);
            }
        }
        state.datasheets = sheets;
        let mut stmt = self
            .conn
            .prepare("SELECT meta FROM assets")
            .map_err(|e| e.to_string())?;
        let assets: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .map_err(|e| e.to_string())?
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())?;
        for a in assets {
            let asset: Asset = serde_json::from_str(&a).map_err(|e| e.to_string())?;
            state.assets.insert(asset.token.clone(), asset);
        }
        Ok(state)
    }

    /// The bytes of an uploaded asset.
    pub fn asset_bytes(&self, token: &str) -> Option<Vec<u8>> {
        self.conn
            .query_row(
                "SELECT bytes FROM assets WHERE token = ?1",
                params![token],
                |r| r.get(0),
            )
            .optional()
            .ok()
            .flatten()
    }
}
