//! SuperDirt's `/rms` replies: when events ask for them (`rmsReplyRate`, `rmsPeakLag`, per
//! orbit, as SuperDirt's global effects take them), each orbit's peak and RMS go back to the
//! client that asked, `rate` times a second, in the message `SendPeakRMS` makes:
//! `/rms nodeID orbit peakL rmsL peakR rmsR`. The orbits' meters are filled on the audio thread
//! without a lock; this thread reads them.

use dirt::meter::Reading;
use dirt::wire::RmsRequest;
use dirt::DirtStats;
use rosc::{OscMessage, OscPacket, OscType};
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Who asked for `/rms`, and what each orbit asked.
#[derive(Default)]
pub struct RmsRequests {
    /// Where to send: the last client whose events changed a request.
    pub client: Option<SocketAddr>,
    /// Each orbit's request.
    pub orbits: Vec<RmsRequest>,
}

/// The requests, shared by the receiving thread (which changes them and says so) and the
/// sender.
pub type SharedRequests = Arc<(Mutex<RmsRequests>, Condvar)>;

/// How long the sender sleeps between looks at the stop flag while nothing is asked of it.
const IDLE_WAIT: Duration = Duration::from_millis(100);

/// The node ID in `/rms` replies: SuperDirt's are scsynth node IDs, which no client reads; a
/// fixed base plus the orbit keeps them distinct.
const NODE_BASE: i32 = 1000;

/// Starts the sender: it runs until `stop`, sending on `socket` (the port Tidal sends to, so
/// replies come from where SuperDirt's would).
pub fn start(
    socket: UdpSocket,
    requests: SharedRequests,
    stats: Arc<DirtStats>,
    stop: Arc<AtomicBool>,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("phonon-dirt-rms".into())
        .spawn(move || send(&socket, &requests, &stats, &stop))
}

/// Each orbit's last reading, when it is next due, and its peak as shown (falling by `lag`).
struct OrbitState {
    last: Reading,
    due: Instant,
    shown: [f32; 2],
}

fn send(
    socket: &UdpSocket,
    requests: &(Mutex<RmsRequests>, Condvar),
    stats: &DirtStats,
    stop: &AtomicBool,
) {
    let (requests, changed) = requests;
    let now = Instant::now();
    let mut states: Vec<OrbitState> = stats
        .meters
        .iter()
        .map(|m| OrbitState {
            last: m.take(),
            due: now,
            shown: [0.0; 2],
        })
        .collect();
    let mut warned = false;
    while !stop.load(Ordering::SeqCst) {
        let (client, asked) = {
            let Ok(r) = requests.lock() else { return };
            let asking = r.client.is_some() && r.orbits.iter().any(|o| o.rate > 0.0);
            if !asking {
                // Nothing to send: sleep until a request comes (or it is time to look at the
                // stop flag), not every few milliseconds.
                if changed.wait_timeout(r, IDLE_WAIT).is_err() {
                    return;
                }
                continue;
            }
            (r.client, r.orbits.clone())
        };
        std::thread::sleep(Duration::from_millis(5));
        let Some(client) = client else { continue };
        let now = Instant::now();
        for (k, (state, meter)) in states.iter_mut().zip(stats.meters.iter()).enumerate() {
            let request = asked.get(k).copied().unwrap_or_default();
            if request.rate <= 0.0 || now < state.due {
                continue;
            }
            let interval = 1.0 / request.rate;
            state.due = now + Duration::from_secs_f32(interval);
            let reading = meter.take();
            let rms = reading.rms_since(&state.last);
            state.last = reading;
            // A held peak falls 60 dB over `lag` seconds (none: it shows this interval's).
            let fall = if request.lag > 0.0 {
                0.001f32.powf(interval / request.lag)
            } else {
                0.0
            };
            for c in 0..2 {
                state.shown[c] = reading.peak[c].max(state.shown[c] * fall);
            }
            let message = OscPacket::Message(OscMessage {
                addr: "/rms".into(),
                args: vec![
                    OscType::Int(NODE_BASE + k as i32),
                    OscType::Int(k as i32),
                    OscType::Float(state.shown[0]),
                    OscType::Float(rms[0]),
                    OscType::Float(state.shown[1]),
                    OscType::Float(rms[1]),
                ],
            });
            let Ok(bytes) = rosc::encoder::encode(&message) else {
                continue;
            };
            if let Err(e) = socket.send_to(&bytes, client) {
                if !warned {
                    tracing::warn!("cannot send /rms to {client}: {e}");
                    warned = true;
                }
            }
        }
    }
}
