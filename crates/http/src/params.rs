//! `Query` and `Path` extractors whose rejections are problem+json naming the offending field
//! (axum's own answer with `text/plain`).

use axum::extract::path::ErrorKind;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, MatchedPath};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use vendhub_app::error::FieldError;

use crate::problem::Problem;

/// `axum::extract::Query`: a query string that does not fit is 400 `invalid_query` with the parameter
/// in `errors[].field`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de).map(Self).map_err(|e| {
            let path = e.path().to_string();
            let message = e.into_inner().to_string();
            // A missing parameter fails at the top level; serde names it in the message.
            let field = if path == "." {
                missing_field(&message).unwrap_or("query").to_owned()
            } else {
                path
            };
            invalid("invalid_query", "the query string does not fit", field, message)
        })
    }
}

/// `axum::extract::Path`: a path segment that does not parse (a bad UUID, say) is 400 `invalid_path`
/// with the parameter's name in `errors[].field`.
#[derive(Debug, Clone, Copy)]
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Self(v)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => {
                let names = param_names(parts);
                let kind = e.into_kind();
                let field = match &kind {
                    ErrorKind::ParseErrorAtKey { key, .. }
                    | ErrorKind::InvalidUtf8InPathParam { key }
                    | ErrorKind::DeserializeError { key, .. } => key.clone(),
                    ErrorKind::ParseErrorAtIndex { index, .. } => {
                        names.get(*index).cloned().unwrap_or_else(|| "path".to_owned())
                    }
                    ErrorKind::ParseError { .. } if names.len() == 1 => names[0].clone(),
                    _ => "path".to_owned(),
                };
                Err(invalid(
                    "invalid_path",
                    "a path parameter does not fit",
                    field,
                    kind.to_string(),
                ))
            }
            Err(other) => Err(Problem::new(other.status(), "invalid_path", other.body_text())),
        }
    }
}

/// The `{name}`s of the matched route, in order.
fn param_names(parts: &Parts) -> Vec<String> {
    parts
        .extensions
        .get::<MatchedPath>()
        .map(|m| {
            m.as_str()
                .split('/')
                .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
                .map(|s| s.trim_start_matches('*').to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The field named by serde's "missing field" message.
pub(crate) fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.split('`').next()
}

fn invalid(code: &str, detail: &str, field: String, message: String) -> Problem {
    let mut problem = Problem::new(
        StatusCode::BAD_REQUEST,
        code,
        format!("{detail}: {field}: {message}"),
    );
    problem.errors = vec![FieldError::new(field, message)];
    problem
}
