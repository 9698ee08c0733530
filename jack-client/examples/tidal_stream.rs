//! Sends a steady stream of `/dirt/play` bundles in Tidal's wire layout, for `benches/dirt-load`:
//! kit sounds cut to 50 ms, every one sent to its orbit's delay and reverb, spread over four
//! orbits, each time-tagged 0.2 s ahead as Tidal does.
//!
//! `cargo run --release -p jack-client --example tidal_stream PORT EVENTS_PER_SECOND SECONDS`

use rosc::{OscBundle, OscMessage, OscPacket, OscTime, OscType};
use std::net::UdpSocket;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(port), Some(rate), Some(seconds)) = (
        args.get(1).and_then(|a| a.parse::<u16>().ok()),
        args.get(2).and_then(|a| a.parse::<u64>().ok()),
        args.get(3).and_then(|a| a.parse::<u64>().ok()),
    ) else {
        eprintln!("usage: tidal_stream PORT EVENTS_PER_SECOND SECONDS");
        std::process::exit(2);
    };
    let socket = UdpSocket::bind("127.0.0.1:0").expect("a socket");
    let kit = ["bd", "sn", "hh", "oh", "cp", "rim", "tom", "perc"];
    let s = |x: &str| OscType::String(x.into());
    let started = Instant::now();
    let total = rate * seconds;
    for k in 0..total {
        let due = Duration::from_nanos(k * 1_000_000_000 / rate);
        if let Some(wait) = due.checked_sub(started.elapsed()) {
            std::thread::sleep(wait);
        }
        let at = SystemTime::now().duration_since(UNIX_EPOCH).unwrap() + Duration::from_millis(200);
        let args = vec![
            s("_id_"),
            s("1"),
            s("cps"),
            OscType::Float(0.5625),
            s("cycle"),
            OscType::Float(k as f32 / 8.0),
            s("delay"),
            OscType::Float(0.3),
            s("delta"),
            OscType::Float(0.05),
            s("orbit"),
            OscType::Int((k % 4) as i32),
            s("pan"),
            OscType::Float((k % 7) as f32 / 6.0),
            s("room"),
            OscType::Float(0.3),
            s("s"),
            s(kit[k as usize % kit.len()]),
            s("sustain"),
            OscType::Float(0.05),
        ];
        let packet = OscPacket::Bundle(OscBundle {
            timetag: OscTime {
                seconds: (at.as_secs() + 2_208_988_800) as u32,
                fractional: ((u64::from(at.subsec_nanos()) << 32) / 1_000_000_000) as u32,
            },
            content: vec![OscPacket::Message(OscMessage {
                addr: "/dirt/play".into(),
                args,
            })],
        });
        let bytes = rosc::encoder::encode(&packet).expect("encodes");
        let _ = socket.send_to(&bytes, ("127.0.0.1", port));
    }
    println!("sent {total}");
}
