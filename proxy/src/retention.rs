//! How long the proxy keeps what it stores, and how much: cached answers,
//! extraction jobs and dashboards expire, the cache and the dashboards have
//! a quota, and the in-memory maps (the rate limiter's buckets) are pruned.
//! `prune` runs at start-up and then every ten minutes.

use std::time::Duration;

use crate::db::Db;

const DAY: i64 = 86_400;
/// How often the maintenance task prunes.
pub const PRUNE_EVERY: Duration = Duration::from_secs(600);

/// What the proxy keeps; every field is configurable (README, "The proxy").
#[derive(Clone, Debug, PartialEq)]
pub struct Retention {
    /// Cached answers older than this are dropped (`KLEIO_CACHE_DAYS`).
    pub cache_days: u32,
    /// The newest this many cached answers are kept (`KLEIO_CACHE_MAX_ROWS`).
    pub cache_max_rows: u64,
    /// Extraction jobs are dropped this long after they started (`KLEIO_JOB_DAYS`).
    pub job_days: u32,
    /// Dashboards are removed this long after publication; `None` keeps them
    /// until their publisher deletes them (`KLEIO_DASHBOARD_DAYS`, 0 for never).
    pub dashboard_days: Option<u32>,
    /// Publishing is refused once this many dashboards are stored (`KLEIO_MAX_DASHBOARDS`).
    pub max_dashboards: u64,
    /// A dashboard larger than this, as stored JSON, is refused (`KLEIO_MAX_DASHBOARD_BYTES`).
    pub max_dashboard_bytes: usize,
}

impl Default for Retention {
    fn default() -> Self {
        Retention { cache_days: 90, cache_max_rows: 500_000, job_days: 7, dashboard_days: Some(365), max_dashboards: 2_000, max_dashboard_bytes: 4 << 20 }
    }
}

impl Retention {
    /// Publication times before this have expired; `None` when dashboards do not expire.
    pub fn dashboard_cutoff(&self, now: i64) -> Option<i64> {
        self.dashboard_days.map(|days| now - i64::from(days) * DAY)
    }
}

/// Rows removed by one pruning.
#[derive(Debug, Default, PartialEq)]
pub struct Pruned {
    pub cached_answers: usize,
    pub jobs: usize,
    pub dashboards: usize,
}

/// Removes what has expired or passes a quota, as of `now` (seconds since the epoch).
pub fn prune(db: &Db, retention: &Retention, now: i64) -> rusqlite::Result<Pruned> {
    db.with(|c| {
        let mut cached_answers = c.execute("DELETE FROM response_cache WHERE created_at < ?1", [now - i64::from(retention.cache_days) * DAY])?;
        let keep = i64::try_from(retention.cache_max_rows).unwrap_or(i64::MAX);
        cached_answers +=
            c.execute("DELETE FROM response_cache WHERE key IN (SELECT key FROM response_cache ORDER BY created_at DESC LIMIT -1 OFFSET ?1)", [keep])?;
        let jobs = c.execute("DELETE FROM extraction_jobs WHERE created_at < ?1", [now - i64::from(retention.job_days) * DAY])?;
        let dashboards = match retention.dashboard_cutoff(now) {
            Some(cutoff) => c.execute("DELETE FROM dashboards WHERE created_at < ?1", [cutoff])?,
            None => 0,
        };
        Ok(Pruned { cached_answers, jobs, dashboards })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(db: &Db, table: &str) -> i64 {
        db.with(|c| c.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))).unwrap()
    }

    #[test]
    fn expired_rows_go_and_the_cache_keeps_its_newest() {
        let db = Db::in_memory();
        let now = 1_000 * DAY;
        db.with(|c| {
            for (i, age_days) in [0, 1, 2, 100].into_iter().enumerate() {
                c.execute(
                    "INSERT INTO response_cache (key, value, created_at) VALUES (?1, 'v', ?2)",
                    rusqlite::params![format!("k{i}"), now - age_days * DAY],
                )?;
                c.execute(
                    "INSERT INTO extraction_jobs (id, state, created_at) VALUES (?1, '{}', ?2)",
                    rusqlite::params![format!("j{i}"), now - age_days * DAY],
                )?;
                c.execute(
                    "INSERT INTO dashboards (id, body, delete_token_sha256, created_at) VALUES (?1, '{}', 't', ?2)",
                    rusqlite::params![format!("d{i}"), now - age_days * 5 * DAY],
                )?;
            }
            Ok(())
        })
        .unwrap();
        let retention =
            Retention { cache_days: 30, cache_max_rows: 2, job_days: 2, dashboard_days: Some(365), max_dashboards: 10, max_dashboard_bytes: 1 << 20 };
        let pruned = prune(&db, &retention, now).unwrap();
        assert_eq!(pruned, Pruned { cached_answers: 2, jobs: 1, dashboards: 1 });
        let newest: Vec<String> =
            db.with(|c| c.prepare("SELECT key FROM response_cache ORDER BY key")?.query_map([], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()).unwrap();
        assert_eq!(newest, ["k0", "k1"]);
        assert_eq!((rows(&db, "extraction_jobs"), rows(&db, "dashboards")), (3, 3));
        let forever = Retention { dashboard_days: None, ..retention };
        assert_eq!(prune(&db, &forever, now + 10_000 * DAY).unwrap().dashboards, 0);
    }
}
