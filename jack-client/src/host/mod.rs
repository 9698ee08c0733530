//! The JACK host both `phonon live` and `phonon dirt` run on: opening the client with errors a
//! user can act on, waiting for a server that went away, JACK's threads and their priority,
//! systemd's notifications and watchdog, logging, and the bound on how long stopping takes.

pub mod callback;
mod client;
pub mod exit_guard;
pub mod logging;
pub mod systemd;

pub use callback::CallbackGuard;
pub use client::{
    client_priority, open_client, process_thread, real_time, served_by_pipewire,
    shared_cpu_warnings, wait_for_server, StartError,
};
