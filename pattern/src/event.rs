//! Events: a value active over a `part` of its `whole`.

use crate::time::{Span, Time};

/// A value that a pattern holds over some time, in Tidal's sense.
///
/// `whole` is the event's full extent; `part` is the fragment that falls in the query. An event
/// starts (has its onset) in a query only if `whole.begin == part.begin`. Continuous patterns
/// (signals) have no `whole`.
#[derive(Clone, Debug, PartialEq)]
pub struct Event<T> {
    /// The event's full extent, if it is discrete.
    pub whole: Option<Span>,
    /// The fragment of the whole inside the query.
    pub part: Span,
    /// What the event holds.
    pub value: T,
}

impl<T> Event<T> {
    /// A discrete event whose part is its whole.
    pub fn new(whole: Span, value: T) -> Event<T> {
        Event {
            whole: Some(whole),
            part: whole,
            value,
        }
    }

    /// True if the event starts inside the query that produced it.
    pub fn has_onset(&self) -> bool {
        self.whole.is_some_and(|w| w.begin == self.part.begin)
    }

    /// The whole, or the part for a continuous event.
    pub fn whole_or_part(&self) -> Span {
        self.whole.unwrap_or(self.part)
    }

    /// Where the event starts: the whole's beginning, or the part's.
    pub fn onset(&self) -> Time {
        self.whole_or_part().begin
    }

    /// Both spans mapped by `f`.
    pub fn with_span(mut self, f: impl Fn(Span) -> Span) -> Event<T> {
        self.whole = self.whole.map(&f);
        self.part = f(self.part);
        self
    }

    /// The same timing with another value.
    pub fn with_value<U>(&self, value: U) -> Event<U> {
        Event {
            whole: self.whole,
            part: self.part,
            value,
        }
    }
}
