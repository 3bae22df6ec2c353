//! `kleio eval`: how far a run can be trusted, measured on labelled data
//! (paper appendices C and D). Each command writes a Markdown report and its
//! charts into `--out`, and prints one summary line last.

mod charts;
mod privacy;
mod reconstruct;
mod vector_file;

use clap::Subcommand;

#[derive(Subcommand)]
pub enum Command {
    /// Reconstruction accuracy on rows labelled `labels.level1` / `labels.level2`.
    Reconstruct(reconstruct::Args),
    /// Where planted private details (rows with `pii_spans`) survive, stage by stage.
    Privacy(privacy::Args),
}

pub fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Reconstruct(args) => reconstruct::run(args),
        Command::Privacy(args) => privacy::run(args),
    }
}

/// A Markdown table from a header and rows.
fn table(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut out = format!("| {} |\n|{}|\n", header.join(" | "), header.iter().map(|_| "---").collect::<Vec<_>>().join("|"));
    for row in rows {
        out.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    out
}

/// The command line that made a report, for its header.
fn command_line() -> String {
    let args: Vec<String> = std::env::args().skip(1).collect();
    format!("kleio {}", args.join(" "))
}
