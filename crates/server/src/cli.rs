//! The command line: `serve`, `migrate run|revert|show`, `seed [--demo]`, `config check`, `healthcheck`,
//! `backup create|verify|restore|prune`.
//! Every failure ends with one line on stderr and a non-zero exit code.

use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::wiring::{self, StartError};

#[derive(Debug, Parser)]
#[command(name = "vendhub", version = long_version(), about = "VendHub: run a fleet of vending machines")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

fn long_version() -> &'static str {
    concat!(
        env!("CARGO_PKG_VERSION"),
        " (",
        env!("BUILD_GIT_COMMIT"),
        ", ",
        env!("BUILD_RUST_VERSION"),
        ")"
    )
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start the API, admin panel, client app, Socket.IO, background workers and scheduler.
    Serve,
    /// Apply, revert or list database migrations.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Create the first organization and owner (idempotent); `--demo` adds a demo fleet.
    Seed {
        #[arg(long)]
        demo: bool,
    },
    /// Inspect the configuration.
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Check the audit log.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// Back up the database and uploaded files, check or restore a backup, delete old ones.
    Backup {
        #[command(subcommand)]
        action: crate::backup::cli::BackupAction,
    },
    /// Write the whole installation in a backend-neutral archive (to move between SQLite and PostgreSQL).
    Export {
        /// The archive to write (default: `./vendhub-export-<time>.tar.gz`).
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Import an export into `DATABASE_URL` (an empty database of the same schema version).
    Import { file: std::path::PathBuf },
    /// Drive the gateway API with a simulated fleet (heartbeats, telemetry, vends, errors).
    Simulate {
        /// How many of the organization's machines to drive.
        #[arg(long, default_value_t = 5)]
        machines: usize,
        /// Events per second across the fleet (vends; heartbeats and telemetry come on top).
        #[arg(long, default_value_t = 2.0)]
        rate: f64,
        /// Stop after this long (e.g. `10m`); runs until interrupted when left out.
        #[arg(long, value_parser = humantime::parse_duration)]
        duration: Option<Duration>,
        /// The share of vend commands (paid orders) the machines answer `failed`, 0 to 1.
        #[arg(long, default_value_t = 0.0)]
        vend_failure_rate: f64,
        /// The server; defaults to `http://127.0.0.1:$PORT`.
        #[arg(long)]
        url: Option<String>,
        /// A user who may manage machines; defaults to `VENDHUB_ADMIN_EMAIL`.
        #[arg(long)]
        email: Option<String>,
        /// Their password; defaults to `VENDHUB_ADMIN_PASSWORD`.
        #[arg(long)]
        password: Option<String>,
    },
    /// Exit 0 when the local server's /health/ready answers ok (for containers without curl).
    Healthcheck {
        /// Defaults to http://127.0.0.1:$PORT/health/ready.
        #[arg(long)]
        url: Option<String>,
        #[arg(long, default_value = "5s", value_parser = humantime::parse_duration)]
        timeout: Duration,
    },
}

#[derive(Debug, Subcommand)]
enum MigrateAction {
    /// Apply every pending migration.
    Run,
    /// Revert the most recent migration.
    Revert,
    /// List migrations and whether each is applied.
    Show,
}

#[derive(Debug, Subcommand)]
enum AuditAction {
    /// Recompute the hash chain and report the first broken record.
    Verify,
}

#[derive(Debug, Subcommand)]
enum ConfigAction {
    /// Validate the environment and print the effective configuration, secrets redacted.
    Check,
}

/// A command's failure: the line to print.
struct Failure(String);

impl From<StartError> for Failure {
    fn from(e: StartError) -> Self {
        Self(e.to_string())
    }
}

impl From<crate::config::ConfigErrors> for Failure {
    fn from(e: crate::config::ConfigErrors) -> Self {
        Self(e.to_string())
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(line)) => {
            eprintln!("error: {}", line.replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Config {
            action: ConfigAction::Check,
        } => config_check(),
        Command::Healthcheck { url, timeout } => healthcheck(url, timeout).await,
        Command::Serve => serve().await,
        Command::Migrate { action } => migrate(action).await,
        Command::Seed { demo } => seed(demo).await,
        Command::Audit {
            action: AuditAction::Verify,
        } => audit_verify().await,
        Command::Backup { action } => crate::backup::cli::run(action).await.map_err(Failure),
        Command::Export { out } => crate::backup::cli::export(out).await.map_err(Failure),
        Command::Import { file } => crate::backup::cli::import(file).await.map_err(Failure),
        Command::Simulate {
            machines,
            rate,
            duration,
            vend_failure_rate,
            url,
            email,
            password,
        } => simulate(machines, rate, duration, vend_failure_rate, url, email, password).await,
    }
}

async fn simulate(
    machines: usize,
    rate: f64,
    duration: Option<Duration>,
    vend_failure_rate: f64,
    url: Option<String>,
    email: Option<String>,
    password: Option<String>,
) -> Result<(), Failure> {
    if machines == 0 || !(rate.is_finite() && rate >= 0.0) {
        return Err(Failure(
            "--machines must be at least 1 and --rate a number >= 0".into(),
        ));
    }
    if !(0.0..=1.0).contains(&vend_failure_rate) {
        return Err(Failure("--vend-failure-rate must be between 0 and 1".into()));
    }
    let config = load()?;
    let password = password
        .or_else(|| config.admin_password.as_ref().map(|p| p.expose().to_owned()))
        .ok_or_else(|| Failure("no password: pass --password or set VENDHUB_ADMIN_PASSWORD".into()))?;
    let options = crate::simulate::Options {
        url: url.unwrap_or_else(|| format!("http://127.0.0.1:{}", config.port)),
        email: email.unwrap_or_else(|| config.admin_email.clone()),
        password,
        machines,
        rate,
        duration,
        vend_failure_rate,
    };
    let summary = crate::simulate::run(&options).await.map_err(Failure)?;
    println!("{summary}");
    Ok(())
}

fn load() -> Result<Config, Failure> {
    let config = Config::from_env()?;
    crate::telemetry::init(&config);
    Ok(config)
}

fn config_check() -> Result<(), Failure> {
    let config = Config::from_env()?;
    println!("configuration is valid ({} environment)", config.app_env.as_str());
    for (name, value) in &config.effective {
        println!("{name}={value}");
    }
    Ok(())
}

async fn healthcheck(url: Option<String>, timeout: Duration) -> Result<(), Failure> {
    let url = match url {
        Some(u) => u,
        None => {
            let port = std::env::var("PORT")
                .ok()
                .and_then(|p| p.parse::<u16>().ok())
                .unwrap_or(4000);
            format!("http://127.0.0.1:{port}/health/ready")
        }
    };
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .map_err(|e| Failure(e.to_string()))?;
    let res = client
        .get(&url)
        .send()
        .await
        .map_err(|e| Failure(format!("{url}: {e}")))?;
    let status = res.status();
    let body = res.text().await.unwrap_or_default();
    if status.is_success() {
        println!("{body}");
        Ok(())
    } else {
        Err(Failure(format!("{url} answered {status}: {body}")))
    }
}

async fn serve() -> Result<(), Failure> {
    let config = load()?;
    let signal = crate::serve::shutdown_signal();
    tracing::info!(env = config.app_env.as_str(), database = %config.database.url.redacted(), "starting vendhub");
    let running = crate::serve::start(config, crate::serve::Extras::default()).await?;
    if let Some(owner) = &running.created_owner {
        print_created_owner(owner);
    }
    tracing::info!(addr = %running.addr, "listening");
    println!("VendHub is listening on http://{}", running.addr);
    running.serve(signal).await;
    Ok(())
}

fn print_created_owner(owner: &vendhub_app::setup::CreatedOwner) {
    match &owner.generated_password {
        Some(password) => {
            println!("================================================================");
            println!(" First start: created the owner account.");
            println!("   e-mail:   {}", owner.email);
            println!("   password: {password}");
            println!(" This password is shown once and stored only as a hash.");
            println!("================================================================");
        }
        None => println!(
            "First start: created the owner account {} (password from VENDHUB_ADMIN_PASSWORD)",
            owner.email
        ),
    }
}

async fn open_db(config: &Config) -> Result<vendhub_store::Db, Failure> {
    wiring::ensure_data_dir(config)?;
    Ok(wiring::connect_db(config, 0).await?)
}

async fn migrate(action: MigrateAction) -> Result<(), Failure> {
    let config = load()?;
    let db = open_db(&config).await?;
    let fail = |e: vendhub_store::StoreError| Failure(format!("migrations failed: {e}"));
    match action {
        MigrateAction::Run => {
            let applied = db
                .run(vendhub_store::migrations::run_pending)
                .await
                .map_err(fail)?;
            if applied.is_empty() {
                println!("No pending migrations.");
            }
            for v in &applied {
                println!("Applied {v}");
            }
        }
        MigrateAction::Revert => match db
            .run(vendhub_store::migrations::revert_last)
            .await
            .map_err(fail)?
        {
            Some(v) => println!("Reverted {v}"),
            None => println!("No migration to revert."),
        },
        MigrateAction::Show => {
            let all = db.run(vendhub_store::migrations::status).await.map_err(fail)?;
            for m in &all {
                println!("[{}] {}", if m.applied { "X" } else { " " }, m.version);
            }
            let pending = all.iter().filter(|m| !m.applied).count();
            println!("{} applied, {pending} pending", all.len() - pending);
        }
    }
    Ok(())
}

async fn audit_verify() -> Result<(), Failure> {
    let config = load()?;
    let db = open_db(&config).await?;
    match db
        .run(vendhub_store::audit::verify)
        .await
        .map_err(|e| Failure(e.to_string()))?
    {
        Ok(n) => {
            println!("audit log intact: {n} records");
            Ok(())
        }
        Err((seq, why)) => Err(Failure(format!("audit log broken at record {seq}: {why}"))),
    }
}

async fn seed(demo: bool) -> Result<(), Failure> {
    let mut config = load()?;
    wiring::ensure_data_dir(&config)?;
    crate::secrets::ensure(&mut config).map_err(Failure)?;
    let db = open_db(&config).await?;
    wiring::migrate(&db).await?;
    let app = wiring::build_app(&config, db).await?;
    match wiring::first_owner(&config, &app).await? {
        Some(owner) => print_created_owner(&owner),
        None => println!("The first organization exists already."),
    }
    if demo {
        let summary = vendhub_app::demo::seed(&app)
            .await
            .map_err(|e| Failure(format!("demo data: {e}")))?;
        println!("{summary}");
    }
    Ok(())
}
