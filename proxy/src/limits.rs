//! Limits on what clients may ask: conversation length, request rate, and
//! the optional access token of public deployments.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use kleio_core::analyst::ConversationText;
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::secret::Secret;
use crate::spend::OPEN_ACCESS;

/// Bytes per token, roughly: English runs about four, most other scripts
/// fewer characters but more bytes per character, so bytes / 4 is a fair
/// budget for both.
const BYTES_PER_TOKEN: usize = 4;
const TRUNCATION_MARK: &str = " […the rest of the conversation was cut to fit the length limit]";

/// Keeps the conversation's start up to about `max_tokens` tokens: the
/// opening turns say what the person wanted. Returns whether it cut anything.
pub fn truncate_conversation(c: &mut ConversationText, max_tokens: usize) -> bool {
    let mut budget = max_tokens.saturating_mul(BYTES_PER_TOKEN);
    for (i, m) in c.messages.iter_mut().enumerate() {
        if m.content.len() <= budget {
            budget -= m.content.len();
            continue;
        }
        let mut cut = budget;
        while !m.content.is_char_boundary(cut) {
            cut -= 1;
        }
        m.content.truncate(cut);
        m.content.push_str(TRUNCATION_MARK);
        c.messages.truncate(i + 1);
        return true;
    }
    false
}

/// Requests per minute per client address.
#[derive(Clone)]
pub struct ClientRateLimit {
    limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

impl ClientRateLimit {
    pub fn per_minute(n: u32) -> Self {
        let n = NonZeroU32::new(n.max(1)).expect("at least one");
        ClientRateLimit { limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(n))) }
    }

    /// Forgets the addresses whose buckets are full again: without it the map
    /// holds every address that ever called.
    pub fn prune(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

pub async fn rate_limit(State(limit): State<ClientRateLimit>, request: Request, next: Next) -> Result<Response, AppError> {
    // Behind no proxy the peer address is the client. Tests through
    // `oneshot` have no peer; they share one bucket.
    let ip = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    match limit.limiter.check_key(&ip) {
        Ok(()) => Ok(next.run(request).await),
        Err(not_until) => {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(&governor::clock::DefaultClock::default()));
            Err(AppError::RateLimited { retry_after_secs: wait.as_secs().max(1) })
        }
    }
}

/// The access tokens, compared by digest so the comparison takes the same
/// time whatever prefix matches.
#[derive(Clone)]
pub struct AccessTokens {
    digests: Arc<[[u8; 32]]>,
}

impl AccessTokens {
    pub fn new(tokens: &[Secret]) -> Self {
        AccessTokens { digests: tokens.iter().map(|t| Sha256::digest(t.expose().as_bytes()).into()).collect() }
    }
}

/// Which access token a request came with, for the spending caps: the first
/// 16 hex digits of its SHA-256 (never the token), or `OPEN_ACCESS` when the
/// proxy has none.
#[derive(Clone, Debug)]
pub struct TokenId(pub Arc<str>);

pub async fn require_token(State(tokens): State<AccessTokens>, mut request: Request, next: Next) -> Result<Response, AppError> {
    if tokens.digests.is_empty() {
        request.extensions_mut().insert(TokenId(Arc::from(OPEN_ACCESS)));
        return Ok(next.run(request).await);
    }
    let given = request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).unwrap_or("");
    let given: [u8; 32] = Sha256::digest(given.trim().as_bytes()).into();
    // Every digest is compared, so the time does not tell which token matched.
    let matched = tokens.digests.iter().fold(None, |found, d| if *d == given { Some(d) } else { found });
    match matched {
        Some(digest) => {
            let id: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
            request.extensions_mut().insert(TokenId(Arc::from(id)));
            Ok(next.run(request).await)
        }
        None => Err(AppError::Unauthorized),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kleio_core::model::{Message, Role};

    #[test]
    fn long_conversations_keep_their_start_and_say_they_were_cut() {
        let msg = |role, s: &str| Message { role, content: s.to_string() };
        let mut c = ConversationText { messages: vec![msg(Role::User, &"é".repeat(300)), msg(Role::Assistant, "later"), msg(Role::User, "last")] };
        assert!(truncate_conversation(&mut c, 100));
        assert_eq!(c.messages.len(), 1);
        assert!(c.messages[0].content.starts_with("éé") && c.messages[0].content.ends_with("length limit]"));
        let mut short = ConversationText { messages: vec![msg(Role::User, "hi")] };
        assert!(!truncate_conversation(&mut short, 100));
        assert_eq!(short.messages[0].content, "hi");
    }
}
