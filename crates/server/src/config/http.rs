//! The HTTP edge's settings that need more than one read: the public URL, allowed CORS origins, and
//! the trusted reverse proxies (`TRUSTED_PROXIES`). The plain ones (`HOST`, `PORT`, `RATE_LIMIT_*`,
//! body limit, timeouts) are read in [`super::Config::from_map`].

use std::net::IpAddr;

use super::vars::Vars;

/// `VENDHUB_PUBLIC_URL`, without a trailing slash; defaults to localhost on `port`.
pub(super) fn public_url(v: &mut Vars<'_>, port: u16) -> String {
    let public_url = v
        .string("VENDHUB_PUBLIC_URL", &format!("http://localhost:{port}"))
        .trim_end_matches('/')
        .to_owned();
    if url::Url::parse(&public_url).is_err() {
        v.problem(
            "VENDHUB_PUBLIC_URL",
            format!("{public_url:?} is not a URL such as https://admin.vendhub.uz"),
        );
    }
    public_url
}

/// `TRUSTED_PROXIES`: CIDR blocks or single addresses, separated by commas or spaces.
pub(super) fn trusted_proxies(v: &mut Vars<'_>) -> Vec<ipnet::IpNet> {
    let raw = v.string("TRUSTED_PROXIES", "");
    let mut nets = Vec::new();
    for entry in raw.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()) {
        match entry
            .parse::<ipnet::IpNet>()
            .or_else(|_| entry.parse::<IpAddr>().map(ipnet::IpNet::from))
        {
            Ok(net) => nets.push(net),
            Err(_) => v.problem(
                "TRUSTED_PROXIES",
                format!("{entry:?} is not an address or CIDR block such as 10.0.0.0/8"),
            ),
        }
    }
    nets
}

pub(super) fn cors_origins(v: &mut Vars<'_>) -> Vec<String> {
    let cors_origins: Vec<String> = v
        .string("CORS_ORIGINS", "")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    for origin in &cors_origins {
        if url::Url::parse(origin).is_err() {
            v.problem(
                "CORS_ORIGINS",
                format!("{origin:?} is not an origin such as https://admin.example.uz"),
            );
        }
    }
    cors_origins
}

/// `MAP_TILE_URL`: the admin panel's map tiles, a Leaflet URL template such as
/// `https://tile.openstreetmap.org/{z}/{x}/{y}.png`. Unset: markers on a plain background (no outside
/// request, for sites with no internet).
pub(super) fn map_tile_url(v: &mut Vars<'_>) -> Option<String> {
    let url = v.opt("MAP_TILE_URL")?;
    let ok = (url.starts_with("https://") || url.starts_with("http://"))
        && ["{z}", "{x}", "{y}"].iter().all(|p| url.contains(p));
    if !ok {
        v.problem(
            "MAP_TILE_URL",
            format!("{url:?} is not a tile URL template such as https://tile.openstreetmap.org/{{z}}/{{x}}/{{y}}.png"),
        );
    }
    Some(url)
}
