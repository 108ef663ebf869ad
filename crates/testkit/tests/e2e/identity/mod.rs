//! Passwords (change, reset by e-mail through a local SMTP server), sessions, organizations and invites.

mod invites;
mod members;
mod organizations;
mod passwords;
mod sessions;
