//! The library's files on disk, under `files_dir`: an upload is written to a staging file in
//! `tmp/` while it arrives (hashed and counted; refused past `upload_max_bytes`), synced, then
//! renamed into place as `ab/abcdef…` (its SHA-256), so a file is either whole in place or
//! absent; the same bytes uploaded twice are kept once. Keeping and removing happen inside the
//! write transaction that holds the bytes' `library_files` row (`actions::resources`), so an
//! upload and a removal of the same bytes never cross. A staged file that is not kept is
//! removed when dropped.

use crate::{
    config::Settings,
    domain::resources::HEAD,
    error::{Error, ErrorKind, Result},
};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

/// The folder of one instance's files.
#[derive(Clone, Debug)]
pub struct Store {
    dir: PathBuf,
}

/// An upload being written.
pub struct Staging {
    file: tokio::fs::File,
    staged: Staged,
    hasher: Sha256,
    limit: u64,
}

/// A whole upload in the staging folder: its size, SHA-256 (hex) and first bytes.
pub struct Staged {
    path: PathBuf,
    pub size: u64,
    pub sha256: String,
    pub head: Vec<u8>,
}

fn io(what: &str, e: std::io::Error) -> Error {
    Error::internal(anyhow::anyhow!("{what}: {e}"))
}

/// 413 for an upload over `limit` bytes.
pub fn too_large(limit: u64) -> Error {
    let most = crate::domain::resources::human_size(limit);
    let mut e = Error::new(
        ErrorKind::PayloadTooLarge,
        "file_too_large",
        format!("The file is larger than this instance takes ({most} at most)."),
    );
    e.field = Some("file".into());
    e
}

impl Store {
    pub fn of(settings: &Settings) -> Store {
        Store {
            dir: settings.files_folder(),
        }
    }

    /// Where the file with this SHA-256 is (or would be) kept.
    pub fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        let valid = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit());
        valid.then(|| self.dir.join(&sha256[..2]).join(sha256))
    }

    /// A new staging file for an upload of at most `limit` bytes.
    pub async fn stage(&self, limit: u64) -> Result<Staging> {
        let tmp = self.dir.join("tmp");
        tokio::fs::create_dir_all(&tmp)
            .await
            .map_err(|e| io("creating the files folder", e))?;
        let name = format!("{}.part", hex::encode(rand::random::<[u8; 16]>()));
        let path = tmp.join(name);
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await
            .map_err(|e| io("creating a staging file", e))?;
        Ok(Staging {
            file,
            staged: Staged {
                path,
                size: 0,
                sha256: String::new(),
                head: Vec::new(),
            },
            hasher: Sha256::new(),
            limit,
        })
    }

    /// Puts a staged upload in place, unless the same bytes are there already (then the staged
    /// copy is dropped). Synchronous: it runs inside the write transaction that holds the
    /// file's row (`db::library_resources::take_file`).
    pub fn keep(&self, mut staged: Staged) -> Result<()> {
        let target = self
            .path_of(&staged.sha256)
            .ok_or_else(|| Error::internal(anyhow::anyhow!("bad digest")))?;
        if target.is_file() {
            return Ok(());
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io("creating the files folder", e))?;
        }
        std::fs::rename(&staged.path, &target).map_err(|e| io("keeping an upload", e))?;
        staged.path = PathBuf::new();
        Ok(())
    }

    /// Removes the kept file with these bytes (nothing when it is not there). Synchronous, as
    /// `keep`.
    pub fn remove(&self, sha256: &str) -> Result<()> {
        let Some(path) = self.path_of(sha256) else {
            return Ok(());
        };
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io("removing a file", e)),
        }
    }

    /// Removes staging files older than `age` (an upload a crash interrupted); how many.
    pub fn sweep_staging(&self, age: std::time::Duration) -> Result<usize> {
        let entries = match std::fs::read_dir(self.dir.join("tmp")) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(io("reading the staging folder", e)),
        };
        let mut n = 0;
        for entry in entries.flatten() {
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|elapsed| elapsed > age);
            if old && std::fs::remove_file(entry.path()).is_ok() {
                n += 1;
            }
        }
        Ok(n)
    }

    /// The folder itself (for tests and the operator's commands).
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Staging {
    /// Appends a chunk; 413 once the upload passes the limit (the staged file is then removed).
    pub async fn write(&mut self, chunk: &[u8]) -> Result<()> {
        let size = self.staged.size + chunk.len() as u64;
        if size > self.limit {
            return Err(too_large(self.limit));
        }
        self.file
            .write_all(chunk)
            .await
            .map_err(|e| io("writing an upload", e))?;
        self.hasher.update(chunk);
        if self.staged.head.len() < HEAD {
            let take = (HEAD - self.staged.head.len()).min(chunk.len());
            self.staged.head.extend_from_slice(&chunk[..take]);
        }
        self.staged.size = size;
        Ok(())
    }

    /// The whole upload, synced to disk.
    pub async fn finish(mut self) -> Result<Staged> {
        self.file
            .sync_all()
            .await
            .map_err(|e| io("syncing an upload", e))?;
        let mut staged = std::mem::replace(
            &mut self.staged,
            Staged {
                path: PathBuf::new(),
                size: 0,
                sha256: String::new(),
                head: Vec::new(),
            },
        );
        staged.sha256 = hex::encode(self.hasher.clone().finalize());
        Ok(staged)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        remove_quietly(&self.staged.path);
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        remove_quietly(&self.path);
    }
}

fn remove_quietly(path: &Path) {
    if !path.as_os_str().is_empty() {
        let _ = std::fs::remove_file(path);
    }
}
