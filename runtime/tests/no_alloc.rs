//! The audio path allocates nothing: 60 seconds of the stress example, after warm-up, with a
//! counting global allocator — including a program swap and a live input.

#[global_allocator]
static ALLOCATOR: alloc_counter::CountingAllocator = alloc_counter::CountingAllocator;

mod common;
use common::*;
use std::sync::Mutex;

/// The counter sees every thread, so the two tests must not overlap.
static SERIAL: Mutex<()> = Mutex::new(());

#[test]
fn sixty_seconds_of_the_stress_example_allocate_nothing() {
    alloc_counter::settle();
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let frames = 512;
    let (mut engine, mut controller) = engine(2, frames);
    controller.load(&example("stress.ph")).unwrap();
    let mut left = vec![0.0f32; frames];
    let mut right = vec![0.0f32; frames];
    // Warm-up: the first cycle fills every voice pool and arena to its working size.
    for _ in 0..2 * RATE as usize / frames {
        engine.process(frames, &[], &mut [&mut left[..], &mut right[..]]);
    }
    let blocks = 60 * RATE as usize / frames;
    let calls = alloc_counter::count(|| {
        for _ in 0..blocks {
            engine.process(frames, &[], &mut [&mut left[..], &mut right[..]]);
        }
    });
    assert_eq!(calls, 0, "{calls} allocator calls in {blocks} blocks");
    assert!(peak(&left) > 0.0, "the stress example is silent");
    let mut stats = None;
    for r in controller.reports() {
        stats = Some(r);
    }
    let stats = stats.expect("reports arrive");
    assert_eq!(stats.arena_growths, 0, "an arena grew on the audio path");
    assert!(stats.voices > 0);
}

#[test]
fn swapping_programs_and_reading_inputs_allocate_nothing_on_the_audio_thread() {
    alloc_counter::settle();
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let frames = 256;
    let (mut engine, mut controller) = engine(2, frames);
    let a = compile("cps: 0.5\nout: (s \"bd*4 [sn cp]\" # gain 0.5) + in 1 * 0.5");
    // With Tidal's controller inputs, squeezes and random structures among its patterns, and
    // notes with no sound named.
    let b = compile(
        "cps: 0.5\nout: (s \"bd*8\" # gain 0.4 # delay 0.2 0.5 0.3) + in 1 # lpf 900 0.5\n\
         out2: stripe 2 $ chew 4 \"0 [2 1]\" $ s \"hh*8\" # speed (cF 1 \"no-alloc-rate\") \
         # gain (sec \"0.3 0.6\")\nout3: n \"0 [4 7]\" # gain 0.3\n",
    );
    controller.load(&a).unwrap();
    let input: Vec<f32> = (0..frames).map(|i| (i as f32 * 0.05).sin()).collect();
    let mut left = vec![0.0f32; frames];
    let mut right = vec![0.0f32; frames];
    for _ in 0..200 {
        engine.process(frames, &[&input], &mut [&mut left[..], &mut right[..]]);
    }
    // Programs are built and retired on this (the control) thread between blocks; only the
    // blocks are counted.
    let mut calls = 0;
    for i in 0..50 {
        controller.load(if i % 2 == 0 { &b } else { &a }).unwrap();
        for _ in 0..20 {
            calls += alloc_counter::count(|| {
                engine.process(frames, &[&input], &mut [&mut left[..], &mut right[..]]);
            });
        }
        controller.collect();
        controller.reports().for_each(drop);
    }
    assert_eq!(calls, 0);
    assert!(rms(&left) > 0.0);
}

#[test]
fn paced_blocks_as_under_jack_allocate_nothing() {
    alloc_counter::settle();
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let frames = 128;
    let (mut engine, mut controller) = engine(2, frames);
    controller.load(&example("techno.ph")).unwrap();
    let mut left = vec![0.0f32; frames];
    let mut right = vec![0.0f32; frames];
    for _ in 0..2 * RATE as usize / frames {
        engine.process(frames, &[], &mut [&mut left[..], &mut right[..]]);
    }
    // Two seconds at the pace of a 128-frame period, each block forecasting the next, as the
    // JACK callback does: helpers nap between blocks and are awake for the next.
    let period = std::time::Duration::from_secs_f64(frames as f64 / f64::from(RATE));
    let mut next = std::time::Instant::now();
    let blocks = 2 * RATE as usize / frames;
    let calls = alloc_counter::count(|| {
        for _ in 0..blocks {
            let now = std::time::Instant::now();
            if next > now {
                std::thread::sleep(next - now);
            }
            engine.process(frames, &[], &mut [&mut left[..], &mut right[..]]);
            next += period;
            engine.expect_next_block(Some(next));
        }
    });
    assert_eq!(calls, 0, "{calls} allocator calls in {blocks} paced blocks");
    let joined = controller
        .reports()
        .filter(|r| r.helper_join.is_some())
        .count();
    assert!(joined > 0, "no helper joined a paced block");
}

#[test]
fn midi_statements_their_note_offs_a_keyboard_and_a_hush_allocate_nothing() {
    alloc_counter::settle();
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let frames = 128;
    let (mut engine, mut controller) = runtime::engine(
        runtime::EngineConfig {
            sample_rate: RATE,
            max_block: frames,
            workers: 2,
            midi_out: true,
            ..runtime::EngineConfig::default()
        },
        bank(),
    )
    .expect("engine starts");
    controller
        .load(&compile(
            "cps: 2\nmidi: n \"0 [4 7] <12 ~> 3*4\" # legato 1.5 # midichan \"0 1\"\n\
             midi2: ccv (range 0 127 sine) # ccn 74 # midibend 8192\nout: s \"bd*4\"\n\
             out2: keys \"sawtooth\" :release 0.05 + keys \"superpiano\" :channel 2\n",
        ))
        .unwrap();
    let mut left = vec![0.0f32; frames];
    let mut right = vec![0.0f32; frames];
    let (mut ons, mut offs) = (0, 0);
    // A keyboard's notes too, as the host writes them before each block: a chord struck and
    // let go over and over, on two channels, with the pedal.
    let keyboard = dsp::midi_keys::MidiNotes::shared();
    let mut block_number = 0u32;
    let mut press = move || {
        keyboard.begin();
        let k = block_number % 40;
        block_number += 1;
        for (i, note) in [60u8, 64, 67, 71].into_iter().enumerate() {
            let channel = (i % 2) as u8;
            let frame = (i * 20) as u32;
            match k {
                0 => keyboard.take(
                    frame,
                    &[0x90 | channel, note + (block_number % 5) as u8, 100],
                ),
                20 => keyboard.take(
                    frame,
                    &[0x80 | channel, note + ((block_number - 20) % 5) as u8, 0],
                ),
                30 => keyboard.take(frame, &[0xb1, 64, if i == 0 { 127 } else { 0 }]),
                _ => false,
            };
        }
    };
    let mut count = |engine: &mut runtime::Engine| {
        for m in engine.midi_out().expect("a MIDI port").take(frames as u32) {
            match m.bytes()[0] & 0xf0 {
                0x90 => ons += 1,
                0x80 => offs += 1,
                _ => {}
            }
        }
    };
    for _ in 0..RATE as usize / frames {
        press();
        engine.process(frames, &[], &mut [&mut left[..], &mut right[..]]);
        count(&mut engine);
    }
    let mut calls = 0;
    for second in 0..6 {
        // A hush for the fourth second: every note ends and none starts.
        controller.set_gain(if second == 3 { 0.0 } else { 1.0 });
        for _ in 0..RATE as usize / frames {
            calls += alloc_counter::count(|| {
                press();
                engine.process(frames, &[], &mut [&mut left[..], &mut right[..]]);
                count(&mut engine);
            });
        }
    }
    assert_eq!(calls, 0, "{calls} allocator calls");
    controller.set_gain(0.0);
    for _ in 0..8 {
        engine.process(frames, &[], &mut [&mut left[..], &mut right[..]]);
        count(&mut engine);
    }
    assert!(ons > 50, "{ons} notes");
    assert_eq!(ons, offs, "every note ended");
    assert_eq!(engine.midi_out().map(|m| m.sounding()), Some(0));
}
