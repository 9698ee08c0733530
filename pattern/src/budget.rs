//! A bound on the work one query may do, so a pattern such as `fast 1e9 $ s "bd"` or
//! `"bd*<1e9>"` costs a block a bounded time and arena, not seconds and gigabytes.
//!
//! The budget is per thread and off unless a caller sets one: a node on the audio path wraps its
//! query in [`limited`], which gives the query `events` events and as many cycle pieces. Every
//! event a primitive (`pure`, a signal) makes and every cycle a combinator walks spends one; once
//! spent, primitives make nothing more and [`Span::cycles`](crate::Span::cycles) ends, so the
//! query returns at once with what it has. What was cut is counted, for the engine to report. No
//! allocation, no lock.

use std::cell::Cell;

thread_local! {
    /// Units left for the running query (`u64::MAX`: no budget), and units refused in it.
    static BUDGET: Cell<(u64, u64)> = const { Cell::new((u64::MAX, 0)) };
}

/// Spends one unit; false (and counted) when the running query's budget is spent.
#[inline]
pub(crate) fn spend() -> bool {
    BUDGET.with(|b| {
        let (left, refused) = b.get();
        if left == u64::MAX {
            true
        } else if left > 0 {
            b.set((left - 1, refused));
            true
        } else {
            b.set((0, refused + 1));
            false
        }
    })
}

/// Runs `query` with a budget of `units` events and cycle pieces; returns its result and how
/// many units it was refused (0 when it fitted). Budgets do not nest: an inner call's budget
/// replaces the outer one for its duration.
pub fn limited<R>(units: u64, query: impl FnOnce() -> R) -> (R, u64) {
    let saved = BUDGET.with(|b| b.replace((units.min(u64::MAX - 1), 0)));
    let result = query();
    let (_, refused) = BUDGET.with(|b| b.replace(saved));
    (result, refused)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{mini, Span, Time};

    #[test]
    fn a_runaway_query_stops_at_its_budget_and_says_so() {
        let p = mini("bd*1000").unwrap().fast(Time::from_int(1_000_000));
        let span = Span::new(Time::ZERO, Time::ONE);
        let (events, refused) = limited(4096, || p.events(span));
        assert!(events.len() <= 4096, "{} events", events.len());
        assert!(refused > 0);
        // Without a budget nothing changes; a small query fits in one.
        let small = mini("bd sn").unwrap();
        let (fits, refused) = limited(4096, || small.events(span));
        assert_eq!((fits.len(), refused), (2, 0));
        assert_eq!(small.events(span).len(), 2);
    }
}
