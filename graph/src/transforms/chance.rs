//! Tidal's functions of chance: `sometimesBy'` and its family, random booleans and choices,
//! `randrun`, and the fades that drop more events as they go.

use super::{constants, maker, number, numbers, time, transform, with_example, Out, F, P};
use crate::params::{ParamKind, ParamSpec};
use crate::registry::Function;
use crate::values::{Args, Pat, PatItem, MAX_COUNT};
use pattern::{Pattern, Time, Value};

/// `sometimesBy' x f pat = overlay (degradeBy x pat) (unDegradeBy x $ f pat)`: unlike
/// `sometimesBy`, the function runs first and the chance picks among its events.
fn sometimes_after_with<T: PatItem>(amount: f64, a: &mut Args, p: Pattern<T>) -> Out<T> {
    let t = a.apply(&p)?;
    Ok(pattern::stack(vec![
        p.degrade_by(amount),
        t.undegrade_by_seeded(0, amount),
    ]))
}

fn sometimes_by_after<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let amount = a.number()?;
    sometimes_after_with(amount, a, p)
}

macro_rules! sometimes_after {
    ($name:ident, $amount:expr) => {
        fn $name<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
            sometimes_after_with($amount, a, p)
        }
    };
}

sometimes_after!(sometimes_after, 0.5);
sometimes_after!(often_after, 0.75);
sometimes_after!(rarely_after, 0.25);
sometimes_after!(almost_never_after, 0.1);
sometimes_after!(almost_always_after, 0.9);

/// `always = id`
fn always<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    a.apply(&p)
}

/// `never = flip const`
fn never<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    a.function()?;
    Ok(p)
}

fn bools(p: Pattern<bool>) -> Pat {
    Pat::Value(p.fmap(|&b| Value::Bool(b)))
}

/// `_brandBy prob = fmap (< prob) rand`, `brandBy probpat = innerJoin $ _brandBy <$> probpat`.
fn brand_by(a: &mut Args) -> Result<Pat, String> {
    let probabilities = a.values()?.fmap(|v| v.as_f64().unwrap_or(0.0));
    let rand = pattern::rand();
    Ok(bools(pattern::patterned(
        &probabilities,
        move |&x, span, arena, out| {
            for e in rand.query(span, arena).iter() {
                out.push(e.with_value(e.value < x));
            }
        },
    )))
}

/// `brand = _brandBy 0.5`
fn brand(_: &mut Args) -> Result<Pat, String> {
    Ok(bools(pattern::rand().fmap(|&r| r < 0.5)))
}

/// `chooseBy f xs = (xs !!!) . floor <$> range 0 (fromIntegral $ length xs) f`
fn choose_by(a: &mut Args) -> Result<Pat, String> {
    let chooser = a.values()?;
    let values = constants(a.patterns()?, "chooseBy")?;
    if values.is_empty() {
        return Ok(Pat::Value(pattern::silence()));
    }
    let n = values.len() as i64;
    Ok(Pat::Value(chooser.fmap(move |v| {
        let f = v.as_f64().unwrap_or(0.0);
        values[((f * n as f64).floor() as i64).rem_euclid(n) as usize].clone()
    })))
}

/// `cycleChoose = segment 1 . choose`
fn cycle_choose(a: &mut Args) -> Result<Pat, String> {
    let values = constants(a.patterns()?, "cycleChoose")?;
    if values.is_empty() {
        return Ok(Pat::Value(pattern::silence()));
    }
    let n = values.len();
    let chosen = pattern::rand()
        .fmap(move |&r| values[((r * n as f64).floor() as usize).min(n - 1)].clone());
    Ok(Pat::Value(chosen.segment(Time::ONE)))
}

/// `wchooseBy pat pairs = match <$> pat where match r = values !! head (findIndices (> (r*total))
/// cweights)`: the first value whose running total of weights passes `r` of the sum.
fn weighted_choice(
    chooser: Pattern<Value>,
    pairs: Vec<(Time, Pat)>,
    what: &str,
) -> Result<Pat, String> {
    let (weights, patterns): (Vec<Time>, Vec<Pat>) = pairs.into_iter().unzip();
    let values = constants(patterns, what)?;
    let mut running = Vec::with_capacity(weights.len());
    let mut total = 0.0;
    for w in &weights {
        total += w.to_f64();
        running.push(total);
    }
    if values.is_empty() || total <= 0.0 {
        return Err(format!(
            "`{what}` needs at least one value with a weight above 0"
        ));
    }
    Ok(Pat::Value(chooser.fmap(move |v| {
        let r = v.as_f64().unwrap_or(0.0) * total;
        let i = running
            .iter()
            .position(|&c| c > r)
            .unwrap_or(values.len() - 1);
        values[i].clone()
    })))
}

fn wchoose_by(a: &mut Args) -> Result<Pat, String> {
    let chooser = a.values()?;
    weighted_choice(chooser, a.steps()?, "wchooseBy")
}

/// `wchoose = wchooseBy rand`
fn wchoose(a: &mut Args) -> Result<Pat, String> {
    let chooser = pattern::rand().fmap(|&r| Value::Num(r));
    weighted_choice(chooser, a.steps()?, "wchoose")
}

fn randrun(a: &mut Args) -> Result<Pat, String> {
    Ok(numbers(pattern::randrun(a.count(0)?)))
}

/// The ramp a fade degrades by: from 0 to 1 over `length` cycles from `from` (Tidal's `envL`,
/// slowed and shifted); `inverse` for `envLR`.
fn fade_ramp(from: Time, length: Time, inverse: bool) -> Pattern<f64> {
    pattern::signal(move |t| {
        let x = ((t - from) / length).to_f64().clamp(0.0, 1.0);
        if inverse {
            1.0 - x
        } else {
            x
        }
    })
}

fn fade<T: PatItem>(from: Time, a: &mut Args, p: Pattern<T>, inverse: bool) -> Out<T> {
    let length = a.constant_time()?;
    if !length.is_positive() {
        return Err("a fade needs a length above 0 cycles".into());
    }
    Ok(p.degrade_by_p(&fade_ramp(from, length, inverse)))
}

/// `fadeOut dur p = innerJoin $ (\`_degradeBy\` p) <$> _slow dur envL`
fn fade_out<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    fade(Time::ZERO, a, p, false)
}

/// `fadeIn dur p = innerJoin $ (\`_degradeBy\` p) <$> _slow dur envLR`
fn fade_in<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    fade(Time::ZERO, a, p, true)
}

/// `fadeOutFrom from dur p = innerJoin $ (\`_degradeBy\` p) <$> (from \`rotR\` _slow dur envL)`
fn fade_out_from<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let from = a.constant_time()?;
    fade(from, a, p, false)
}

fn fade_in_from<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let from = a.constant_time()?;
    fade(from, a, p, true)
}

/// `degradeOverBy i tx p`: the events whose random value is above the amount, the random
/// stream repeating each cycle `i` times.
fn degrade_over_by<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let cycles = a.count(1)?;
    let amounts = a.values()?.fmap(|v| v.as_f64().unwrap_or(0.0));
    Ok(p.degrade_over_by(cycles, &amounts))
}

/// `markovPat n xi tp`: a Markov chain of `n` steps a cycle from state `xi`.
fn markov_pat(a: &mut Args) -> Result<Pat, String> {
    let (steps, start) = (a.count(1)?, a.signed(MAX_COUNT)?);
    let rows = a.rows()?;
    let n = rows.len();
    if n == 0
        || rows.iter().any(|r| {
            r.len() != n || r.iter().any(|w| w.is_nan() || *w < 0.0) || r.iter().sum::<f64>() <= 0.0
        })
    {
        return Err(format!(
            "`markovPat` needs a square table of weights, a row for each state: found {n} rows"
        ));
    }
    Ok(numbers(pattern::markov(steps, start, &rows)))
}

const WEIGHTED: ParamSpec = ParamSpec::required("values", ParamKind::Weighted, "");
const VALUES: ParamSpec = ParamSpec::required("values", ParamKind::Patterns, "");

/// The functions of chance.
pub(super) const FUNCTIONS: &[Function] = &[
    transform("sometimesBy'", &[], &[number("amount"), F, P], "Like sometimesBy, applying the function first and keeping that share of its events.", generic!(sometimes_by_after)),
    transform("sometimes'", &[], &[F, P], "sometimesBy' 0.5.", generic!(sometimes_after)),
    transform("often'", &[], &[F, P], "sometimesBy' 0.75.", generic!(often_after)),
    transform("rarely'", &[], &[F, P], "sometimesBy' 0.25.", generic!(rarely_after)),
    transform("almostNever'", &[], &[F, P], "sometimesBy' 0.1.", generic!(almost_never_after)),
    transform("almostAlways'", &[], &[F, P], "sometimesBy' 0.9.", generic!(almost_always_after)),
    transform("always", &[], &[F, P], "Apply the function (to switch a `sometimes` on for good).", generic!(always)),
    transform("never", &[], &[F, P], "Leave the pattern as it is (to switch a `sometimes` off).", generic!(never)),
    transform("fadeOut", &[], &[time("cycles"), P], "Drop more and more events at random, none at cycle 0 to all after the given cycles.", generic!(fade_out)),
    transform("fadeIn", &[], &[time("cycles"), P], "Drop fewer and fewer events at random, all at cycle 0 to none after the given cycles.", generic!(fade_in)),
    with_example(transform("fadeOutFrom", &[], &[time("from"), time("cycles"), P], "fadeOut starting at cycle `from`.", generic!(fade_out_from)), "out: fadeOutFrom 8 16 $ s \"hh*8\""),
    transform("fadeInFrom", &[], &[time("from"), time("cycles"), P], "fadeIn starting at cycle `from`.", generic!(fade_in_from)),
    maker("brand", &[], &[], "Random booleans, true half the time (continuous; take steps with segment or struct).", brand),
    maker("brandBy", &[], &[ParamSpec::required("probability", ParamKind::Numbers, "")], "Random booleans, true with the given probability (continuous).", brand_by),
    maker("chooseBy", &[], &[ParamSpec::required("chooser", ParamKind::Numbers, ""), VALUES], "The value of the list a 0..1 pattern points at, with its structure.", choose_by),
    maker("cycleChoose", &[], &[VALUES], "A value of the list at random, one per cycle.", cycle_choose),
    with_example(maker("wchoose", &[], &[WEIGHTED], "A value at random, each as likely as its weight: wchoose [(0, 0.25), (2, 0.5), (7, 0.25)] (continuous).", wchoose), "out: s \"bd*8\" # n (segment 8 $ wchoose [(0, 0.25), (2, 0.5), (7, 0.25)])"),
    with_example(maker("wchooseBy", &[], &[ParamSpec::required("chooser", ParamKind::Numbers, ""), WEIGHTED], "The value a 0..1 pattern points at, each taking a share by its weight.", wchoose_by), "out: s \"bd*4\" # n (wchooseBy \"0 0.3 0.8 0.5\" [(0, 0.25), (2, 0.5), (7, 0.25)])"),
    with_example(transform("degradeOverBy", &[], &[number("cycles"), ParamSpec::required("amount", ParamKind::Numbers, ""), P], "degradeBy with a patterned amount over the given cycles, the random choices repeating each cycle that many times.", generic!(degrade_over_by)), "out: degradeOverBy 4 \"<0.2 0.8>\" $ s \"hh*8\""),
    with_example(maker("markovPat", &[], &[number("steps"), number("start"), ParamSpec::required("transitions", ParamKind::Rows, "")], "A Markov chain of states, steps a cycle from the start state; each row weighs the next state.", markov_pat), "out: s \"bd*8\" # n (markovPat 8 1 [[3, 5, 2], [4, 4, 2], [0, 1, 0]])"),
    with_example(maker("randrun", &[], &[number("n")], "The numbers 0 to n-1 in a random order each cycle.", randrun), "out: s \"bd*8\" # n (randrun 8)"),
];
