//! One case per id a request carries in a body, a query or a stock holder, one file per area; the cases
//! come out in the same order as when they were one list.

mod filters;
mod machines;
mod stock;
mod tasks;

use reqwest::Method;

use super::World;
use super::fields::{Build, Case, In};

/// The cases collected so far.
pub(super) struct Cases {
    out: Vec<Case>,
}

impl Cases {
    #[expect(
        clippy::too_many_arguments,
        reason = "one argument per column of the case table"
    )]
    fn add(
        &mut self,
        method: Method,
        template: &'static str,
        field: &'static str,
        place: In,
        a: Vec<String>,
        own: Option<String>,
        build: Build,
    ) {
        self.out.push(Case {
            method,
            template,
            field,
            place,
            build,
            a,
            b: own,
            as_machine: template.starts_with("/api/v1/gateway/"),
        });
    }
}

pub(super) fn cases(w: &World) -> Vec<Case> {
    let mut c = Cases { out: Vec::new() };
    filters::filters(w, &mut c);
    stock::movements(w, &mut c);
    machines::machines(w, &mut c);
    tasks::tasks(w, &mut c);
    stock::stocktake_counts(w, &mut c);
    c.out
}
