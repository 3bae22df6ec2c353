//! Retries with jittered exponential backoff that honour `retry-after`.

use std::future::Future;
use std::time::Duration;

use rand::Rng;

use super::UpstreamError;
use crate::config::RetryPolicy;

/// Runs `attempt` until it succeeds, fails with a permanent error, or the
/// policy's retries are spent. The delay before retry n is the server's
/// `retry-after` when it sent one, else a uniform draw from [0, base·2ⁿ]
/// ("full jitter"), so many clients that failed together do not return together.
pub async fn with_retries<T, F, Fut>(policy: &RetryPolicy, mut attempt: F) -> Result<T, UpstreamError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, UpstreamError>>,
{
    let mut retries = 0;
    loop {
        match attempt().await {
            Ok(v) => return Ok(v),
            Err(e) if e.is_transient() && retries < policy.max_retries => {
                let delay = e.retry_after().unwrap_or_else(|| {
                    let ceiling = policy.base_delay.saturating_mul(1 << retries.min(16));
                    Duration::from_secs_f64(rand::thread_rng().gen_range(0.0..=ceiling.as_secs_f64()))
                });
                let delay = delay.min(policy.max_delay);
                tracing::warn!("upstream call failed ({}); retry {} of {} in {delay:?}", e.kind(), retries + 1, policy.max_retries);
                tokio::time::sleep(delay).await;
                retries += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn policy(max_retries: u32) -> RetryPolicy {
        RetryPolicy { max_retries, base_delay: Duration::from_millis(1), ..RetryPolicy::default() }
    }

    #[tokio::test]
    async fn transient_errors_are_retried_and_permanent_ones_are_not() {
        let calls = AtomicU32::new(0);
        let r = with_retries(&policy(3), || async {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            if n < 2 {
                Err(UpstreamError::Status { status: 529, body: "overloaded".into(), retry_after: None })
            } else {
                Ok(n)
            }
        })
        .await;
        assert_eq!(r, Ok(2));

        let calls = AtomicU32::new(0);
        let r: Result<(), _> = with_retries(&policy(3), || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(UpstreamError::Status { status: 401, body: "bad key".into(), retry_after: None })
        })
        .await;
        assert!(r.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        let calls = AtomicU32::new(0);
        let r: Result<(), _> = with_retries(&policy(2), || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(UpstreamError::Timeout(Duration::from_millis(1)))
        })
        .await;
        assert!(r.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn retry_after_sets_the_delay() {
        let start = std::time::Instant::now();
        let calls = AtomicU32::new(0);
        let _ = with_retries(&policy(1), || async {
            if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                Err(UpstreamError::Status { status: 429, body: String::new(), retry_after: Some(Duration::from_millis(300)) })
            } else {
                Ok(())
            }
        })
        .await;
        // The policy's own backoff would be at most 1 ms.
        assert!(start.elapsed() >= Duration::from_millis(300));
    }
}
