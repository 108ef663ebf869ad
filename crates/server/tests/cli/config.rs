//! Configuration: the effective configuration printed, build-script variables, bad URLs, unknown settings and production's rules.

use super::{assert_one_line_failure, run, stderr, stdout};

#[test]
fn config_check_prints_the_effective_configuration_with_secrets_redacted() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "s".repeat(40);
    let o = run(
        dir.path(),
        &[
            ("JWT_SECRET", &secret),
            ("JWT_REFRESH_SECRET", &"r".repeat(40)),
            (
                "DATABASE_URL",
                "postgres://vendhub:hunter2-password@db.internal:5432/vendhub",
            ),
            ("PAYME_MERCHANT_ID", "5e730e8e0b852a417aa49ceb"),
            ("PAYME_SECRET_KEY", "payme-key-value"),
        ],
        &["config", "check"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("configuration is valid (development environment)"));
    assert!(
        out.contains("JWT_SECRET=***") && out.contains("PAYME_SECRET_KEY=***"),
        "{out}"
    );
    assert!(
        out.contains("DATABASE_URL=postgres://vendhub:***@db.internal:5432/vendhub"),
        "{out}"
    );
    assert!(out.contains("PORT=4000") && out.contains("JWT_EXPIRES_IN=15m"));
    for leaked in [secret.as_str(), "hunter2-password", "payme-key-value"] {
        assert!(!out.contains(leaked), "{leaked} printed");
    }
}

/// The names `build.rs` hands to the compiler with `cargo:rustc-env=`: `cargo run` (the README's first
/// command) puts each of them in the environment of the program it starts.
fn build_script_env() -> Vec<String> {
    let script = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/build.rs")).unwrap();
    script
        .split("cargo:rustc-env=")
        .skip(1)
        .map(|rest| rest.split('=').next().unwrap().to_owned())
        .collect()
}

#[test]
fn the_variables_cargo_run_passes_from_the_build_script_are_accepted() {
    let names = build_script_env();
    assert!(
        names.len() >= 3,
        "build.rs emits the version, commit and time: {names:?}"
    );
    let dir = tempfile::tempdir().unwrap();
    let env: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "from-build-script")).collect();
    let o = run(dir.path(), &env, &["config", "check"]);
    assert!(o.status.success(), "cargo run would fail: {}", stderr(&o));
}

#[test]
fn a_malformed_or_foreign_database_url_is_one_line_naming_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    assert_one_line_failure(
        &run(dir.path(), &[("DATABASE_URL", "mysql://h/db")], &["serve"]),
        "DATABASE_URL",
    );
    assert_one_line_failure(
        &run(dir.path(), &[("DATABASE_URL", "::nonsense::")], &["serve"]),
        "DATABASE_URL",
    );
}

#[test]
fn an_unknown_app_env_every_problem_and_typos_are_reported_together() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        dir.path(),
        &[("APP_ENV", "prod"), ("DB_POOLSIZE", "5"), ("PORT", "eighty")],
        &["serve"],
    );
    assert_one_line_failure(&o, "APP_ENV: must be development, staging or production");
    let err = stderr(&o);
    assert!(
        err.contains("DB_POOLSIZE: unknown variable (did you mean DB_POOL_SIZE?)"),
        "{err}"
    );
    assert!(err.contains("PORT: must be a port number"), "{err}");
}

#[test]
fn production_requires_long_jwt_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        dir.path(),
        &[("APP_ENV", "production"), ("JWT_SECRET", "short")],
        &["serve"],
    );
    assert_one_line_failure(&o, "JWT_SECRET: must be at least 32 characters");
    assert!(stderr(&o).contains("JWT_REFRESH_SECRET: is required in production"));
    assert!(!stderr(&o).contains("short\""), "the secret itself is not echoed");
}
