//! Which `Host` headers the proxy answers: a defence against DNS rebinding,
//! where a web page on another site points its own host name at 127.0.0.1
//! and then calls the proxy as if it were that site. The browser sends the
//! attacker's host name in `Host`, so refusing names the operator did not
//! choose stops it.

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;

use crate::error::AppError;

/// The names a proxy on a loopback address answers to.
const LOOPBACK_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];

#[derive(Clone, Debug, PartialEq)]
pub enum HostPolicy {
    /// `localhost`, `127.0.0.1` and `[::1]`, on any port: the default, and
    /// all a proxy on a loopback address can be reached by.
    Loopback,
    /// These host names (lower case, without a port), for a proxy behind a
    /// domain name (`KLEIO_ALLOWED_HOSTS=kleio.example.org`).
    Only(Vec<String>),
    /// Any host name (`KLEIO_ALLOWED_HOSTS=*`): what a proxy on a public
    /// address without a configured name gets, since every client reaches
    /// it directly anyway.
    Any,
}

impl HostPolicy {
    /// Reads `KLEIO_ALLOWED_HOSTS`: `*`, or names separated by commas.
    pub fn parse(value: &str) -> HostPolicy {
        if value.trim() == "*" {
            return HostPolicy::Any;
        }
        HostPolicy::Only(value.split(',').map(|h| h.trim().to_ascii_lowercase()).filter(|h| !h.is_empty()).collect())
    }

    pub fn allows(&self, host_header: &str) -> bool {
        let name = host_name(host_header);
        match self {
            HostPolicy::Any => true,
            HostPolicy::Loopback => LOOPBACK_NAMES.contains(&name.as_str()),
            HostPolicy::Only(names) => names.contains(&name),
        }
    }
}

/// The host name of a `Host` header, lower case, without its port.
fn host_name(host_header: &str) -> String {
    let host = host_header.trim();
    let name = if host.starts_with('[') {
        // An IPv6 literal keeps its brackets; the port comes after them.
        host.find(']').map(|end| &host[..=end]).unwrap_or(host)
    } else {
        host.rsplit_once(':').map(|(name, _)| name).unwrap_or(host)
    };
    name.trim_end_matches('.').to_ascii_lowercase()
}

pub async fn check_host(State(policy): State<HostPolicy>, request: Request, next: Next) -> Result<Response, AppError> {
    // A request without the header (HTTP/1.0, or a test through `oneshot`)
    // does not come from a browser, which always sends one.
    let host = request.headers().get(header::HOST).map(|h| h.to_str().unwrap_or("\u{fffd}"));
    match host {
        Some(host) if !policy.allows(host) => Err(AppError::Forbidden(format!(
            "this proxy does not answer to the host name {:?}; set KLEIO_ALLOWED_HOSTS to the names it is reached by",
            host_name(host)
        ))),
        _ => Ok(next.run(request).await),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_pass_on_any_port_and_other_names_do_not() {
        let p = HostPolicy::Loopback;
        for ok in ["localhost", "localhost:8080", "127.0.0.1:18080", "[::1]:80", "LOCALHOST.:8080"] {
            assert!(p.allows(ok), "{ok}");
        }
        for refused in ["evil.example:8080", "127.0.0.1.evil.example", "localhost.evil.example:8080", "[::2]:80", ""] {
            assert!(!p.allows(refused), "{refused}");
        }
    }

    #[test]
    fn configured_names_and_any() {
        let p = HostPolicy::parse(" Kleio.Example.org , class.example ");
        assert!(p.allows("kleio.example.org") && p.allows("class.example:443"));
        assert!(!p.allows("localhost:8080"));
        assert_eq!(HostPolicy::parse("*"), HostPolicy::Any);
        assert!(HostPolicy::Any.allows("anything:1"));
    }
}
