//! The language's pattern functions: `s`, the sound controls, Tidal's transforms and pattern
//! constructors. Each is a registry entry over the `pattern` crate's combinator that does the
//! work; the only code here takes the compiled arguments and names the combinator.

use crate::params::{ParamKind, ParamSpec};
use crate::registry::{Function, Registry, Role};
use crate::values::{Args, Pat, PatItem, PatternFn, MAX_COUNT};
use dsp::oscillators::Wave;
use pattern::{Control, Pattern, Sound, Time, Value};

/// A transform written once for every type of pattern: the generic body is instantiated for
/// sounds and for values, and the subject's type picks one.
macro_rules! generic {
    ($body:ident) => {
        |args: &mut Args| match args.subject()? {
            Pat::Sound(p) => $body(args, p).map(Pat::Sound),
            Pat::Value(p) => $body(args, p).map(Pat::Value),
        }
    };
}

mod chance;
mod controllers;
mod layers;
mod lists;
mod reshape;

type Out<T> = Result<Pattern<T>, String>;

fn fast<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(p.fast_p(&a.speed(true)?))
}

fn slow<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(p.slow_p(&a.speed(false)?))
}

fn fast_gap<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(p.fast_gap(a.constant_time()?))
}

fn compress<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let (begin, end) = a.span()?;
    Ok(p.compress(begin, end))
}

fn zoom<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let (begin, end) = a.span()?;
    Ok(p.zoom(begin, end))
}

fn rev<T: PatItem>(_: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(p.rev())
}

fn id<T: PatItem>(_: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(p)
}

/// `early` (also `<~`, which the compiler applies directly).
fn early<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(p.early_p(&a.time()?))
}

/// `late`, also `~>`.
fn late<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(p.late_p(&a.time()?))
}

fn every<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let n = a.counts()?;
    let t = a.apply(&p)?;
    Ok(p.every_p(&n, |_| t))
}

fn every_offset<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let (n, offset) = (a.count(0)?, a.signed(MAX_COUNT)?);
    let t = a.apply(&p)?;
    Ok(p.every_offset(n, offset, |_| t))
}

fn superimpose<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let t = a.apply(&p)?;
    Ok(p.superimpose(|_| t))
}

fn off<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let shifted = p.late_p(&a.time()?);
    let t = a.apply(&shifted)?;
    Ok(pattern::stack(vec![p, t]))
}

fn sometimes_with<T: PatItem>(amount: f64, a: &mut Args, p: Pattern<T>) -> Out<T> {
    let t = a.apply(&p.undegrade_by_seeded(0, amount))?;
    Ok(pattern::stack(vec![p.degrade_by(amount), t]))
}

fn sometimes_by<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let amount = a.number()?;
    sometimes_with(amount, a, p)
}

macro_rules! sometimes_fixed {
    ($name:ident, $amount:expr) => {
        fn $name<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
            sometimes_with($amount, a, p)
        }
    };
}

sometimes_fixed!(sometimes, 0.5);
sometimes_fixed!(often, 0.75);
sometimes_fixed!(rarely, 0.25);
sometimes_fixed!(almost_never, 0.1);
sometimes_fixed!(almost_always, 0.9);

fn degrade<T: PatItem>(_: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(p.degrade())
}

/// The amount of `degradeBy` and `unDegradeBy`: a number, or a pattern read at each onset
/// (Tidal's `tParam`).
fn amounts(a: &mut Args) -> Result<Result<f64, Pattern<f64>>, String> {
    match a.constant_number() {
        Some(x) => a.number().map(|_| Ok(x)),
        None => Ok(Err(a.values()?.fmap(|v| v.as_f64().unwrap_or(0.0)))),
    }
}

fn degrade_by<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(match amounts(a)? {
        Ok(x) => p.degrade_by(x),
        Err(xs) => p.degrade_by_p(&xs),
    })
}

fn ply<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(p.ply_p(&a.speed(true)?))
}

fn iter<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(p.iter_p(&a.counts()?, 1))
}

fn iter_back<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(p.iter_p(&a.counts()?, -1))
}

fn palindrome<T: PatItem>(_: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(p.palindrome())
}

fn chunk<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let n = a.signed(MAX_COUNT)?;
    let t = a.apply(&p)?;
    Ok(p.chunk(n, |_| t))
}

fn inside<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let n = a.constant_time()?;
    if n == Time::ZERO {
        return Ok(pattern::silence());
    }
    let t = a.apply(&p.slow(n))?;
    Ok(t.fast(n))
}

fn outside<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let n = a.constant_time()?;
    if n == Time::ZERO {
        return Ok(pattern::silence());
    }
    let t = a.apply(&p.fast(n))?;
    Ok(t.slow(n))
}

fn euclid_counts(a: &mut Args) -> Result<(i64, i64), String> {
    let hits = a.signed(pattern::MAX_STEPS)?;
    let steps = a.signed(pattern::MAX_STEPS)?;
    if steps < 0 {
        return Err(format!(
            "a Euclidean rhythm needs a positive number of steps, found {steps}"
        ));
    }
    Ok((hits, steps))
}

fn euclid<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let (k, n) = euclid_counts(a)?;
    Ok(p.euclid(k, n, 0))
}

fn euclid_inv<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let (k, n) = euclid_counts(a)?;
    Ok(p.euclid(-k, n, 0))
}

/// Its subject is the pattern for the rests, given last.
fn euclid_full<T: PatItem>(a: &mut Args, rests: Pattern<T>) -> Out<T> {
    let (k, n) = euclid_counts(a)?;
    let hits = a.pattern::<T>()?;
    Ok(hits.euclid_with_rests(k, n, 0, &rests))
}

fn euclid_off<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let (k, n) = euclid_counts(a)?;
    let rotation = a.signed(pattern::MAX_STEPS)?;
    Ok(p.euclid(k, n, rotation))
}

fn segment<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(p.segment_p(&a.speed(true)?))
}

fn scramble<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(p.scramble(a.count(1)?))
}

fn shuffle<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let n = a.count(1)?;
    if n > pattern::MAX_SHUFFLE as i64 {
        return Err(format!(
            "`shuffle` permutes at most {} parts, found {n}",
            pattern::MAX_SHUFFLE
        ));
    }
    Ok(p.shuffle(n))
}

fn rot<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(p.rot_p(&a.counts()?))
}

fn press_by<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(p.press_by_p(&a.time()?))
}

fn press<T: PatItem>(_: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(p.press_by(Time::new(1, 2)))
}

fn brak<T: PatItem>(_: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(p.brak())
}

fn linger<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(p.linger(a.constant_time()?))
}

fn whenmod<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let (n, from) = (a.count(1)?, a.signed(MAX_COUNT)?);
    let t = a.apply(&p)?;
    Ok(p.when_cycle(move |c| c.rem_euclid(n) >= from, &t))
}

fn within<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let (begin, end) = a.span()?;
    let t = a.apply(&p)?;
    Ok(p.within(begin, end, |_| t))
}

/// `swingBy x n = inside n (within (0.5,1) (x ~>))`: the second half of each 1/n of a cycle
/// starts `x` (of that 1/n) later.
fn swing_by<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let x = a.constant_time()?;
    swung(x, a.constant_time()?, p)
}

/// `swing = swingBy (1/3)`.
fn swing<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    swung(Time::new(1, 3), a.constant_time()?, p)
}

fn swung<T: PatItem>(x: Time, n: Time, p: Pattern<T>) -> Out<T> {
    if n <= Time::ZERO {
        return Ok(pattern::silence());
    }
    let half = Time::new(1, 2);
    Ok(p.slow(n)
        .within(half, Time::from_int(1), |q| q.late(x))
        .fast(n))
}

/// `wedge t p p' = overlay (fastGap (1/t) p) (t ~> fastGap (1/(1-t)) p')`: the first pattern
/// squeezed into the first `t` of each cycle, the second into the rest.
fn wedge<T: PatItem>(a: &mut Args, second: Pattern<T>) -> Out<T> {
    let (t, first) = (a.constant_time()?, a.pattern::<T>()?);
    let one = Time::from_int(1);
    if t <= Time::ZERO {
        return Ok(second);
    }
    if t >= one {
        return Ok(first);
    }
    Ok(pattern::stack(vec![
        first.fast_gap(one / t),
        second.fast_gap(one / (one - t)).late(t),
    ]))
}

/// `_trunc t = compress (0, t) . zoomArc (Arc 0 t)`: the first `t` of each cycle, then
/// silence.
fn trunc<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let t = a.constant_time()?;
    let one = Time::from_int(1);
    if t <= Time::ZERO {
        return Ok(pattern::silence());
    }
    if t >= one {
        return Ok(p);
    }
    Ok(p.zoom(Time::ZERO, t).compress(Time::ZERO, t))
}

/// `_unDegradeBy x p = fmap fst $ filterValues ((< x) . snd) $ (,) <$> p <* rand`: the
/// events `degradeBy x` drops.
fn undegrade_by<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(match amounts(a)? {
        Ok(x) => p.undegrade_by_seeded(0, x),
        Err(xs) => p.undegrade_by_p(&xs),
    })
}

/// `_someCyclesBy x = when test where test c = timeToRand (fromIntegral c :: Double) < x`
fn some_cycles_by<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let x = a.number()?;
    some_cycles(x, a, p)
}

/// `somecycles = someCyclesBy 0.5`
fn some_cycles_half<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    some_cycles(0.5, a, p)
}

fn some_cycles<T: PatItem>(x: f64, a: &mut Args, p: Pattern<T>) -> Out<T> {
    let t = a.apply(&p)?;
    Ok(p.when_cycle(move |c| pattern::time_to_rand(Time::from_int(c)) < x, &t))
}

/// `while b f pat = sew b (f pat) pat`
fn while_true<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let choice = a.bools()?;
    let t = a.apply(&p)?;
    let not = choice.fmap(|b| !b);
    Ok(pattern::stack(vec![t.mask(&choice), p.mask(&not)]))
}

fn slow_append<T: PatItem>(a: &mut Args, second: Pattern<T>) -> Out<T> {
    let first = a.pattern::<T>()?;
    Ok(pattern::slowcat(vec![first, second]))
}

fn fast_append<T: PatItem>(a: &mut Args, second: Pattern<T>) -> Out<T> {
    let first = a.pattern::<T>()?;
    Ok(pattern::fastcat(vec![first, second]))
}

fn sew<T: PatItem>(a: &mut Args, otherwise: Pattern<T>) -> Out<T> {
    let (choice, when) = (a.bools()?, a.pattern::<T>()?);
    let not = choice.fmap(|b| !b);
    Ok(pattern::stack(vec![
        when.mask(&choice),
        otherwise.mask(&not),
    ]))
}

fn stitch<T: PatItem>(a: &mut Args, otherwise: Pattern<T>) -> Out<T> {
    let (choice, when) = (a.bools()?, a.pattern::<T>()?);
    let trues = choice.filter_values(|&b| b);
    let falses = choice.filter_values(|&b| !b).fmap(|_| true);
    Ok(pattern::stack(vec![
        when.structure(&trues),
        otherwise.structure(&falses),
    ]))
}

fn structure<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(p.structure(&a.bools()?))
}

fn mask<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(p.mask(&a.bools()?))
}

fn stutter<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let (n, time) = (a.count(0)?, a.constant_time()?);
    Ok(p.stutter(n, time))
}

fn sounds(a: &mut Args, name: &str) -> Result<Pattern<Sound>, String> {
    match a.subject()? {
        Pat::Sound(p) => Ok(p),
        Pat::Value(_) => Err(format!("`{name}` works on sound patterns (`s \"…\"`)")),
    }
}

fn values(a: &mut Args, name: &str) -> Result<Pattern<Value>, String> {
    match a.subject()? {
        Pat::Value(p) => Ok(p),
        Pat::Sound(_) => Err(format!("`{name}` works on patterns of numbers, not sounds")),
    }
}

fn jux(a: &mut Args) -> Result<Pat, String> {
    let p = sounds(a, "jux")?;
    let f = a.function()?;
    let right = crate::values::applied(
        &f,
        &p.fmap(|e| {
            let mut e = e.clone();
            e.set(Control::Pan, 1.0);
            e
        }),
    )?;
    Ok(Pat::Sound(p.jux(|_| right)))
}

fn jux_by(a: &mut Args) -> Result<Pat, String> {
    let p = sounds(a, "juxBy")?;
    let width = a.number()?.clamp(0.0, 1.0);
    let f = a.function()?;
    let place = |pan: f64| {
        p.fmap(move |e| {
            let mut e = e.clone();
            e.set(Control::Pan, pan);
            e
        })
    };
    let right = crate::values::applied(&f, &place(0.5 + width / 2.0))?;
    Ok(Pat::Sound(pattern::stack(vec![
        place(0.5 - width / 2.0),
        right,
    ])))
}

fn loop_at(a: &mut Args) -> Result<Pat, String> {
    let p = sounds(a, "loopAt")?;
    let n = a.constant_time()?;
    if n <= Time::ZERO {
        return Ok(Pat::Sound(pattern::silence()));
    }
    let rate = 1.0 / n.to_f64();
    // Tidal: `slow n p |* speed (1/n) # unit "c"`: each sound stretched over n cycles.
    Ok(Pat::Sound(p.slow(n).fmap(move |e| {
        let mut e = e.clone();
        e.set(Control::Speed, e.get(Control::Speed).unwrap_or(1.0) * rate);
        e.set(Control::Unit, 1.0);
        e
    })))
}

fn stut(a: &mut Args) -> Result<Pat, String> {
    let p = sounds(a, "stut")?;
    let (n, feedback, time) = (a.count(0)?, a.number()?, a.constant_time()?);
    Ok(Pat::Sound(p.stut(n, feedback, time)))
}

fn echo(a: &mut Args) -> Result<Pat, String> {
    let p = sounds(a, "echo")?;
    let (n, time, feedback) = (a.count(0)?, a.constant_time()?, a.number()?);
    Ok(Pat::Sound(p.echo(n, time, feedback)))
}

fn hurry(a: &mut Args) -> Result<Pat, String> {
    let p = sounds(a, "hurry")?;
    let factor = a.speed(true)?;
    Ok(Pat::Sound(p.hurry_p(&factor)))
}

fn chop(a: &mut Args) -> Result<Pat, String> {
    let p = sounds(a, "chop")?;
    Ok(Pat::Sound(p.chop(a.count(1)?)))
}

fn striate(a: &mut Args) -> Result<Pat, String> {
    let p = sounds(a, "striate")?;
    Ok(Pat::Sound(p.striate(a.count(1)?)))
}

fn slice(a: &mut Args) -> Result<Pat, String> {
    let p = sounds(a, "slice")?;
    let n = a.count(1)?;
    let index = a.values()?.fmap(|v| v.as_f64().unwrap_or(0.0));
    Ok(Pat::Sound(p.slice(n, &index)))
}

fn splice(a: &mut Args) -> Result<Pat, String> {
    let p = sounds(a, "splice")?;
    let n = a.count(1)?;
    let index = a.values()?.fmap(|v| v.as_f64().unwrap_or(0.0));
    Ok(Pat::Sound(p.splice(n, &index)))
}

/// The arpeggio modes a name pattern asks for, each checked over its first cycles.
fn arp_modes(a: &mut Args) -> Result<Pattern<pattern::ArpMode>, String> {
    let names = a.values()?;
    let arena = bumpalo::Bump::new();
    for e in names
        .query(pattern::Span::new(Time::ZERO, Time::from(16)), &arena)
        .iter()
    {
        let known = matches!(&e.value, Value::Str(n) if pattern::ArpMode::from_name(n).is_some());
        if !known {
            return Err(format!(
                "`arp` knows {}, found {}",
                pattern::ArpMode::ALL
                    .iter()
                    .map(|(n, _)| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                e.value
            ));
        }
    }
    Ok(names.fmap(|v| match v {
        Value::Str(n) => pattern::ArpMode::from_name(n).unwrap_or(pattern::ArpMode::Up),
        _ => pattern::ArpMode::Up,
    }))
}

fn arp<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(p.arp_p(&arp_modes(a)?))
}

fn arpeggiate<T: PatItem>(_: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(p.arp(pattern::ArpMode::Up))
}

fn rolled<T: PatItem>(_: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(p.rolled_by(Time::new(1, 4)))
}

fn rolled_by<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(p.rolled_by_p(&a.time()?))
}

fn scale(a: &mut Args) -> Result<Pat, String> {
    let names = a.values()?;
    let p = values(a, "scale")?;
    // Names are checked where they can be: over the first cycles of the name pattern.
    let arena = bumpalo::Bump::new();
    for e in names
        .query(pattern::Span::new(Time::ZERO, Time::from(16)), &arena)
        .iter()
    {
        let known = matches!(&e.value, Value::Str(n) if pattern::scale::scale_notes(n).is_some());
        if !known {
            let names = pattern::scale::SCALES
                .iter()
                .chain(pattern::scale::ORIGINAL_SCALES)
                .map(|(n, _)| *n);
            let near = crate::diagnostic::closest(&e.value.to_string(), names);
            let hint = if near.is_empty() {
                format!(
                    "it knows {} scales, such as `major`, `minor`, `dorian`, `majPent` (docs/functions.md lists them)",
                    pattern::scale::SCALES.len()
                )
            } else {
                let near: Vec<String> = near.iter().map(|n| format!("`{n}`")).collect();
                format!("did you mean {}?", near.join(", "))
            };
            return Err(format!("`scale` has no scale `{}`: {hint}", e.value));
        }
    }
    Ok(Pat::Value(p.zip_left(&names, |degree, name| {
        let notes = match name {
            Value::Str(n) => pattern::scale::scale_notes(n).unwrap_or(&[0.0]),
            _ => &[0.0],
        };
        match degree.as_f64() {
            Some(d) => Value::Num(pattern::scale::note_in_scale(notes, d)),
            None => degree.clone(),
        }
    })))
}

/// `inv = (not <$>)`: a boolean pattern inverted.
fn inv(a: &mut Args) -> Result<Pat, String> {
    let p = a.bools()?;
    Ok(Pat::Value(p.fmap(|&b| Value::Bool(!b))))
}

fn rangex(a: &mut Args) -> Result<Pat, String> {
    let p = values(a, "rangex")?;
    let (low, high) = (a.number()?, a.number()?);
    if low <= 0.0 || high <= 0.0 {
        return Err("`rangex` needs a low and a high above 0 (it scales exponentially)".into());
    }
    let (from, to) = (low.ln(), high.ln());
    Ok(Pat::Value(p.fmap(move |v| match v.as_f64() {
        Some(x) => Value::Num((from + x * (to - from)).exp()),
        None => v.clone(),
    })))
}

fn quantise(a: &mut Args) -> Result<Pat, String> {
    let p = values(a, "quantise")?;
    let steps = a.number()?;
    if steps.is_nan() || steps <= 0.0 {
        return Err("`quantise` needs a positive number of steps per unit".into());
    }
    // Tidal's: round to the nearest 1/steps, halves to even.
    Ok(Pat::Value(p.fmap(move |v| match v.as_f64() {
        Some(x) => Value::Num((x * steps).round_ties_even() / steps + 0.0),
        None => v.clone(),
    })))
}

fn range(a: &mut Args) -> Result<Pat, String> {
    let p = values(a, "range")?;
    let (low, high) = (a.values()?, a.values()?);
    Ok(Pat::Value(p.range_values(&low, &high)))
}

fn list<T: PatItem>(list: Vec<Pat>) -> Result<Vec<Pattern<T>>, String> {
    list.into_iter()
        .map(|p| T::unwrap(p).ok_or_else(|| "a list mixes sound patterns and values".to_string()))
        .collect()
}

fn combine(
    a: &mut Args,
    sounds: fn(Vec<Pattern<Sound>>) -> Pattern<Sound>,
    values: fn(Vec<Pattern<Value>>) -> Pattern<Value>,
) -> Result<Pat, String> {
    let patterns = a.patterns()?;
    if patterns.iter().any(|p| matches!(p, Pat::Sound(_))) {
        Ok(Pat::Sound(sounds(list(patterns)?)))
    } else {
        Ok(Pat::Value(values(list(patterns)?)))
    }
}

/// `select = tParam _select`, `_select f ps = ps !! floor (f * fromIntegral (length ps))`:
/// the pattern a 0..1 pattern points at, switched by each of its events (Tidal's `innerJoin`;
/// 1 picks the last, where Tidal's index would run past the list).
fn select(a: &mut Args) -> Result<Pat, String> {
    let (choice, patterns) = (a.values()?, a.patterns()?);
    let index = move |v: &Value, n: usize| {
        let f = v.as_f64().unwrap_or(0.0);
        ((f * n as f64).floor().max(0.0) as usize).min(n.saturating_sub(1))
    };
    fn pick<T: PatItem>(
        choice: Pattern<Value>,
        list: Vec<Pattern<T>>,
        index: impl Fn(&Value, usize) -> usize + Send + Sync + 'static,
    ) -> Pattern<T> {
        if list.is_empty() {
            return pattern::silence();
        }
        pattern::patterned(&choice, move |v, span, arena, out| {
            list[index(v, list.len())].query_into(span, arena, out)
        })
    }
    if patterns.iter().any(|p| matches!(p, Pat::Sound(_))) {
        Ok(Pat::Sound(pick(choice, list(patterns)?, index)))
    } else {
        Ok(Pat::Value(pick(choice, list(patterns)?, index)))
    }
}

/// `squeeze ipat pats = squeezeJoin $ (pats !!!) <$> ipat`: each event of the index pattern
/// plays a whole cycle of the pattern it picks (counting round the list), squeezed into it.
fn squeeze(a: &mut Args) -> Result<Pat, String> {
    let (indices, patterns) = (a.counts()?, a.patterns()?);
    if patterns.iter().any(|p| matches!(p, Pat::Sound(_))) {
        Ok(Pat::Sound(pattern::squeeze(&indices, list(patterns)?)))
    } else {
        Ok(Pat::Value(pattern::squeeze(&indices, list(patterns)?)))
    }
}

/// The values of a list of constant patterns (`[0, 2, 4]`, `["a", "b"]`), for functions that
/// take Tidal lists; `what` names the function in the error.
fn constants(list: Vec<Pat>, what: &str) -> Result<Vec<Value>, String> {
    let arena = bumpalo::Bump::new();
    let cycle = pattern::Span::new(Time::ZERO, Time::from_int(1));
    list.into_iter()
        .map(|p| {
            // In a patch a word such as "bd" reads as a sound: its name is the value.
            let values = match p {
                Pat::Value(p) => p,
                Pat::Sound(p) => p.fmap(|s| {
                    if s.controls().next().is_none() {
                        s.sound.clone()
                    } else {
                        Value::Num(f64::NAN)
                    }
                }),
            };
            let events = values.query(cycle, &arena);
            if events
                .iter()
                .any(|e| matches!(e.value, Value::Num(x) if x.is_nan()))
            {
                return Err(format!(
                    "`{what}` takes a list of values, not sounds with controls"
                ));
            }
            match &events[..] {
                [e] if e.whole == Some(cycle) => Ok(e.value.clone()),
                _ => Err(format!(
                    "`{what}` takes a list of single values such as [0, 2, 4], not patterns"
                )),
            }
        })
        .collect()
}

/// `toScale' o s = fmap noteInScale where octave x = x \`div\` length s;
/// noteInScale x = (s !!! x) + fromIntegral (o * octave x)`
fn to_scale_with(octave: f64, steps: Vec<Value>, p: Pattern<Value>) -> Result<Pat, String> {
    let steps: Vec<f64> = steps
        .iter()
        .map(|v| {
            v.as_f64()
                .ok_or("`toScale` takes a list of numbers such as [0, 2, 4]")
        })
        .collect::<Result<_, _>>()?;
    if steps.is_empty() {
        return Ok(Pat::Value(pattern::silence()));
    }
    let n = steps.len() as i64;
    Ok(Pat::Value(p.fmap(move |v| match v.as_f64() {
        Some(x) => {
            let x = x.floor() as i64;
            Value::Num(steps[x.rem_euclid(n) as usize] + octave * x.div_euclid(n) as f64)
        }
        None => v.clone(),
    })))
}

fn to_scale(a: &mut Args) -> Result<Pat, String> {
    let p = values(a, "toScale")?;
    let steps = constants(a.patterns()?, "toScale")?;
    to_scale_with(12.0, steps, p)
}

fn to_scale_octave(a: &mut Args) -> Result<Pat, String> {
    let p = values(a, "toScale'")?;
    let octave = a.number()?;
    let steps = constants(a.patterns()?, "toScale'")?;
    to_scale_with(octave, steps, p)
}

/// `chooseBy f xs = (xs !!!) . floor <$> range 0 (fromIntegral $ length xs) f`,
/// `choose = chooseBy rand`: a continuous pattern of values chosen at random.
fn choose(a: &mut Args) -> Result<Pat, String> {
    let values = constants(a.patterns()?, "choose")?;
    if values.is_empty() {
        return Ok(Pat::Value(pattern::silence()));
    }
    let n = values.len();
    Ok(Pat::Value(pattern::rand().fmap(move |&r| {
        values[((r * n as f64).floor() as usize).min(n - 1)].clone()
    })))
}

fn cat(a: &mut Args) -> Result<Pat, String> {
    combine(a, pattern::slowcat, pattern::slowcat)
}

fn fastcat(a: &mut Args) -> Result<Pat, String> {
    combine(a, pattern::fastcat, pattern::fastcat)
}

fn stack(a: &mut Args) -> Result<Pat, String> {
    combine(a, pattern::stack, pattern::stack)
}

/// `wrandcat ps = unwrap $ wchooseBy (segment 1 rand) ps`.
fn wrandcat(a: &mut Args) -> Result<Pat, String> {
    let (weights, patterns): (Vec<Time>, Vec<Pat>) = a.steps()?.into_iter().unzip();
    let weights: Vec<f64> = weights.into_iter().map(Time::to_f64).collect();
    if patterns.iter().any(|p| matches!(p, Pat::Sound(_))) {
        let patterns = list::<Sound>(patterns)?;
        Ok(Pat::Sound(pattern::wrandcat(
            patterns.into_iter().zip(weights).collect(),
        )))
    } else {
        let patterns = list::<Value>(patterns)?;
        Ok(Pat::Value(pattern::wrandcat(
            patterns.into_iter().zip(weights).collect(),
        )))
    }
}

fn timecat(a: &mut Args) -> Result<Pat, String> {
    let (weights, patterns): (Vec<Time>, Vec<Pat>) = a.steps()?.into_iter().unzip();
    if patterns.iter().any(|p| matches!(p, Pat::Sound(_))) {
        let patterns = list::<Sound>(patterns)?;
        Ok(Pat::Sound(pattern::timecat(
            weights.into_iter().zip(patterns).collect(),
        )))
    } else {
        let patterns = list::<Value>(patterns)?;
        Ok(Pat::Value(pattern::timecat(
            weights.into_iter().zip(patterns).collect(),
        )))
    }
}

fn numbers(p: Pattern<f64>) -> Pat {
    Pat::Value(p.fmap(|&x| Value::Num(x)))
}

fn silence(_: &mut Args) -> Result<Pat, String> {
    Ok(Pat::Value(pattern::silence()))
}

fn run(a: &mut Args) -> Result<Pat, String> {
    Ok(numbers(pattern::run(a.count(0)?)))
}

/// `_scan n = slowcat $ map _run [1 .. n]`
fn scan(a: &mut Args) -> Result<Pat, String> {
    let n = a.count(1)?.min(MAX_COUNT);
    Ok(numbers(pattern::slowcat(
        (1..=n).map(pattern::run).collect(),
    )))
}

fn irand(a: &mut Args) -> Result<Pat, String> {
    Ok(numbers(pattern::irand(a.count(1)?)))
}

/// `perlin = perlinWith (sig fromRational)`: `interp (t - floor t) (timeToRand (floor t))
/// (timeToRand (floor t + 1))`, where `interp x a b = a + smootherStep x * (b-a)` and
/// `smootherStep x = 6.0 * x**5 - 15.0 * x**4 + 10.0 * x**3`: smooth noise, one random
/// value a cycle.
fn perlin(_: &mut Args) -> Result<Pat, String> {
    Ok(numbers(pattern::signal(|t| {
        let at = t.floor();
        let x = (t - at).to_f64();
        let (a, b) = (
            pattern::time_to_rand(at),
            pattern::time_to_rand(at + Time::from_int(1)),
        );
        let smooth = 6.0 * x.powi(5) - 15.0 * x.powi(4) + 10.0 * x.powi(3);
        a + smooth * (b - a)
    })))
}

/// `envL = sig $ \t -> max 0 $ min (fromRational t) 1`: a ramp from 0 to 1 over the first cycle.
fn env_l(_: &mut Args) -> Result<Pat, String> {
    Ok(numbers(pattern::signal(|t| t.to_f64().clamp(0.0, 1.0))))
}

/// `envLR = (1-) <$> envL`
fn env_lr(_: &mut Args) -> Result<Pat, String> {
    Ok(numbers(pattern::signal(|t| {
        1.0 - t.to_f64().clamp(0.0, 1.0)
    })))
}

/// `envEq = sig $ \t -> sqrt (sin (pi/2 * max 0 (min (fromRational (1-t)) 1)))`
fn env_eq(_: &mut Args) -> Result<Pat, String> {
    Ok(numbers(pattern::signal(|t| {
        (std::f64::consts::FRAC_PI_2 * (1.0 - t.to_f64()).clamp(0.0, 1.0))
            .sin()
            .sqrt()
    })))
}

/// `envEqR = sig $ \t -> sqrt (cos (pi/2 * max 0 (min (fromRational (1-t)) 1)))`
fn env_eq_r(_: &mut Args) -> Result<Pat, String> {
    Ok(numbers(pattern::signal(|t| {
        (std::f64::consts::FRAC_PI_2 * (1.0 - t.to_f64()).clamp(0.0, 1.0))
            .cos()
            .sqrt()
    })))
}

/// The continuous pattern each signal name means where a pattern is expected.
macro_rules! signal {
    ($name:ident) => {
        fn $name(_: &mut Args) -> Result<Pat, String> {
            Ok(numbers(pattern::$name()))
        }
    };
}

signal!(sine);
signal!(cosine);
signal!(saw);
signal!(isaw);
signal!(tri);
signal!(square);
signal!(rand);

/// The bipolar signals (Tidal's `sine2`, `saw2`…): the signal from -1 to 1 instead of 0 to 1.
macro_rules! bipolar {
    ($name:ident, $signal:ident) => {
        fn $name(_: &mut Args) -> Result<Pat, String> {
            Ok(numbers(pattern::$signal().fmap(|x| x * 2.0 - 1.0)))
        }
    };
}

bipolar!(sine2, sine);
bipolar!(cosine2, cosine);
bipolar!(saw2, saw);
bipolar!(isaw2, isaw);
bipolar!(tri2, tri);
bipolar!(square2, square);

/// The pattern a signal oscillator's name means where a pattern is expected (`range 1 5 saw`).
pub fn signal_pattern(node: &dsp::Kind) -> Option<PatternFn> {
    Some(match node.wave()? {
        Wave::Sine => sine,
        Wave::Saw => saw,
        Wave::Triangle => tri,
        Wave::Square => square,
    })
}

const P: ParamSpec = ParamSpec::required("pattern", ParamKind::Pattern, "");
const F: ParamSpec = ParamSpec::required("function", ParamKind::Transform, "");

const fn time(name: &'static str) -> ParamSpec {
    ParamSpec::required(name, ParamKind::Time, "cycles")
}

/// A whole number or a pattern of them (Tidal's patterned `Int` arguments).
const fn count(name: &'static str) -> ParamSpec {
    ParamSpec::required(name, ParamKind::Count, "")
}

const fn number(name: &'static str) -> ParamSpec {
    ParamSpec::required(name, ParamKind::Number, "")
}

const fn function(
    name: &'static str,
    aliases: &'static [&'static str],
    role: Role,
    params: &'static [ParamSpec],
    doc: &'static str,
    apply: PatternFn,
) -> Function {
    Function {
        name,
        aliases,
        role,
        params,
        node: None,
        pattern: Some(apply),
        control: None,
        doc,
        example: "",
    }
}

/// `f` with a hand-written example, where the one made from its parameters would not compile.
pub(crate) const fn with_example(mut f: Function, example: &'static str) -> Function {
    f.example = example;
    f
}

const fn transform(
    name: &'static str,
    aliases: &'static [&'static str],
    params: &'static [ParamSpec],
    doc: &'static str,
    apply: PatternFn,
) -> Function {
    function(name, aliases, Role::Transform, params, doc, apply)
}

const fn maker(
    name: &'static str,
    aliases: &'static [&'static str],
    params: &'static [ParamSpec],
    doc: &'static str,
    apply: PatternFn,
) -> Function {
    function(name, aliases, Role::Pattern, params, doc, apply)
}

/// Every transform.
pub const TRANSFORMS: &[Function] = &[
    transform("fast", &["density"], &[time("factor"), P], "Speed the pattern up by a factor.", generic!(fast)),
    transform("slow", &["sparsity"], &[time("factor"), P], "Slow the pattern down by a factor.", generic!(slow)),
    transform("hurry", &[], &[time("factor"), P], "Speed up a sound pattern and its playback rate together.", hurry),
    transform("fastGap", &["fastgap", "densityGap"], &[time("factor"), P], "Squeeze each cycle into its first 1/factor, leaving a gap.", generic!(fast_gap)),
    transform("compress", &[], &[ParamSpec::required("span", ParamKind::Span, "cycles"), P], "Squeeze each cycle into the part (begin, end) of the cycle.", generic!(compress)),
    transform("zoom", &["zoomArc"], &[ParamSpec::required("span", ParamKind::Span, "cycles"), P], "Stretch the part (begin, end) of each cycle to fill the cycle.", generic!(zoom)),
    transform("rev", &[], &[P], "Reverse each cycle.", generic!(rev)),
    transform("id", &[], &[P], "The pattern unchanged.", generic!(id)),
    transform("early", &["rotL"], &[time("amount"), P], "Shift the pattern earlier by some cycles (also `<~`).", generic!(early)),
    transform("late", &["rotR", "rotate"], &[time("amount"), P], "Shift the pattern later by some cycles (also `~>`).", generic!(late)),
    transform("every", &["firstOf"], &[ParamSpec::required("n", ParamKind::Count, ""), F, P], "Apply a function every nth cycle, starting with the first.", generic!(every)),
    transform("every'", &["everyOffset"], &[number("n"), number("offset"), F, P], "Apply a function in cycles where cycle mod n equals the offset.", generic!(every_offset)),
    transform("jux", &[], &[F, P], "The pattern hard left and a transformed copy hard right.", jux),
    transform("stut", &[], &[number("count"), number("feedback"), time("time"), P], "Echoes `time` cycles apart, fading from 1 towards `feedback`.", stut),
    transform("chop", &[], &[number("n"), P], "Cut each sound into n events playing successive parts of its sample.", chop),
    transform("striate", &[], &[number("n"), P], "The pattern n times a cycle, the kth time playing the kth part of each sample.", striate),
    transform("slice", &[], &[number("n"), ParamSpec::required("index", ParamKind::Numbers, ""), P], "Play part `index` of n equal parts of each sample.", slice),
    transform("splice", &[], &[number("n"), ParamSpec::required("index", ParamKind::Numbers, ""), P], "Like slice, with each part's speed set so it fills its event.", splice),
    transform("echo", &[], &[number("count"), time("time"), number("feedback"), P], "Echoes `time` cycles apart, each `feedback` times quieter.", echo),
    transform("stutter", &[], &[number("count"), time("time"), P], "Repeat each event `count` times, `time` cycles apart.", generic!(stutter)),
    transform("degrade", &[], &[P], "Drop half the events at random.", generic!(degrade)),
    transform("degradeBy", &["degrade_by"], &[ParamSpec::required("amount", ParamKind::Numbers, ""), P], "Drop events at random with the given probability.", generic!(degrade_by)),
    transform("sometimesBy", &[], &[number("amount"), F, P], "Apply a function to a random share of the events.", generic!(sometimes_by)),
    transform("sometimes", &[], &[F, P], "Apply a function to half the events, at random.", generic!(sometimes)),
    transform("often", &[], &[F, P], "Apply a function to 75% of the events, at random.", generic!(often)),
    transform("rarely", &[], &[F, P], "Apply a function to 25% of the events, at random.", generic!(rarely)),
    transform("almostNever", &[], &[F, P], "Apply a function to 10% of the events, at random.", generic!(almost_never)),
    transform("almostAlways", &[], &[F, P], "Apply a function to 90% of the events, at random.", generic!(almost_always)),
    transform("ply", &[], &[time("n"), P], "Repeat each event n times within its own span.", generic!(ply)),
    transform("iter", &[], &[count("n"), P], "Start each cycle a step further into the pattern.", generic!(iter)),
    transform("iter'", &["iterBack"], &[count("n"), P], "Like `iter`, going backwards.", generic!(iter_back)),
    transform("palindrome", &[], &[P], "Play forwards, then backwards, on alternate cycles.", generic!(palindrome)),
    transform("off", &[], &[time("time"), F, P], "Layer a transformed copy shifted later in time.", generic!(off)),
    transform("superimpose", &[], &[F, P], "Layer a transformed copy on top.", generic!(superimpose)),
    transform("chunk", &["runWith"], &[number("n"), F, P], "Apply a function to one of n parts of the cycle, moving each cycle (backwards when n is negative).", generic!(chunk)),
    transform("inside", &[], &[number("n"), F, P], "Apply a function within each 1/n of a cycle.", generic!(inside)),
    transform("outside", &[], &[number("n"), F, P], "Apply a function across n cycles.", generic!(outside)),
    transform("euclid", &[], &[number("hits"), number("steps"), P], "A Euclidean rhythm of hits over steps (negative hits: the other steps).", generic!(euclid)),
    transform("euclidInv", &[], &[number("hits"), number("steps"), P], "The steps a Euclidean rhythm leaves out.", generic!(euclid_inv)),
    transform("euclidFull", &[], &[number("hits"), number("steps"), ParamSpec::required("hits pattern", ParamKind::Pattern, ""), ParamSpec::required("rests", ParamKind::Pattern, "")], "A Euclidean rhythm, with another pattern on the other steps.", generic!(euclid_full)),
    transform("euclidOff", &["eoff"], &[number("hits"), number("steps"), number("rotation"), P], "A rotated Euclidean rhythm.", generic!(euclid_off)),
    transform("segment", &["discretise"], &[time("n"), P], "Sample the pattern n times per cycle.", generic!(segment)),
    transform("scale", &[], &[ParamSpec::required("name", ParamKind::Words, ""), P], "Scale degrees to note numbers in a named scale (major, minor, dorian, majPent…).", scale),
    transform("range", &[], &[ParamSpec::required("low", ParamKind::Numbers, ""), ParamSpec::required("high", ParamKind::Numbers, ""), P], "Scale a 0..1 pattern to low..high.", range),
    transform("rot", &[], &[count("n"), P], "Shift each cycle's values n events onwards, keeping the rhythm.", generic!(rot)),
    with_example(
        transform("arp", &[], &[ParamSpec::required("mode", ParamKind::Words, ""), P], "Play each chord's notes one after another over its event, in a mode's order: up, down, updown, downup, up&down, down&up, converge, diverge, disconverge, pinkyup, pinkyupdown, thumbup, thumbupdown.", generic!(arp)),
        "out: s \"supersaw*8\" # n (arp \"<up updown>\" \"<c'maj e'min7>\")",
    ),
    with_example(
        transform("arpeggiate", &["arpg"], &[P], "Play each chord's notes one after another over its event, low to high.", generic!(arpeggiate)),
        "out: s \"supersaw*8\" # n (arpeggiate \"<c'maj e'min7>\")",
    ),
    with_example(
        transform("rolled", &[], &[P], "Strum each chord: its notes start one after another over the first quarter of its event, low to high.", generic!(rolled)),
        "out: rolled $ s \"supersaw\" # n \"<c'maj e'min7>\"",
    ),
    transform("rolledBy", &["rolledby"], &[time("fraction"), P], "Strum each chord over that fraction of its event (negative: high to low).", generic!(rolled_by)),
    transform("scramble", &[], &[number("n"), P], "Cut each cycle into n parts and play parts chosen at random (with repeats).", generic!(scramble)),
    transform("shuffle", &[], &[number("n"), P], "Cut each cycle into n parts and play them in a random order, each once.", generic!(shuffle)),
    transform("pressBy", &[], &[time("amount"), P], "Start each event part of the way into its step.", generic!(press_by)),
    transform("press", &[], &[P], "Start each event halfway into its step.", generic!(press)),
    transform("brak", &[], &[P], "Squeeze every other cycle into half and shift it a quarter (a breakbeat feel).", generic!(brak)),
    transform("linger", &[], &[time("amount"), P], "Repeat the first part of each cycle to fill it.", generic!(linger)),
    transform("struct", &[], &[ParamSpec::required("structure", ParamKind::Bools, ""), P], "Play the pattern's values on the true steps of a boolean pattern.", generic!(structure)),
    transform("mask", &[], &[ParamSpec::required("mask", ParamKind::Bools, ""), P], "Keep only the parts of events where a boolean pattern is true.", generic!(mask)),
    transform("whenmod", &[], &[number("n"), number("from"), F, P], "Apply a function in cycles whose number mod n is at least `from`.", generic!(whenmod)),
    transform("within", &["withinArc"], &[ParamSpec::required("span", ParamKind::Span, "cycles"), F, P], "Apply a function to the events starting within the part (begin, end) of each cycle.", generic!(within)),
    transform("juxBy", &["juxby"], &[number("width"), F, P], "Like jux, the two copies `width` apart around the centre (1 is hard left and right).", jux_by),
    transform("loopAt", &[], &[time("cycles"), P], "Slow a sound pattern by n and stretch each sample over n cycles (speed in cycles).", loop_at),
    transform("append", &["slowAppend", "slowappend"], &[ParamSpec::required("first", ParamKind::Pattern, ""), P], "The first pattern one cycle, the second the next.", generic!(slow_append)),
    transform("fastAppend", &["fastappend"], &[ParamSpec::required("first", ParamKind::Pattern, ""), P], "Both patterns in each cycle, the first in its first half.", generic!(fast_append)),
    transform("sew", &[], &[ParamSpec::required("choice", ParamKind::Bools, ""), ParamSpec::required("when true", ParamKind::Pattern, ""), P], "The first pattern where a boolean pattern is true, the second where it is false (their structures kept).", generic!(sew)),
    transform("stitch", &[], &[ParamSpec::required("choice", ParamKind::Bools, ""), ParamSpec::required("when true", ParamKind::Pattern, ""), P], "The boolean pattern's structure, taking values from the first pattern on true steps and the second on false.", generic!(stitch)),
    transform("swingBy", &[], &[time("amount"), time("n"), P], "Delay the second half of each 1/n of a cycle by `amount` of it.", generic!(swing_by)),
    transform("swing", &[], &[time("n"), P], "swingBy 1/3: a triplet swing on n steps a cycle.", generic!(swing)),
    transform("wedge", &[], &[time("amount"), ParamSpec::required("first", ParamKind::Pattern, ""), P], "The first pattern squeezed into the first `amount` of each cycle, the second into the rest.", generic!(wedge)),
    transform("toScale", &[], &[ParamSpec::required("steps", ParamKind::Patterns, ""), P], "Scale degrees to notes of a scale given as a list of semitones: toScale [0, 2, 4, 5, 7, 9, 11] \"0 2 4\".", to_scale),
    transform("toScale'", &[], &[number("octave"), ParamSpec::required("steps", ParamKind::Patterns, ""), P], "toScale with an octave of another size (in semitones).", to_scale_octave),
    transform("trunc", &[], &[time("amount"), P], "Play only the first part of each cycle, then silence.", generic!(trunc)),
    transform("unDegradeBy", &["undegradeBy"], &[ParamSpec::required("amount", ParamKind::Numbers, ""), P], "Keep only the events degradeBy would drop.", generic!(undegrade_by)),
    transform("someCyclesBy", &["somecyclesBy"], &[number("amount"), F, P], "Apply a function to whole cycles at random, with the given probability.", generic!(some_cycles_by)),
    transform("someCycles", &["somecycles"], &[F, P], "Apply a function to half the cycles, at random.", generic!(some_cycles_half)),
    transform("while", &[], &[ParamSpec::required("choice", ParamKind::Bools, ""), F, P], "Apply a function where a boolean pattern is true.", generic!(while_true)),
    transform("inv", &[], &[ParamSpec::required("pattern", ParamKind::Bools, "")], "A boolean pattern inverted.", inv),
    transform("rangex", &[], &[number("low"), number("high"), P], "Scale a 0..1 pattern to low..high exponentially (for frequencies).", rangex),
    transform("quantise", &["qround"], &[number("steps"), P], "Round each value to the nearest 1/steps.", quantise),
];

/// Functions that make a pattern.
pub const PATTERNS: &[Function] = &[
    maker("silence", &[], &[], "No events.", silence),
    maker(
        "choose",
        &[],
        &[ParamSpec::required("values", ParamKind::Patterns, "")],
        "A value of the list at random, continuously (take steps of it with segment).",
        choose,
    ),
    maker(
        "cat",
        &["slowcat", "slowCat", "fromList"],
        &[ParamSpec::required("patterns", ParamKind::Patterns, "")],
        "One pattern per cycle, in turn.",
        cat,
    ),
    maker(
        "fastcat",
        &["fastCat", "fastFromList", "listToPat"],
        &[ParamSpec::required("patterns", ParamKind::Patterns, "")],
        "All the patterns in one cycle, in equal steps.",
        fastcat,
    ),
    maker(
        "stack",
        &["overlay"],
        &[ParamSpec::required("patterns", ParamKind::Patterns, "")],
        "All the patterns at once.",
        stack,
    ),
    maker(
        "timecat",
        &["timeCat"],
        &[ParamSpec::required("steps", ParamKind::Steps, "")],
        "Patterns in one cycle, each taking a share by its weight.",
        timecat,
    ),
    maker(
        "wrandcat",
        &[],
        &[ParamSpec::required("patterns", ParamKind::Weighted, "")],
        "One pattern a cycle, chosen at random by the weights after them: [(a, 3), (b, 1)].",
        wrandcat,
    ),
    maker(
        "randcat",
        &[],
        &[ParamSpec::required("patterns", ParamKind::Patterns, "")],
        "One pattern a cycle, as cat, in an order chosen at random each cycle.",
        |a| combine(a, pattern::randcat, pattern::randcat),
    ),
    with_example(
        maker(
            "squeeze",
            &[],
            &[
                ParamSpec::required("indices", ParamKind::Count, ""),
                ParamSpec::required("patterns", ParamKind::Patterns, ""),
            ],
            "Each event of the index pattern plays a whole cycle of the pattern it picks, squeezed into the event.",
            squeeze,
        ),
        "out: squeeze \"<0 [1 0]>\" [s \"bd*2 sn\", s \"hh*3\"]",
    ),
    maker(
        "select",
        &[],
        &[
            ParamSpec::required("choice", ParamKind::Numbers, ""),
            ParamSpec::required("patterns", ParamKind::Patterns, ""),
        ],
        "The pattern of the list a 0..1 pattern points at, switching with each of its events.",
        select,
    ),
    maker(
        "scan",
        &[],
        &[number("n")],
        "run 1, then run 2, up to run n, a cycle each.",
        scan,
    ),
    maker(
        "run",
        &[],
        &[number("n")],
        "The numbers 0 to n-1 in one cycle.",
        run,
    ),
    maker(
        "irand",
        &[],
        &[number("n")],
        "Random whole numbers from 0 to n-1 (continuous).",
        irand,
    ),
    maker(
        "perlin",
        &[],
        &[],
        "Smooth noise from 0 to 1, a new random value each cycle (continuous).",
        perlin,
    ),
    maker(
        "envL",
        &[],
        &[],
        "A ramp from 0 to 1 over the first cycle, then 1 (continuous).",
        env_l,
    ),
    maker(
        "envLR",
        &[],
        &[],
        "A ramp from 1 to 0 over the first cycle, then 0 (continuous).",
        env_lr,
    ),
    maker(
        "envEq",
        &[],
        &[],
        "An equal-power fade in over the first cycle (continuous).",
        env_eq,
    ),
    maker(
        "envEqR",
        &[],
        &[],
        "An equal-power fade out over the first cycle (continuous).",
        env_eq_r,
    ),
    maker(
        "rand",
        &[],
        &[],
        "Random numbers from 0 to 1 (continuous).",
        rand,
    ),
    maker("sine2", &[], &[], "A sine from -1 to 1 over each cycle (continuous).", sine2),
    maker("cosine2", &[], &[], "A cosine from -1 to 1 over each cycle (continuous).", cosine2),
    maker("saw2", &[], &[], "A ramp from -1 up to 1 over each cycle (continuous).", saw2),
    maker("isaw2", &[], &[], "A ramp from 1 down to -1 over each cycle (continuous).", isaw2),
    maker("tri2", &[], &[], "A triangle from -1 to 1 and back over each cycle (continuous).", tri2),
    maker("square2", &[], &[], "-1 for the first half of each cycle, 1 for the second (continuous).", square2),
    maker(
        "cosine",
        &[],
        &[],
        "A cosine from 0 to 1 over each cycle (continuous).",
        cosine,
    ),
    maker(
        "isaw",
        &[],
        &[],
        "A ramp from 1 down to 0 over each cycle (continuous).",
        isaw,
    ),
];

const fn control(
    name: &'static str,
    control: Control,
    params: &'static [ParamSpec],
    doc: &'static str,
) -> Function {
    Function {
        name,
        aliases: &[],
        role: Role::Control,
        params,
        node: None,
        pattern: None,
        control: Some(control),
        doc,
        example: "",
    }
}

const fn value(unit: &'static str) -> ParamSpec {
    ParamSpec::required("value", ParamKind::Signal, unit)
}

/// The one parameter of a control, with its unit.
fn control_params(c: Control) -> &'static [ParamSpec] {
    const SEMITONES: &[ParamSpec] = &[value("semitones")];
    const SECONDS: &[ParamSpec] = &[value("s")];
    const HERTZ: &[ParamSpec] = &[value("Hz")];
    const PLAIN: &[ParamSpec] = &[value("")];
    match c {
        Control::Note => SEMITONES,
        Control::Attack
        | Control::Release
        | Control::Sustain
        | Control::Delta
        | Control::Delaytime => SECONDS,
        Control::Cutoff | Control::Hcutoff | Control::Bandf => HERTZ,
        _ => PLAIN,
    }
}

/// Makes every control of the vocabulary settable with `#` on a sound pattern: a processor or
/// source of the same name (`gain`, `delay`, `crush`, `curve`) sets it when given one value; every other control
/// gets a function of its own. Call after the node library is registered.
pub fn register_controls(r: &mut Registry) {
    for c in Control::ALL {
        match r.get(c.name()).cloned() {
            Some(f) if f.control.is_some() => {}
            // `curve` is a ramp and SuperDirt's envelope bend: one value after `#` on sounds
            // sets the control, as `# delay 0.3` does.
            Some(mut f) if matches!(f.role, Role::Processor | Role::Source) => {
                f.control = Some(c);
                r.register(f);
            }
            Some(f) => unreachable!("`{}` is both a control and {:?}", c.name(), f.role),
            None => r.register(control(c.name(), c, control_params(c), c.doc())),
        }
    }
}

const SOUND: Function = Function {
    name: "s",
    aliases: &["sound"],
    role: Role::Sound,
    params: &[ParamSpec::required("sounds", ParamKind::Sounds, "")],
    node: None,
    pattern: None,
    control: None,
    doc: "Play samples named by a pattern: s \"bd*2 [sn cp]\".",
    example: "out: s \"bd*2 [sn cp]\"",
};

/// Registers `s`, every transform and every pattern function.
pub fn register(r: &mut Registry) {
    r.register(SOUND);
    let more = [
        chance::FUNCTIONS,
        controllers::FUNCTIONS,
        controllers::TEMPO,
        layers::FUNCTIONS,
        lists::FUNCTIONS,
        reshape::FUNCTIONS,
    ];
    for f in TRANSFORMS
        .iter()
        .chain(PATTERNS)
        .chain(more.into_iter().flatten())
    {
        r.register(f.clone());
    }
}
