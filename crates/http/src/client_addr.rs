//! Who the client is when a reverse proxy stands in front of us: `X-Forwarded-For` and RFC 7239
//! `Forwarded` are believed only from hops in `TRUSTED_PROXIES`, walking from the socket peer towards the
//! client and stopping at the first address that is not a trusted proxy. Rate limits, the audit log and
//! the logs all use the address found here.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;

use crate::HttpState;

/// The client's address, as resolved for this request (a request extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

fn trusted(ip: IpAddr, proxies: &[IpNet]) -> bool {
    proxies.iter().any(|net| net.contains(&ip))
}

/// One hop as a proxy wrote it: `203.0.113.7`, `203.0.113.7:5123`, `[2001:db8::1]:443`, `"[::1]"`.
fn hop(raw: &str) -> Option<IpAddr> {
    let s = raw.trim().trim_matches('"');
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Ok(sock) = s.parse::<SocketAddr>() {
        return Some(sock.ip().to_canonical());
    }
    let inner = s.strip_prefix('[')?.split(']').next()?;
    inner.parse::<IpAddr>().ok().map(|ip| ip.to_canonical())
}

/// The hops the proxies recorded, client first: `Forwarded` when present, else `X-Forwarded-For`
/// (every header line, in order). `None` for a hop that is not an address (`unknown`, garbage).
fn hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let forwarded: Vec<Option<IpAddr>> = headers
        .get_all("forwarded")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (k, v) = pair.split_once('=')?;
                k.trim().eq_ignore_ascii_case("for").then(|| hop(v))
            })
        })
        .collect();
    if !forwarded.is_empty() {
        return forwarded;
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .map(|v| v.to_str().ok())
        .flat_map(|v| match v {
            Some(v) => v.split(',').map(hop).collect::<Vec<_>>(),
            None => vec![None],
        })
        .collect()
}

/// The client's address: the socket peer unless it is a trusted proxy; then the nearest hop the chain of
/// trusted proxies reports that is not itself trusted. A hop that is not an address ends the walk at the
/// proxy that wrote it.
pub fn resolve(peer: IpAddr, headers: &HeaderMap, proxies: &[IpNet]) -> IpAddr {
    let mut client = peer.to_canonical();
    if !trusted(client, proxies) {
        return client;
    }
    for reported in hops(headers).into_iter().rev() {
        let Some(ip) = reported else {
            return client;
        };
        client = ip;
        if !trusted(ip, proxies) {
            return ip;
        }
    }
    client
}

/// Resolves the client's address once per request and records it as [`ClientAddr`].
pub async fn layer(State(state): State<HttpState>, mut req: Request, next: Next) -> Response {
    if let Some(peer) = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
    {
        let ip = resolve(peer, req.headers(), &state.config.trusted_proxies);
        req.extensions_mut().insert(ClientAddr(ip));
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(axum::http::HeaderName::from_static(k), v.parse().unwrap());
        }
        h
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().unwrap()).collect()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let h = headers(&[("x-forwarded-for", "1.2.3.4"), ("forwarded", "for=5.6.7.8")]);
        assert_eq!(
            resolve(ip("198.51.100.9"), &h, &nets(&["10.0.0.0/8"])),
            ip("198.51.100.9")
        );
        assert_eq!(
            resolve(ip("10.0.0.2"), &h, &[]),
            ip("10.0.0.2"),
            "no proxies trusted"
        );
    }

    #[test]
    fn the_nearest_untrusted_hop_behind_trusted_proxies_is_the_client() {
        let proxies = nets(&["10.0.0.0/8", "fd00::/8"]);
        let h = headers(&[("x-forwarded-for", "6.6.6.6, 203.0.113.7, 10.1.1.1")]);
        // The client may have sent a spoofed first hop: only what trusted proxies added counts.
        assert_eq!(resolve(ip("10.0.0.2"), &h, &proxies), ip("203.0.113.7"));
        let split = headers(&[("x-forwarded-for", "6.6.6.6"), ("x-forwarded-for", "203.0.113.8")]);
        assert_eq!(resolve(ip("10.0.0.2"), &split, &proxies), ip("203.0.113.8"));
        let v6 = headers(&[("x-forwarded-for", "2001:db8::5")]);
        assert_eq!(resolve(ip("fd00::1"), &v6, &proxies), ip("2001:db8::5"));
    }

    #[test]
    fn forwarded_is_read_with_ports_brackets_and_quotes() {
        let proxies = nets(&["127.0.0.1/32"]);
        let h = headers(&[(
            "forwarded",
            "for=192.0.2.60;proto=http, for=\"[2001:db8:cafe::17]:4711\"",
        )]);
        assert_eq!(resolve(ip("127.0.0.1"), &h, &proxies), ip("2001:db8:cafe::17"));
        let port = headers(&[("x-forwarded-for", "192.0.2.61:5123")]);
        assert_eq!(resolve(ip("127.0.0.1"), &port, &proxies), ip("192.0.2.61"));
    }

    #[test]
    fn mapped_addresses_and_garbage() {
        let proxies = nets(&["127.0.0.0/8"]);
        let mapped = ip("::ffff:127.0.0.1");
        let h = headers(&[("x-forwarded-for", "::ffff:192.0.2.1")]);
        assert_eq!(resolve(mapped, &h, &proxies), ip("192.0.2.1"));
        let garbage = headers(&[("x-forwarded-for", "192.0.2.1, not-an-ip")]);
        assert_eq!(resolve(ip("127.0.0.1"), &garbage, &proxies), ip("127.0.0.1"));
        let all_trusted = headers(&[("x-forwarded-for", "127.0.0.9")]);
        assert_eq!(resolve(ip("127.0.0.1"), &all_trusted, &proxies), ip("127.0.0.9"));
        assert_eq!(
            resolve(ip("127.0.0.1"), &HeaderMap::new(), &proxies),
            ip("127.0.0.1")
        );
    }
}
