//! The closed sets of the domain (statuses, kinds, roles...) as enums of the schemas and query parameters
//! they apply to.

use serde_json::{Value, json};
use vendhub_domain::dex::DeltaBasis;
use vendhub_domain::machine::{MachineStatus, MachineType};
use vendhub_domain::roles::Role;
use vendhub_domain::stock::{MovementKind, WriteOffReason};
use vendhub_domain::tasks::{PhotoCategory, Priority, TaskStatus, TaskType};

/// Where a closed set applies: a property of a component schema, or a query parameter of a path.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    Field(&'static str, &'static str),
    /// The items of an array property.
    Items(&'static str, &'static str),
    Query(&'static str, &'static str),
    /// A property of whichever `oneOf` variant of a component schema has it.
    Variant(&'static str, &'static str),
}

/// Every closed set the document declares, with its values taken from the Rust code.
pub fn closed_sets() -> Vec<(Target, Vec<&'static str>)> {
    let mut sets = domain_sets();
    sets.extend(app_sets());
    sets
}

/// The closed sets whose values are the domain's enums.
fn domain_sets() -> Vec<(Target, Vec<&'static str>)> {
    use Target::{Field, Items, Query};
    let task_types: Vec<_> = TaskType::ALL.iter().map(|t| t.as_str()).collect();
    let priorities: Vec<_> = Priority::ALL.iter().map(|t| t.as_str()).collect();
    let task_statuses: Vec<_> = TaskStatus::ALL.iter().map(|t| t.as_str()).collect();
    let roles: Vec<_> = Role::ALL.iter().map(|r| r.as_str()).collect();
    let kinds: Vec<_> = MovementKind::ALL.iter().map(|k| k.as_str()).collect();
    let machine_types: Vec<_> = MachineType::ALL.iter().map(|t| t.as_str()).collect();
    let machine_statuses: Vec<_> = MachineStatus::ALL.iter().map(|s| s.as_str()).collect();
    let settable: Vec<_> = MachineStatus::SETTABLE.iter().map(|s| s.as_str()).collect();
    let payments = vendhub_app::machines::PAYMENTS.to_vec();
    let photos: Vec<_> = PhotoCategory::ALL.iter().map(|c| c.as_str()).collect();
    let write_offs: Vec<_> = WriteOffReason::ALL.iter().map(|r| r.as_str()).collect();
    vec![
        (
            Field("PaymeRequest", "method"),
            vendhub_domain::payments::payme::Method::ALL
                .iter()
                .map(|m| m.as_str())
                .collect(),
        ),
        (Field("CreateTaskBody", "task_type"), task_types.clone()),
        (Field("CreateTaskBody", "priority"), priorities.clone()),
        (Field("TaskView", "task_type"), task_types.clone()),
        (Field("TaskView", "priority"), priorities.clone()),
        (Field("TaskView", "status"), task_statuses.clone()),
        (Field("PublicMachine", "status"), machine_statuses.clone()),
        (
            Query("/api/v1/orders", "status"),
            vendhub_domain::orders::OrderStatus::ALL
                .iter()
                .map(|s| s.as_str())
                .collect(),
        ),
        (
            Query("/api/v1/orders", "provider"),
            vendhub_domain::payments::Provider::ALL
                .iter()
                .map(|p| p.as_str())
                .collect(),
        ),
        (Query("/api/v1/tasks", "task_type"), task_types.clone()),
        (Query("/api/v1/tasks", "priority"), priorities.clone()),
        (Query("/api/v1/tasks", "status"), task_statuses.clone()),
        (Query("/api/v1/tasks/my", "task_type"), task_types),
        (Query("/api/v1/tasks/my", "priority"), priorities),
        (Query("/api/v1/tasks/my", "status"), task_statuses),
        (Field("PhotoForm", "category"), photos.clone()),
        (Field("PhotoView", "category"), photos),
        (Field("MachineBody", "status"), settable),
        (Field("MapPoint", "status"), machine_statuses.clone()),
        (Query("/api/v1/machines", "status"), machine_statuses.clone()),
        (Items("MachineView", "accepted_payments"), payments.clone()),
        (Items("MachineBody", "accepted_payments"), payments),
        (Field("WriteOffBody", "reason"), write_offs),
        (Query("/api/v1/inventory/movements", "kind"), kinds.clone()),
        (Field("MachineView", "machine_type"), machine_types.clone()),
        (Field("MachineBody", "machine_type"), machine_types.clone()),
        (Field("MachineView", "status"), machine_statuses.clone()),
        (Field("DashboardMachine", "status"), machine_statuses.clone()),
        (Field("DashboardStatusCount", "status"), machine_statuses),
        (
            Field("DashboardPaymentMethod", "payment_method"),
            vendhub_app::gateway::events::PAYMENT_METHODS.to_vec(),
        ),
        (Field("Member", "role"), roles.clone()),
        (Field("Assignee", "role"), roles.clone()),
        (Field("UserView", "role"), roles.clone()),
        (Field("CreateUserBody", "role"), roles.clone()),
        (Field("PatchBody", "role"), roles.clone()),
        (Field("InviteBody", "role"), roles.clone()),
        (Field("InviteView", "role"), roles.clone()),
        (Field("HolderName", "role"), roles.clone()),
        (Field("OrganizationView", "role"), roles),
        (Field("MovementView", "kind"), kinds),
        (Query("/api/v1/machines", "type"), machine_types),
        (
            Field("DexSale", "basis"),
            DeltaBasis::ALL.iter().map(|b| b.as_str()).collect(),
        ),
    ]
}

/// The closed sets whose values are the app's constant lists.
fn app_sets() -> Vec<(Target, Vec<&'static str>)> {
    use Target::{Field, Variant};
    vec![
        (
            Field("Member", "status"),
            vendhub_app::users::MEMBER_STATUSES.to_vec(),
        ),
        (
            Field("StocktakeView", "status"),
            vendhub_app::stocktakes::STATUSES.to_vec(),
        ),
        (
            Field("EventOutcome", "status"),
            vendhub_app::gateway::events::OUTCOMES.to_vec(),
        ),
        (
            Variant("GatewayEvent", "payment_method"),
            vendhub_app::gateway::events::PAYMENT_METHODS.to_vec(),
        ),
        (
            Field("RecentSale", "payment_method"),
            vendhub_app::gateway::events::PAYMENT_METHODS.to_vec(),
        ),
        (
            Field("LocationBody", "contract_type"),
            vendhub_app::locations::CONTRACT_TYPES.to_vec(),
        ),
        (
            Field("LocationView", "contract_type"),
            vendhub_app::locations::CONTRACT_TYPES.to_vec(),
        ),
        (
            Field("ProductBody", "unit"),
            vendhub_app::products::UNITS.to_vec(),
        ),
        (
            Field("ProductView", "unit"),
            vendhub_app::products::UNITS.to_vec(),
        ),
        (
            Field("NewOrder", "language"),
            vendhub_app::organizations::LANGUAGES.to_vec(),
        ),
        (
            Field("PublicMachine", "language"),
            vendhub_app::organizations::LANGUAGES.to_vec(),
        ),
        (
            Field("OrganizationBody", "language"),
            vendhub_app::organizations::LANGUAGES.to_vec(),
        ),
        (
            Field("OrganizationView", "language"),
            vendhub_app::organizations::LANGUAGES.to_vec(),
        ),
        (
            Field("TokenPair", "token_type"),
            vec![vendhub_app::auth::login::TOKEN_TYPE],
        ),
    ]
}

pub(super) fn target_schema(doc: &mut Value, target: Target) -> Option<&mut Value> {
    match target {
        Target::Field(schema, field) => {
            doc.pointer_mut(&format!("/components/schemas/{schema}/properties/{field}"))
        }
        Target::Items(schema, field) => {
            doc.pointer_mut(&format!("/components/schemas/{schema}/properties/{field}/items"))
        }
        Target::Query(path, param) => doc
            .pointer_mut(&format!("/paths/{}/get/parameters", path.replace('/', "~1")))?
            .as_array_mut()?
            .iter_mut()
            .find(|p| p["in"] == "query" && p["name"] == param)?
            .get_mut("schema"),
        Target::Variant(schema, field) => doc
            .pointer_mut(&format!("/components/schemas/{schema}/oneOf"))?
            .as_array_mut()?
            .iter_mut()
            .find_map(|v| v.pointer_mut(&format!("/properties/{field}"))),
    }
}

/// Turns a string schema (possibly nullable) into an enum of `values`, keeping its description.
pub(super) fn set_enum(schema: &mut Value, values: &[&str]) {
    let Some(obj) = schema.as_object_mut() else { return };
    let nullable = obj
        .get("type")
        .and_then(Value::as_array)
        .is_some_and(|t| t.iter().any(|x| x == "null"));
    let mut list: Vec<Value> = values.iter().map(|s| json!(s)).collect();
    if nullable {
        list.push(Value::Null);
    }
    obj.insert("enum".into(), Value::Array(list));
}
