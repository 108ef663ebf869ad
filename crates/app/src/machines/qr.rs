//! The QR code of a machine: the URL of its customer page (`/app/m/{number}?org={slug}`: a number is
//! unique within its organization only).

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};
use vendhub_domain::ids::MachineId;

use super::get;
use crate::auth::Principal;
use crate::{App, AppError};

/// What a path segment keeps as it is (RFC 3986 unreserved); everything else is percent-encoded.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The URL a machine's QR code opens: its customer page.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn qr_target(app: &App, who: &Principal, id: MachineId) -> Result<String, AppError> {
    let m = get(app, who, id).await?;
    let scope = who.scope().clone();
    let slug = app
        .read(move |c| Ok(vendhub_store::organizations::get(c, &scope)?.map(|o| o.slug)))
        .await?
        .ok_or(AppError::NotFound)?;
    let number = percent_encoding::utf8_percent_encode(&m.number, UNRESERVED);
    let slug = percent_encoding::utf8_percent_encode(&slug, UNRESERVED);
    Ok(format!("{}/app/m/{number}?org={slug}", app.settings().public_url))
}

#[cfg(test)]
mod tests {
    use super::UNRESERVED;

    #[test]
    fn a_machine_number_is_one_path_segment_whatever_it_holds() {
        let encoded = percent_encoding::utf8_percent_encode("M 01/Ж-a_b.c~", UNRESERVED).to_string();
        assert_eq!(encoded, "M%2001%2F%D0%96-a_b.c~");
    }
}
