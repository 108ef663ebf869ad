//! Leadership for the scheduler: on PostgreSQL a session advisory lock held on a dedicated connection,
//! so that with several replicas exactly one runs the schedule; on SQLite (one process) always the leader.

use diesel::RunQueryDsl;
use diesel::sql_types::{BigInt, Bool};

use crate::connection::{Backend, Db, DbConn};
use crate::error::StoreError;

/// The advisory-lock key of the scheduler ("vendhub" in ASCII, as a number).
pub const SCHEDULER_LOCK: i64 = 0x0076_656e_6468_7562;

#[derive(diesel::QueryableByName)]
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

/// A held (or not yet held) leadership. Dropping it releases the lock by closing its connection.
pub struct Leadership {
    conn: Option<DbConn>,
    key: i64,
    backend: Backend,
    held: bool,
}

/// A leader that goes releases the lock on its connection before closing it: a closed connection's lock
/// is released by the server only once it notices, so without this the next replica could find it still
/// taken for a moment.
impl Drop for Leadership {
    fn drop(&mut self) {
        if self.held
            && let Some(conn) = self.conn.as_mut()
        {
            let _released = diesel::sql_query("SELECT pg_advisory_unlock($1) AS locked")
                .bind::<BigInt, _>(self.key)
                .get_result::<Locked>(conn);
        }
    }
}

impl Leadership {
    pub fn new(db: &Db, key: i64) -> Self {
        Self {
            conn: None,
            key,
            backend: db.backend(),
            held: false,
        }
    }

    /// Tries to become (or checks it still is) the leader. Blocking: call on the blocking pool.
    pub fn try_acquire(&mut self, db: &Db) -> Result<bool, StoreError> {
        if self.backend == Backend::Sqlite {
            self.held = true;
            return Ok(true);
        }
        if self.held {
            // Still ours while the connection that holds the lock is alive.
            if let Some(conn) = self.conn.as_mut()
                && diesel::sql_query("SELECT true AS locked")
                    .get_result::<Locked>(conn)
                    .is_ok()
            {
                return Ok(true);
            }
            self.held = false;
            self.conn = None;
        }
        if self.conn.is_none() {
            self.conn = Some(dedicated_connection(db)?);
        }
        let Some(conn) = self.conn.as_mut() else {
            return Ok(false);
        };
        let got = diesel::sql_query("SELECT pg_try_advisory_lock($1) AS locked")
            .bind::<BigInt, _>(self.key)
            .get_result::<Locked>(conn);
        match got {
            Ok(row) => {
                self.held = row.locked;
                Ok(row.locked)
            }
            Err(e) => {
                self.conn = None;
                Err(e.into())
            }
        }
    }

    pub fn is_held(&self) -> bool {
        self.held
    }
}

fn dedicated_connection(db: &Db) -> Result<DbConn, StoreError> {
    crate::connection::establish(db.url())
}
