//! `vendhub serve`: start everything, serve until SIGTERM/SIGINT, then drain: readiness turns 503 at
//! once, new connections stop after `SHUTDOWN_DELAY`, in-flight requests and running jobs get up to
//! `SHUTDOWN_TIMEOUT`, unfinished jobs go back to the queue, and the process exits 0.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use vendhub_app::App;
use vendhub_app::setup::CreatedOwner;
use vendhub_jobs::{Registry, Scheduler, Worker, WorkerConfig};

use crate::config::Config;
use crate::wiring::{self, StartError};

/// A started server: bound, migrated, seeded, with workers running.
pub struct Running {
    pub app: App,
    pub addr: SocketAddr,
    pub metrics_addr: Option<SocketAddr>,
    pub created_owner: Option<CreatedOwner>,
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
    router: axum::Router,
    realtime: vendhub_http::realtime::Realtime,
    metrics_router: Option<axum::Router>,
    registry: Registry,
    worker: WorkerConfig,
    schedules: Vec<vendhub_jobs::Schedule>,
    shutdown_timeout: Duration,
    shutdown_delay: Duration,
    /// SQLite: held while serving, so that `vendhub backup restore` refuses to run under us.
    _server_lock: Option<crate::backup::lock::ServerLock>,
}

async fn bind(host: std::net::IpAddr, port: u16) -> Result<TcpListener, StartError> {
    let addr = SocketAddr::new(host, port);
    TcpListener::bind(addr).await.map_err(|e| StartError::Listen {
        addr: addr.to_string(),
        reason: match e.kind() {
            std::io::ErrorKind::AddrInUse => "the port is already in use".into(),
            std::io::ErrorKind::PermissionDenied => {
                "permission denied (ports below 1024 need privileges)".into()
            }
            _ => e.to_string(),
        },
    })
}

/// Additions to the standard server, for tests: job handlers, schedules and routes.
#[derive(Default)]
pub struct Extras {
    pub registry: Option<Registry>,
    pub schedules: Vec<vendhub_jobs::Schedule>,
    pub routes: Option<axum::Router>,
    /// The clock the use cases go by; the wall clock when `None`.
    pub clock: Option<std::sync::Arc<dyn vendhub_app::ports::Clock>>,
}

/// Everything up to serving: data folder, secrets, database and migrations, adapters, first owner,
/// listeners.
pub async fn start(mut config: Config, extras: Extras) -> Result<Running, StartError> {
    wiring::ensure_data_dir(&config)?;
    if let Some(path) = crate::secrets::ensure(&mut config).map_err(StartError::Secrets)? {
        tracing::info!(path = %path.display(), "generated JWT secrets for the embedded default");
    }
    let server_lock = server_lock(&config);
    let metrics = vendhub_http::MetricsHandle::install().map_err(StartError::Metrics)?;
    let db = wiring::connect_db(&config, 1).await?;
    let applied = wiring::migrate(&db).await?;
    if !applied.is_empty() {
        tracing::info!(?applied, "applied migrations");
    }
    let clock = extras
        .clock
        .clone()
        .unwrap_or_else(|| std::sync::Arc::new(vendhub_app::ports::SystemClock));
    let app = wiring::build_app_with_clock(&config, db, clock).await?;
    let created_owner = wiring::first_owner(&config, &app).await?;
    let listener = bind(config.host, config.port).await?;
    let metrics_listener = match config.metrics_port {
        Some(port) => Some(bind(config.host, port).await?),
        None => None,
    };
    let state = vendhub_http::HttpState {
        app: app.clone(),
        config: Arc::new(wiring::http_config(&config)),
        metrics,
    };
    let socket_io = match &config.redis_url {
        None => vendhub_http::realtime::layer(&app),
        Some(url) => tokio::time::timeout(
            config.database.connect_timeout,
            vendhub_http::realtime::layer_with_redis(&app, url.expose()),
        )
        .await
        .map_err(|_| StartError::Redis("no answer from the Socket.IO adapter".into()))?
        .map_err(|e| StartError::Redis(format!("Socket.IO adapter: {e}")))?,
    };
    let (router, realtime) = vendhub_http::router_with(&state, extras.routes, socket_io);
    let metrics_router = metrics_listener
        .as_ref()
        .map(|_| vendhub_http::metrics_router(&state));
    let mut registry = Registry::standard();
    if let Some(more) = extras.registry {
        registry.extend(more);
    }
    let mut schedules = Scheduler::standard_schedules();
    if !config
        .features
        .get("FEATURE_TASK_AUTOMATION")
        .copied()
        .unwrap_or(true)
    {
        schedules.retain(|s| !s.kind.starts_with("tasks."));
    }
    schedules.extend(vendhub_jobs::fleet::schedules(config.machine_offline_after));
    schedules.extend(extras.schedules);
    if let Some((backup, schedule)) = crate::backup::job::daily(&config) {
        registry.extend(backup);
        schedules.push(schedule);
    }
    let worker = WorkerConfig {
        concurrency: config.jobs.concurrency,
        poll_interval: config.jobs.poll_interval,
        lease: config.jobs.lease,
        retry: vendhub_domain::jobs::RetryPolicy {
            max_attempts: config.jobs.max_attempts,
            ..Default::default()
        },
        shutdown_grace: config.shutdown_timeout,
        ..WorkerConfig::default()
    };
    Ok(Running {
        addr: listener.local_addr().map_err(|e| StartError::Listen {
            addr: "?".into(),
            reason: e.to_string(),
        })?,
        metrics_addr: metrics_listener.as_ref().and_then(|l| l.local_addr().ok()),
        app,
        created_owner,
        listener,
        metrics_listener,
        router,
        realtime,
        metrics_router,
        registry,
        worker,
        schedules,
        shutdown_timeout: config.shutdown_timeout,
        shutdown_delay: config.shutdown_delay,
        _server_lock: server_lock,
    })
}

/// Takes the SQLite server lock; another holder (a second server, a restore) is only warned about here.
fn server_lock(config: &Config) -> Option<crate::backup::lock::ServerLock> {
    let vendhub_store::DbUrl::Sqlite(db) = &config.database.url else {
        return None;
    };
    match crate::backup::lock::ServerLock::acquire(db) {
        Ok(Some(lock)) => Some(lock),
        Ok(None) => {
            tracing::warn!(db = %db.display(), "another process holds this SQLite database's server lock");
            None
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot take the SQLite server lock");
            None
        }
    }
}

impl Running {
    /// Serves until `signal` resolves, then drains as the module says.
    pub async fn serve(self, signal: impl Future<Output = ()> + Send + 'static) {
        let stop_jobs = CancellationToken::new();
        let stop_http = CancellationToken::new();
        let worker =
            tokio::spawn(Worker::new(self.app.clone(), self.registry, self.worker).run(stop_jobs.clone()));
        let scheduler = tokio::spawn(Scheduler::new(self.app.clone(), self.schedules).run(stop_jobs.clone()));

        let realtime = tokio::spawn(self.realtime.run(stop_http.clone().cancelled_owned()));

        let app = self.app.clone();
        let (delay, timeout) = (self.shutdown_delay, self.shutdown_timeout);
        {
            let (stop_http, stop_jobs) = (stop_http.clone(), stop_jobs.clone());
            tokio::spawn(async move {
                signal.await;
                app.start_draining();
                tracing::info!(
                    delay_s = delay.as_secs_f64(),
                    timeout_s = timeout.as_secs_f64(),
                    "shutting down: draining"
                );
                stop_jobs.cancel();
                tokio::time::sleep(delay).await;
                stop_http.cancel();
            });
        }
        if let (Some(listener), Some(router)) = (self.metrics_listener, self.metrics_router) {
            let stop = stop_http.clone();
            tokio::spawn(async move {
                let _ = axum::serve(listener, router)
                    .with_graceful_shutdown(stop.cancelled_owned())
                    .await;
            });
        }
        let server = axum::serve(
            self.listener,
            self.router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(stop_http.clone().cancelled_owned());
        let server = tokio::spawn(async move { server.await });
        // In-flight requests get `timeout` after new connections stop.
        let forced = async {
            stop_http.cancelled().await;
            tokio::time::sleep(timeout).await;
        };
        tokio::select! {
            r = server => {
                if let Ok(Err(e)) = r {
                    tracing::error!(error = %e, "server error");
                }
            }
            () = forced => tracing::warn!("in-flight requests did not finish within SHUTDOWN_TIMEOUT; closing them"),
        }
        let _ = tokio::join!(worker, scheduler, realtime);
        tracing::info!("stopped");
    }
}

/// Registers for SIGTERM and SIGINT now (so a signal that arrives right after start-up is not lost to
/// the default action) and returns a future that resolves on the first of them.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    #[cfg(unix)]
    let mut int = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).ok();
    async move {
        #[cfg(unix)]
        {
            let term = async {
                match term.as_mut() {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            let int = async {
                match int.as_mut() {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = term => {}
                () = int => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
