//! Every action on a task, each the same use case as its API route: assign, start, postpone, cancel,
//! photo upload (multipart, `_csrf` first), completion (a refill's actual quantities, a collection's
//! counted cash), rejection with a reason, comments, the checklist, a refill's planned items.

use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use vendhub_app::AppError;
use vendhub_app::tasks::{self, Change, CheckItem, CompleteRequest, ItemActual, NewItem};
use vendhub_domain::ids::UserId;
use vendhub_domain::roles::Permission;

use super::create::bad;
use super::task_id;
use crate::HttpState;
use crate::api::tasks::photos::read_form;
use crate::extract::Meta;
use crate::web::session::see_other;
use crate::web::{Form, Panel, WebError};

fn back(id: &str) -> Response {
    see_other(&format!("/admin/tasks/{id}"))
}

#[derive(Deserialize)]
pub(super) struct AssignForm {
    assignee_id: String,
}

pub(super) async fn assign(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Path(raw): Path<String>,
    Form(f): Form<AssignForm>,
) -> Result<Response, WebError> {
    panel.require(Permission::TasksManage)?;
    let id = task_id(&raw)?;
    let user: UserId = f
        .assignee_id
        .trim()
        .parse()
        .map_err(|_| bad("assignee_id", "no such user"))?;
    tasks::act(&state.app, &panel.who, id, Change::Assign(user), &meta).await?;
    Ok(back(&raw))
}

pub(super) async fn start(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Path(raw): Path<String>,
) -> Result<Response, WebError> {
    panel.require(Permission::TasksWorkOwn)?;
    let id = task_id(&raw)?;
    tasks::act(&state.app, &panel.who, id, Change::Start, &meta).await?;
    Ok(back(&raw))
}

#[derive(Deserialize)]
pub(super) struct ReasonForm {
    #[serde(default)]
    reason: String,
}

pub(super) async fn postpone(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Path(raw): Path<String>,
    Form(f): Form<ReasonForm>,
) -> Result<Response, WebError> {
    panel.require(Permission::TasksWorkOwn)?;
    let id = task_id(&raw)?;
    tasks::act(&state.app, &panel.who, id, Change::Postpone(f.reason), &meta).await?;
    Ok(back(&raw))
}

pub(super) async fn cancel(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Path(raw): Path<String>,
    Form(f): Form<ReasonForm>,
) -> Result<Response, WebError> {
    panel.require(Permission::TasksManage)?;
    let id = task_id(&raw)?;
    let reason = Some(f.reason.trim().to_owned()).filter(|r| !r.is_empty());
    if reason.as_ref().is_some_and(|r| r.chars().count() > 500) {
        return Err(bad("reason", "must be at most 500 characters").into());
    }
    tasks::act(&state.app, &panel.who, id, Change::Cancel(reason), &meta).await?;
    Ok(back(&raw))
}

pub(super) async fn reject(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Path(raw): Path<String>,
    Form(f): Form<ReasonForm>,
) -> Result<Response, WebError> {
    panel.require(Permission::TasksManage)?;
    let id = task_id(&raw)?;
    tasks::reject(&state.app, &panel.who, id, f.reason, &meta).await?;
    Ok(back(&raw))
}

/// A photo from the phone's camera (or a file): the same form parsing and use case as the API.
pub(super) async fn photo(
    State(state): State<HttpState>,
    panel: Panel,
    Path(raw): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    panel.require(Permission::TasksWorkOwn)?;
    let id = task_id(&raw)?;
    let form = form.map_err(|_| AppError::UnsupportedType("send the photo as multipart/form-data".into()))?;
    let photo = read_form(form, state.config.upload_limit).await?;
    tasks::add_photo(&state.app, &panel.who, id, photo).await?;
    Ok(back(&raw))
}

/// An amount of money typed in so‘m (`150000`, `150 000`, `1500,50`) as tiyin.
pub(super) fn tiyin(field: &str, s: &str) -> Result<i64, AppError> {
    let cleaned: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    let invalid = || bad(field, "must be an amount in so‘m, such as 150000 or 1500.50");
    let (whole, frac) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    if whole.is_empty() || frac.len() > 2 || !whole.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
        return Err(invalid());
    }
    let whole: i64 = whole.parse().map_err(|_| invalid())?;
    let frac: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().map_err(|_| invalid())?
    };
    whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(frac))
        .ok_or_else(invalid)
}

/// Completion: `item_id`/`actual_qty` pairs in order (an empty quantity keeps the planned one), and for
/// a collection `counted` (so‘m) and `bag_number`.
pub(super) async fn complete(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Path(raw): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    panel.require(Permission::TasksWorkOwn)?;
    let id = task_id(&raw)?;
    let mut req = CompleteRequest::default();
    let mut item: Option<String> = None;
    for (k, v) in fields {
        let v = v.trim();
        match k.as_str() {
            "item_id" => item = Some(v.to_owned()),
            "actual_qty" => {
                let Some(item_id) = item.take() else {
                    return Err(bad("actual_qty", "names no item").into());
                };
                if !v.is_empty() {
                    let actual_qty = v
                        .parse::<i64>()
                        .map_err(|_| bad("actual_qty", "must be a whole number"))?;
                    req.items.push(ItemActual { item_id, actual_qty });
                }
            }
            "counted" if !v.is_empty() => req.counted = Some(tiyin("counted", v)?),
            "bag_number" if !v.is_empty() => req.bag_number = Some(v.to_owned()),
            _ => {}
        }
    }
    tasks::complete(&state.app, &panel.who, id, req, &meta).await?;
    Ok(back(&raw))
}

#[derive(Deserialize)]
pub(super) struct CommentForm {
    body: String,
}

pub(super) async fn comment(
    State(state): State<HttpState>,
    panel: Panel,
    Path(raw): Path<String>,
    Form(f): Form<CommentForm>,
) -> Result<Response, WebError> {
    panel.require(Permission::TasksWorkOwn)?;
    let id = task_id(&raw)?;
    tasks::add_comment(&state.app, &panel.who, id, f.body).await?;
    Ok(back(&raw))
}

#[derive(Deserialize)]
pub(super) struct TickForm {
    position: i64,
    done: bool,
}

pub(super) async fn tick(
    State(state): State<HttpState>,
    panel: Panel,
    Path(raw): Path<String>,
    Form(f): Form<TickForm>,
) -> Result<Response, WebError> {
    panel.require(Permission::TasksWorkOwn)?;
    let id = task_id(&raw)?;
    let checks = vec![CheckItem {
        position: f.position,
        done: f.done,
    }];
    tasks::set_check(&state.app, &panel.who, id, checks).await?;
    Ok(back(&raw))
}

/// The planned items: `slot`, `product_id`, `planned_qty` triples in order (an empty or zero quantity
/// plans nothing for that slot).
pub(super) async fn items(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Path(raw): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    panel.require(Permission::TasksManage)?;
    let id = task_id(&raw)?;
    let (mut slot, mut product, mut planned) = (None, None, Vec::new());
    for (k, v) in fields {
        let v = v.trim().to_owned();
        match k.as_str() {
            "slot" => slot = Some(v),
            "product_id" => product = Some(v),
            "planned_qty" => {
                let (Some(s), Some(p)) = (slot.take(), product.take()) else {
                    return Err(bad("planned_qty", "names no slot").into());
                };
                if v.is_empty() {
                    continue;
                }
                let qty: i64 = v
                    .parse()
                    .map_err(|_| bad(&format!("planned_qty ({s})"), "must be a whole number"))?;
                if qty > 0 {
                    planned.push(NewItem {
                        product_id: p,
                        slot: Some(s),
                        planned_qty: qty,
                    });
                }
            }
            _ => {}
        }
    }
    tasks::set_items(&state.app, &panel.who, id, planned, &meta).await?;
    Ok(back(&raw))
}

#[cfg(test)]
mod tests {
    use super::tiyin;

    #[test]
    fn amounts_in_sum_become_tiyin() {
        assert_eq!(tiyin("c", "150000").ok(), Some(15_000_000));
        assert_eq!(tiyin("c", "150 000").ok(), Some(15_000_000));
        assert_eq!(tiyin("c", "1500,5").ok(), Some(150_050));
        assert_eq!(tiyin("c", "0.05").ok(), Some(5));
        assert!(tiyin("c", "-1").is_err());
        assert!(tiyin("c", "1.234").is_err());
        assert!(tiyin("c", "abc").is_err());
        assert!(tiyin("c", "").is_err());
    }
}
