//! Feature flags (`FEATURE_*`): the runbook's, with their defaults, and any other `FEATURE_*` set.

use std::collections::BTreeMap;

use super::vars::Vars;

/// The runbook's feature flags with their defaults; any other `FEATURE_*` is accepted as a flag too.
const FEATURES: &[(&str, bool)] = &[
    ("FEATURE_TELEGRAM_BOT", true),
    ("FEATURE_SMS_NOTIFICATIONS", true),
    ("FEATURE_EMAIL_NOTIFICATIONS", true),
    ("FEATURE_PUSH_NOTIFICATIONS", false),
    ("FEATURE_OFD_INTEGRATION", false),
    ("FEATURE_PAYMENT_INTEGRATION", true),
    ("FEATURE_AI_IMPORT", true),
    ("FEATURE_AI_ANALYSIS", true),
    ("FEATURE_TASK_AUTOMATION", true),
];

pub(super) fn features(v: &mut Vars<'_>) -> BTreeMap<String, bool> {
    let mut out = BTreeMap::new();
    for (name, default) in FEATURES {
        out.insert((*name).to_owned(), v.flag(name, *default));
    }
    let mut extra: Vec<(String, String)> = v
        .env()
        .iter()
        .filter(|(k, _)| k.starts_with("FEATURE_") && !out.contains_key(*k))
        .map(|(k, x)| (k.clone(), x.clone()))
        .collect();
    extra.sort();
    for (name, raw) in extra {
        match raw.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => {
                out.insert(name.clone(), true);
            }
            "false" | "0" | "no" | "off" | "" => {
                out.insert(name.clone(), false);
            }
            _ => v.problem(&name, format!("must be true or false (got {raw:?})")),
        }
        v.show(&name, out.get(&name).copied().unwrap_or(false).to_string());
    }
    out
}
