//! One progress bar per pipeline stage, on stderr.

use std::collections::HashMap;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use kleio_core::progress::{Progress, Stage};

pub struct StageBars {
    multi: MultiProgress,
    bars: HashMap<Stage, ProgressBar>,
}

impl StageBars {
    pub fn new() -> Self {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let style =
            ProgressStyle::with_template("{prefix:>11} [{bar:30}] {pos}/{len} {elapsed_precise} (eta {eta})").expect("valid template").progress_chars("=> ");
        let bars = Stage::ALL
            .iter()
            .map(|&s| {
                let bar = multi.add(ProgressBar::new(1));
                bar.set_style(style.clone());
                bar.set_prefix(s.label());
                (s, bar)
            })
            .collect();
        StageBars { multi, bars }
    }

    pub fn finish(&self) {
        for bar in self.bars.values() {
            bar.finish();
        }
        let _ = self.multi.clear();
    }
}

impl Progress for StageBars {
    fn report(&mut self, stage: Stage, done: usize, total: usize) {
        let bar = &self.bars[&stage];
        bar.set_length(total.max(1) as u64);
        bar.set_position(done as u64);
    }
}
