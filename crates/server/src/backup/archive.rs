//! The backup archive: a gzip-compressed tar with the database dump, the uploaded files, and
//! `manifest.json` (written last) that names every other entry with its size and SHA-256.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::BackupError;

pub const FORMAT: &str = "vendhub-backup";
pub const FORMAT_VERSION: u32 = 1;
pub const MANIFEST: &str = "manifest.json";

/// What a backup holds; the first thing `verify` and `restore` read.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    pub app_version: String,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// The newest applied migration when the backup was taken.
    pub schema_version: Option<String>,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// Where the uploaded files are: `local` (in this archive under `files/`) or `s3` (in the bucket).
    pub files: FilesNote,
    pub entries: Vec<Entry>,
    pub row_counts: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FilesNote {
    pub storage: String,
    pub included: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

fn io(what: &str, path: &Path) -> impl FnOnce(std::io::Error) -> BackupError {
    let at = format!("{what} {}", path.display());
    move |e| BackupError::Io(format!("{at}: {e}"))
}

/// SHA-256 and size of a file, read in pieces.
fn digest_file(path: &Path) -> Result<(String, u64), BackupError> {
    let mut f = File::open(path).map_err(io("cannot read", path))?;
    digest_reader(&mut f).map_err(io("cannot read", path))
}

fn digest_reader(r: &mut impl Read) -> std::io::Result<(String, u64)> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = r.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((format!("{:x}", hasher.finalize()), size))
}

/// Writes an archive at `dest` from `(name in archive, file on disk)` pairs; the manifest gets their
/// checksums and is appended last.
pub fn write(dest: &Path, files: &[(String, PathBuf)], mut manifest: Manifest) -> Result<u64, BackupError> {
    let out = File::create(dest).map_err(io("cannot create", dest))?;
    let gz = flate2::write::GzEncoder::new(BufWriter::new(out), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    tar.mode(tar::HeaderMode::Deterministic);
    for (name, path) in files {
        let (sha256, size) = digest_file(path)?;
        let mut f = File::open(path).map_err(io("cannot read", path))?;
        tar.append_file(name, &mut f).map_err(io("cannot write", dest))?;
        manifest.entries.push(Entry {
            path: name.clone(),
            size,
            sha256,
        });
    }
    let json = serde_json::to_vec_pretty(&manifest).map_err(|e| BackupError::Io(e.to_string()))?;
    let mut header = tar::Header::new_gnu();
    header.set_size(json.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    tar.append_data(&mut header, MANIFEST, json.as_slice())
        .map_err(io("cannot write", dest))?;
    let gz = tar.into_inner().map_err(io("cannot write", dest))?;
    let mut buffered = gz.finish().map_err(io("cannot write", dest))?;
    buffered.flush().map_err(io("cannot write", dest))?;
    let file = buffered
        .into_inner()
        .map_err(|e| BackupError::Io(format!("cannot write {}: {}", dest.display(), e.error())))?;
    file.sync_all().map_err(io("cannot write", dest))?;
    Ok(file.metadata().map_or(0, |m| m.len()))
}

/// Reads the whole archive, checking every entry against the manifest; with `extract_to`, also writes
/// each entry there. Any damage (bad gzip, truncated tar, wrong checksum, missing or extra entry) is an
/// error naming it.
pub fn read(path: &Path, extract_to: Option<&Path>) -> Result<Manifest, BackupError> {
    read_as(path, extract_to, FORMAT)
}

/// [`read`] for an archive of the given `format` (a backup or a portable export).
pub fn read_as(path: &Path, extract_to: Option<&Path>, format: &str) -> Result<Manifest, BackupError> {
    let file = File::open(path).map_err(io("cannot open", path))?;
    let corrupt = |what: String| BackupError::Corrupt(format!("{}: {what}", path.display()));
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut seen: BTreeMap<String, (String, u64)> = BTreeMap::new();
    let mut manifest: Option<Manifest> = None;
    let entries = tar
        .entries()
        .map_err(|e| corrupt(format!("not a backup archive ({e})")))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| corrupt(format!("truncated or damaged ({e})")))?;
        let name = entry
            .path()
            .map_err(|e| corrupt(format!("bad entry name ({e})")))?
            .to_string_lossy()
            .into_owned();
        if name == MANIFEST {
            let mut text = Vec::new();
            entry
                .read_to_end(&mut text)
                .map_err(|e| corrupt(format!("truncated or damaged ({e})")))?;
            manifest = Some(
                serde_json::from_slice(&text).map_err(|e| corrupt(format!("unreadable manifest ({e})")))?,
            );
            continue;
        }
        let digest = match extract_to {
            Some(root) => {
                let target =
                    safe_join(root, &name).ok_or_else(|| corrupt(format!("unsafe entry name {name:?}")))?;
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent).map_err(io("cannot create", parent))?;
                }
                let mut out = File::create(&target).map_err(io("cannot create", &target))?;
                let mut tee = Tee {
                    inner: &mut entry,
                    out: &mut out,
                };
                digest_reader(&mut tee)
            }
            None => digest_reader(&mut entry),
        }
        .map_err(|e| corrupt(format!("truncated or damaged in {name} ({e})")))?;
        seen.insert(name, digest);
    }
    // Read the gzip stream to its end, so that its CRC and length trailer are checked too.
    std::io::copy(&mut tar.into_inner(), &mut std::io::sink())
        .map_err(|e| corrupt(format!("truncated or damaged ({e})")))?;
    let manifest =
        manifest.ok_or_else(|| corrupt("no manifest.json: incomplete or not a VendHub backup".into()))?;
    if manifest.format != format {
        return Err(corrupt(format!("format {:?} is not {format:?}", manifest.format)));
    }
    if manifest.format_version > FORMAT_VERSION {
        return Err(corrupt(format!(
            "format version {} is newer than this binary reads ({FORMAT_VERSION}): upgrade vendhub",
            manifest.format_version
        )));
    }
    for e in &manifest.entries {
        match seen.remove(&e.path) {
            None => return Err(corrupt(format!("{} is missing", e.path))),
            Some((sha, size)) if sha != e.sha256 || size != e.size => {
                return Err(corrupt(format!("{} does not match its checksum", e.path)));
            }
            Some(_) => {}
        }
    }
    if let Some(extra) = seen.keys().next() {
        return Err(corrupt(format!("{extra} is not in the manifest")));
    }
    Ok(manifest)
}

/// `root/name` when `name` is a plain relative path (no `..`, not absolute).
fn safe_join(root: &Path, name: &str) -> Option<PathBuf> {
    let rel = Path::new(name);
    rel.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| root.join(rel))
}

/// Copies what is read into `out`.
struct Tee<'a, R: Read, W: Write> {
    inner: &'a mut R,
    out: &'a mut W,
}

impl<R: Read, W: Write> Read for Tee<'_, R, W> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.out.write_all(&buf[..n])?;
        Ok(n)
    }
}
