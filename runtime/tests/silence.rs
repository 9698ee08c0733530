//! Outputs whose nodes say their block was silent are left out of the mix and the master (an
//! idle orbit of `phonon dirt` costs almost nothing). That must change nothing the engine plays:
//! the same samples as when no node says so, through mutes, a gain change and swaps.

mod common;
use common::*;
use dsp::{Carry, Context, In, Node};
use runtime::EngineConfig;
use std::sync::Arc;

/// Plays a loud tone in some blocks and silence in the others (which ones depends on its
/// index), saying so when `says`.
struct Bursts {
    index: u8,
    block: u64,
    phase: f32,
    says: bool,
    silent: bool,
}

impl Node for Bursts {
    fn process(&mut self, ctx: &Context<'_>, _: &[In<'_>], out: &mut [&mut [f32]]) {
        self.block += 1;
        let playing = match self.index {
            0 => self.block % 3 == 0,
            1 => self.block % 5 < 2,
            _ => false,
        };
        self.silent = !playing;
        for (c, channel) in out.iter_mut().enumerate() {
            for (i, y) in channel[..ctx.frames].iter_mut().enumerate() {
                let x = (self.phase + i as f32 * 0.05 + c as f32).sin() * 1.5;
                *y = if playing { x } else { 0.0 };
            }
        }
        self.phase += ctx.frames as f32 * 0.05;
    }

    fn is_silent(&self) -> bool {
        self.says && self.silent
    }

    /// As an orbit does: the new node carries on, and the old one, fading out beside it, copies
    /// the new one's output while still holding what it last said.
    fn carry_from(&mut self, old: &mut dyn Node) -> Carry {
        if let Some(old) = dsp::downcast::<Bursts>(old) {
            (self.block, self.phase) = (old.block, old.phase);
        }
        Carry::Taken
    }
}

const NODES: u8 = 3;
const FRAMES: usize = 128;

/// Every output channel (the main pair, then each node's pair) over 100 blocks.
fn play(says: bool, workers: usize) -> Vec<Vec<f32>> {
    let mut graph = graph::Graph::empty(0.5);
    let names: Vec<String> = (0..NODES).map(|k| format!("bursts{k}")).collect();
    for (index, name) in (0..NODES).zip(&names) {
        let make = move |_: &dsp::Setup| {
            Box::new(Bursts {
                index,
                block: 0,
                phase: f32::from(index),
                says,
                silent: false,
            }) as Box<dyn Node>
        };
        let hosted = dsp::Hosted {
            label: "bursts",
            index,
            make: Arc::new(make),
        };
        graph.add_hosted(hosted, name);
    }
    let (mut engine, mut controller) = runtime::engine(
        EngineConfig {
            sample_rate: RATE,
            max_block: FRAMES,
            workers,
            output_pairs: names.len(),
            output_names: names.clone(),
            ..EngineConfig::default()
        },
        bank(),
    )
    .unwrap();
    controller.load(&graph).unwrap();
    let channels = 2 + 2 * usize::from(NODES);
    let mut out = vec![Vec::new(); channels];
    let mut buffers = vec![vec![0.0f32; FRAMES]; channels];
    for block in 0..100 {
        match block {
            20 => assert!(controller.set_muted(&names[1..2])),
            30 => assert!(controller.set_gain(0.5)),
            40 => assert!(controller.set_muted(&[])),
            // Swaps land after loud blocks and after silent ones.
            50 | 62 | 73 | 87 => drop(controller.load(&graph).unwrap()),
            _ => {}
        }
        let mut slices: Vec<&mut [f32]> = buffers.iter_mut().map(|b| &mut b[..]).collect();
        engine.process(FRAMES, &[], &mut slices);
        for (o, b) in out.iter_mut().zip(&buffers) {
            o.extend_from_slice(b);
        }
        controller.collect();
    }
    assert_eq!(engine.generation(), 5, "the swaps played");
    out
}

fn bits(channels: &[Vec<f32>]) -> Vec<Vec<u32>> {
    channels
        .iter()
        .map(|c| c.iter().map(|x| x.to_bits()).collect())
        .collect()
}

#[test]
fn silent_outputs_left_out_change_no_sample() {
    for workers in [1, 2] {
        let told = play(true, workers);
        let untold = play(false, workers);
        assert_eq!(bits(&told), bits(&untold), "{workers} workers");
        let peak = |c: &[f32]| c.iter().fold(0.0f32, |m, x| m.max(x.abs()));
        assert!(peak(&told[0]) > 0.5, "the main mix plays");
        assert!(
            peak(&told[2]) > 0.5 && peak(&told[4]) > 0.5,
            "the pairs play"
        );
        assert_eq!(peak(&told[6]), 0.0, "the silent pair stays silent");
        // Node 0 plays one block in three, node 1 two in five: each channel sounds in the
        // blocks its nodes play and is cleared in the others.
        let loud_blocks = |c: &[f32]| c.chunks(FRAMES).filter(|b| peak(b) > 0.5).count();
        let silent_blocks = |c: &[f32]| c.chunks(FRAMES).filter(|b| peak(b) == 0.0).count();
        assert_eq!(loud_blocks(&told[2]), 33);
        assert_eq!(silent_blocks(&told[2]), 67);
        assert!(loud_blocks(&told[0]) >= 50, "{}", loud_blocks(&told[0]));
        assert!(silent_blocks(&told[0]) >= 30, "{}", silent_blocks(&told[0]));
    }
}
