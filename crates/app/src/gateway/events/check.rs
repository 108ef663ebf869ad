//! Reading a batch's events and checking each on its own, naming every bad one by its index.

use chrono::{DateTime, Utc};
use vendhub_domain::stock::SlotCode;

use super::{GatewayEvent, IngestError, MAX_BATCH, PAYMENT_METHODS};
use crate::error::FieldError;

fn text_ok(s: &str, max: usize) -> bool {
    !s.trim().is_empty() && s.chars().count() <= max && !s.chars().any(char::is_control)
}

fn range(field: &str, v: Option<f64>, lo: f64, hi: f64, problems: &mut Vec<String>) {
    if let Some(x) = v
        && !(x.is_finite() && (lo..=hi).contains(&x))
    {
        problems.push(format!("{field} must be between {lo} and {hi}"));
    }
}

/// The rules an event must keep on its own (the slot's existence is checked against the planogram).
fn check(event: &GatewayEvent, now: DateTime<Utc>) -> Vec<String> {
    let mut problems = Vec::new();
    if !text_ok(event.id(), 100) {
        problems.push("id must be 1 to 100 printable characters".into());
    }
    if event
        .at()
        .is_some_and(|at| at > now + chrono::TimeDelta::hours(1))
    {
        problems.push("at is more than an hour in the future".into());
    }
    match event {
        GatewayEvent::Heartbeat { .. } => {}
        GatewayEvent::Telemetry {
            temperature,
            humidity,
            signal,
            error_codes,
            ..
        } => {
            range("temperature", *temperature, -60.0, 150.0, &mut problems);
            range("humidity", *humidity, 0.0, 100.0, &mut problems);
            range("signal", signal.map(f64::from), -200.0, 100.0, &mut problems);
            if error_codes.len() > 50 || !error_codes.iter().all(|c| text_ok(c, 50)) {
                problems.push("error_codes must be at most 50 codes of 1 to 50 characters".into());
            }
        }
        GatewayEvent::Vend {
            slot,
            price,
            payment_method,
            ..
        } => {
            if SlotCode::parse(slot).is_err() {
                problems.push(format!("slot {slot:?} is not a slot code (A1, B12…)"));
            }
            if !(0..=1_000_000_000_000).contains(price) {
                problems.push("price must be 0 to 10^12 tiyin".into());
            }
            if !PAYMENT_METHODS.contains(&payment_method.as_str()) {
                problems.push(format!(
                    "payment_method must be one of {}",
                    PAYMENT_METHODS.join(", ")
                ));
            }
        }
        GatewayEvent::Error { code, message, .. } => {
            if !text_ok(code, 50) {
                problems.push("code must be 1 to 50 printable characters".into());
            }
            if message.as_ref().is_some_and(|m| m.chars().count() > 1000) {
                problems.push("message must be at most 1000 characters".into());
            }
        }
    }
    problems
}

/// Reads every event of a batch, or says what is wrong with each bad one.
pub fn parse(raw: Vec<serde_json::Value>) -> Result<Vec<GatewayEvent>, IngestError> {
    if raw.len() > MAX_BATCH {
        return Err(IngestError::TooMany { count: raw.len() });
    }
    if raw.is_empty() {
        return Err(IngestError::Invalid(vec![FieldError::new(
            "events",
            "a batch holds 1 to 1000 events",
        )]));
    }
    let now = Utc::now();
    let mut events = Vec::with_capacity(raw.len());
    let mut errors = Vec::new();
    for (i, value) in raw.into_iter().enumerate() {
        match serde_json::from_value::<GatewayEvent>(value) {
            Ok(e) => {
                let problems = check(&e, now);
                if problems.is_empty() {
                    events.push(e);
                } else {
                    errors.push(FieldError::new(format!("events[{i}]"), problems.join("; ")));
                }
            }
            Err(e) => errors.push(FieldError::new(format!("events[{i}]"), e.to_string())),
        }
    }
    if errors.is_empty() {
        Ok(events)
    } else {
        Err(IngestError::Invalid(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_events_are_named_by_index() {
        let raw = vec![
            serde_json::json!({ "type": "heartbeat", "id": "a" }),
            serde_json::json!({ "type": "vend", "id": "b", "slot": "??", "price": -1, "payment_method": "gold" }),
            serde_json::json!({ "type": "teleport", "id": "c" }),
        ];
        let Err(IngestError::Invalid(errors)) = parse(raw) else {
            panic!("refused");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["events[1]", "events[2]"]);
        assert!(errors[0].message.contains("price"), "{}", errors[0].message);
    }
}
