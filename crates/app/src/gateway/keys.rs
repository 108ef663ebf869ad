//! Machine API keys: created for a machine and shown once (`vhk_<prefix>_<secret>`), kept as a SHA-256
//! hash (the key is 256 random bits, so a fast hash is enough and costs nothing per request), listed
//! without the secret, revoked for good. Each use is recorded (at most once a minute per key).

use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use vendhub_domain::ids::{MachineId, OrganizationId};
use vendhub_store::machine_keys::{self, KeyRow};
use vendhub_store::{StoreError, TenantScope, audit, machines};

use crate::audit_record::Record;
use crate::auth::{Principal, RequestMeta};
use crate::error::FieldError;
use crate::{App, AppError};

/// What every key starts with, so a leaked one is easy to recognise.
pub const KEY_PREFIX: &str = "vhk_";

/// A key as listed: never its secret.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KeyView {
    pub id: String,
    pub machine_id: String,
    pub label: String,
    /// The key's first characters (`vhk_<prefix>_…`), to tell keys apart.
    pub prefix: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A new key, with its secret: shown this once.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CreatedKey {
    #[serde(flatten)]
    pub view: KeyView,
    /// The whole key, to put in the machine's `X-Api-Key` header. It cannot be shown again.
    pub key: String,
}

fn view(k: KeyRow) -> KeyView {
    KeyView {
        id: k.id,
        machine_id: k.machine_id,
        label: k.label,
        prefix: format!("{KEY_PREFIX}{}", k.prefix),
        created_at: k.created_at.and_utc(),
        last_used_at: k.last_used_at.map(|t| t.and_utc()),
        revoked_at: k.revoked_at.map(|t| t.and_utc()),
    }
}

fn hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0_u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

async fn machine_exists(app: &App, who: &Principal, machine: MachineId) -> Result<(), AppError> {
    let scope = who.scope().clone();
    app.db()
        .run(move |c| machines::get(c, &scope, &machine.to_string()))
        .await?
        .map(|_| ())
        .ok_or(AppError::NotFound)
}

/// Creates a key for a machine of the caller's organization.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn create(
    app: &App,
    who: &Principal,
    machine: MachineId,
    label: &str,
    meta: &RequestMeta,
) -> Result<CreatedKey, AppError> {
    let label = label.trim().to_owned();
    if label.chars().count() > 100 || label.contains('\0') {
        return Err(AppError::Validation(vec![FieldError::new(
            "label",
            "must be at most 100 characters",
        )]));
    }
    machine_exists(app, who, machine).await?;
    let prefix = random_hex(6);
    let key = format!("{KEY_PREFIX}{prefix}_{}", random_hex(32));
    let row = KeyRow {
        id: uuid::Uuid::now_v7().to_string(),
        organization_id: who.organization_id().to_string(),
        machine_id: machine.to_string(),
        label: if label.is_empty() { "default".into() } else { label },
        prefix,
        key_hash: hash(&key),
        created_by: Some(who.user_id().to_string()),
        created_at: app.now(),
        last_used_at: None,
        revoked_at: None,
    };
    let (stored, who2, meta) = (row.clone(), who.clone(), meta.clone());
    app.write(move |c| {
        machine_keys::insert(c, who2.scope(), &stored)?;
        audit::append(
            c,
            &Record::new("machine_key.create", "machine_api_key", &stored.id)
                .by(&who2)
                .from(&meta)
                .after(Some(
                    serde_json::json!({ "machine_id": stored.machine_id, "label": stored.label,
                            "prefix": stored.prefix }),
                ))
                .done(),
        )?;
        Ok(())
    })
    .await?;
    Ok(CreatedKey { view: view(row), key })
}

/// A machine's keys, newest first.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn list(app: &App, who: &Principal, machine: MachineId) -> Result<Vec<KeyView>, AppError> {
    machine_exists(app, who, machine).await?;
    let scope = who.scope().clone();
    Ok(app
        .db()
        .run(move |c| machine_keys::of_machine(c, &scope, &machine.to_string()))
        .await?
        .into_iter()
        .map(view)
        .collect())
}

/// Revokes a key: from now on it is refused. Revoking a revoked key changes nothing and answers it.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn revoke(
    app: &App,
    who: &Principal,
    machine: MachineId,
    key_id: String,
    meta: &RequestMeta,
) -> Result<KeyView, AppError> {
    let (who2, meta) = (who.clone(), meta.clone());
    app.write(move |c| {
        let scope = who2.scope();
        let Some(before) = machine_keys::get(c, scope, &machine.to_string(), &key_id)? else {
            return Err(AppError::NotFound);
        };
        if machine_keys::revoke(c, scope, &key_id, vendhub_store::now())? {
            audit::append(
                c,
                &Record::new("machine_key.revoke", "machine_api_key", &key_id)
                    .by(&who2)
                    .from(&meta)
                    .before(Some(
                        serde_json::json!({ "machine_id": before.machine_id, "label": before.label,
                                "prefix": before.prefix }),
                    ))
                    .done(),
            )?;
        }
        machine_keys::get(c, scope, &machine.to_string(), &key_id)?
            .map(view)
            .ok_or(AppError::NotFound)
    })
    .await
}

/// The machine a gateway request speaks for. Only [`authenticate`] makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineCaller {
    scope: TenantScope,
    machine_id: String,
    key_id: String,
}

impl MachineCaller {
    /// The machine's organization, for every store call the request makes.
    pub fn scope(&self) -> &TenantScope {
        &self.scope
    }

    pub fn organization_id(&self) -> &str {
        self.scope.org()
    }

    pub fn machine_id(&self) -> &str {
        &self.machine_id
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }
}

/// Checks a presented key: unknown, malformed or revoked keys, and keys of deleted machines, are 401.
pub async fn authenticate(app: &App, presented: &str) -> Result<MachineCaller, AppError> {
    let Some((prefix, secret)) = presented
        .strip_prefix(KEY_PREFIX)
        .and_then(|rest| rest.split_once('_'))
    else {
        return Err(AppError::Unauthorized);
    };
    if prefix.len() != 12 || secret.len() != 64 {
        return Err(AppError::Unauthorized);
    }
    let (prefix, given) = (prefix.to_owned(), hash(presented));
    app.db()
        .run(move |c| {
            let Some(row) = machine_keys::by_prefix(c, &prefix)? else {
                return Ok(Err(AppError::Unauthorized));
            };
            let matches: bool = row.key_hash.as_bytes().ct_eq(given.as_bytes()).into();
            if !matches || row.revoked_at.is_some() {
                return Ok(Err(AppError::Unauthorized));
            }
            if vendhub_store::gateway::machine_state(c, &row.machine_id)?.is_none() {
                return Ok(Err(AppError::Unauthorized));
            }
            let org: OrganizationId = row
                .organization_id
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("machine key {}: organization id", row.id)))?;
            #[expect(
                clippy::disallowed_methods,
                reason = "a machine key whose hash matched, not revoked, of a machine that exists"
            )]
            let scope = TenantScope::authenticated(org);
            let now = vendhub_store::now();
            let stale = row
                .last_used_at
                .is_none_or(|t| now.signed_duration_since(t) >= chrono::TimeDelta::seconds(60));
            if stale {
                vendhub_store::write(c, |c| machine_keys::touch(c, &scope, &row.id, now))?;
            }
            Ok(Ok(MachineCaller {
                scope,
                machine_id: row.machine_id,
                key_id: row.id,
            }))
        })
        .await?
}
