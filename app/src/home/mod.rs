//! The home page: start (upload, a link, the demo), how the file is read
//! and the run configured, the run under way, earlier runs, the dashboards
//! published from this browser, and About.

pub(crate) mod about;
pub(crate) mod configure_panel;
pub(crate) mod earlier_runs;
pub(crate) mod file_columns;
pub(crate) mod home_page;
pub(crate) mod open_link;
pub(crate) mod published_list;
pub(crate) mod ready_panel;
pub(crate) mod run_view;
pub(crate) mod start_panel;
