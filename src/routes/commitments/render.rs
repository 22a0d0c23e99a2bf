//! Commitments as JSON, rendered once per state: a list page is then the
//! concatenation of renderings kept here, not fifty serializations.
//!
//! A commitment's JSON is determined by its id, its version (every change
//! of content or state moves it), its organization's version (the name and
//! constituency it shows) and its reporting health (the day's verdict):
//! a rendering is reused only while all four are the same.

use std::collections::HashMap;
use std::sync::Mutex;

use actix_web::web::Bytes;
use sha2::{Digest, Sha256};

use super::dto::Commitment;
use crate::db::commitments::CommitmentView;

/// Renderings kept at most; past it, the map starts over.
const KEPT: usize = 8192;

type Key = (i32, i32, Option<&'static str>);

#[derive(Default)]
pub struct Renderings {
    kept: Mutex<HashMap<String, (Key, Bytes)>>,
}

impl Renderings {
    /// The JSON of `view`, from a rendering of the same state when kept.
    pub fn json(&self, view: &CommitmentView) -> (Bytes, String) {
        let parts = &view.parts;
        let key: Key = (
            parts.row.version,
            parts.organization.version,
            view.reporting_health.map(|h| h.as_str()),
        );
        let stamp = stamp(&parts.row.id, key);
        let id = &parts.row.id;
        if let Some((k, bytes)) = self.lock().get(id)
            && *k == key
        {
            return (bytes.clone(), stamp);
        }
        let bytes =
            Bytes::from(serde_json::to_vec(&Commitment::from(view.record())).unwrap_or_default());
        let id = id.clone();
        let mut kept = self.lock();
        if kept.len() >= KEPT {
            kept.clear();
        }
        kept.insert(id, (key, bytes.clone()));
        (bytes, stamp)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Key, Bytes)>> {
        self.kept.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// What identifies a rendering, for a list's `ETag`.
fn stamp(id: &str, (version, organization, health): Key) -> String {
    format!("{id}/{version}/{organization}/{}", health.unwrap_or("-"))
}

/// A weak `ETag` for a page: the digest of its items' stamps and cursor.
pub fn page_etag(stamps: &[String], next_cursor: Option<&str>) -> String {
    let mut digest = Sha256::new();
    for stamp in stamps {
        digest.update(stamp.as_bytes());
        digest.update(b"\n");
    }
    digest.update(next_cursor.unwrap_or("").as_bytes());
    let hex: String = digest.finalize()[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("W/\"{hex}\"")
}
