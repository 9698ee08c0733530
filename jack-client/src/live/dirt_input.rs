//! `--dirt` (and `phonon dirt`): what Tidal and Strudel send to SuperDirt's UDP port, played by
//! orbits beside the patch. A receive thread decodes packets into events for the session's
//! router; each session (a new one after the server comes back) gets orbits and a queue of its
//! own, made for its sample bank, which holds every sound of the folders, as SuperDirt loads
//! them all.

use super::dirt_rms::{self, RmsRequests, SharedRequests};
use super::session::Hosting;
use crate::patch;
use dirt::clock::{ahead_of_monotonic, WallClock};
use dirt::wire::{Decoder, Reply, WireCounts};
use dirt::{Dirt, DirtStats, EventSender, SoundTable};
use dsp::samples::bank::{SampleBank, SampleIndex};
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// What the receive thread counts.
#[derive(Default)]
pub struct Received {
    packets: AtomicU64,
    wire: Mutex<WireCounts>,
}

/// The way into a session's engine: its event queue and the samples it plays.
struct Queue {
    sender: EventSender,
    sounds: Arc<SoundTable>,
}

/// The UDP port, bound before anything else starts, so a port in use is the first error.
pub struct Listening {
    socket: UdpSocket,
    /// Where it listens (with `--port 0`, the port the system chose).
    pub address: SocketAddr,
    /// The receive buffer the kernel granted, in bytes.
    pub receive_buffer: usize,
}

/// The receive buffer asked for: a second of Tidal's busiest streams (16,000 events of about
/// 300 bytes) queued while the receive thread is not scheduled, where the kernel's default
/// (about 200 KB) drops events past 8,000 a second.
pub const RECEIVE_BUFFER: usize = 8 << 20;

/// Binds `listen:port` with a receive buffer of [`RECEIVE_BUFFER`] where the kernel allows it;
/// the error names what to do.
pub fn listen(listen: IpAddr, port: u16) -> Result<Listening, String> {
    let asked = SocketAddr::new(listen, port);
    let socket = UdpSocket::bind(asked).map_err(|e| {
        format!(
            "cannot listen on UDP {asked} ({e}); is SuperDirt or another phonon dirt running? Stop it or choose another --port"
        )
    })?;
    let address = socket.local_addr().unwrap_or(asked);
    let receive_buffer = grow_receive_buffer(&socket, RECEIVE_BUFFER);
    Ok(Listening {
        socket,
        address,
        receive_buffer,
    })
}

/// Asks for a receive buffer of `bytes` and returns what the kernel granted (it caps the ask at
/// `net.core.rmem_max`, and counts its own bookkeeping in what it reports).
fn grow_receive_buffer(socket: &UdpSocket, bytes: usize) -> usize {
    use std::os::fd::AsRawFd;
    let fd = socket.as_raw_fd();
    let size = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    let asked = libc::c_int::try_from(bytes).unwrap_or(libc::c_int::MAX);
    // SAFETY: `fd` is the open socket `socket` holds; the value is a c_int of `size` bytes that
    // outlives the call. A refusal leaves the default buffer, which the read below reports.
    unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            std::ptr::addr_of!(asked).cast(),
            size,
        )
    };
    let (mut granted, mut length): (libc::c_int, libc::socklen_t) = (0, size);
    // SAFETY: as above; `granted` and `length` are writable and `length` holds their size.
    let read = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            std::ptr::addr_of_mut!(granted).cast(),
            &mut length,
        )
    };
    if read == 0 {
        usize::try_from(granted).unwrap_or(0)
    } else {
        0
    }
}

/// Tidal's events coming in, and what they and the orbits counted.
pub struct DirtInput {
    /// Where it listens.
    pub address: SocketAddr,
    /// Orbits, each an output (`orbit0`…) with a pair of ports of its own.
    pub orbits: usize,
    /// Voices each orbit plays at once.
    pub voices: usize,
    /// The receive buffer the kernel granted, in bytes.
    pub receive_buffer: usize,
    stats: Arc<DirtStats>,
    received: Arc<Received>,
    index: Arc<SampleIndex>,
    /// Each session's queue, for the receive thread.
    queues: mpsc::Sender<Queue>,
    receiver: Option<JoinHandle<()>>,
    /// The `/rms` sender.
    meters: Option<JoinHandle<()>>,
    /// The bank with every sound, kept for a session at the same rate after a reconnect.
    loaded: Mutex<Option<Arc<SampleBank>>>,
    /// Events played and when, at the last status line.
    mark: (u64, Instant),
}

impl DirtInput {
    /// Starts the receive thread on `listening` for `orbits` orbits; it runs until `stop`.
    /// `shift` is JACK's clock minus the monotonic clock, in µs.
    pub fn start(
        listening: Listening,
        orbits: usize,
        voices: usize,
        index: Arc<SampleIndex>,
        shift: i64,
        stop: Arc<AtomicBool>,
        midi_targets: Vec<String>,
    ) -> std::io::Result<DirtInput> {
        let received = Arc::new(Received::default());
        let stats = Arc::new(DirtStats::metering(orbits));
        let requests: SharedRequests =
            Arc::new((Mutex::new(RmsRequests::default()), Default::default()));
        let (queues, queue) = mpsc::channel::<Queue>();
        let mut decoder =
            Decoder::new(Arc::new(SoundTable::from_bank(&SampleBank::new(1))), orbits);
        decoder.set_midi_targets(midi_targets);
        let receiving = Receiving {
            decoder,
            clock: WallClock::measure().with_shift(shift),
            sender: None,
            queues: queue,
            requests: requests.clone(),
        };
        let meters = dirt_rms::start(
            listening.socket.try_clone()?,
            requests,
            stats.clone(),
            stop.clone(),
        )?;
        let receiver = {
            let received = received.clone();
            let socket = listening.socket;
            std::thread::Builder::new()
                .name("phonon-dirt-osc".into())
                .spawn(move || receive(socket, receiving, &stop, &received))?
        };
        Ok(DirtInput {
            address: listening.address,
            orbits,
            voices,
            receive_buffer: listening.receive_buffer,
            stats,
            received,
            index,
            queues,
            receiver: Some(receiver),
            meters: Some(meters),
            loaded: Mutex::new(None),
            mark: (0, Instant::now()),
        })
    }

    /// Every sound of the folders and the kit at `sample_rate`: loaded once, and again only
    /// for another rate.
    pub fn bank(&self, sample_rate: u32) -> Arc<SampleBank> {
        let mut loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(bank) = loaded.as_ref().filter(|b| b.sample_rate() == sample_rate) {
            tracing::info!("same sample rate: reusing the samples loaded before");
            return bank.clone();
        }
        let loading = Instant::now();
        let names: Vec<String> = self.index.names().map(str::to_string).collect();
        let bank = patch::bank_with(&self.index, sample_rate, &names);
        tracing::info!(
            "samples: {} sounds loaded in {:.0} ms",
            bank.names().count(),
            loading.elapsed().as_secs_f64() * 1000.0
        );
        *loaded = Some(bank.clone());
        bank
    }

    /// A session's orbits and router, made for `bank`; its queue goes to the receive thread.
    pub fn hosting(&self, bank: &Arc<SampleBank>) -> Hosting {
        let sounds = Arc::new(SoundTable::from_bank(bank));
        let dirt = Dirt::counting(self.orbits, self.voices, &sounds, self.stats.clone());
        let _ = self.queues.send(Queue {
            sender: dirt.sender,
            sounds,
        });
        Hosting {
            router: dirt.router,
            nodes: dirt.orbits,
        }
    }

    /// The orbits' output names.
    pub fn output_names(&self) -> impl Iterator<Item = String> {
        (0..self.orbits).map(dirt::orbit_name)
    }

    /// ` · events/s 12 · late 0 · dropped 0 · packets 40`, for the status line.
    pub fn status(&mut self) -> String {
        let played = self.stats.played.load(Ordering::Relaxed);
        let (before, at) = self.mark;
        let seconds = at.elapsed().as_secs_f64().max(1e-3);
        self.mark = (played, Instant::now());
        format!(
            " · events/s {:.0} · late {} · dropped {} · packets {}",
            played.saturating_sub(before) as f64 / seconds,
            self.stats.late.load(Ordering::Relaxed),
            self.stats.dropped.load(Ordering::Relaxed),
            self.received.packets.load(Ordering::Relaxed),
        )
    }

    /// ` · packets 40 · played 38`, for systemd's status.
    pub fn brief(&self) -> String {
        format!(
            " · packets {} · played {}",
            self.received.packets.load(Ordering::Relaxed),
            self.stats.played.load(Ordering::Relaxed),
        )
    }

    /// Everything counted, for the summary.
    pub fn summary(&self) -> String {
        let wire = self.received.wire.lock().map(|c| *c).unwrap_or_default();
        let stats = &self.stats;
        format!(
            " · packets {} · events {} · played {} · late {} · dropped {} · refused far ahead {} · unknown sounds {} · unknown parameters {} · controls past 16 {} · malformed {} · too deep {} · other addresses {}",
            self.received.packets.load(Ordering::Relaxed),
            wire.events,
            stats.played.load(Ordering::Relaxed),
            stats.late.load(Ordering::Relaxed),
            stats.dropped.load(Ordering::Relaxed),
            stats.refused_far.load(Ordering::Relaxed),
            wire.unknown_sounds,
            wire.unknown_params,
            wire.crowded,
            wire.malformed,
            wire.too_deep,
            wire.unknown_addresses,
        )
    }

    /// Waits for the receive and `/rms` threads (they end within 100 ms of the stop flag).
    pub fn join(&mut self) {
        for thread in [self.receiver.take(), self.meters.take()]
            .into_iter()
            .flatten()
        {
            let _ = thread.join();
        }
    }
}

/// JACK's clock minus the monotonic clock in µs (the same on Linux; measured to be sure).
pub fn clock_shift(client: &jack::Client) -> i64 {
    ahead_of_monotonic(|| client.time() as i64)
}

/// What the receive thread works with.
struct Receiving {
    decoder: Decoder,
    clock: WallClock,
    /// The playing session's queue (none before the first).
    sender: Option<EventSender>,
    /// The queues of sessions as they start.
    queues: mpsc::Receiver<Queue>,
    /// What `/rms` is asked for, for its sender.
    requests: SharedRequests,
}

/// The receive thread: packets into events until asked to stop.
fn receive(socket: UdpSocket, receiving: Receiving, stop: &AtomicBool, received: &Received) {
    let Receiving {
        mut decoder,
        mut clock,
        mut sender,
        queues,
        requests,
    } = receiving;
    let _ = socket.set_read_timeout(Some(Duration::from_millis(100)));
    let mut buffer = vec![0u8; 65_536];
    let mut events = Vec::with_capacity(64);
    let mut last_clock = Instant::now();
    let mut last_warning: Option<Instant> = None;
    let mut warned = WireCounts::default();
    while !stop.load(Ordering::SeqCst) {
        if last_clock.elapsed() >= Duration::from_secs(1) {
            clock.follow();
            last_clock = Instant::now();
        }
        let (n, from) = match socket.recv_from(&mut buffer) {
            Ok(r) => r,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                continue;
            }
            Err(e) => {
                tracing::warn!("UDP receive: {e}");
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
        };
        received.packets.fetch_add(1, Ordering::Relaxed);
        // Checked after the wait for a packet, so events go to the session playing now.
        while let Ok(queue) = queues.try_recv() {
            sender = Some(queue.sender);
            decoder.set_sounds(queue.sounds);
        }
        events.clear();
        if let Some(Reply(reply)) = decoder.decode(&buffer[..n], &clock, &mut events) {
            if let Err(e) = socket.send_to(&reply, from) {
                tracing::warn!("cannot answer {from}: {e}");
            }
        }
        if let Some(sender) = sender.as_mut() {
            for event in events.drain(..) {
                sender.send(event);
            }
        }
        if std::mem::take(&mut decoder.rms_changed) {
            let (board, changed) = &*requests;
            if let Ok(mut r) = board.lock() {
                r.client = Some(from);
                r.orbits.clone_from(&decoder.rms);
            }
            changed.notify_one();
        }
        if let Ok(mut counts) = received.wire.lock() {
            *counts = decoder.counts;
        }
        // Bad input is reported at most every five seconds.
        if last_warning.is_none_or(|t| t.elapsed() >= Duration::from_secs(5))
            && report_bad_input(&decoder, &mut warned)
        {
            last_warning = Some(Instant::now());
        }
    }
    report_bad_input(&decoder, &mut warned);
}

/// Logs what bad input came since `warned` (the counts last reported); true if it logged.
fn report_bad_input(decoder: &Decoder, warned: &mut WireCounts) -> bool {
    let c = decoder.counts;
    let mut said = false;
    if c.unknown_sounds > warned.unknown_sounds {
        tracing::warn!(
            "{} event(s) for sounds no folder has (last: `{}`); add them to --samples",
            c.unknown_sounds - warned.unknown_sounds,
            decoder.last_unknown_sound.as_deref().unwrap_or("?")
        );
        said = true;
    }
    if c.malformed > warned.malformed {
        tracing::warn!(
            "{} malformed packet(s) or message(s) ignored",
            c.malformed - warned.malformed
        );
        said = true;
    }
    if c.too_deep > warned.too_deep {
        tracing::warn!(
            "{} packet(s) of bundles nested more than {} deep ignored",
            c.too_deep - warned.too_deep,
            dirt::wire::MAX_NESTING
        );
        said = true;
    }
    if c.unknown_addresses > warned.unknown_addresses {
        tracing::warn!(
            "{} message(s) to addresses other than /dirt/play, /dirt/handshake and /dirt/hello ignored",
            c.unknown_addresses - warned.unknown_addresses
        );
        said = true;
    }
    *warned = c;
    said
}
