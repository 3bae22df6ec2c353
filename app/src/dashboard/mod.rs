//! A published dashboard, read-only, at its share link.

pub(crate) mod dashboard_map;
pub(crate) mod dashboard_page;
