//! The demo staff: a manager and three operators, all with one generated password.

use vendhub_domain::ids::UserId;
use vendhub_domain::roles::Role;
use vendhub_store::{StoreError, TenantScope, users};

/// (email, full name, role)
pub(super) const STAFF: [(&str, &str, Role); 4] = [
    ("manager@demo.vendhub.uz", "Dilshod Karimov", Role::Manager),
    ("operator1@demo.vendhub.uz", "Aziz Rahimov", Role::Operator),
    ("operator2@demo.vendhub.uz", "Bekzod Tursunov", Role::Operator),
    ("operator3@demo.vendhub.uz", "Sardor Aliyev", Role::Operator),
];

/// The staff as members of the organization; returns the operators' user ids, in order.
pub(super) fn insert(
    conn: &mut vendhub_store::DbConn,
    scope: &TenantScope,
    hash: &str,
) -> Result<Vec<String>, StoreError> {
    let org = scope.id();
    let mut operators = Vec::new();
    for (email, name, role) in &STAFF {
        let id = UserId::new();
        users::insert_member(
            conn,
            scope,
            &users::NewMember {
                id,
                organization_id: org,
                email,
                full_name: name,
                password_hash: hash,
                role: *role,
            },
        )?;
        if *role == Role::Operator {
            operators.push(id.to_string());
        }
    }
    Ok(operators)
}
