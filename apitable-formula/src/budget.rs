//! The evaluation budget: how much work and how many string bytes evaluations may spend.
//!
//! Every place that builds a string (or an array) asks the budget first, with the size it is
//! about to allocate; the evaluator counts a step for every node it visits and for every array
//! element or loop round a function spends. Once a limit is passed the budget stays exhausted:
//! every later request fails too, error-catching functions (`IF`, `ISERROR`, …) cannot swallow
//! it, and the caller learns it from [`crate::Formula::evaluate_within`].

use std::cell::Cell;

/// The limits of a [`Budget`]. [`EvalLimits::default`] is sized so that ordinary formulas over a
/// full 50,000-record datasheet stay far inside it while a single request cannot exhaust memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvalLimits {
    /// Evaluation steps over the budget's whole life: one per AST node visited, plus one per
    /// array element, holiday or loop round a function works through. Default 20,000,000
    /// (400 steps for each record of a 50,000-record datasheet).
    pub max_steps: u64,
    /// String (and array) bytes built over the budget's whole life, summed over every record
    /// evaluated with it: copies of cells and literals, conversions to text and every function
    /// result. Default 1 GiB.
    pub max_bytes: u64,
    /// String (and array) bytes one record's evaluation may build. This bounds the memory one
    /// evaluation can hold at once. Default 64 MiB.
    pub max_record_bytes: u64,
}

impl EvalLimits {
    /// The default limits (see the field docs).
    pub const DEFAULT: EvalLimits = EvalLimits {
        max_steps: 20_000_000,
        max_bytes: 1 << 30,
        max_record_bytes: 64 << 20,
    };
}

impl Default for EvalLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Which limit of a [`Budget`] an evaluation went past.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BudgetExceeded {
    /// More than [`EvalLimits::max_steps`] steps.
    #[error("formula evaluation budget exceeded: more than {limit} steps")]
    Steps {
        /// The limit that was passed.
        limit: u64,
    },
    /// More than [`EvalLimits::max_bytes`] bytes in total.
    #[error("formula evaluation budget exceeded: more than {limit} string bytes in total")]
    Bytes {
        /// The limit that was passed.
        limit: u64,
    },
    /// More than [`EvalLimits::max_record_bytes`] bytes for one record.
    #[error("formula evaluation budget exceeded: more than {limit} string bytes for one record")]
    RecordBytes {
        /// The limit that was passed.
        limit: u64,
    },
}

/// A spending account for formula evaluations, shared by all the evaluations of one request.
///
/// Create one per request (for example one per record listing) and pass it to
/// [`crate::Formula::evaluate_within`] or [`crate::Formula::matches_within`] for every record,
/// so that the limits bound the request as a whole. It is not thread-safe (`!Sync`).
///
/// ```
/// use apitable_formula::{Budget, EvalLimits};
/// let b = Budget::new(EvalLimits { max_steps: 1_000, ..EvalLimits::default() });
/// assert_eq!(b.steps_used(), 0);
/// assert!(b.exceeded().is_none());
/// ```
#[derive(Debug, Default)]
pub struct Budget {
    limits: EvalLimits,
    steps: Cell<u64>,
    bytes: Cell<u64>,
    record_bytes: Cell<u64>,
    exceeded: Cell<Option<BudgetExceeded>>,
}

impl Budget {
    /// A fresh budget with these limits.
    pub fn new(limits: EvalLimits) -> Budget {
        Budget {
            limits,
            ..Budget::default()
        }
    }

    /// The limits.
    pub fn limits(&self) -> EvalLimits {
        self.limits
    }

    /// Steps granted so far (a refused request is not counted).
    pub fn steps_used(&self) -> u64 {
        self.steps.get()
    }

    /// String bytes granted so far, all records together (a refused request is not counted).
    pub fn bytes_used(&self) -> u64 {
        self.bytes.get()
    }

    /// The limit that was passed, once one was: the budget then refuses everything.
    pub fn exceeded(&self) -> Option<BudgetExceeded> {
        self.exceeded.get()
    }

    /// Starts a new record: the per-record byte count restarts at zero.
    pub(crate) fn begin_record(&self) {
        self.record_bytes.set(0);
    }

    fn fail(&self, e: BudgetExceeded) -> String {
        self.exceeded.set(Some(e));
        e.to_string()
    }

    /// Spends `n` steps. `Err` holds the message once the budget is exhausted.
    pub(crate) fn steps(&self, n: u64) -> Result<(), String> {
        if let Some(e) = self.exceeded.get() {
            return Err(e.to_string());
        }
        let used = self.steps.get().saturating_add(n);
        if used > self.limits.max_steps {
            return Err(self.fail(BudgetExceeded::Steps {
                limit: self.limits.max_steps,
            }));
        }
        self.steps.set(used);
        Ok(())
    }

    /// Spends one step.
    pub(crate) fn step(&self) -> Result<(), String> {
        self.steps(1)
    }

    /// Asks for `n` bytes about to be allocated. Call it before allocating; `Err` means the
    /// allocation must not happen.
    pub(crate) fn bytes(&self, n: u64) -> Result<(), String> {
        if let Some(e) = self.exceeded.get() {
            return Err(e.to_string());
        }
        let rec = self.record_bytes.get().saturating_add(n);
        let all = self.bytes.get().saturating_add(n);
        if rec > self.limits.max_record_bytes {
            return Err(self.fail(BudgetExceeded::RecordBytes {
                limit: self.limits.max_record_bytes,
            }));
        }
        if all > self.limits.max_bytes {
            return Err(self.fail(BudgetExceeded::Bytes {
                limit: self.limits.max_bytes,
            }));
        }
        self.record_bytes.set(rec);
        self.bytes.set(all);
        Ok(())
    }

    /// [`Budget::bytes`] for a size computed as a float (it may be huge or not finite).
    pub(crate) fn bytes_f(&self, n: f64) -> Result<(), String> {
        // `as` saturates: huge and infinite sizes become u64::MAX; NaN is refused outright.
        let n = if n.is_nan() {
            u64::MAX
        } else {
            n.max(0.0) as u64
        };
        self.bytes(n)
    }

    /// Whether the budget is exhausted.
    pub(crate) fn is_exhausted(&self) -> bool {
        self.exceeded.get().is_some()
    }
}
