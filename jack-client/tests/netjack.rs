//! Past one machine: Phonon on netJACK2 slaves (`jackd -d net`), heard on a master's JACK graph
//! through its `netmanager`. Each machine is a network namespace of the test's own, joined to the
//! master's by a veth pair with link-local addresses (169.254.0.0/16: nothing is routable and
//! nothing leaves this machine); the namespaces and their links are removed at the end, whatever
//! happened. The JACK clients reach their servers through JACK's sockets in the file system, which
//! the namespaces share; only the servers' audio crosses the network.
//!
//! Built only with optimisations, like `live.rs`.
#![cfg(not(debug_assertions))]

mod harness;

use harness::*;
use rosc::OscType;
use std::net::UdpSocket;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const RATE: u32 = 48_000;
/// The period of every server, in frames.
const PERIOD: u32 = 128;

/// A slave machine: its namespace, its address and the master's address on their link.
struct Slave {
    netns: Netns,
    address: String,
    master_address: String,
}

/// A master namespace and slave namespaces, each slave on a veth pair of its own to the master.
struct Network {
    slaves: Vec<Slave>,
    // Dropped after the slaves: the master's ends of the links go with the slaves' namespaces.
    master: Netns,
}

impl Network {
    /// Builds the machines, or says why it cannot (not root, no `ip`, no namespaces here).
    fn build(slaves: usize) -> Result<Network, String> {
        static NETWORKS: AtomicUsize = AtomicUsize::new(0);
        // Names unique to this process and network: an interface's name has at most 15 bytes.
        let id = format!(
            "{}n{}",
            std::process::id() % 100_000,
            NETWORKS.fetch_add(1, Ordering::SeqCst)
        );
        let master = Netns(format!("phonon-m{id}"));
        if !ip(&["netns", "add", &master.0]) {
            return Err("`ip netns add` failed (root and iproute2 are needed)".into());
        }
        ip(&["-n", &master.0, "link", "set", "lo", "up"]);
        let mut network = Network {
            slaves: Vec::new(),
            master,
        };
        for k in 0..slaves {
            let netns = Netns(format!("{}-s{k}", network.master.0));
            let (here, there) = (format!("pm{id}x{k}"), format!("ps{id}x{k}"));
            // One /24 of 169.254.0.0/16 a link (each link is a namespace pair of its own, so
            // subnets may repeat between networks).
            let subnet = format!("169.254.{}", 10 + k);
            let (master_address, address) = (format!("{subnet}.1"), format!("{subnet}.2"));
            let built = ip(&["netns", "add", &netns.0])
                && ip(&["link", "add", &here, "type", "veth", "peer", "name", &there])
                && ip(&["link", "set", &here, "netns", &network.master.0])
                && ip(&["link", "set", &there, "netns", &netns.0])
                && ip(&[
                    "-n",
                    &network.master.0,
                    "addr",
                    "add",
                    &format!("{master_address}/24"),
                    "dev",
                    &here,
                ])
                && ip(&[
                    "-n",
                    &netns.0,
                    "addr",
                    "add",
                    &format!("{address}/24"),
                    "dev",
                    &there,
                ])
                && ip(&["-n", &network.master.0, "link", "set", &here, "up"])
                && ip(&["-n", &netns.0, "link", "set", &there, "up"])
                && ip(&["-n", &netns.0, "link", "set", "lo", "up"]);
            if !built {
                ip(&["link", "del", &here]);
                return Err(format!("cannot build the link to slave {k}"));
            }
            network.slaves.push(Slave {
                netns,
                address,
                master_address,
            });
        }
        Ok(network)
    }
}

/// The network, or `None` (a skip, said why) where this machine cannot make namespaces; with
/// `PHONON_REQUIRE_JACK=1` (as in CI) that is a failure.
fn network(slaves: usize) -> Option<Network> {
    if !jack_available() {
        return None;
    }
    match Network::build(slaves) {
        Ok(network) => Some(network),
        Err(why) => {
            skip_for_want_of(
                &format!("cannot make network namespaces: {why}"),
                "root and iproute2 are needed",
            );
            None
        }
    }
}

/// The master's server, with `netmanager` loaded: it takes in every slave that asks.
fn master(network: &Network) -> Server {
    let driver = ["-d", "dummy", "-r", "48000", "-p", &PERIOD.to_string()]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let server = Server::start_with(PERIOD, true, Some(&network.master.0), driver);
    let loaded = Command::new("jack_load")
        .args(["-s", &server.name, "netmanager"])
        .env("JACK_NO_START_SERVER", "1")
        .output()
        .expect("jack_load");
    assert!(
        String::from_utf8_lossy(&loaded.stdout).contains("netmanager is running"),
        "{loaded:?}"
    );
    server
}

/// A netJACK2 slave server in `slave`'s namespace, joined to the master as client `client`
/// with two periods of network latency, once the master shows its ports.
fn slave(master: &Server, slave: &Slave, client: &str) -> Server {
    let driver = [
        "-d",
        "net",
        "-a",
        &slave.master_address,
        "-l",
        "2",
        "-n",
        client,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let server = Server::start_with(PERIOD, true, Some(&slave.netns.0), driver);
    let started = Instant::now();
    while !master
        .connections()
        .contains(&format!("{client}:from_slave_1"))
    {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the master never showed {client}'s ports:\n{}",
            master.connections()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    server
}

/// The offset into `reference` at which `recording`'s first frame is, from the first of its
/// first 50 periods found there exactly (on a loaded machine netJACK can lose or garble one).
fn first_offset(recording: &Recording, reference: &[Vec<f32>; 2]) -> Option<usize> {
    let first = recording.periods.first()?.0;
    let mut at = 0;
    for &(frame, len) in recording.periods.iter().take(50) {
        let (left, right) = (
            &recording.left[at..at + len],
            &recording.right[at..at + len],
        );
        at += len;
        let found = (0..reference[0].len().saturating_sub(len)).find(|&o| {
            left.iter()
                .zip(&reference[0][o..o + len])
                .chain(right.iter().zip(&reference[1][o..o + len]))
                .all(|(a, b)| (a - b).abs() <= 1e-6)
        });
        let since = (frame - first) as usize;
        if let Some(o) = found.filter(|&o| o >= since) {
            return Some(o - since);
        }
    }
    None
}

#[test]
fn phonon_on_a_netjack_slave_is_heard_on_the_master_exactly_and_comes_back() {
    let _turn = serial();
    let Some(network) = network(1) else {
        return;
    };
    let master = master(&network);
    let client = unique("slave");
    let mut slave_server = slave(&master, &network.slaves[0], &client);
    // Noise never repeats: the recording lines up with the render at one offset only.
    let patch = temp_patch("out: noise * 0.2 + s \"bd*4\" * 0.5\n");
    let from = |side: usize| format!("{client}:from_slave_{side}");
    let seconds = 20.0;
    let reference = offline(&patch, seconds + 10.0, PERIOD as usize);
    judge(3, || {
        let phonon = Phonon::start(
            &slave_server,
            &patch,
            &["--free-run", "--connect", "--quiet"],
        );
        let capture = Capture::start(&master, &from(1), &from(2), seconds);
        capture.wait_frames((seconds * f64::from(RATE)) as usize);
        let recording = capture.finish();
        // Its summary counts the slave's xruns: a period the slave skips moves phonon's beat
        // by a period. (One process's JACK clients must not be on two servers at once.)
        let (code, log) = phonon.stop();
        assert_eq!(code, Some(0), "{log}");
        let slave_xruns = summary_field(summary_line(&log), "xruns ");
        let xruns = recording.xruns + slave_xruns;
        let offset = match first_offset(&recording, &reference) {
            Some(offset) => offset,
            None if xruns == 0 => {
                return Err(Verdict::Fault(
                    "the render's samples never arrive on the master".into(),
                ))
            }
            None => {
                return Err(Verdict::Unjudgeable(format!(
                    "none of the first periods arrived whole, with {xruns} xruns"
                )))
            }
        };
        let start = recording.start.expect("recorded");
        let alignment = align(
            &recording,
            start - offset as u64,
            &reference,
            1e-6,
            8 * PERIOD as usize,
        );
        eprintln!(
            "over {seconds} s: {} periods match the render, {} do not, {} jumps; xruns: {} on the master, {slave_xruns} on the slave",
            alignment.matched,
            alignment.unmatched.len(),
            alignment.jumps,
            recording.xruns
        );
        let excuses = 2 * (recording.xruns + slave_xruns) as usize;
        // As every recording test judges: with no xrun on either server, any period that
        // matches no frame of the render is phonon's fault. Periods netJACK lost or mangled
        // (they come with xruns on a loaded machine) and moves of the beat are the machine's
        // doing, up to two an xrun; past that the run cannot be judged.
        let faults = alignment.unmatched.len() + alignment.jumps;
        let what = format!(
            "{} periods match no frame of the render, {} jumps, {} xruns",
            alignment.unmatched.len(),
            alignment.jumps,
            recording.xruns + slave_xruns
        );
        if excuses == 0 && faults > 0 {
            return Err(Verdict::Fault(what));
        }
        if faults > excuses || 50 * faults > recording.periods.len() {
            return Err(Verdict::Unjudgeable(what));
        }
        Ok(())
    });

    // phonon killed on the slave and started again: the master hears it again.
    let killed = Phonon::start(
        &slave_server,
        &patch,
        &["--free-run", "--connect", "--quiet"],
    );
    std::thread::sleep(Duration::from_millis(500));
    killed.signal(libc::SIGKILL);
    drop(killed);
    let again = Phonon::start(
        &slave_server,
        &patch,
        &["--free-run", "--connect", "--quiet"],
    );
    let capture = Capture::start(&master, &from(1), &from(2), 2.0);
    capture.wait_frames(RATE as usize);
    let recording = capture.finish();
    assert!(
        first_offset(&recording, &reference).is_some(),
        "the restarted phonon is heard exactly"
    );
    let (code, log) = again.stop();
    assert_eq!(code, Some(0), "{log}");

    // The slave's server killed: the master plays on.
    slave_server.kill();
    let capture = Capture::start(&master, "system:capture_1", "system:capture_2", 1.0);
    capture.wait_frames(RATE as usize / 2);
    drop(capture.finish());
    assert!(master.ready(), "the master answers");
    // Started and stopped again under its name: that frees the killed server's entry in
    // JACK's registry of servers, which later tests need.
    slave_server.restart();
}

/// A Tidal `/dirt/play` bundle at Unix time `at` (µs) for `sound` on `orbit`.
fn tidal_event(at: u64, sound: &str, orbit: i32) -> Vec<u8> {
    let s = |x: &str| OscType::String(x.into());
    dirt_play_at(
        at,
        vec![
            s("cps"),
            OscType::Float(0.5),
            s("orbit"),
            OscType::Int(orbit),
            s("s"),
            s(sound),
        ],
    )
}

/// Runs `send` on a thread inside the network namespace `netns`, as a program on that
/// machine would.
fn in_netns<T: Send + 'static>(netns: &str, send: impl FnOnce() -> T + Send + 'static) -> T {
    let path = format!("/var/run/netns/{netns}");
    std::thread::spawn(move || {
        let file = std::fs::File::open(&path).expect("the namespace's file");
        use std::os::fd::AsRawFd;
        // SAFETY: moves only this thread into the namespace the open file names.
        let joined = unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) };
        assert_eq!(joined, 0, "setns {path}");
        send()
    })
    .join()
    .expect("the sender")
}

#[test]
fn two_slaves_each_play_half_of_a_tidal_sets_orbits() {
    let _turn = serial();
    let Some(network) = network(2) else {
        return;
    };
    let master = master(&network);
    let mut servers = Vec::new();
    let mut dirts = Vec::new();
    let mut targets = Vec::new();
    for (k, machine) in network.slaves.iter().enumerate() {
        let client = unique(&format!("slave{k}"));
        let server = slave(&master, machine, &client);
        let name = unique("dirt");
        let port = free_udp_port();
        // Each phonon dirt runs on its machine and listens on its own address there.
        let dirt = Phonon::spawn_in(
            Some(&machine.netns.0),
            &server,
            &name,
            &[
                "dirt",
                "--port",
                &port.to_string(),
                "--listen",
                &machine.address,
                "--name",
                &name,
                "--orbits",
                "4",
                "--connect",
                "--quiet",
            ],
            &[],
        );
        dirt.wait_for("listening for Tidal and Strudel", Duration::from_secs(20));
        targets.push(format!("{}:{port}", machine.address));
        servers.push((server, client));
        dirts.push(dirt);
    }
    let captures: Vec<Capture> = servers
        .iter()
        .map(|(_, client)| {
            Capture::start(
                &master,
                &format!("{client}:from_slave_1"),
                &format!("{client}:from_slave_2"),
                3.0,
            )
        })
        .collect();
    // Tidal on the master's machine: orbits 0 and 1 to the first slave, 2 and 3 to the
    // second, a kick every quarter second for two seconds.
    let sent = {
        let targets = targets.clone();
        in_netns(&network.master.0, move || {
            let tidal = UdpSocket::bind("0.0.0.0:0").unwrap();
            let base = unix_micros_now() + 300_000;
            let mut sent = [0u32; 2];
            for k in 0..32u64 {
                let orbit = (k % 4) as i32;
                let machine = (orbit / 2) as usize;
                let packet = tidal_event(base + k * 62_500, "bd", orbit);
                tidal.send_to(&packet, &targets[machine]).unwrap();
                sent[machine] += 1;
            }
            sent
        })
    };
    assert_eq!(sent, [16, 16]);
    std::thread::sleep(Duration::from_millis(2_800));
    for (k, capture) in captures.into_iter().enumerate() {
        capture.wait_frames(RATE as usize * 5 / 2);
        let recording = capture.finish();
        assert!(
            rms(&recording.left) > 0.01,
            "slave {k}'s kicks are heard on the master"
        );
    }
    for (k, dirt) in dirts.into_iter().enumerate() {
        let (code, log) = dirt.stop();
        assert_eq!(code, Some(0), "{log}");
        let summary = summary_line(&log);
        assert_eq!(
            summary_field(summary, "played "),
            16,
            "slave {k}: {summary}"
        );
    }
}
