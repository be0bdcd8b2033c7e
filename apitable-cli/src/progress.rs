//! Progress: a bar on a terminal, a few plain lines otherwise.

use std::io::Write;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Where progress goes.
pub(crate) enum Progress {
    /// An indicatif bar on standard error.
    Bar(ProgressBar),
    /// Plain lines `what: done/total rows` at every tenth of the total and at the end.
    Lines {
        what: String,
        done: u64,
        total: u64,
        next_line: u64,
    },
}

impl Progress {
    /// Starts counting `total` rows (unknown totals may be set later).
    pub(crate) fn new(bars: bool, what: &str, total: u64) -> Progress {
        if bars {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} rows, {eta} left")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.set_message(what.to_owned());
            Progress::Bar(bar)
        } else {
            Progress::Lines {
                what: what.to_owned(),
                done: 0,
                total,
                next_line: step(total),
            }
        }
    }

    /// Sets the total.
    pub(crate) fn set_total(&mut self, new_total: u64) {
        match self {
            Progress::Bar(bar) => bar.set_length(new_total),
            Progress::Lines {
                total, next_line, ..
            } => {
                *total = new_total;
                *next_line = step(new_total);
            }
        }
    }

    /// Counts `n` more rows done.
    pub(crate) fn inc(&mut self, n: u64, err: &mut dyn Write) {
        match self {
            Progress::Bar(bar) => bar.inc(n),
            Progress::Lines {
                what,
                done,
                total,
                next_line,
            } => {
                *done += n;
                if *done >= *next_line && *done < *total {
                    let _ = writeln!(err, "{what}: {done}/{total} rows");
                    while *next_line <= *done {
                        *next_line += step(*total);
                    }
                }
            }
        }
    }

    /// Stops where it is, leaving the bar (or a last line) showing how far it got.
    pub(crate) fn abandon(self, err: &mut dyn Write) {
        match self {
            Progress::Bar(bar) => bar.abandon(),
            lines => lines.finish(err),
        }
    }

    /// Ends the bar or prints the last line.
    pub(crate) fn finish(self, err: &mut dyn Write) {
        match self {
            Progress::Bar(bar) => bar.finish_and_clear(),
            Progress::Lines {
                what, done, total, ..
            } => {
                let _ = writeln!(err, "{what}: {done}/{total} rows");
            }
        }
    }
}

fn step(total: u64) -> u64 {
    (total / 10).max(1)
}
