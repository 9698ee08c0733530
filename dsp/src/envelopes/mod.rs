//! Envelopes on a gate signal: `adsr` and `ar`. A gate opens when its input rises above 0.5 and
//! closes when it falls back; adsr are linear in amplitude.

pub mod triggered;

use crate::blocks::envelope::{Adsr, EnvelopeStage};
use crate::declaration::{Declaration, Port};
use crate::{Context, In, Node, Width};

/// A stage's length.
const SECONDS: Port = Port::signal(0.0, "s").within(0.0, f32::INFINITY);

crate::ports! {
    /// What `adsr` reads.
    pub struct AdsrPorts {
        input: Port::input(),
        attack: Port { default: 0.01, ..SECONDS },
        decay: Port { default: 0.1, ..SECONDS },
        sustain: Port::signal(0.7, "").within(0.0, 1.0),
        release: Port { default: 0.2, ..SECONDS },
    }
}

crate::ports! {
    /// What `ar` reads.
    pub struct ArPorts {
        input: Port::input(),
        attack: Port { default: 0.01, ..SECONDS },
        release: Port { default: 0.2, ..SECONDS },
    }
}

/// `adsr`.
pub static ADSR: Declaration = Declaration {
    name: "adsr",
    aliases: &[],
    ports: AdsrPorts::PORTS,
    width: Width::AsInput,
    make: make_adsr,
    doc: "Attack-decay-sustain-release envelope on a gate signal (alone, every cycle).",
    example: "out: saw 110 * (square 2 # adsr 0.01 0.2 0.5 0.3) * 0.3",
    control: None,
};

/// `ar`.
pub static AR: Declaration = Declaration {
    name: "ar",
    aliases: &["asr"],
    ports: ArPorts::PORTS,
    width: Width::AsInput,
    make: make_ar,
    doc: "Attack-release envelope on a gate signal (alone, every cycle).",
    example: "out: saw 110 * (square 1 # ar 0.05 0.3) * 0.3",
    control: None,
};

crate::ports! {
    /// What `line` reads.
    pub struct LinePorts {
        start: Port::signal(0.0, ""),
        end: Port::signal(1.0, ""),
        time: Port { default: 1.0, ..SECONDS },
        trigger: Port::trigger(),
    }
}

crate::ports! {
    /// What `xline` reads: `line`'s ports with a fall from 1 to 0.001 by default.
    pub struct XLinePorts {
        start: Port::signal(1.0, ""),
        end: Port::signal(0.001, ""),
        time: Port { default: 1.0, ..SECONDS },
        trigger: Port::trigger(),
    }
}

/// `line`.
pub static LINE: Declaration = Declaration {
    name: "line",
    aliases: &[],
    ports: LinePorts::PORTS,
    width: Width::Mono,
    make: make_line,
    doc: "A straight ramp from start to end over time seconds, then end: from when the patch \
          starts, or again at each step of a trigger pattern.",
    example: "out: sine (line 220 880 2) * 0.2",
    control: None,
};

/// `xline`.
pub static XLINE: Declaration = Declaration {
    name: "xline",
    aliases: &[],
    ports: XLinePorts::PORTS,
    width: Width::Mono,
    make: make_xline,
    doc: "An exponential ramp (equal ratios in equal times) from start to end, then end.",
    example: "out: saw 110 * xline 1 0.001 0.5 \"x ~ x x\" * 0.3",
    control: None,
};

/// Attack-decay-sustain-release; `ar` is the same with no decay and full sustain.
pub struct Envelope {
    stage: EnvelopeStage,
    gate: bool,
    ar: bool,
}

impl Envelope {
    /// An envelope at rest; `ar` makes it attack-release only.
    pub fn new(ar: bool) -> Envelope {
        Envelope {
            stage: EnvelopeStage::default(),
            gate: false,
            ar,
        }
    }
}

impl Node for Envelope {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let (adsr_ports, ar_ports) = (AdsrPorts::read(inputs), ArPorts::read(inputs));
        let [first, rest @ ..] = out else { return };
        for (i, y) in first[..ctx.frames].iter_mut().enumerate() {
            let adsr = if self.ar {
                let p = ar_ports;
                Adsr::new(p.attack.at(i), 0.0, 1.0, p.release.at(i), ctx.sample_rate)
            } else {
                let p = adsr_ports;
                let (decay, sustain) = (p.decay.at(i), p.sustain.at(i));
                Adsr::new(
                    p.attack.at(i),
                    decay,
                    sustain,
                    p.release.at(i),
                    ctx.sample_rate,
                )
            };
            let open = adsr_ports.input.raw(i) > 0.5;
            if open && !self.gate {
                self.stage.open();
            } else if !open && self.gate {
                self.stage.close(&adsr);
            }
            self.gate = open;
            *y = self.stage.next(&adsr);
        }
        for channel in rest {
            channel[..ctx.frames].copy_from_slice(&first[..ctx.frames]);
        }
    }
}

/// Makes an ADSR envelope.
pub fn make_adsr(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Envelope::new(false))
}

/// Makes an AR envelope.
pub fn make_ar(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Envelope::new(true))
}

/// A ramp from `start` to `end` over `time` seconds from when the node starts playing, then
/// holding `end`: straight (`line`) or exponential (`xline`, equal ratios in equal times, for
/// frequencies and levels). Inputs are start, end, time and an optional trigger: a frame where
/// it is above 0.5 starts the ramp again.
pub struct Line {
    exponential: bool,
    /// Frames played so far.
    elapsed: u64,
}

impl Node for Line {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let table = if self.exponential {
            XLinePorts::PORTS
        } else {
            LinePorts::PORTS
        };
        let p = LinePorts::read_with(inputs, table);
        let [first, rest @ ..] = out else { return };
        for (i, y) in first[..ctx.frames].iter_mut().enumerate() {
            if p.trigger.at(i) > 0.5 {
                self.elapsed = 0;
            }
            let (start, end) = (p.start.at(i), p.end.at(i));
            let frames = (p.time.at(i) * ctx.sample_rate) as f64;
            let done = if frames <= 0.0 {
                1.0
            } else {
                (self.elapsed as f64 / frames).min(1.0)
            } as f32;
            *y = if self.exponential && start > 0.0 && end > 0.0 {
                start * (end / start).powf(done)
            } else {
                start + (end - start) * done
            };
            self.elapsed += 1;
        }
        for channel in rest {
            channel[..ctx.frames].copy_from_slice(&first[..ctx.frames]);
        }
    }
}

/// Makes a straight ramp.
pub fn make_line(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Line {
        exponential: false,
        elapsed: 0,
    })
}

/// Makes an exponential ramp.
pub fn make_xline(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Line {
        exponential: true,
        elapsed: 0,
    })
}
