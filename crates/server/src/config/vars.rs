//! The variable reader [`Vars`]: every setting is read through it, so it knows each name asked for, each
//! problem found (all reported together as [`ConfigErrors`]) and each effective value (secrets
//! redacted). After the reads it reports our-prefixed variables that nothing asked for, with a
//! did-you-mean suggestion.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use super::Secret;

/// One problem with one variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub var: String,
    pub message: String,
}

/// Every problem found, reported together on one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors(pub Vec<ConfigProblem>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid configuration: ")?;
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", p.var, p.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// Prefixes that belong to us: a variable with one of these that we do not read is a typo.
const OWN_PREFIXES: &[&str] = &[
    "VENDHUB_",
    "DB_",
    "REDIS_",
    "JWT_",
    "TOTP_",
    "PAYME_",
    "CLICK_",
    "UZUM_",
    "STORAGE_",
    "TELEGRAM_",
    "SMS_",
    "SMTP_",
    "OFD_",
    "RATE_LIMIT_",
    "METRICS_",
    "SHUTDOWN_",
    "JOB_",
    "BACKUP_",
    "MACHINE_",
    "HEALTH_",
    "LOG_",
    "SWAGGER_",
    "CORS_",
];

/// Variables that start with an own prefix but are read by someone else (tests, tools), not a typo.
const FOREIGN: &[&str] = &["DB_SYNCHRONIZE", "VENDHUB_GIT_COMMIT", "LOG_FORMAT_FOR_TESTS"];

/// Reads variables from a snapshot of the environment, recording each read and each problem.
///
/// The recorded names are the list of known variables (see [`super::known_variables`]), so a setting
/// is read on every load, whatever the other values: a read skipped on some condition would be reported
/// as unknown whenever the condition does not hold.
pub(super) struct Vars<'a> {
    env: &'a HashMap<String, String>,
    read: Vec<&'static str>,
    problems: Vec<ConfigProblem>,
    effective: Vec<(String, String)>,
}

impl<'a> Vars<'a> {
    pub(super) fn new(env: &'a HashMap<String, String>) -> Self {
        Self {
            env,
            read: Vec::new(),
            problems: Vec::new(),
            effective: Vec::new(),
        }
    }

    /// The whole environment, for families of variables read by prefix (`FEATURE_*`).
    pub(super) fn env(&self) -> &'a HashMap<String, String> {
        self.env
    }

    pub(super) fn problem(&mut self, var: &str, message: impl Into<String>) {
        self.problems.push(ConfigProblem {
            var: var.to_owned(),
            message: message.into(),
        });
    }

    /// The raw value; empty counts as unset.
    pub(super) fn raw(&mut self, name: &'static str) -> Option<String> {
        self.read.push(name);
        self.env
            .get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    pub(super) fn show(&mut self, name: &str, value: impl Into<String>) {
        self.effective.push((name.to_owned(), value.into()));
    }

    pub(super) fn string(&mut self, name: &'static str, default: &str) -> String {
        let v = self.raw(name).unwrap_or_else(|| default.to_owned());
        self.show(name, v.clone());
        v
    }

    pub(super) fn opt(&mut self, name: &'static str) -> Option<String> {
        let v = self.raw(name);
        self.show(name, v.clone().unwrap_or_else(|| "(unset)".into()));
        v
    }

    pub(super) fn secret(&mut self, name: &'static str) -> Option<Secret> {
        let v = self.raw(name);
        self.show(name, if v.is_some() { "***" } else { "(unset)" });
        v.map(Secret::new)
    }

    pub(super) fn parse<T: FromStr + fmt::Display>(
        &mut self,
        name: &'static str,
        default: T,
        what: &str,
    ) -> T {
        match self.raw(name) {
            None => {
                self.show(name, default.to_string());
                default
            }
            Some(v) => match v.parse::<T>() {
                Ok(t) => {
                    self.show(name, t.to_string());
                    t
                }
                Err(_) => {
                    self.problem(name, format!("must be {what} (got {v:?})"));
                    default
                }
            },
        }
    }

    pub(super) fn flag(&mut self, name: &'static str, default: bool) -> bool {
        match self.raw(name).map(|v| v.to_ascii_lowercase()) {
            None => {
                self.show(name, default.to_string());
                default
            }
            Some(v) => {
                let b = match v.as_str() {
                    "true" | "1" | "yes" | "on" => true,
                    "false" | "0" | "no" | "off" => false,
                    _ => {
                        self.problem(name, format!("must be true or false (got {v:?})"));
                        default
                    }
                };
                self.show(name, b.to_string());
                b
            }
        }
    }

    pub(super) fn duration(&mut self, name: &'static str, default: &str) -> Duration {
        let raw = self.raw(name);
        let text = raw.clone().unwrap_or_else(|| default.to_owned());
        // A bare number is seconds (the runbooks' RATE_LIMIT_TTL=60).
        let parsed = text
            .parse::<u64>()
            .map(Duration::from_secs)
            .or_else(|_| humantime::parse_duration(&text));
        match parsed {
            Ok(d) => {
                self.show(name, text);
                d
            }
            Err(_) => {
                self.problem(
                    name,
                    format!("must be a duration such as 30s, 15m, 7d (got {text:?})"),
                );
                humantime::parse_duration(default).unwrap_or_default()
            }
        }
    }

    /// A port number part (`DB_PORT`, `REDIS_PORT`). Kubernetes sets `REDIS_PORT=tcp://…` for a Service
    /// named `redis`; that is reported with the way out.
    pub(super) fn port_part(&mut self, name: &'static str, default: &str) -> String {
        match self.raw(name) {
            None => default.to_owned(),
            Some(p) if p.parse::<u16>().is_ok() => p,
            Some(p) => {
                self.problem(
                    name,
                    format!("must be a port number (got {p:?}; in Kubernetes set enableServiceLinks: false)"),
                );
                default.to_owned()
            }
        }
    }

    /// After every read: the unknown-variable check, then every problem together or the effective
    /// values (sorted, one per name).
    pub(super) fn finish(mut self) -> Result<Vec<(String, String)>, ConfigErrors> {
        self.unknown_variables();
        if self.problems.is_empty() {
            let mut effective = self.effective;
            effective.sort();
            effective.dedup_by(|a, b| a.0 == b.0);
            Ok(effective)
        } else {
            Err(ConfigErrors(self.problems))
        }
    }

    /// The names read so far, sorted, each once.
    pub(super) fn read_names(mut self) -> Vec<&'static str> {
        self.read.sort_unstable();
        self.read.dedup();
        self.read
    }

    fn unknown_variables(&mut self) {
        let mut unknown: Vec<String> = self
            .env
            .keys()
            .filter(|k| OWN_PREFIXES.iter().any(|p| k.starts_with(p)))
            .filter(|k| !injected_by_kubernetes(k))
            .filter(|k| !self.read.contains(&k.as_str()) && !FOREIGN.contains(&k.as_str()))
            .cloned()
            .collect();
        unknown.sort();
        for name in unknown {
            let closest = self
                .read
                .iter()
                .map(|known| (strsim::jaro_winkler(known, &name), *known))
                .filter(|(score, _)| *score > 0.85)
                .max_by(|a, b| a.0.total_cmp(&b.0));
            let message = match closest {
                Some((_, known)) => format!("unknown variable (did you mean {known}?)"),
                None => "unknown variable".to_owned(),
            };
            self.problem(&name, message);
        }
    }
}

/// Variables Kubernetes injects for every Service (`REDIS_SERVICE_HOST`, `REDIS_PORT_6379_TCP_ADDR`…):
/// not ours, even when they share a prefix. (`REDIS_PORT=tcp://…` itself is caught as invalid.)
fn injected_by_kubernetes(name: &str) -> bool {
    name.contains("_SERVICE_HOST")
        || name.contains("_SERVICE_PORT")
        || name.contains("_TCP")
        || name.contains("_UDP")
}

#[cfg(test)]
mod tests {
    use super::super::Config;
    use super::super::tests::env;

    #[test]
    fn a_misspelt_own_variable_is_an_error_with_a_suggestion() {
        let err = Config::from_map(&env(&[("JWT_EXPIRE_IN", "15m"), ("HOME", "/root")])).unwrap_err();
        assert_eq!(err.0.len(), 1, "foreign variables are ignored: {err}");
        assert_eq!(
            err.0[0].message,
            "unknown variable (did you mean JWT_EXPIRES_IN?)"
        );
    }

    #[test]
    fn kubernetes_service_links_are_not_mistaken_for_typos() {
        let c = Config::from_map(&env(&[
            ("REDIS_SERVICE_HOST", "10.0.0.7"),
            ("REDIS_SERVICE_PORT", "6379"),
            ("REDIS_PORT_6379_TCP_ADDR", "10.0.0.7"),
            ("VENDHUB_API_SERVICE_PORT_HTTP", "4000"),
        ]));
        assert!(c.is_ok(), "{c:?}");
    }
}
