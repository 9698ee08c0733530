//! Querying patterns block by block allocates nothing from the global allocator: every
//! temporary lives in the caller's bump arena, reset between blocks.

use bumpalo::Bump;
use pattern::{mini, mini_as, sound, Pattern, Span, Time, ValueType};

#[global_allocator]
static ALLOCATOR: alloc_counter::CountingAllocator = alloc_counter::CountingAllocator;

/// Queries `p` block after block (512 frames at 44.1 kHz and 0.5 cycles per second) from
/// `first_cycle`, resetting the arena between blocks; returns the events seen.
fn run_blocks<T: pattern::Item>(
    p: &Pattern<T>,
    arena: &mut Bump,
    first_cycle: i64,
    blocks: i64,
) -> usize {
    let block = Time::new(512, 88_200);
    let mut begin = Time::from_int(first_cycle);
    let mut seen = 0;
    for _ in 0..blocks {
        arena.reset();
        let span = Span::new(begin, begin + block);
        seen += p.query(span, arena).len();
        begin = span.end;
    }
    seen
}

/// A mini-notation string read as whole numbers.
fn counts(text: &str) -> Pattern<i64> {
    mini(text)
        .unwrap()
        .fmap(|v| v.as_f64().unwrap_or(0.0).floor() as i64)
}

#[test]
fn block_queries_allocate_nothing() {
    alloc_counter::settle();
    let drums = mini("[bd*2 <sn cp>, hh(5,8,<0 2>), ~ oh?]").unwrap();
    let patterns: Vec<Pattern<pattern::Value>> = vec![
        drums.every(3, |p| p.fast(Time::from_int(2))),
        mini("{bd sn, hh hh hh}%<4 8> [a | b | c] bd:3 <a b>:<1 2>").unwrap(),
        mini("[0 .. 7] [<0 2> .. <4 6>]*2").unwrap(),
        mini_as(
            "c'major e'<minor min7>'i <c e>'dom7'<i 5 o d1>",
            ValueType::Note,
        )
        .unwrap(),
        mini("bd*<2 3> sn/<2 4> [hh hh]!2 cp@3 ~ rim?0.3").unwrap(),
        mini("a b c d")
            .unwrap()
            .iter(4)
            .chunk(4, |p| p.rev())
            .ply(Time::from_int(2))
            .palindrome()
            .off(Time::new(1, 8), |p| p.degrade())
            .segment(Time::from_int(16)),
        // More than 20 events a cycle through the transforms that sort a cycle's events, and
        // the sample slicers.
        mini("[a b c d e f g h]*4").unwrap().rot(3),
        // Patterned counts and amounts (Tidal's `innerJoin`).
        mini("[a b c d e f g h]*4")
            .unwrap()
            .rot_p(
                &mini("<1 [2 3]>")
                    .unwrap()
                    .fmap(|v| v.as_f64().unwrap_or(0.0) as i64),
            )
            .iter_p(
                &mini("<2 4>")
                    .unwrap()
                    .fmap(|v| v.as_f64().unwrap_or(0.0) as i64),
                1,
            )
            .press_by_p(
                &mini("0 0.5")
                    .unwrap()
                    .fmap(|v| Time::from_f64(v.as_f64().unwrap_or(0.0))),
            ),
        // The chord players, over more than 20 notes a cycle.
        mini_as("[c'maj9 e'min7]*4", ValueType::Note)
            .unwrap()
            .arp_p(&pattern::pure(pattern::ArpMode::PinkyUpDown))
            .rolled_by(Time::new(1, 4)),
        pattern::squeeze(
            &mini("[0 [1 0] 2 1]*4")
                .unwrap()
                .fmap(|v| v.as_f64().unwrap_or(0.0) as i64),
            vec![mini("a b c").unwrap(), mini("<d e>*3").unwrap()],
        ),
        pattern::randcat(vec![mini("a b c").unwrap(), mini("<d e>*3").unwrap()]),
        pattern::wrandcat(vec![
            (mini("a b c").unwrap(), 2.0),
            (mini("<d e>*3").unwrap(), 1.0),
        ]),
        sound(&mini("[bd sn hh cp]*8").unwrap())
            .chop(4)
            .striate(2)
            .fmap(|s| s.sound.clone()),
        // The part reorderings and the fitted slices.
        mini("[a b c d e f g h]*2").unwrap().shuffle(16).scramble(8),
        sound(&mini("[bd sn]*8").unwrap())
            .splice(4, &mini("0 1 2 3").unwrap().fmap(|v| v.as_f64().unwrap()))
            .fmap(|s| s.sound.clone()),
        // The squeezes, random structures and rearrangements.
        mini("a b c d e f g h")
            .unwrap()
            .bite(4, &counts("0 [2 1] <3 0>*2"))
            .fast_squeeze(
                &mini("1 [2 3]")
                    .unwrap()
                    .fmap(|v| Time::from_f64(v.as_f64().unwrap())),
            )
            .substruct(&pattern::binary(8, &counts("<133 77>*4")))
            .stripe(3)
            .mono()
            .loop_first()
            .degrade_by_p(&pattern::saw().slow(Time::from_int(4))),
        pattern::stretch(
            &mini("~ a b ~")
                .unwrap()
                .substruct_indexed(&counts("0 [1 2]")),
        ),
        pattern::ascii(&mini("ab <c d>").unwrap()).fmap(|&b| pattern::Value::Bool(b)),
        pattern::randrun(12)
            .fmap(|&x| pattern::Value::Num(x))
            .space_out(&[Time::ONE, Time::new(1, 2), Time::from_int(2)]),
        {
            // Tidal's `unwrap` choosing a window per event (`index`), lists played at once
            // (`flatpat`), and a window in time (`seqP`).
            let p = mini("a b c d").unwrap();
            pattern::bound(&mini("<0 0.5 1>*2").unwrap(), move |v, span, arena, out| {
                let begin = Time::from_f64(v.as_f64().unwrap_or(0.0) * 0.75);
                p.zoom_query(begin, begin + Time::new(1, 4), span, arena, out)
            })
            .play_for(Time::ZERO, Time::from_int(2_000_000))
        },
        mini("0:4:7 2:5 [1:2:3:4]*4").unwrap().flat(),
        sound(&mini("[bd hh sn hh]*4").unwrap())
            .matching(&sound(&mini("hh").unwrap()), false)
            .fmap(|s| s.sound.clone()),
        sound(&mini("[bd sn hh cp]*4").unwrap())
            .chew(4, &counts("0 [2 1] <3 0>*2"))
            .gap(4)
            .striate_by(3, 0.5)
            .fmap(|s| s.sound.clone()),
    ];
    let stress = sound(&mini("bd*32").unwrap())
        .stut(16, 0.5, Time::new(1, 8))
        .jux(|p| p.rev());
    let mut arena = Bump::with_capacity(1 << 20);

    // Warm-up sizes the arena's chunk; after that, resets reuse it.
    for p in &patterns {
        run_blocks(p, &mut arena, 0, 200);
    }
    run_blocks(&stress, &mut arena, 0, 200);

    let mut seen = 0;
    let calls = alloc_counter::count(|| {
        for first_cycle in [0, 1_000_000] {
            for p in &patterns {
                seen += run_blocks(p, &mut arena, first_cycle, 2_000);
            }
            seen += run_blocks(&stress, &mut arena, first_cycle, 2_000);
        }
    });

    assert_eq!(calls, 0, "allocator calls while querying");
    assert!(seen > 10_000, "the patterns produced only {seen} events");
}
