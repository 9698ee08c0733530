//! SuperDirt's orbit reverb (`dirt_reverb` in its `core-synths-global.scd`): the orbit's sound
//! summed to mono, diffused by four allpasses a channel, into a loop of a one-pole low-pass, an
//! allpass, a delay of about 0.19 s (left) or 0.26 s (right) and another allpass, fed back at a
//! depth `size` sets, through SuperCollider's one control block (64 frames) of `LocalIn`. Where
//! SuperDirt draws its delay times at random each boot, these are fixed draws from the same
//! ranges, so the reverb is the same every run.

use crate::blocks::{DcBlocker, DelayLine};
use crate::declaration::Port;
use crate::{sanitize, Context, In, Node};

crate::ports! {
    /// What the orbit reverb reads: the sound sent to it, and the room's size.
    pub struct DirtReverbPorts {
        input: Port::input(),
        size: Port::signal(0.1, "").within(0.0, 1.0),
    }
}

/// The diffusing allpasses' delays, seconds (SuperDirt: 5 to 20 ms at random), by channel.
const DIFFUSION: [[f32; 4]; 2] = [
    [0.0131, 0.0072, 0.0164, 0.0098],
    [0.0086, 0.0147, 0.0059, 0.0182],
];
/// The loop's extra depth a channel (SuperDirt: 0 to 0.05 at random).
const DEPTH_SPREAD: [f32; 2] = [0.021, 0.034];
/// The loop's first allpass, seconds (SuperDirt: 10 to 50 ms at random).
const LOOP_ALLPASS: [f32; 2] = [0.027, 0.041];
/// The loop's delay, seconds (SuperDirt: 0.19 and 0.26 s, ± 3 ms at random).
const LOOP_DELAY: [f32; 2] = [0.1912, 0.2583];
/// The loop's last allpass, seconds: SuperDirt draws 30 to 150 ms and its 50 ms line holds 50.
const LOOP_ALLPASS_LAST: f32 = 0.05;
/// SuperCollider's control block: how late `LocalIn` hears `LocalOut`.
const CONTROL_BLOCK: usize = 64;

/// An `AllpassN`: a delay of `delay` frames with the feedback that makes an echo fall 60 dB in
/// `decay` seconds.
struct Allpass {
    line: DelayLine,
    delay: f32,
    gain: f32,
}

impl Allpass {
    fn new(seconds: f32, decay: f32, sample_rate: f32) -> Allpass {
        let delay = (seconds * sample_rate).round().max(1.0);
        Allpass {
            line: DelayLine::new(delay as usize + 2),
            delay,
            gain: 0.001f32.powf(seconds / decay),
        }
    }

    #[inline]
    fn tick(&mut self, x: f32) -> f32 {
        let delayed = self.line.read(self.delay);
        let w = sanitize(x + self.gain * delayed);
        self.line.push(w);
        delayed - self.gain * w
    }
}

/// One channel's loop.
struct Channel {
    diffusion: [Allpass; 4],
    depth_spread: f32,
    /// The one-pole's last output.
    smoothed: f32,
    first: Allpass,
    delay: DelayLine,
    delay_frames: f32,
    last: Allpass,
    leak: DcBlocker,
    /// `LocalOut` to `LocalIn`: the loop's output a control block later.
    feedback: DelayLine,
}

impl Channel {
    fn new(c: usize, sample_rate: f32) -> Channel {
        Channel {
            diffusion: DIFFUSION[c].map(|d| Allpass::new(d, 1.0, sample_rate)),
            depth_spread: DEPTH_SPREAD[c],
            smoothed: 0.0,
            first: Allpass::new(LOOP_ALLPASS[c], 2.0, sample_rate),
            delay: DelayLine::new((LOOP_DELAY[c] * sample_rate) as usize + 2),
            delay_frames: (LOOP_DELAY[c] * sample_rate).round(),
            last: Allpass::new(LOOP_ALLPASS_LAST, 2.0, sample_rate),
            leak: DcBlocker::default(),
            feedback: DelayLine::new(CONTROL_BLOCK + 2),
        }
    }

    /// One frame: the loop's output for the mono input `x` at loop depth `depth`.
    #[inline]
    fn tick(&mut self, x: f32, depth: f32) -> f32 {
        let input = self.diffusion.iter_mut().fold(x, |v, a| a.tick(v));
        // Past 1 the loop would grow without end (SuperDirt's can, at size 1).
        let back = self.feedback.read(CONTROL_BLOCK as f32) * (depth + self.depth_spread).min(0.99);
        self.smoothed = sanitize(0.5 * back + 0.5 * self.smoothed);
        let v = self.first.tick(self.smoothed);
        let delayed = self.delay.read(self.delay_frames);
        self.delay.push(v);
        let v = self.last.tick(delayed) + input;
        let out = self.leak.tick(v);
        self.feedback.push(out);
        out
    }
}

/// SuperDirt's orbit reverb, wet only.
pub struct DirtReverb {
    channels: [Channel; 2],
}

impl DirtReverb {
    /// A reverb at rest for `sample_rate`. Allocates.
    pub fn new(sample_rate: f32) -> DirtReverb {
        DirtReverb {
            channels: [Channel::new(0, sample_rate), Channel::new(1, sample_rate)],
        }
    }
}

impl Node for DirtReverb {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let p = DirtReverbPorts::read(inputs);
        for i in 0..ctx.frames {
            let x = p.input.channel(0, i) + p.input.channel(1, i);
            // SuperDirt's `size.linexp(0, 1, 0.01, 0.98)`.
            let depth = 0.01 * 98f32.powf(p.size.at(i));
            for (c, channel) in self.channels.iter_mut().enumerate() {
                let y = channel.tick(x, depth);
                if let Some(buffer) = out.get_mut(c) {
                    buffer[i] = y;
                }
            }
        }
    }
}

/// Makes SuperDirt's orbit reverb.
pub fn make_dirt_reverb(sample_rate: f32, _: usize) -> Box<dyn Node> {
    Box::new(DirtReverb::new(sample_rate))
}
