//! What has been spent upstream, and the caps that bound it: in total, per
//! access token (in total and per day) and per run.
//!
//! A call reserves its worst-case cost before it is sent and settles to its
//! real cost when the answer comes, under one lock, so calls in flight at the
//! same time cannot together pass a cap. The worst case is a true bound: the
//! prompt's bytes as input tokens (a token covers at least one byte) at the
//! prompt-cache write price, and the answer's `max_tokens` as output.
//!
//! The totals and the per-token figures are kept in the proxy's database, so a
//! restart does not reset them; runs are named by the client and live only in
//! memory (a client that renames its run escapes the run cap, not the others).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use kleio_core::analyst::AnalystError;
pub use kleio_core::api::SpendCaps;

use crate::db::Db;

/// Runs are named by the client's `X-Kleio-Run` header; requests without
/// one share this run.
pub const UNNAMED_RUN: &str = "unnamed";

/// Who a request is charged to when the proxy has no access token: every
/// client together.
pub const OPEN_ACCESS: &str = "open";

/// Runs remembered at most; past it, runs with nothing in flight are forgotten.
const MAX_RUNS: usize = 10_000;

/// The day a charge counts towards, for the daily cap: passed in, so tests can
/// move time.
pub type Today = Arc<dyn Fn() -> i64 + Send + Sync>;

/// Days since the Unix epoch, in UTC.
pub fn utc_today() -> Today {
    Arc::new(|| crate::db::now().div_euclid(86_400))
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
enum Scope {
    Total,
    Token(Arc<str>),
    TokenDay(Arc<str>, i64),
    Run(Arc<str>),
}

impl Scope {
    /// The database key of the scopes that outlive a restart.
    fn stored_key(&self) -> Option<String> {
        match self {
            Scope::Total => Some("total".into()),
            Scope::Token(t) => Some(format!("token:{t}")),
            Scope::TokenDay(t, day) => Some(format!("token:{t}:day:{day}")),
            Scope::Run(_) => None,
        }
    }

    fn cap(&self, caps: &SpendCaps) -> Option<f64> {
        match self {
            Scope::Total => caps.total_usd,
            Scope::Token(_) => caps.per_token_usd,
            Scope::TokenDay(..) => caps.per_token_day_usd,
            Scope::Run(_) => caps.per_run_usd,
        }
    }

    fn describe(&self) -> String {
        match self {
            Scope::Total => "the proxy".into(),
            Scope::Token(_) => "this access token".into(),
            Scope::TokenDay(..) => "this access token today".into(),
            Scope::Run(run) => format!("run {:?}", &**run),
        }
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct Account {
    spent: f64,
    reserved: f64,
}

pub struct SpendLedger {
    caps: SpendCaps,
    accounts: Mutex<HashMap<Scope, Account>>,
    store: Option<Db>,
    today: Today,
}

impl SpendLedger {
    /// A ledger that keeps its totals in `store` (read back from it now), or
    /// in memory only.
    pub fn new(caps: SpendCaps, store: Option<Db>, today: Today) -> Arc<Self> {
        let mut accounts = HashMap::new();
        if let Some(db) = &store {
            let day = today();
            // Yesterday's daily figures are of no further use.
            let _ = db.with(|c| {
                c.execute("DELETE FROM spending WHERE scope LIKE '%:day:%' AND CAST(substr(scope, instr(scope, ':day:') + 5) AS INTEGER) < ?1", [day])
            });
            let rows = db.with(|c| {
                let mut statement = c.prepare("SELECT scope, usd FROM spending")?;
                let rows = statement.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, f64>(1)?)))?;
                rows.collect::<Result<Vec<_>, _>>()
            });
            for (key, usd) in rows.unwrap_or_default() {
                if let Some(scope) = parse_stored_key(&key) {
                    accounts.insert(scope, Account { spent: usd, reserved: 0.0 });
                }
            }
        }
        Arc::new(SpendLedger { caps, accounts: Mutex::new(accounts), store, today })
    }

    pub fn caps(&self) -> SpendCaps {
        self.caps
    }

    /// Dollars spent upstream, over the ledger's whole life.
    pub fn total(&self) -> f64 {
        self.lock().get(&Scope::Total).map(|a| a.spent).unwrap_or(0.0)
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Scope, Account>> {
        self.accounts.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn scopes(&self, token: &Arc<str>, run: &Arc<str>) -> [Scope; 4] {
        [Scope::Total, Scope::Token(token.clone()), Scope::TokenDay(token.clone(), (self.today)()), Scope::Run(run.clone())]
    }

    fn reserve(&self, scopes: [Scope; 4], usd: f64) -> Result<Reservation<'_>, AnalystError> {
        let usd = usd.max(0.0);
        let mut accounts = self.lock();
        for scope in &scopes {
            if let Some(cap) = scope.cap(&self.caps) {
                let account = accounts.get(scope).copied().unwrap_or_default();
                if account.spent + account.reserved + usd > cap {
                    return Err(AnalystError::LimitReached(format!(
                        "{} has reached its spending cap of ${cap:.2} (spent ${:.4}, ${:.4} in flight, this call could cost up to ${usd:.4})",
                        scope.describe(),
                        account.spent,
                        account.reserved
                    )));
                }
            }
        }
        if !accounts.contains_key(&scopes[3]) && accounts.len() > MAX_RUNS {
            let today = (self.today)();
            accounts.retain(|scope, account| match scope {
                Scope::Run(_) => account.reserved > 0.0,
                Scope::TokenDay(_, day) => *day >= today,
                _ => true,
            });
        }
        for scope in &scopes {
            accounts.entry(scope.clone()).or_default().reserved += usd;
        }
        Ok(Reservation { ledger: self, scopes, reserved: usd, settled: false })
    }

    /// Moves `reserved` out of the scopes' reservations and `spent` into what
    /// they have spent (a negative `spent` refunds an earlier overcharge).
    fn settle(&self, scopes: &[Scope; 4], reserved: f64, spent: f64) {
        let mut accounts = self.lock();
        let mut changed = Vec::new();
        for scope in scopes {
            let account = accounts.entry(scope.clone()).or_default();
            account.reserved = (account.reserved - reserved).max(0.0);
            account.spent = (account.spent + spent).max(0.0);
            if let Some(key) = scope.stored_key().filter(|_| spent != 0.0) {
                changed.push((key, account.spent));
            }
        }
        // Saved while the ledger is still locked, so that a later figure is
        // never overwritten by an earlier one; a released reservation (a call
        // that failed) changed nothing that is stored.
        if let (Some(db), false) = (&self.store, changed.is_empty()) {
            let saved = db.with(|c| {
                changed.iter().try_for_each(|(key, usd)| {
                    c.execute("INSERT INTO spending (scope, usd) VALUES (?1, ?2) ON CONFLICT(scope) DO UPDATE SET usd = excluded.usd", (key, usd)).map(|_| ())
                })
            });
            if let Err(e) = saved {
                tracing::error!("the spending ledger could not be saved: {e}");
            }
        }
    }
}

fn parse_stored_key(key: &str) -> Option<Scope> {
    if key == "total" {
        return Some(Scope::Total);
    }
    let rest = key.strip_prefix("token:")?;
    Some(match rest.split_once(":day:") {
        Some((token, day)) => Scope::TokenDay(Arc::from(token), day.parse().ok()?),
        None => Scope::Token(Arc::from(rest)),
    })
}

/// Money held for one call in flight. Settle it with the call's real cost;
/// dropped unsettled (the call failed before the upstream could bill it), it
/// is released.
#[must_use = "a reservation is released unless it is settled"]
pub struct Reservation<'a> {
    ledger: &'a SpendLedger,
    scopes: [Scope; 4],
    reserved: f64,
    settled: bool,
}

impl Reservation<'_> {
    pub fn settle(mut self, usd: f64) {
        self.ledger.settle(&self.scopes, self.reserved, usd.max(0.0));
        self.settled = true;
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        if !self.settled {
            self.ledger.settle(&self.scopes, self.reserved, 0.0);
        }
    }
}

/// One request's view of the ledger: its access token and its run.
#[derive(Clone)]
pub struct RunBudget {
    ledger: Arc<SpendLedger>,
    token: Arc<str>,
    run: Arc<str>,
}

impl RunBudget {
    pub fn new(ledger: Arc<SpendLedger>, token: &str, run: &str) -> Self {
        RunBudget { ledger, token: Arc::from(token), run: Arc::from(run) }
    }

    /// Holds `usd`, a call's worst-case cost, against every cap, or refuses
    /// the call when any cap would be passed.
    pub fn reserve(&self, usd: f64) -> Result<Reservation<'_>, AnalystError> {
        self.ledger.reserve(self.ledger.scopes(&self.token, &self.run), usd)
    }

    /// Corrects what was charged earlier by `usd` (positive or negative),
    /// for a Message Batch charged its estimate when it started.
    pub fn correct(&self, usd: f64) {
        self.ledger.settle(&self.ledger.scopes(&self.token, &self.run), 0.0, usd);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicI64, Ordering};

    /// A ledger in memory with the run cap alone.
    fn per_run_ledger(cap_usd: Option<f64>) -> Arc<SpendLedger> {
        SpendLedger::new(SpendCaps { per_run_usd: cap_usd, ..SpendCaps::default() }, None, utc_today())
    }

    fn caps(total: Option<f64>, token: Option<f64>, day: Option<f64>, run: Option<f64>) -> SpendCaps {
        SpendCaps { total_usd: total, per_token_usd: token, per_token_day_usd: day, per_run_usd: run }
    }

    #[test]
    fn a_run_is_refused_once_its_worst_case_would_pass_the_cap_and_others_are_not() {
        let ledger = per_run_ledger(Some(0.5));
        let a = RunBudget::new(ledger.clone(), OPEN_ACCESS, "a");
        let b = RunBudget::new(ledger.clone(), OPEN_ACCESS, "b");
        a.reserve(0.3).unwrap().settle(0.2);
        a.reserve(0.3).unwrap().settle(0.25);
        assert!(matches!(a.reserve(0.3), Err(AnalystError::LimitReached(_))));
        assert!(a.reserve(0.05).is_ok(), "a call that fits under the cap still goes");
        assert!(b.reserve(0.3).is_ok());
        assert!((ledger.total() - 0.45).abs() < 1e-9);
    }

    #[test]
    fn calls_in_flight_together_cannot_pass_a_cap() {
        let ledger = SpendLedger::new(caps(Some(1.0), None, None, None), None, utc_today());
        let runs: Vec<RunBudget> = (0..4).map(|i| RunBudget::new(ledger.clone(), OPEN_ACCESS, &format!("run-{i}"))).collect();
        let held: Vec<_> = runs.iter().map(|r| r.reserve(0.3)).collect();
        assert_eq!(held.iter().filter(|r| r.is_ok()).count(), 3, "the fourth would take the total past $1");
        drop(held);
        assert!(runs[3].reserve(0.3).is_ok(), "failed calls release what they held");
    }

    #[test]
    fn each_token_has_its_own_total_and_daily_cap_and_days_roll_over() {
        let day = Arc::new(AtomicI64::new(100));
        let clock = day.clone();
        let ledger = SpendLedger::new(caps(None, Some(1.0), Some(0.4), None), None, Arc::new(move || clock.load(Ordering::SeqCst)));
        let alice = RunBudget::new(ledger.clone(), "alice", UNNAMED_RUN);
        let bob = RunBudget::new(ledger.clone(), "bob", UNNAMED_RUN);
        alice.reserve(0.3).unwrap().settle(0.3);
        assert!(alice.reserve(0.2).is_err(), "the daily cap");
        assert!(bob.reserve(0.2).is_ok(), "another token");
        for _ in 0..2 {
            day.fetch_add(1, Ordering::SeqCst);
            alice.reserve(0.35).unwrap().settle(0.35);
        }
        assert!(alice.reserve(0.1).is_err(), "the token's total cap: 0.3 + 0.35 + 0.35 = 1.0");
    }

    #[test]
    fn totals_and_token_figures_survive_a_restart_and_old_days_are_dropped() {
        let db = Db::in_memory();
        let day = Arc::new(AtomicI64::new(7));
        let clock = || {
            let day = day.clone();
            Arc::new(move || day.load(Ordering::SeqCst)) as Today
        };
        let limits = caps(Some(10.0), Some(5.0), Some(1.0), None);
        let ledger = SpendLedger::new(limits, Some(db.clone()), clock());
        RunBudget::new(ledger.clone(), "t", "r").reserve(0.8).unwrap().settle(0.75);
        let again = SpendLedger::new(limits, Some(db.clone()), clock());
        assert!((again.total() - 0.75).abs() < 1e-9);
        assert!(RunBudget::new(again.clone(), "t", "r").reserve(0.5).is_err(), "the day's figure came back");
        day.store(8, Ordering::SeqCst);
        let next_day = SpendLedger::new(limits, Some(db.clone()), clock());
        assert!(RunBudget::new(next_day, "t", "r").reserve(0.5).is_ok());
        let rows: i64 = db.with(|c| c.query_row("SELECT COUNT(*) FROM spending WHERE scope LIKE '%:day:7'", [], |r| r.get(0))).unwrap();
        assert_eq!(rows, 0, "day 7's row was dropped on day 8");
    }

    #[test]
    fn a_batch_charged_its_estimate_is_corrected_to_its_cost() {
        let ledger = per_run_ledger(Some(1.0));
        let run = RunBudget::new(ledger.clone(), OPEN_ACCESS, "r");
        run.reserve(0.8).unwrap().settle(0.8);
        run.correct(-0.6);
        assert!((ledger.total() - 0.2).abs() < 1e-9);
        assert!(run.reserve(0.7).is_ok());
    }
}
