//! The panel's languages (uz in Latin script, ru, en): the message catalog, which language a request
//! gets, and money and dates formatted for it.
//!
//! The catalog is one TOML file per area under `crates/http/locales/`, each key with its three texts side
//! by side (`title = { uz = "…", ru = "…", en = "…" }`), so a missing translation shows where it is
//! written; the tests fail on a key without all three, on a key defined twice, and on a key a template
//! uses that the catalog lacks.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::http::HeaderMap;
use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;

/// The catalog's files, one per area.
const FILES: &[(&str, &str)] = &[
    ("common", include_str!("../../locales/common.toml")),
    ("dashboard", include_str!("../../locales/dashboard.toml")),
    ("machines", include_str!("../../locales/machines.toml")),
    ("catalog", include_str!("../../locales/catalog.toml")),
    ("tasks", include_str!("../../locales/tasks.toml")),
    ("collections", include_str!("../../locales/collections.toml")),
    ("stock", include_str!("../../locales/stock.toml")),
    ("people", include_str!("../../locales/people.toml")),
    ("audit", include_str!("../../locales/audit.toml")),
    ("settings", include_str!("../../locales/settings.toml")),
    ("customer", include_str!("../../locales/customer.toml")),
    ("orders", include_str!("../../locales/orders.toml")),
    ("payments", include_str!("../../locales/payments.toml")),
];

/// A language of the panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Uz,
    Ru,
    En,
}

impl Lang {
    pub const ALL: [Self; 3] = [Self::Uz, Self::Ru, Self::En];

    pub fn code(self) -> &'static str {
        match self {
            Self::Uz => "uz",
            Self::Ru => "ru",
            Self::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.code() == s.trim())
    }

    /// The name of the language in itself, for the switch.
    pub fn own_name(self) -> &'static str {
        match self {
            Self::Uz => "O‘zbekcha",
            Self::Ru => "Русский",
            Self::En => "English",
        }
    }

    fn index(self) -> usize {
        match self {
            Self::Uz => 0,
            Self::Ru => 1,
            Self::En => 2,
        }
    }
}

/// The cookie that remembers a `?lang=` choice.
pub const LANG_COOKIE: &str = "vh_lang";

/// The language of a request: `?lang=`, then the cookie, then `Accept-Language` (by its q values), then
/// the organization's language, then uz.
pub fn negotiate(query_lang: Option<&str>, headers: &HeaderMap, org_language: Option<&str>) -> Lang {
    query_lang
        .and_then(Lang::parse)
        .or_else(|| crate::cookies::read(headers, LANG_COOKIE).and_then(|v| Lang::parse(&v)))
        .or_else(|| {
            headers
                .get(axum::http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(from_accept_language)
        })
        .or_else(|| org_language.and_then(Lang::parse))
        .unwrap_or_default()
}

/// The best language of an `Accept-Language` header that we have (`ru-RU;q=0.9` counts as ru).
fn from_accept_language(header: &str) -> Option<Lang> {
    let mut best: Option<(f32, Lang)> = None;
    for part in header.split(',') {
        let mut bits = part.split(';');
        let tag = bits.next().unwrap_or("").trim().to_ascii_lowercase();
        let primary = tag.split('-').next().unwrap_or("");
        let q = bits
            .find_map(|b| b.trim().strip_prefix("q="))
            .and_then(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        if let Some(lang) = Lang::parse(primary)
            && q > 0.0
            && best.is_none_or(|(bq, _)| q > bq)
        {
            best = Some((q, lang));
        }
    }
    best.map(|(_, l)| l)
}

type Catalog = HashMap<String, [String; 3]>;

/// Reads the catalog: every key with its three texts; the problems found (a missing language, a key
/// defined twice, a file that is not TOML) are returned beside it for the tests.
fn load() -> (Catalog, Vec<String>) {
    let mut catalog = Catalog::new();
    let mut problems = Vec::new();
    for (file, text) in FILES {
        match text.parse::<toml::Table>() {
            Ok(table) => walk(file, "", &table, &mut catalog, &mut problems),
            Err(e) => problems.push(format!("{file}.toml: {e}")),
        }
    }
    (catalog, problems)
}

fn walk(file: &str, prefix: &str, table: &toml::Table, out: &mut Catalog, problems: &mut Vec<String>) {
    for (name, value) in table {
        let key = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        let Some(inner) = value.as_table() else {
            problems.push(format!("{file}.toml: {key} is not a table of texts"));
            continue;
        };
        let is_leaf =
            inner.values().all(toml::Value::is_str) && inner.keys().any(|k| Lang::parse(k).is_some());
        if !is_leaf {
            walk(file, &key, inner, out, problems);
            continue;
        }
        let mut texts: [String; 3] = Default::default();
        for lang in Lang::ALL {
            match inner.get(lang.code()).and_then(toml::Value::as_str) {
                Some(t) if !t.trim().is_empty() => t.clone_into(&mut texts[lang.index()]),
                _ => problems.push(format!("{file}.toml: {key} has no {} text", lang.code())),
            }
        }
        if let Some(extra) = inner.keys().find(|k| Lang::parse(k).is_none()) {
            problems.push(format!("{file}.toml: {key} has an unknown language {extra}"));
        }
        if out.insert(key.clone(), texts).is_some() {
            problems.push(format!("{file}.toml: {key} is defined twice"));
        }
    }
}

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| load().0);

/// Texts and formats in one language and time zone: what every template gets as `t`.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
    pub tz: Tz,
}

impl Default for Tr {
    fn default() -> Self {
        Self {
            lang: Lang::default(),
            tz: chrono_tz::Asia::Tashkent,
        }
    }
}

impl Tr {
    pub fn new(lang: Lang, timezone: &str) -> Self {
        Self {
            lang,
            tz: timezone.parse().unwrap_or(chrono_tz::Asia::Tashkent),
        }
    }

    /// The text of `key` (a visible marker when the catalog lacks it, which a test prevents).
    pub fn t(&self, key: &str) -> &'static str {
        match CATALOG.get(key) {
            Some(texts) => &texts[self.lang.index()],
            None => {
                tracing::warn!(key, "a text is missing from the catalog");
                "[?]"
            }
        }
    }

    /// The text of `key` with `{name}` placeholders filled.
    pub fn fill(&self, key: &str, values: &[(&str, &dyn std::fmt::Display)]) -> String {
        let mut s = self.t(key).to_owned();
        for (name, value) in values {
            s = s.replace(&format!("{{{name}}}"), &value.to_string());
        }
        s
    }

    /// Money given in tiyin, in so'm with the language's thousands separator (`12 500 so'm`,
    /// `12 500 сум`, `12,500 so'm`); tiyin shown only when there are any.
    pub fn money(&self, tiyin: i64) -> String {
        let (sep, dec, unit) = match self.lang {
            Lang::Uz => ('\u{a0}', ',', "so‘m"),
            Lang::Ru => ('\u{a0}', ',', "сум"),
            Lang::En => (',', '.', "so‘m"),
        };
        let sign = if tiyin < 0 { "-" } else { "" };
        let abs = tiyin.unsigned_abs();
        let (som, rest) = (abs / 100, abs % 100);
        let digits = som.to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(sep);
            }
            grouped.push(c);
        }
        if rest == 0 {
            format!("{sign}{grouped}\u{a0}{unit}")
        } else {
            format!("{sign}{grouped}{dec}{rest:02}\u{a0}{unit}")
        }
    }

    /// A whole number with the language's thousands separator.
    pub fn number(&self, n: i64) -> String {
        let s = self.money(n.saturating_mul(100));
        s.rsplit_once('\u{a0}').map_or(s.clone(), |(n, _)| n.to_owned())
    }

    /// A UTC time in the organization's time zone (`07.12.2026 14:05`; en `7 Dec 2026 14:05`).
    pub fn datetime(&self, at: &DateTime<Utc>) -> String {
        let local = at.with_timezone(&self.tz);
        match self.lang {
            Lang::En => local.format("%-d %b %Y %H:%M").to_string(),
            Lang::Ru | Lang::Uz => local.format("%d.%m.%Y %H:%M").to_string(),
        }
    }

    /// A stored (UTC) time, as [`Tr::datetime`].
    pub fn naive(&self, at: &NaiveDateTime) -> String {
        self.datetime(&at.and_utc())
    }

    /// An optional time, or a dash.
    pub fn maybe(&self, at: Option<&DateTime<Utc>>) -> String {
        at.map_or_else(|| "—".to_owned(), |at| self.datetime(at))
    }

    /// A date (`07.12.2026`; en `7 Dec 2026`).
    pub fn date(&self, day: &chrono::NaiveDate) -> String {
        match self.lang {
            Lang::En => day.format("%-d %b %Y").to_string(),
            Lang::Ru | Lang::Uz => day.format("%d.%m.%Y").to_string(),
        }
    }

    pub fn code(&self) -> &'static str {
        self.lang.code()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_all_three_languages_and_is_defined_once() {
        let (catalog, problems) = load();
        assert!(problems.is_empty(), "catalog problems:\n{}", problems.join("\n"));
        assert!(catalog.len() > 50, "the catalog is read");
    }

    /// Every `t.t("…")` and `t.fill("…"` in a template or in the panel's Rust code names a key the
    /// catalog has.
    #[test]
    fn every_key_used_is_in_the_catalog() {
        let (catalog, _) = load();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut missing = Vec::new();
        let mut seen = 0;
        let mut files = Vec::new();
        for dir in ["templates", "src/web"] {
            collect(&root.join(dir), &mut files);
        }
        for path in files.into_iter().filter(|p| !p.ends_with("i18n.rs")) {
            let text = std::fs::read_to_string(&path).unwrap();
            for pattern in ["t.t(\"", "t.fill(\"", "tr.t(\"", "tr.fill(\"", "key: \""] {
                for (i, _) in text.match_indices(pattern) {
                    let rest = &text[i + pattern.len()..];
                    let key = &rest[..rest.find('"').unwrap()];
                    seen += 1;
                    if !catalog.contains_key(key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(seen > 10, "keys are found in the templates ({seen})");
        assert!(
            missing.is_empty(),
            "keys missing from the catalog:\n{}",
            missing.join("\n")
        );
    }

    /// Keys the code builds rather than writes out: navigation labels and role names.
    #[test]
    fn navigation_and_role_labels_are_in_the_catalog() {
        let (catalog, _) = load();
        let owner = vendhub_domain::roles::Role::Owner.permissions();
        for item in crate::web::nav::for_role(owner, "/admin") {
            assert!(catalog.contains_key(item.key), "{}", item.key);
        }
        for role in vendhub_domain::roles::Role::ALL {
            let key = format!("roles.{}", role.as_str());
            assert!(catalog.contains_key(&key), "{key}");
        }
    }

    fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                collect(&path, out);
            } else if path.extension().is_some_and(|e| e == "html" || e == "rs") {
                out.push(path);
            }
        }
    }

    #[test]
    fn money_is_grouped_per_language() {
        let uz = Tr::new(Lang::Uz, "Asia/Tashkent");
        let ru = Tr::new(Lang::Ru, "Asia/Tashkent");
        let en = Tr::new(Lang::En, "Asia/Tashkent");
        assert_eq!(uz.money(125_000_000), "1\u{a0}250\u{a0}000\u{a0}so‘m");
        assert_eq!(ru.money(125_000_050), "1\u{a0}250\u{a0}000,50\u{a0}сум");
        assert_eq!(en.money(-99_900), "-999\u{a0}so‘m");
        assert_eq!(en.money(100_000), "1,000\u{a0}so‘m");
        assert_eq!(en.number(1_234_567), "1,234,567");
    }

    #[test]
    fn times_are_shown_in_the_organizations_zone() {
        let at = DateTime::parse_from_rfc3339("2026-12-07T20:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            Tr::new(Lang::Ru, "Asia/Tashkent").datetime(&at),
            "08.12.2026 01:30"
        );
        assert_eq!(Tr::new(Lang::En, "UTC").datetime(&at), "7 Dec 2026 20:30");
    }

    #[test]
    fn the_language_comes_from_the_query_then_cookie_then_header_then_organization() {
        let mut h = HeaderMap::new();
        assert_eq!(negotiate(None, &h, Some("ru")), Lang::Ru);
        h.insert("accept-language", "de-DE, en;q=0.5, ru;q=0.8".parse().unwrap());
        assert_eq!(negotiate(None, &h, Some("uz")), Lang::Ru);
        h.insert("cookie", "a=b; vh_lang=en".parse().unwrap());
        assert_eq!(negotiate(None, &h, None), Lang::En);
        assert_eq!(negotiate(Some("uz"), &h, None), Lang::Uz);
        assert_eq!(negotiate(Some("xx"), &HeaderMap::new(), None), Lang::Uz);
    }
}
