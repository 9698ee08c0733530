//! Freeze and the granulator.

use crate::blocks::DelayLine;
use crate::declaration::{Declaration, Port};
use crate::{sanitize, Context, In, Node, Width};
use std::f32::consts::PI;

crate::ports! {
    /// What freeze reads.
    pub struct FreezePorts {
        input: Port::input(),
        trigger: Port::signal(0.0, ""),
    }
}

/// `freeze`.
pub static FREEZE: Declaration = Declaration {
    name: "freeze",
    aliases: &[],
    ports: FreezePorts::PORTS,
    width: Width::AsInput,
    make: make_freeze,
    doc: "While the trigger is above 0.5, loop the last 0.2 s seamlessly; otherwise pass the input. (Right after a sound pattern, `# freeze x` is SuperDirt's per-event spectral freeze.)",
    example: "out: s \"bd*4 sn\" * 0.8 # freeze \"0 1\"",
    control: None,
};

crate::ports! {
    /// What the granulator reads.
    pub struct GranularPorts {
        input: Port::input(),
        grain_ms: Port::signal(50.0, "ms").within(1.0, 500.0),
        density: Port::signal(0.5, "").within(0.01, 1.0),
        pitch: Port::signal(1.0, "").within(0.125, 4.0),
    }
}

/// `granular`.
pub static GRANULAR: Declaration = Declaration {
    name: "granular",
    aliases: &[],
    ports: GranularPorts::PORTS,
    width: Width::Mono,
    make: make_granular,
    doc: "Granulator: windowed grains of the last two seconds of its input, at a pitch ratio.",
    example: "out: s \"bev\" # granular 80 0.8 0.5",
    control: None,
};

/// The length a freeze holds, in seconds.
const FREEZE_SECONDS: f32 = 0.2;

/// Freeze: while the trigger is above 0.5, the last fifth of a second loops (two crossfaded
/// heads, so the loop has no seam); otherwise the input passes. Inputs: signal, trigger.
pub struct Freeze {
    lines: [DelayLine; 2],
    length: f32,
    /// Position within the frozen loop, in samples.
    position: f32,
}

impl Node for Freeze {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let p = FreezePorts::read(inputs);
        let x = p.input;
        let l = self.length;
        for i in 0..ctx.frames {
            let frozen = p.trigger.at(i) > 0.5;
            if frozen {
                self.position = (self.position + 1.0).rem_euclid(l);
            } else {
                self.position = 0.0;
            }
            let d1 = l - self.position;
            let d2 = (d1 + 0.5 * l - 1.0).rem_euclid(l) + 1.0;
            let g1 = (PI * self.position / l).sin();
            let g2 = (PI * (self.position + 0.5 * l).rem_euclid(l) / l).sin();
            for (c, channel) in out.iter_mut().enumerate().take(2) {
                let line = &mut self.lines[c];
                if frozen {
                    channel[i] = line.read(d1) * g1 * g1 + line.read(d2) * g2 * g2;
                } else {
                    let v = sanitize(x.channel(c, i));
                    line.push(v);
                    channel[i] = v;
                }
            }
        }
    }
}

/// Makes a freeze.
pub fn make_freeze(sample_rate: f32, _: usize) -> Box<dyn Node> {
    let length = (FREEZE_SECONDS * sample_rate).round();
    Box::new(Freeze {
        lines: [
            DelayLine::new(length as usize + 4),
            DelayLine::new(length as usize + 4),
        ],
        length,
        position: 0.0,
    })
}

/// Grains a granulator plays at once.
const GRAINS: usize = 32;
/// The past a granulator picks grains from, in seconds.
const GRAIN_MEMORY_SECONDS: f32 = 2.0;

#[derive(Clone, Copy, Default)]
struct Grain {
    /// Delay of the read head behind the write head, in samples.
    delay: f32,
    /// Samples played and the grain's length.
    age: f32,
    length: f32,
    /// Read speed.
    rate: f32,
    active: bool,
}

/// A granulator: grains of the recent input (Hann-windowed, `grain_ms` long, read at `pitch`
/// times the speed), started `density` times a grain length apart on average from random
/// points in the last second. Inputs: source, grain size (ms), density (0-1), pitch.
pub struct Granular {
    line: DelayLine,
    grains: [Grain; GRAINS],
    /// Samples until the next grain starts.
    wait: f32,
    seed: u32,
}

impl Granular {
    /// A random number in [0, 1).
    fn random(&mut self) -> f32 {
        0.5 * (crate::xorshift_noise(&mut self.seed) + 1.0)
    }
}

impl Node for Granular {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let p = GranularPorts::read(inputs);
        let sr = ctx.sample_rate;
        let memory = GRAIN_MEMORY_SECONDS * sr;
        let [first, rest @ ..] = out else { return };
        for i in 0..ctx.frames {
            self.line.push(sanitize(p.input.raw(i)));
            let length = (p.grain_ms.at(i) * 0.001 * sr).max(16.0);
            let (density, rate) = (p.density.at(i), p.pitch.at(i));
            self.wait -= 1.0;
            if self.wait <= 0.0 {
                // Up to four grains overlap at full density.
                self.wait = length / (4.0 * density) * (0.5 + self.random());
                let jitter = self.random() * 0.5 * memory;
                // Enough delay that a grain read faster than real time stays in the past.
                let delay = (length * rate.max(1.0) + jitter).min(memory - 2.0);
                if let Some(g) = self.grains.iter_mut().find(|g| !g.active) {
                    *g = Grain {
                        delay,
                        age: 0.0,
                        length,
                        rate,
                        active: true,
                    };
                }
            }
            let mut sum = 0.0;
            for g in self.grains.iter_mut().filter(|g| g.active) {
                let window = (PI * g.age / g.length).sin();
                sum += self.line.read(g.delay.max(1.0)) * window * window;
                g.age += 1.0;
                g.delay += 1.0 - g.rate;
                if g.age >= g.length || g.delay < 1.0 || g.delay > memory - 2.0 {
                    g.active = false;
                }
            }
            first[i] = sum * 0.5;
        }
        for channel in rest {
            channel[..ctx.frames].copy_from_slice(&first[..ctx.frames]);
        }
    }
}

/// Makes a granulator.
pub fn make_granular(sample_rate: f32, _: usize) -> Box<dyn Node> {
    Box::new(Granular {
        line: DelayLine::new((GRAIN_MEMORY_SECONDS * sample_rate) as usize + 4),
        grains: [Grain::default(); GRAINS],
        wait: 0.0,
        seed: 0x9e37_79b9,
    })
}
