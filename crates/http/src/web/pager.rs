//! The links under a paged list: "page N of M", and the previous and next pages with the list's filters.

use vendhub_app::paging::PageMeta;

use super::i18n::Tr;

/// What the pager partial (`templates/admin/pager.html`) shows.
pub struct Pager {
    pub text: String,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// The pager of `meta` for the list at `base` (a path, with its own query if any, such as
    /// `/admin/tasks?view=list`), keeping `filters` (a query string starting with `&`, or empty).
    pub fn new(t: &Tr, meta: &PageMeta, base: &str, filters: &str) -> Self {
        let sep = if base.contains('?') { '&' } else { '?' };
        let link = |n: u32| format!("{base}{sep}page={n}{filters}");
        Self {
            text: t.fill(
                "common.page_of",
                &[("page", &meta.page), ("pages", &meta.total_pages)],
            ),
            prev: (meta.page > 1).then(|| link(meta.page - 1)),
            next: (i64::from(meta.page) < meta.total_pages).then(|| link(meta.page + 1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::{Lang, Tr};

    #[test]
    fn the_links_keep_the_filters_and_stop_at_the_ends() {
        let t = Tr::new(Lang::En, "UTC");
        let meta = |page, total_pages| PageMeta {
            page,
            limit: 50,
            total: 120,
            total_pages,
        };
        let first = Pager::new(&t, &meta(1, 3), "/admin/collections", "&machine_id=x");
        assert_eq!(first.prev, None);
        assert_eq!(
            first.next.as_deref(),
            Some("/admin/collections?page=2&machine_id=x")
        );
        assert_eq!(first.text, "Page 1 of 3");
        let last = Pager::new(&t, &meta(3, 3), "/admin/tasks?view=list", "");
        assert_eq!(last.prev.as_deref(), Some("/admin/tasks?view=list&page=2"));
        assert_eq!(last.next, None);
    }
}
