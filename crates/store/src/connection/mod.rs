//! The connection type (SQLite or PostgreSQL, picked by URL), the pool, and how a connection is set up.

mod pool;
mod url;
mod write;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, SqliteConnection};

pub use pool::{Db, DbOptions, Manager, PoolStatus, establish};
pub use url::{Backend, DbUrl, DbUrlError};
pub use write::write;

/// One connection to either backend. Queries written against it run on both.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}
