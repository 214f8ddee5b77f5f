//! A progress bar for long commands.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::time::{Duration, Instant};

/// A progress display that appears only on a terminal and only after the first second.
pub struct Progress {
    bar: ProgressBar,
    start: Instant,
    shown: bool,
}

impl Progress {
    /// A hidden bar that may show itself later.
    pub fn new() -> Progress {
        let bar = ProgressBar::hidden();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} ({eta})")
                .expect("valid template")
                .progress_chars("=> "),
        );
        Progress {
            bar,
            start: Instant::now(),
            shown: false,
        }
    }
    fn wake(&mut self) {
        if !self.shown && self.start.elapsed() > Duration::from_secs(1) {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            self.bar.enable_steady_tick(Duration::from_millis(120));
            self.shown = true;
        }
    }
    /// Shows what is being done.
    pub fn message(&mut self, msg: String) {
        self.wake();
        self.bar.set_message(msg);
    }
    /// Sets the position within a known total.
    pub fn set(&mut self, done: usize, total: usize) {
        self.wake();
        self.bar.set_length(total as u64);
        self.bar.set_position(done as u64);
    }
    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
