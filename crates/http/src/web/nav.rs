//! The panel's navigation: which sections a role sees (DOMAIN.md's role table), and which is active.

use vendhub_domain::roles::Permission;

/// One entry of the navigation.
pub struct NavItem {
    /// Catalog key of its label.
    pub key: &'static str,
    pub href: &'static str,
    pub active: bool,
}

/// Every section, with the permission that shows it (any of them).
const SECTIONS: &[(&str, &str, &[Permission])] = &[
    ("nav.dashboard", "/admin", &[Permission::DashboardsRead]),
    ("nav.machines", "/admin/machines", &[Permission::FleetRead]),
    (
        "nav.tasks",
        "/admin/tasks",
        &[Permission::TasksManage, Permission::TasksWorkOwn],
    ),
    (
        "nav.stock",
        "/admin/stock",
        &[Permission::StockRead, Permission::StockOwn],
    ),
    (
        "nav.collections",
        "/admin/collections",
        &[Permission::CollectionsReview, Permission::CashCollect],
    ),
    ("nav.orders", "/admin/orders", &[Permission::FinanceRead]),
    ("nav.payments", "/admin/payments", &[Permission::FinanceRead]),
    ("nav.alerts", "/admin/alerts", &[Permission::DashboardsRead]),
    ("nav.reports", "/admin/reports", &[Permission::ReportsRead]),
    ("nav.users", "/admin/users", &[Permission::UsersManage]),
    ("nav.audit", "/admin/audit", &[Permission::AuditRead]),
    ("nav.settings", "/admin/settings", &[Permission::SettingsManage]),
];

/// The sections `permissions` may see, the one `path` is in marked active.
pub fn for_role(permissions: &[Permission], path: &str) -> Vec<NavItem> {
    SECTIONS
        .iter()
        .filter(|(_, _, needs)| needs.iter().any(|p| permissions.contains(p)))
        .map(|&(key, href, _)| NavItem {
            key,
            href,
            active: if href == "/admin" {
                path == "/admin" || path == "/admin/"
            } else {
                path == href || path.starts_with(&format!("{href}/"))
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use vendhub_domain::roles::Role;

    use super::*;

    fn keys(role: Role) -> Vec<&'static str> {
        for_role(role.permissions(), "/admin")
            .iter()
            .map(|n| n.key)
            .collect()
    }

    #[test]
    fn an_operator_sees_their_work_and_no_administration() {
        let k = keys(Role::Operator);
        assert!(k.contains(&"nav.tasks") && k.contains(&"nav.stock") && k.contains(&"nav.machines"));
        assert!(!k.contains(&"nav.users") && !k.contains(&"nav.audit") && !k.contains(&"nav.settings"));
    }

    #[test]
    fn an_owner_sees_every_section_and_a_viewer_only_reads() {
        assert_eq!(keys(Role::Owner).len(), SECTIONS.len());
        let k = keys(Role::Viewer);
        assert!(!k.contains(&"nav.tasks") && !k.contains(&"nav.users"));
    }

    #[test]
    fn the_section_of_a_sub_page_is_active() {
        let items = for_role(Role::Owner.permissions(), "/admin/machines/abc");
        let active: Vec<_> = items.iter().filter(|n| n.active).map(|n| n.key).collect();
        assert_eq!(active, ["nav.machines"]);
    }
}
