//! Staff roles and the explicit permission set of each (DOMAIN.md "Organizations, people, access").

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Admin,
    Manager,
    Accountant,
    Warehouse,
    Operator,
    Viewer,
}

/// Something a user may do. Roles grant explicit sets of these; there is no numeric hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Create another organization (an owner running a franchise).
    OrganizationCreate,
    OrganizationDelete,
    BillingManage,
    UsersManage,
    IntegrationsManage,
    SettingsManage,
    FleetManage,
    FleetRead,
    TasksManage,
    TasksWorkOwn,
    StockManage,
    StockRead,
    StockOwn,
    FinanceManage,
    FinanceRead,
    ReportsRead,
    CashCollect,
    /// Review and confirm cash collections (over/short).
    CollectionsReview,
    AuditRead,
    DashboardsRead,
}

impl Role {
    pub const ALL: [Self; 7] = [
        Self::Owner,
        Self::Admin,
        Self::Manager,
        Self::Accountant,
        Self::Warehouse,
        Self::Operator,
        Self::Viewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Manager => "manager",
            Self::Accountant => "accountant",
            Self::Warehouse => "warehouse",
            Self::Operator => "operator",
            Self::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The explicit permission set of this role.
    pub fn permissions(self) -> &'static [Permission] {
        use Permission as P;
        const VIEWER: &[Permission] = &[P::DashboardsRead, P::FleetRead, P::StockRead, P::ReportsRead];
        const OPERATOR: &[Permission] = &[
            P::DashboardsRead,
            P::FleetRead,
            P::TasksWorkOwn,
            P::StockOwn,
            P::CashCollect,
        ];
        const WAREHOUSE: &[Permission] = &[P::DashboardsRead, P::FleetRead, P::StockRead, P::StockManage];
        const ACCOUNTANT: &[Permission] = &[
            P::DashboardsRead,
            P::FleetRead,
            P::StockRead,
            P::FinanceRead,
            P::FinanceManage,
            P::ReportsRead,
            P::CollectionsReview,
        ];
        const MANAGER: &[Permission] = &[
            P::DashboardsRead,
            P::FleetRead,
            P::FleetManage,
            P::TasksManage,
            P::TasksWorkOwn,
            P::StockRead,
            P::ReportsRead,
            P::FinanceRead,
            P::CollectionsReview,
        ];
        const ADMIN: &[Permission] = &[
            P::DashboardsRead,
            P::FleetRead,
            P::FleetManage,
            P::TasksManage,
            P::TasksWorkOwn,
            P::StockRead,
            P::ReportsRead,
            P::FinanceRead,
            P::UsersManage,
            P::IntegrationsManage,
            P::SettingsManage,
            P::AuditRead,
            P::CollectionsReview,
        ];
        const OWNER: &[Permission] = &[
            P::DashboardsRead,
            P::FleetRead,
            P::FleetManage,
            P::TasksManage,
            P::TasksWorkOwn,
            P::StockRead,
            P::StockManage,
            P::StockOwn,
            P::ReportsRead,
            P::FinanceRead,
            P::FinanceManage,
            P::CashCollect,
            P::CollectionsReview,
            P::UsersManage,
            P::IntegrationsManage,
            P::SettingsManage,
            P::AuditRead,
            P::BillingManage,
            P::OrganizationCreate,
            P::OrganizationDelete,
        ];
        match self {
            Self::Owner => OWNER,
            Self::Admin => ADMIN,
            Self::Manager => MANAGER,
            Self::Accountant => ACCOUNTANT,
            Self::Warehouse => WAREHOUSE,
            Self::Operator => OPERATOR,
            Self::Viewer => VIEWER,
        }
    }

    pub fn can(self, permission: Permission) -> bool {
        self.permissions().contains(&permission)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_owner_may_delete_the_organization_or_manage_billing() {
        for role in Role::ALL {
            assert_eq!(
                role.can(Permission::OrganizationDelete),
                role == Role::Owner,
                "{role:?}"
            );
            assert_eq!(
                role.can(Permission::BillingManage),
                role == Role::Owner,
                "{role:?}"
            );
        }
    }

    #[test]
    fn a_viewer_can_change_nothing() {
        let writes = [
            Permission::FleetManage,
            Permission::TasksManage,
            Permission::StockManage,
            Permission::FinanceManage,
            Permission::UsersManage,
        ];
        for p in writes {
            assert!(!Role::Viewer.can(p));
        }
    }

    #[test]
    fn admin_has_everything_a_manager_has() {
        for p in Role::Manager.permissions() {
            assert!(Role::Admin.can(*p), "{p:?}");
        }
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
    }
}
