//! Loom model checks of the scheduler. The models live in `tests/` and only build under
//! `RUSTFLAGS="--cfg loom"`; `scripts/loom` runs them with the bounds CI uses.

/// Runs `f` under loom with the preemption bound from `LOOM_MAX_PREEMPTIONS` (default 2), so
/// each model stays within CI's time budget.
#[cfg(loom)]
pub fn model<F>(f: F)
where
    F: Fn() + Sync + Send + 'static,
{
    let mut builder = loom::model::Builder::new();
    if builder.preemption_bound.is_none() {
        builder.preemption_bound = Some(2);
    }
    builder.check(f);
}
