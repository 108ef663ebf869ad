//! Ids in bodies, queries and holders: the cases, checked against the OpenAPI document's list of every
//! id a request carries.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::Method;
use serde_json::{Value, json};

use super::cases::cases;
use super::requests::{gist, gist_sent, send};
use super::world;

/// Where a case puts the id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum In {
    Query,
    Body,
}

/// Builds a request (path, body) with a given value in the case's field.
pub(super) type Build = Box<dyn Fn(&str) -> (String, Option<Value>)>;

/// One id-carrying field of one operation: how to build B's request with a given value in that field.
pub(super) struct Case {
    pub(super) method: Method,
    /// The documented path template (for coverage), and the path to send (B's ids filled in).
    pub(super) template: &'static str,
    pub(super) field: &'static str,
    pub(super) place: In,
    /// The request for a value of the field: (path, body).
    pub(super) build: Build,
    /// A's values to try (one for a body; for a filter, every id of that kind A has), and B's own (None:
    /// the field is a filter, and B's own proves nothing).
    pub(super) a: Vec<String>,
    pub(super) b: Option<String>,
    /// Sent with the machine key instead of the owner's token.
    pub(super) as_machine: bool,
}

pub(super) fn holder(kind: &str, id: &str) -> String {
    format!("{kind}:{id}")
}

pub(super) fn urlencode(v: &str) -> String {
    v.replace(':', "%3A")
}

/// Every (method, path, place, field) of the document whose field carries an id: a name ending in `_id`,
/// a holder, or `from`/`to` that are not dates; inside arrays as `list[].field`.
pub(super) fn id_fields(doc: &Value) -> BTreeSet<(String, String, In, String)> {
    fn resolve<'a>(doc: &'a Value, mut s: &'a Value) -> &'a Value {
        while let Some(r) = s.get("$ref").and_then(Value::as_str) {
            s = &doc["components"]["schemas"][r.rsplit('/').next().unwrap_or_default()];
        }
        s
    }
    fn is_id(name: &str, schema: &Value) -> bool {
        let date = schema
            .get("format")
            .and_then(Value::as_str)
            .is_some_and(|f| f.starts_with("date"));
        (name.ends_with("_id") || name == "holder" || name == "from" || name == "to") && !date
    }
    fn walk(doc: &Value, schema: &Value, prefix: &str, out: &mut Vec<String>) {
        let schema = resolve(doc, schema);
        for (name, p) in schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let p = resolve(doc, p);
            if p.get("type") == Some(&json!("array")) {
                walk(doc, &p["items"], &format!("{prefix}{name}[]."), out);
            } else if is_id(name, p) {
                out.push(format!("{prefix}{name}"));
            }
        }
    }
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op.get("x-permission") == Some(&json!("public")) {
                continue;
            }
            let m = method.to_uppercase();
            for p in op
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let name = p["name"].as_str().unwrap_or_default();
                if p["in"] == "query" && is_id(name, resolve(doc, &p["schema"])) {
                    out.insert((m.clone(), path.clone(), In::Query, name.to_owned()));
                }
            }
            if let Some(s) = op.pointer("/requestBody/content/application~1json/schema") {
                let mut fields = Vec::new();
                walk(doc, s, "", &mut fields);
                for f in fields {
                    out.insert((m.clone(), path.clone(), In::Body, f));
                }
            }
        }
    }
    out
}

#[tokio::test]
pub(super) async fn ids_of_another_organization_in_bodies_queries_and_holders_answer_like_missing_ones() {
    let w = world().await;
    let cases = cases(&w);
    // Every id the document says a request carries has its case.
    let covered: BTreeSet<_> = cases
        .iter()
        .map(|c| {
            (
                c.method.to_string(),
                c.template.to_owned(),
                c.place,
                c.field.to_owned(),
            )
        })
        .collect();
    // Ids that name an account at a payment provider (the provider's merchant and service ids), not a
    // record of ours: nothing of another organization can be reached through them.
    let providers_ids = |(_, path, _, field): &(String, String, In, String)| {
        path == "/api/v1/payments/accounts/{provider}"
            && matches!(field.as_str(), "merchant_id" | "merchant_user_id" | "service_id")
    };
    let missing: Vec<_> = id_fields(&w.doc)
        .difference(&covered)
        .filter(|k| !providers_ids(k))
        .cloned()
        .collect();
    assert!(
        missing.is_empty(),
        "ids in requests with no tenancy case: {missing:?}"
    );

    let mut by_op: BTreeMap<String, usize> = BTreeMap::new();
    for c in &cases {
        let token = if c.as_machine { &w.ids_b.key } else { &w.b };
        let missing_value = if c.field.contains("holder") || c.field == "from" || c.field == "to" {
            let kind = c.a[0].split(':').next().unwrap_or_default();
            holder(kind, &uuid::Uuid::now_v7().to_string())
        } else {
            uuid::Uuid::now_v7().to_string()
        };
        let what = format!("{} {} {}", c.method, c.template, c.field);
        let (path, body) = (c.build)(&missing_value);
        let none = send(&w, &c.method, &path, token, body.as_ref(), c.as_machine).await;
        assert!(none.0.as_u16() < 500, "{what}: {none:?}");
        for value in &c.a {
            let (path, body) = (c.build)(value);
            let foreign = send(&w, &c.method, &path, token, body.as_ref(), c.as_machine).await;
            if c.b.is_some() {
                assert!(!foreign.0.is_success(), "{what}: A's id accepted: {}", foreign.1);
            }
            assert_eq!(
                gist_sent(foreign.0, &foreign.1, value),
                gist_sent(none.0, &none.1, &missing_value),
                "{what} = {value}: A's id answers differently from a missing one"
            );
        }
        if let Some(own) = &c.b {
            let (path, body) = (c.build)(own);
            let mine = send(&w, &c.method, &path, token, body.as_ref(), c.as_machine).await;
            assert_ne!(
                gist(mine.0, &mine.1),
                gist(none.0, &none.1),
                "{what}: B's own id answers as a missing one, so the case never reaches the lookup"
            );
        } else {
            // A filter: A, asking the same, sees rows for some of these ids, so a leak would show in B's.
            let a_token = if c.template.ends_with("/my") {
                &w.a_operator
            } else {
                &w.a
            };
            let mut seen_by_a = false;
            for value in &c.a {
                let (path, _) = (c.build)(value);
                let (status, seen) = send(&w, &c.method, &path, a_token, None, false).await;
                assert!(status.is_success(), "{what} as A: {status} {seen}");
                seen_by_a |= gist(status, &seen) != gist(none.0, &none.1);
            }
            assert!(
                seen_by_a,
                "{what}: A sees nothing with any of its ids, so a leak could not show"
            );
        }
        *by_op.entry(c.template.to_owned()).or_default() += 1;
    }
    assert!(by_op.len() >= 20, "{by_op:?}");
}
