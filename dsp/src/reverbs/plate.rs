//! Dattorro's plate reverb.

use crate::blocks::{DelayLine, Lfo};
use crate::declaration::{Declaration, Port};
use crate::{sanitize, Context, In, Node, Width};

crate::ports! {
    /// What the plate reads.
    pub struct PlatePorts {
        input: Port::input(),
        pre_delay: Port::signal(20.0, "ms").within(0.0, 500.0),
        decay: Port::signal(2.0, "s").within(0.1, 30.0),
        diffusion: Port::signal(0.7, "").within(0.0, 0.95),
        damping: Port::signal(0.5, "").within(0.0, 0.99),
        mod_depth: Port::signal(0.3, "").within(0.0, 1.0),
        mix: Port::mix(0.5),
    }
}

/// `plate`.
pub static PLATE: Declaration = Declaration {
    name: "plate",
    aliases: &[],
    ports: PlatePorts::PORTS,
    width: Width::Stereo,
    make: make_plate,
    doc: "Plate reverb (Dattorro): pre-delay, diffusion, a damped tank decaying in decay seconds.",
    example: "out: s \"sn ~ ~ ~\" # plate 20 3 0.7 0.4",
    control: None,
};

/// Plate reverb after Dattorro: a pre-delay, four diffusing all-passes, then a figure-of-eight
/// tank of two damped, slowly modulated delay loops, tapped for a wide stereo output. Inputs:
/// signal, pre-delay (ms), decay (s, to -60 dB), diffusion (0-1), damping (0-1), modulation
/// depth (0-1), mix.
pub struct Plate {
    pre: DelayLine,
    diffusers: [(DelayLine, f32); 4],
    tank: [TankHalf; 2],
    lfo: Lfo,
    sample_rate: f32,
}

struct TankHalf {
    allpass: DelayLine,
    allpass_length: f32,
    first: DelayLine,
    first_length: f32,
    damp: f32,
    second: DelayLine,
    second_length: f32,
    /// The half's output, fed to the other half.
    last: f32,
}

/// Dattorro's lengths at 29,761 Hz.
const PLATE_DIFFUSERS: [f32; 4] = [142.0, 107.0, 379.0, 277.0];
const PLATE_TANK: [[f32; 3]; 2] = [[672.0, 4453.0, 3720.0], [908.0, 4217.0, 3163.0]];

impl Node for Plate {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let p = PlatePorts::read(inputs);
        let x = p.input;
        let sr = self.sample_rate;
        let loop_seconds = (self.tank[0].first_length
            + self.tank[0].second_length
            + self.tank[1].first_length
            + self.tank[1].second_length)
            / (2.0 * sr);
        for i in 0..ctx.frames {
            let pre = (p.pre_delay.at(i) * 0.001 * sr).max(1.0);
            let decay_seconds = p.decay.at(i);
            // Each half of the tank applies `decay` twice a trip (after its damped delay, and
            // into the other half): the two together lose 60 dB in `decay` seconds.
            let decay = 10f32
                .powf(-3.0 * loop_seconds / (2.0 * decay_seconds))
                .min(0.98);
            let (diffusion, damping) = (p.diffusion.at(i), p.damping.at(i));
            let wobble = self.lfo.next(1.0, sr) * p.mod_depth.at(i) * 8.0;
            let mix = p.mix.at(i);
            let dry = sanitize(x.raw(i));
            self.pre.push(dry);
            let mut v = self.pre.read(pre);
            for (k, (line, length)) in self.diffusers.iter_mut().enumerate() {
                let g = if k < 2 { 0.75 } else { 0.625 } * diffusion;
                let delayed = line.read(*length);
                let w = v + g * delayed;
                line.push(sanitize(w));
                v = delayed - g * w;
            }
            let feeds = [self.tank[1].last, self.tank[0].last];
            for (h, half) in self.tank.iter_mut().enumerate() {
                let input = v + feeds[h] * decay;
                let sway = if h == 0 { wobble } else { -wobble };
                let delayed = half.allpass.read(half.allpass_length + sway);
                let g = 0.7 * diffusion;
                let w = input - g * delayed;
                half.allpass.push(sanitize(w));
                let a = delayed + g * w;
                half.first.push(sanitize(a));
                let b = half.first.read(half.first_length);
                half.damp = sanitize(b * (1.0 - damping) + half.damp * damping);
                half.second.push(sanitize(half.damp * decay));
                half.last = half.second.read(half.second_length);
            }
            let t = &self.tank;
            let left = t[0].first.read(266.0 * sr / 29_761.0)
                + t[0].first.read(2974.0 * sr / 29_761.0)
                - t[1].second.read(1913.0 * sr / 29_761.0);
            let right = t[1].first.read(353.0 * sr / 29_761.0)
                + t[1].first.read(3627.0 * sr / 29_761.0)
                - t[0].second.read(1228.0 * sr / 29_761.0);
            let wet = [left * 0.6, right * 0.6];
            for (c, channel) in out.iter_mut().enumerate().take(2) {
                channel[i] = sanitize(x.channel(c, i)) * (1.0 - mix) + wet[c] * mix;
            }
        }
    }
}

/// Makes a plate reverb tuned for the sample rate.
pub fn make_plate(sample_rate: f32, _: usize) -> Box<dyn Node> {
    let scale = sample_rate / 29_761.0;
    let sized = |n: f32| (n * scale).round().max(2.0);
    let line = |n: f32| DelayLine::new(sized(n) as usize + 16);
    let half = |lengths: [f32; 3]| TankHalf {
        allpass: line(lengths[0]),
        allpass_length: sized(lengths[0]),
        first: line(lengths[1]),
        first_length: sized(lengths[1]),
        damp: 0.0,
        second: line(lengths[2]),
        second_length: sized(lengths[2]),
        last: 0.0,
    };
    Box::new(Plate {
        pre: DelayLine::new((0.5 * sample_rate) as usize + 4),
        diffusers: PLATE_DIFFUSERS.map(|n| (line(n), sized(n))),
        tank: [half(PLATE_TANK[0]), half(PLATE_TANK[1])],
        lfo: Lfo::default(),
        sample_rate,
    })
}
