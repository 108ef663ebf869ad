//! Locations: where machines stand, with address, coordinates, contact, hours and contract terms; search
//! and "nearby" by distance.

use serde::Serialize;
use vendhub_domain::ids::LocationId;
use vendhub_store::locations::{self, LocationRow};
use vendhub_store::{audit, machines};

use crate::audit_record::Record;
use crate::auth::{Principal, RequestMeta};
use crate::error::FieldError;
use crate::paging::{PageRequest, Paged};
use crate::{App, AppError};

/// How a location is paid for: a fixed monthly rent or a share of revenue.
pub const CONTRACT_TYPES: [&str; 2] = ["rent", "revenue_share"];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LocationView {
    pub id: String,
    pub name: String,
    pub address: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub opening_hours: Option<String>,
    /// `rent` or `revenue_share`.
    pub contract_type: String,
    /// Monthly rent, tiyin.
    pub rent_amount: i64,
    pub revenue_share_percent: i32,
    /// Only in "nearby" answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
}

fn view(l: LocationRow) -> LocationView {
    LocationView {
        id: l.id,
        name: l.name,
        address: l.address,
        latitude: l.latitude,
        longitude: l.longitude,
        contact_name: l.contact_name,
        contact_phone: l.contact_phone,
        opening_hours: l.opening_hours,
        contract_type: l.contract_type,
        rent_amount: l.rent_amount,
        revenue_share_percent: l.revenue_share_percent,
        distance_km: None,
    }
}

#[derive(Debug, Clone, Default)]
pub struct LocationInput {
    pub name: String,
    pub address: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub opening_hours: Option<String>,
    pub contract_type: Option<String>,
    pub rent_amount: Option<i64>,
    pub revenue_share_percent: Option<i32>,
}

fn validate(i: &LocationInput) -> Vec<FieldError> {
    let mut e = Vec::new();
    if i.name.trim().is_empty() || i.name.chars().count() > 200 {
        e.push(FieldError::new("name", "must be 1 to 200 characters"));
    }
    if i.address.chars().count() > 500 {
        e.push(FieldError::new("address", "must be at most 500 characters"));
    }
    if i.latitude.is_some() != i.longitude.is_some() {
        e.push(FieldError::new(
            "latitude",
            "latitude and longitude come together",
        ));
    }
    if i.latitude
        .is_some_and(|v| !(-90.0..=90.0).contains(&v) || v.is_nan())
    {
        e.push(FieldError::new("latitude", "must be between -90 and 90"));
    }
    if i.longitude
        .is_some_and(|v| !(-180.0..=180.0).contains(&v) || v.is_nan())
    {
        e.push(FieldError::new("longitude", "must be between -180 and 180"));
    }
    if i.contract_type
        .as_ref()
        .is_some_and(|t| !CONTRACT_TYPES.contains(&t.as_str()))
    {
        e.push(FieldError::new("contract_type", "must be rent or revenue_share"));
    }
    if i.rent_amount.is_some_and(|r| r < 0) {
        e.push(FieldError::new("rent_amount", "must not be negative"));
    }
    if i.revenue_share_percent.is_some_and(|p| !(0..=100).contains(&p)) {
        e.push(FieldError::new("revenue_share_percent", "must be from 0 to 100"));
    }
    for (f, v) in [
        ("contact_name", &i.contact_name),
        ("contact_phone", &i.contact_phone),
        ("opening_hours", &i.opening_hours),
    ] {
        if v.as_ref().is_some_and(|s| s.chars().count() > 200) {
            e.push(FieldError::new(f, "must be at most 200 characters"));
        }
    }
    e
}

fn row(i: &LocationInput, id: String, org: String, created: chrono::NaiveDateTime) -> LocationRow {
    LocationRow {
        id,
        organization_id: org,
        name: i.name.trim().to_owned(),
        address: i.address.trim().to_owned(),
        latitude: i.latitude,
        longitude: i.longitude,
        contact_name: i.contact_name.clone(),
        contact_phone: i.contact_phone.clone(),
        opening_hours: i.opening_hours.clone(),
        contract_type: i.contract_type.clone().unwrap_or_else(|| "rent".into()),
        rent_amount: i.rent_amount.unwrap_or(0),
        revenue_share_percent: i.revenue_share_percent.unwrap_or(0),
        created_at: created,
        updated_at: vendhub_store::now(),
        deleted_at: None,
    }
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn create(
    app: &App,
    who: &Principal,
    input: LocationInput,
    meta: &RequestMeta,
) -> Result<LocationView, AppError> {
    let problems = validate(&input);
    if !problems.is_empty() {
        return Err(AppError::Validation(problems));
    }
    let r = row(
        &input,
        uuid::Uuid::now_v7().to_string(),
        who.organization_id().to_string(),
        app.now(),
    );
    let (stored, who2, meta) = (r.clone(), who.clone(), meta.clone());
    app.write(move |c| {
        locations::insert(c, who2.scope(), &stored)?;
        audit::append(
            c,
            &Record::new("location.create", "location", &stored.id)
                .by(&who2)
                .from(&meta)
                .after(serde_json::to_value(view(stored.clone())).ok())
                .done(),
        )?;
        Ok(())
    })
    .await?;
    Ok(view(r))
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn get(app: &App, who: &Principal, id: LocationId) -> Result<LocationView, AppError> {
    let scope = who.scope().clone();
    app.db()
        .run(move |c| locations::get(c, &scope, &id.to_string()))
        .await?
        .map(view)
        .ok_or(AppError::NotFound)
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn list(
    app: &App,
    who: &Principal,
    q: Option<String>,
    page: PageRequest,
) -> Result<Paged<LocationView>, AppError> {
    let scope = who.scope().clone();
    let (rows, total) = app
        .db()
        .run(move |c| locations::list(c, &scope, q.as_deref(), page.offset(), page.limit()))
        .await?;
    Ok(Paged::new(rows.into_iter().map(view).collect(), page, total))
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn update(
    app: &App,
    who: &Principal,
    id: LocationId,
    input: LocationInput,
    meta: &RequestMeta,
) -> Result<LocationView, AppError> {
    let problems = validate(&input);
    if !problems.is_empty() {
        return Err(AppError::Validation(problems));
    }
    let (who2, meta) = (who.clone(), meta.clone());
    app.write(move |c| {
        let Some(before) = locations::get(c, who2.scope(), &id.to_string())? else {
            return Err(AppError::NotFound);
        };
        let after = row(
            &input,
            before.id.clone(),
            before.organization_id.clone(),
            before.created_at,
        );
        locations::update(c, who2.scope(), &after)?;
        audit::append(
            c,
            &Record::new("location.update", "location", &after.id)
                .by(&who2)
                .from(&meta)
                .before(serde_json::to_value(view(before)).ok())
                .after(serde_json::to_value(view(after.clone())).ok())
                .done(),
        )?;
        Ok(view(after))
    })
    .await
}

/// Deletes a location that no machine stands at.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn delete(app: &App, who: &Principal, id: LocationId, meta: &RequestMeta) -> Result<(), AppError> {
    let (who2, meta, id) = (who.clone(), meta.clone(), id.to_string());
    app.write(move |c| {
        let Some(before) = locations::get(c, who2.scope(), &id)? else {
            return Err(AppError::NotFound);
        };
        let filter = machines::MachineFilter {
            location_id: Some(id.clone()),
            sort: "number".into(),
            ..Default::default()
        };
        let (_, standing) = machines::list(c, who2.scope(), &filter, 0, 1)?;
        if standing > 0 {
            return Err(crate::error::Rule::LocationHasMachines
                .refuse(format!("{standing} machine(s) stand here: move them first")));
        }
        locations::soft_delete(c, who2.scope(), &id)?;
        audit::append(
            c,
            &Record::new("location.delete", "location", &id)
                .by(&who2)
                .from(&meta)
                .before(serde_json::to_value(view(before)).ok())
                .done(),
        )?;
        Ok(())
    })
    .await
}

/// Great-circle distance in kilometres.
pub fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    const R: f64 = 6371.0;
    let (la1, lo1, la2, lo2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((la2 - la1) / 2.0).sin().powi(2) + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * R * h.sqrt().asin()
}

/// Locations within `radius_km` of a point, nearest first.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn nearby(
    app: &App,
    who: &Principal,
    lat: f64,
    lon: f64,
    radius_km: f64,
) -> Result<Vec<LocationView>, AppError> {
    let mut errors = Vec::new();
    if !(-90.0..=90.0).contains(&lat) {
        errors.push(FieldError::new("lat", "must be between -90 and 90"));
    }
    if !(-180.0..=180.0).contains(&lon) {
        errors.push(FieldError::new("lon", "must be between -180 and 180"));
    }
    if !(radius_km > 0.0 && radius_km <= 200.0) {
        errors.push(FieldError::new(
            "radius_km",
            "must be more than 0 and at most 200",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    // A bounding box in SQL, the exact distance here.
    let dlat = radius_km / 111.0;
    let dlon = radius_km / (111.0 * lat.to_radians().cos().abs().max(0.01));
    let scope = who.scope().clone();
    let rows = app
        .db()
        .run(move |c| locations::in_box(c, &scope, (lat - dlat, lat + dlat), (lon - dlon, lon + dlon)))
        .await?;
    let mut out: Vec<LocationView> = rows
        .into_iter()
        .filter_map(|l| {
            let d = haversine_km((lat, lon), (l.latitude?, l.longitude?));
            (d <= radius_km).then(|| LocationView {
                distance_km: Some((d * 1000.0).round() / 1000.0),
                ..view(l)
            })
        })
        .collect();
    out.sort_by(|a, b| {
        a.distance_km
            .partial_cmp(&b.distance_km)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_are_great_circle_kilometres() {
        let tashkent = (41.3111, 69.2797);
        let samarkand = (39.6542, 66.9597);
        let d = haversine_km(tashkent, samarkand);
        assert!((d - 270.0).abs() < 5.0, "{d}");
        assert!(haversine_km(tashkent, tashkent) < 1e-9);
    }
}
