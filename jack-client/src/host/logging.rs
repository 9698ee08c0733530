//! Logging to stderr, in the form journald reads.

/// Logs to stderr without timestamps (journald adds its own). libjack's own messages, which
/// repeat what phonon reports in its own words, show only with `PHONON_LOG=debug`.
pub fn init_logging(terminal: bool) {
    use tracing_subscriber::filter::LevelFilter;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let debug = std::env::var("PHONON_LOG").is_ok_and(|v| v == "debug");
    let filter = tracing_subscriber::filter::Targets::new()
        .with_target(
            "phonon",
            if debug {
                LevelFilter::DEBUG
            } else {
                LevelFilter::INFO
            },
        )
        .with_target(
            "recorder",
            if debug {
                LevelFilter::DEBUG
            } else {
                LevelFilter::INFO
            },
        )
        .with_target(
            "jack",
            if debug {
                LevelFilter::DEBUG
            } else {
                LevelFilter::OFF
            },
        )
        .with_target(
            "jack_sys",
            if debug {
                LevelFilter::DEBUG
            } else {
                LevelFilter::OFF
            },
        );
    let _ = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(terminal)
                .with_target(false)
                .without_time(),
        )
        .with(filter)
        .try_init();
}
