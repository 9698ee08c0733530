//! `--control ADDR:PORT`: an OSC port for controllers, editors and appliance panels. A receive
//! thread reads each message into a [`Request`] for the control thread, which carries it out
//! between its other steps and answers the sender: `/done ADDRESS …` when it did it, `/error
//! ADDRESS MESSAGE` when it could not (and nothing changed). Nothing here touches the audio
//! thread; the commands reach the engine as every other change does.

use rosc::{OscMessage, OscPacket, OscType};
use std::net::{SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::Duration;

/// What a controller asks.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// `/hush`: silence every output (the patch keeps running, on the beat).
    Hush,
    /// `/unhush`: bring the outputs back.
    Unhush,
    /// `/tempo CPS`: cycles per second.
    Tempo(f64),
    /// `/bpm BPM`: beats per minute, four beats a cycle (as a patch's `bpm:`).
    Bpm(f64),
    /// `/gain GAIN`: the master gain.
    Gain(f32),
    /// `/mute NAME`, `/unmute NAME`: one output out of the mix, or back in.
    Mute(String),
    /// See [`Command::Mute`].
    Unmute(String),
    /// `/solo NAME`, `/unsolo NAME`: only the soloed outputs play while any is soloed.
    Solo(String),
    /// See [`Command::Solo`].
    Unsolo(String),
    /// `/load PATH`: compile the patch at PATH and play it; on an error the old one plays on.
    Load(PathBuf),
    /// `/set NAME VALUE` (or Tidal's `/ctrl NAME VALUE`): the value the patch's `ctrl "NAME"`
    /// and `cF 0 "NAME"` play.
    Set(String, f32),
    /// `/status`: reply with what is playing.
    Status,
}

/// A command and who sent it.
#[derive(Debug)]
pub struct Request {
    /// What to do.
    pub command: Command,
    /// Where the answer goes.
    pub from: SocketAddr,
    /// The address it came on (`/mute`), for the answer.
    pub address: String,
}

/// The control port: its socket for answers, and the requests the receive thread read.
pub struct ControlPort {
    socket: UdpSocket,
    requests: mpsc::Receiver<Request>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// Binds `address` and starts reading from it, waking `control` (the thread that takes the
/// requests) at each one; the error says what to do.
pub fn open(address: SocketAddr, control: std::thread::Thread) -> Result<ControlPort, String> {
    let socket = UdpSocket::bind(address).map_err(|e| {
        format!("cannot open the control port on UDP {address} ({e}); choose another --control")
    })?;
    let bound = socket.local_addr().unwrap_or(address);
    // A timeout lets the thread see the stop flag.
    socket
        .set_read_timeout(Some(Duration::from_millis(100)))
        .map_err(|e| format!("control port: {e}"))?;
    let reader = socket
        .try_clone()
        .map_err(|e| format!("control port: {e}"))?;
    let (send, requests) = mpsc::channel();
    let stop = Arc::new(AtomicBool::new(false));
    let stopping = stop.clone();
    let thread = std::thread::Builder::new()
        .name("phonon-control".into())
        .spawn(move || receive(&reader, &send, &stopping, &control))
        .map_err(|e| format!("control port: {e}"))?;
    tracing::info!(
        "control port: OSC on UDP {bound} (/hush /unhush /tempo /bpm /gain /mute /unmute /solo /unsolo /load /set /ctrl /status)"
    );
    Ok(ControlPort {
        socket,
        requests,
        stop,
        thread: Some(thread),
    })
}

impl ControlPort {
    /// The requests that came since the last call.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.try_iter().collect()
    }

    /// Answers `request` with `/done ADDRESS` and `details`.
    pub fn done(&self, request: &Request, details: Vec<OscType>) {
        let mut args = vec![OscType::String(request.address.clone())];
        args.extend(details);
        self.send(request.from, "/done", args);
    }

    /// Answers `request` with `/error ADDRESS MESSAGE`.
    pub fn error(&self, request: &Request, message: &str) {
        let args = vec![
            OscType::String(request.address.clone()),
            OscType::String(message.to_string()),
        ];
        self.send(request.from, "/error", args);
    }

    /// Answers `/status` with `/status` and name-value pairs.
    pub fn status(&self, request: &Request, pairs: Vec<(&str, OscType)>) {
        let args = pairs
            .into_iter()
            .flat_map(|(name, value)| [OscType::String(name.into()), value])
            .collect();
        self.send(request.from, "/status", args);
    }

    fn send(&self, to: SocketAddr, addr: &str, args: Vec<OscType>) {
        send(&self.socket, to, addr, args);
    }
}

impl Drop for ControlPort {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn send(socket: &UdpSocket, to: SocketAddr, addr: &str, args: Vec<OscType>) {
    let message = OscPacket::Message(OscMessage {
        addr: addr.into(),
        args,
    });
    if let Ok(bytes) = rosc::encoder::encode(&message) {
        // An answer that cannot be sent is the controller's loss, not a reason to stop.
        let _ = socket.send_to(&bytes, to);
    }
}

/// The receive thread: reads packets until told to stop; a message it cannot read is answered
/// with `/error` at once.
fn receive(
    socket: &UdpSocket,
    requests: &mpsc::Sender<Request>,
    stop: &AtomicBool,
    control: &std::thread::Thread,
) {
    let mut buffer = vec![0u8; 65_536];
    while !stop.load(Ordering::SeqCst) {
        let Ok((n, from)) = socket.recv_from(&mut buffer) else {
            continue;
        };
        let Ok((_, packet)) = rosc::decoder::decode_udp(&buffer[..n]) else {
            send(
                socket,
                from,
                "/error",
                vec![
                    OscType::String("?".into()),
                    OscType::String("not OSC".into()),
                ],
            );
            continue;
        };
        for message in messages(packet) {
            match parse(&message) {
                Ok(command) => {
                    let request = Request {
                        command,
                        from,
                        address: message.addr.clone(),
                    };
                    if requests.send(request).is_err() {
                        return;
                    }
                    control.unpark();
                }
                Err(e) => send(
                    socket,
                    from,
                    "/error",
                    vec![OscType::String(message.addr.clone()), OscType::String(e)],
                ),
            }
        }
    }
}

/// The messages of a packet, bundles opened (a controller may bundle several commands).
fn messages(packet: OscPacket) -> Vec<OscMessage> {
    let mut out = Vec::new();
    let mut pending = vec![packet];
    while let Some(p) = pending.pop() {
        match p {
            OscPacket::Message(m) => out.push(m),
            OscPacket::Bundle(b) => pending.extend(b.content.into_iter().rev()),
        }
    }
    out
}

/// A number sent as an int, a float, a double or a long.
fn number(arg: Option<&OscType>) -> Option<f64> {
    match arg? {
        OscType::Int(i) => Some(f64::from(*i)),
        OscType::Float(f) => Some(f64::from(*f)),
        OscType::Double(d) => Some(*d),
        OscType::Long(l) => Some(*l as f64),
        _ => None,
    }
}

/// The command a message asks for, or what is wrong with it.
pub fn parse(message: &OscMessage) -> Result<Command, String> {
    let args = &message.args;
    let positive = |what: &str| {
        number(args.first())
            .filter(|x| x.is_finite() && *x > 0.0)
            .ok_or_else(|| format!("expected a positive number of {what}"))
    };
    let name = || match args.first() {
        Some(OscType::String(s)) if !s.is_empty() => Ok(s.clone()),
        _ => Err("expected an output's name (`out`, `out2`, `orbit1`)".to_string()),
    };
    Ok(match message.addr.as_str() {
        "/hush" => Command::Hush,
        "/unhush" => Command::Unhush,
        "/tempo" => Command::Tempo(positive("cycles per second")?),
        "/bpm" => Command::Bpm(positive("beats per minute")?),
        "/gain" => Command::Gain(
            number(args.first())
                .filter(|x| x.is_finite() && (0.0..=4.0).contains(x))
                .ok_or("expected a gain from 0 to 4")? as f32,
        ),
        "/mute" => Command::Mute(name()?),
        "/unmute" => Command::Unmute(name()?),
        "/solo" => Command::Solo(name()?),
        "/unsolo" => Command::Unsolo(name()?),
        "/load" => match args.first() {
            Some(OscType::String(path)) if !path.is_empty() => Command::Load(path.into()),
            _ => return Err("expected the path of a patch".into()),
        },
        "/set" | "/ctrl" => {
            // Tidal's controller messages may name a value by number (`/ctrl 1 0.5`).
            let name = match args.first() {
                Some(OscType::String(name)) => Some(name.clone()),
                Some(OscType::Int(k)) => Some(k.to_string()),
                _ => None,
            };
            match (name, number(args.get(1))) {
                (Some(name), Some(value)) if !name.is_empty() && value.is_finite() => {
                    Command::Set(name, value as f32)
                }
                _ => return Err("expected a name and a number (`/set cutoff 800`)".into()),
            }
        }
        "/status" => Command::Status,
        other => {
            return Err(format!(
                "unknown command {other}: phonon takes /hush /unhush /tempo /bpm /gain /mute /unmute /solo /unsolo /load /set /ctrl /status"
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(addr: &str, args: Vec<OscType>) -> OscMessage {
        OscMessage {
            addr: addr.into(),
            args,
        }
    }

    #[test]
    fn commands_are_read_with_their_arguments_checked() {
        assert_eq!(parse(&message("/hush", vec![])), Ok(Command::Hush));
        assert_eq!(
            parse(&message("/tempo", vec![OscType::Float(0.5)])),
            Ok(Command::Tempo(0.5))
        );
        assert_eq!(
            parse(&message("/bpm", vec![OscType::Int(120)])),
            Ok(Command::Bpm(120.0))
        );
        assert_eq!(
            parse(&message("/mute", vec![OscType::String("out2".into())])),
            Ok(Command::Mute("out2".into()))
        );
        assert!(parse(&message("/tempo", vec![OscType::Float(-1.0)])).is_err());
        assert!(parse(&message("/gain", vec![OscType::Float(9.0)])).is_err());
        assert!(parse(&message("/mute", vec![])).is_err());
        assert!(parse(&message("/load", vec![OscType::Int(3)])).is_err());
        assert_eq!(
            parse(&message(
                "/set",
                vec![OscType::String("cutoff".into()), OscType::Int(800)]
            )),
            Ok(Command::Set("cutoff".into(), 800.0))
        );
        assert!(parse(&message("/set", vec![OscType::String("cutoff".into())])).is_err());
        assert_eq!(
            parse(&message(
                "/ctrl",
                vec![OscType::Int(1), OscType::Float(0.5)]
            )),
            Ok(Command::Set("1".into(), 0.5))
        );
        let unknown = parse(&message("/frobnicate", vec![])).unwrap_err();
        assert!(unknown.contains("/hush"), "{unknown}");
    }
}
