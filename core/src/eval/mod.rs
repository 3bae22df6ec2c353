//! Measuring how far a run can be trusted (paper appendices C and D):
//! agreement with known labels, and where planted private details survive.

pub mod leaks;
pub mod metrics;
pub mod naming;
pub mod reconstruct;
