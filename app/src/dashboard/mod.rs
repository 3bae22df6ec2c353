//! A published dashboard, read-only, at its share link.

pub(crate) mod dashboard_compare;
pub(crate) mod dashboard_map;
pub(crate) mod dashboard_page;
pub(crate) mod dashboard_panel;
pub(crate) mod privacy_report;
pub(crate) mod share_panel;
