//! Tidal's functions that cut cycles up and put them back together: squeezes (`bite`, `chew`,
//! `fastSqueeze`, `substruct`, `stripe`), boolean structures (`binary`, `ascii`, `necklace`),
//! loops and arrangements (`loopFirst`, `timeLoop`, `spaceOut`, `repeatCycles`, `within'`), the
//! sample cutters (`striateBy`, `gap`, `smash`, `randslice`) and the quantisers.

use super::{constants, maker, number, sounds, time, transform, values, with_example, Out, P};
use crate::params::{ParamKind, ParamSpec};
use crate::registry::Function;
use crate::values::{Args, Pat, PatItem};
use pattern::{Pattern, Sound, Time, Value};

const INDICES: ParamSpec = ParamSpec::required("indices", ParamKind::Count, "");

/// The next argument as a list of constant times, for functions that take Tidal lists.
fn times(a: &mut Args, what: &str) -> Result<Vec<Time>, String> {
    constants(a.patterns()?, what)?
        .iter()
        .map(|v| {
            v.as_f64()
                .filter(|x| x.is_finite())
                .map(Time::from_f64)
                .ok_or_else(|| format!("`{what}` takes a list of numbers such as [1, 0.5]"))
        })
        .collect()
}

/// `_bite n ipat pat = squeezeJoin $ zoompat <$> ipat where zoompat i = zoom (i'/n, (i'+1)/n) pat`
fn bite<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let (n, indices) = (a.count(1)?, a.counts()?);
    Ok(p.bite(n, &indices))
}

/// `_chew n ipat pat = (squeezeJoinUp $ zoompat <$> ipat) |/ P.speed (pure $ fromIntegral n)`
fn chew(a: &mut Args) -> Result<Pat, String> {
    let p = sounds(a, "chew")?;
    let (n, indices) = (a.count(1)?, a.counts()?);
    Ok(Pat::Sound(p.chew(n, &indices)))
}

/// `fastSqueeze = tParamSqueeze _fast`
fn fast_squeeze<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(p.fast_squeeze(&a.speed(true)?))
}

/// `slowSqueeze = tParamSqueeze _slow`
fn slow_squeeze<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let factors = a.speed(false)?.fmap(|&f| {
        if f == Time::ZERO {
            Time::ZERO
        } else {
            Time::ONE / f
        }
    });
    Ok(p.fast_squeeze(&factors))
}

fn substruct<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(p.substruct(&a.bools()?))
}

fn substruct_indexed<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(p.substruct_indexed(&a.counts()?))
}

/// `_stripe = substruct' . randStruct`
fn stripe<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(p.stripe(a.count(1)?))
}

/// `slowstripe n = slow n . stripe n`
fn slowstripe<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let n = a.count(1)?;
    Ok(p.stripe(n).slow(Time::from_int(n)))
}

fn rand_struct(a: &mut Args) -> Result<Pat, String> {
    let n = a.count(1)?;
    Ok(Pat::Value(
        pattern::rand_struct(n).fmap(|&i| Value::Num(i as f64)),
    ))
}

fn bools(p: Pattern<bool>) -> Pat {
    Pat::Value(p.fmap(|&b| Value::Bool(b)))
}

/// `binaryN n p = squeezeJoin $ _binary n <$> p`
fn binary_n(a: &mut Args) -> Result<Pat, String> {
    let bits = a.count(1)?.min(64);
    Ok(bools(pattern::binary(bits, &a.counts()?)))
}

/// `binary = binaryN 8`
fn binary(a: &mut Args) -> Result<Pat, String> {
    Ok(bools(pattern::binary(8, &a.counts()?)))
}

fn ascii(a: &mut Args) -> Result<Pat, String> {
    Ok(bools(pattern::ascii(&a.values()?)))
}

/// `necklace perCycle xs = _slow (sum xs / perCycle) $ listToPat $ list xs`
fn necklace(a: &mut Args) -> Result<Pat, String> {
    let per_cycle = a.constant_time()?;
    let lengths: Vec<i64> = times(a, "necklace")?
        .iter()
        .map(|t| t.to_f64().round() as i64)
        .collect();
    if lengths
        .iter()
        .any(|&x| !(1..=pattern::MAX_STEPS).contains(&x))
    {
        return Err(format!(
            "`necklace` takes step lengths from 1 to {}",
            pattern::MAX_STEPS
        ));
    }
    Ok(bools(pattern::necklace(per_cycle, &lengths)))
}

fn loop_first<T: PatItem>(_: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(p.loop_first())
}

/// `timeLoop n = outside n loopFirst`
fn time_loop<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let n = a.constant_time()?;
    if !n.is_positive() {
        return Ok(pattern::silence());
    }
    Ok(p.fast(n).loop_first().slow(n))
}

fn space_out<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let lengths = times(a, "spaceOut")?;
    if lengths.iter().any(|l| !l.is_positive()) {
        return Err("`spaceOut` takes lengths above 0".into());
    }
    Ok(p.space_out(&lengths))
}

/// `repeatCycles n p = cat (replicate n p)`
fn repeat_cycles<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(p.repeat_cycles(a.count(1)?))
}

fn mono<T: PatItem>(_: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(p.mono())
}

fn stretch<T: PatItem>(_: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(pattern::stretch(&p))
}

/// `within' a@(s, e) f p = stack [filterWhen (\t -> cyclePos t >= s && cyclePos t < e) $
/// compress a $ f $ zoom a p, filterWhen (not …) p]`: the function sees the part as a whole
/// cycle.
fn within_zoomed<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let (begin, end) = a.span()?;
    let f = a.function()?;
    let inside = move |t: Time| t.cycle_pos() >= begin && t.cycle_pos() < end;
    let transformed = crate::values::applied(&f, &p.zoom(begin, end))?.compress(begin, end);
    Ok(pattern::stack(vec![
        transformed.filter_onsets(inside),
        p.filter_onsets(move |t| !inside(t)),
    ]))
}

/// `revArc a = within a rev`
fn rev_arc<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let (begin, end) = a.span()?;
    Ok(p.within(begin, end, |q| q.rev()))
}

/// `compressTo (s, e) = compressArcTo (Arc s e)`, `compressArcTo (Arc s e) = compressArc (Arc
/// (cyclePos s) (e - sam s))`
fn compress_to<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let (begin, end) = a.span()?;
    Ok(p.compress(begin.cycle_pos(), end - begin.floor()))
}

/// `chunk'` as Tidal 1.7 has it: the function moves backwards through the parts, starting at
/// the last.
fn chunk_back<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let n = a.count(1)?;
    let t = a.apply(&p)?;
    Ok(p.chunk(-n, |_| t))
}

/// The quantisers: each number rounded by `round` to the nearest step of 1/steps.
fn quantised(a: &mut Args, name: &str, round: fn(f64) -> f64) -> Result<Pat, String> {
    let p = values(a, name)?;
    let steps = a.number()?;
    if steps.is_nan() || steps <= 0.0 {
        return Err(format!(
            "`{name}` needs a positive number of steps per unit"
        ));
    }
    Ok(Pat::Value(p.fmap(move |v| match v.as_f64() {
        Some(x) => Value::Num(round(x * steps) / steps + 0.0),
        None => v.clone(),
    })))
}

fn qfloor(a: &mut Args) -> Result<Pat, String> {
    quantised(a, "qfloor", f64::floor)
}

fn qceiling(a: &mut Args) -> Result<Pat, String> {
    quantised(a, "qceiling", f64::ceil)
}

fn striate_by(a: &mut Args) -> Result<Pat, String> {
    let p = sounds(a, "striateBy")?;
    let (n, fraction) = (a.count(1)?, a.number()?);
    Ok(Pat::Sound(p.striate_by(n, fraction.clamp(0.0, 1.0))))
}

fn gap(a: &mut Args) -> Result<Pat, String> {
    let p = sounds(a, "gap")?;
    Ok(Pat::Sound(p.gap(a.count(1)?)))
}

/// `randslice = tParam $ \n p -> innerJoin $ (\i -> _slice n i p) <$> _irand n`: a random
/// part, chosen at each event's onset.
fn randslice(a: &mut Args) -> Result<Pat, String> {
    let p = sounds(a, "randslice")?;
    let n = a.count(1)?;
    Ok(Pat::Sound(p.slice(n, &pattern::irand(n))))
}

/// `smash n xs p = slowcat $ map (\`slow\` p') xs where p' = striate n p`; `smash'` chops.
fn smashed(a: &mut Args, name: &str, chop: bool) -> Result<Pat, String> {
    let p = sounds(a, name)?;
    let n = a.count(1)?;
    let speeds = times(a, name)?;
    if speeds.iter().any(|x| !x.is_positive()) {
        return Err(format!("`{name}` takes slow-downs above 0"));
    }
    let cut: Pattern<Sound> = if chop { p.chop(n) } else { p.striate(n) };
    Ok(Pat::Sound(pattern::slowcat(
        speeds.iter().map(|&x| cut.slow(x)).collect(),
    )))
}

fn smash(a: &mut Args) -> Result<Pat, String> {
    smashed(a, "smash", false)
}

fn smash_chopped(a: &mut Args) -> Result<Pat, String> {
    smashed(a, "smash'", true)
}

/// `smooth`: a continuous glide from each number to the next.
fn smooth(a: &mut Args) -> Result<Pat, String> {
    let p = values(a, "smooth")?.fmap(|v| v.as_f64().unwrap_or(0.0));
    Ok(Pat::Value(p.smooth().fmap(|&x| Value::Num(x))))
}

/// `grain s w = P.begin b # P.end e where b = s; e = s + w`: a control pattern of a part of
/// the sample `w` long from `s`.
fn grain(a: &mut Args) -> Result<Pat, String> {
    let numbers = |p: Pattern<Value>| p.fmap(|v| v.as_f64().unwrap_or(0.0));
    let (begin, width) = (numbers(a.values()?), numbers(a.values()?));
    let end = begin.zip_both(&width, |b, w| b + w);
    Ok(Pat::Sound(begin.zip_left(&end, |&b, &e| {
        let mut s = Sound::new(Value::word(""));
        s.set(pattern::Control::Begin, b);
        s.set(pattern::Control::End, e);
        s
    })))
}

const SPAN: ParamSpec = ParamSpec::required("span", ParamKind::Span, "cycles");
const LIST: ParamSpec = ParamSpec::required("list", ParamKind::Patterns, "");

/// The functions that cut and reassemble.
pub(super) const FUNCTIONS: &[Function] = &[
    with_example(transform("bite", &[], &[number("n"), INDICES, P], "Cut each cycle into n parts; each event of the index pattern plays the part it names, squeezed into it.", generic!(bite)), "out: bite 4 \"0 2 [1 3]\" $ s \"bd*8\" # n \"0 .. 7\""),
    with_example(transform("chew", &[], &[number("n"), INDICES, P], "bite for sounds, each part's speed following how much it is squeezed.", chew), "out: chew 4 \"0 [2 1] 3\" $ s \"bd*8\" # n \"0 .. 7\""),
    transform("fastSqueeze", &[], &[time("factor"), P], "Each event of the factor pattern plays a whole cycle of the pattern sped up by it.", generic!(fast_squeeze)),
    transform("slowSqueeze", &[], &[time("factor"), P], "Each event of the factor pattern plays a whole cycle of the pattern slowed down by it.", generic!(slow_squeeze)),
    transform("substruct", &[], &[ParamSpec::required("structure", ParamKind::Bools, ""), P], "A whole cycle of the pattern squeezed into each true event of a boolean pattern.", generic!(substruct)),
    transform("substruct'", &[], &[INDICES, P], "A cycle of the pattern squeezed into each event of a structure pattern.", generic!(substruct_indexed)),
    with_example(transform("stripe", &[], &[number("n"), P], "Play n cycles in each cycle, at random speeds that fill it.", generic!(stripe)), "out: stripe 2 $ s \"bd sn hh cp\""),
    transform("slowstripe", &[], &[number("n"), P], "stripe, slowed down n times: n cycles over n cycles at random speeds.", generic!(slowstripe)),
    maker("randStruct", &[], &[number("n")], "Each cycle cut into n parts of random length, numbered 0 to n-1.", rand_struct),
    maker("binaryN", &[], &[number("bits"), ParamSpec::required("numbers", ParamKind::Count, "")], "Each number's bits as booleans, most significant first, squeezed into its event.", binary_n),
    with_example(maker("binary", &[], &[ParamSpec::required("numbers", ParamKind::Count, "")], "binaryN 8.", binary), "out: struct (binary \"<133 77>\") $ s \"hh\""),
    with_example(maker("ascii", &[], &[ParamSpec::required("words", ParamKind::Words, "")], "Each word's letters as 8 booleans each (their bits), squeezed into its event.", ascii), "out: struct (ascii \"<hi there>\") $ s \"hh\""),
    with_example(maker("necklace", &[], &[number("per cycle"), LIST], "A boolean rhythm from step lengths: each length a true step and that many steps less one false: necklace 12 [4, 2].", necklace), "out: struct (necklace 12 [4, 2]) $ s \"bd\""),
    transform("loopFirst", &[], &[P], "Play the first cycle over and over.", generic!(loop_first)),
    transform("timeLoop", &[], &[time("cycles"), P], "Loop the first n cycles.", generic!(time_loop)),
    with_example(transform("spaceOut", &[], &[LIST, P], "Play the pattern at speeds that make a cycle last each length of the list in turn.", generic!(space_out)), "out: spaceOut [1, 0.5, 2] $ s \"bd sn\""),
    transform("repeatCycles", &["fastRepeatCycles"], &[number("n"), P], "Play each cycle n times before going on to the next.", generic!(repeat_cycles)),
    transform("mono", &[], &[P], "One event at a time: overlapping events are cut short.", generic!(mono)),
    transform("stretch", &[], &[P], "Zoom each cycle to the span its events cover.", generic!(stretch)),
    transform("within'", &[], &[SPAN, super::F, P], "Like within, the function seeing that part stretched to a whole cycle.", generic!(within_zoomed)),
    transform("revArc", &[], &[SPAN, P], "Reverse the part (begin, end) of each cycle.", generic!(rev_arc)),
    transform("compressTo", &[], &[SPAN, P], "Squeeze each cycle into the part (begin, end), which may start in a later cycle.", generic!(compress_to)),
    transform("chunk'", &[], &[number("n"), super::F, P], "chunk going backwards: the last part first.", generic!(chunk_back)),
    with_example(transform("smooth", &[], &[P], "A continuous glide from each number to the next (sample it with segment or a structure).", smooth), "out: s \"bd*8\" # pan (smooth \"0 1 0.5\")"),
    with_example(maker("grain", &[], &[ParamSpec::required("begin", ParamKind::Numbers, ""), ParamSpec::required("length", ParamKind::Numbers, "")], "The part of the sample from `begin`, `length` long (sets begin and end).", grain), "out: s \"bd*8\" # grain \"0 0.25\" 0.1"),
    transform("qfloor", &[], &[number("steps"), P], "Round each value down to a step of 1/steps.", qfloor),
    transform("qceiling", &[], &[number("steps"), P], "Round each value up to a step of 1/steps.", qceiling),
    transform("striateBy", &["striate'"], &[number("n"), number("fraction"), P], "n copies a cycle, each playing that fraction of the sample from a further start.", striate_by),
    transform("gap", &[], &[number("n"), P], "Chop each sample into n parts, silencing every other one.", gap),
    transform("randslice", &[], &[number("n"), P], "Each event plays a random one of n equal parts of its sample.", randslice),
    transform("smash", &[], &[number("n"), LIST, P], "Striate into n parts, then play slowed by each factor of the list in turn.", smash),
    transform("smash'", &[], &[number("n"), LIST, P], "smash with chop in place of striate.", smash_chopped),
];
