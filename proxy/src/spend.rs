//! What each run has cost, and the optional cap per run.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use kleio_core::analyst::AnalystError;

/// Runs are named by the client's `X-Kleio-Run` header; requests without
/// one share this run.
pub const UNNAMED_RUN: &str = "unnamed";

#[derive(Default)]
pub struct SpendLedger {
    cap_usd: Option<f64>,
    spent: Mutex<Spent>,
}

#[derive(Default)]
struct Spent {
    per_run: HashMap<String, f64>,
    total: f64,
}

impl SpendLedger {
    pub fn new(cap_usd: Option<f64>) -> Arc<Self> {
        Arc::new(SpendLedger { cap_usd, spent: Mutex::default() })
    }

    pub fn total(&self) -> f64 {
        self.spent.lock().unwrap_or_else(|p| p.into_inner()).total
    }

    pub fn run(&self, run: &str) -> f64 {
        self.spent.lock().unwrap_or_else(|p| p.into_inner()).per_run.get(run).copied().unwrap_or(0.0)
    }

    pub fn cap(&self) -> Option<f64> {
        self.cap_usd
    }
}

/// One run's view of the ledger.
#[derive(Clone)]
pub struct RunBudget {
    ledger: Arc<SpendLedger>,
    run: Arc<str>,
}

impl RunBudget {
    pub fn new(ledger: Arc<SpendLedger>, run: &str) -> Self {
        RunBudget { ledger, run: Arc::from(run) }
    }

    /// Refuses a new upstream call once the run has spent its cap. A call
    /// already in flight may take the run slightly past it.
    pub fn check(&self) -> Result<(), AnalystError> {
        match self.ledger.cap_usd {
            Some(cap) if self.ledger.run(&self.run) >= cap => Err(AnalystError::LimitReached(format!("run {:?} has spent its cap of ${cap:.2}", &*self.run))),
            _ => Ok(()),
        }
    }

    pub fn add(&self, usd: f64) {
        let mut spent = self.ledger.spent.lock().unwrap_or_else(|p| p.into_inner());
        *spent.per_run.entry(self.run.to_string()).or_default() += usd;
        spent.total += usd;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_is_refused_once_it_reaches_its_cap_and_others_are_not() {
        let ledger = SpendLedger::new(Some(0.5));
        let a = RunBudget::new(ledger.clone(), "a");
        let b = RunBudget::new(ledger.clone(), "b");
        assert!(a.check().is_ok());
        a.add(0.3);
        assert!(a.check().is_ok());
        a.add(0.3);
        assert!(matches!(a.check(), Err(AnalystError::LimitReached(_))));
        assert!(b.check().is_ok());
        assert!((ledger.total() - 0.6).abs() < 1e-9);
    }
}
