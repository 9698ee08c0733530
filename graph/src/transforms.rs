//! Pattern functions of the language: `s`, the sound controls and Tidal's transforms, with their
//! registry entries.

use crate::registry::{Function, Param, ParamKind, Registry, Role};
use pattern::{Control, Item, Pattern, Sound as SoundEvent, Time};
use std::rc::Rc;

/// A pattern the language can transform: of sounds, or of numbers.
#[derive(Clone)]
pub enum Pat {
    /// Sound events (from `s`).
    Sound(Pattern<SoundEvent>),
    /// Numbers (from a string used numerically).
    Num(Pattern<f64>),
}

/// A compiled transform: `rev`, `fast 2`, `(# speed 2)`, `fast 2 . rev`.
pub type Transform = Rc<dyn Fn(Pat) -> Result<Pat, String>>;

/// An argument of a transform, already compiled.
#[derive(Clone)]
pub enum Arg {
    /// A constant.
    Number(f64),
    /// A patterned number of cycles.
    Time(Pattern<Time>),
    /// A function of patterns.
    Transform(Transform),
}

impl Arg {
    fn number(&self) -> Result<f64, String> {
        match self {
            Arg::Number(x) => Ok(*x),
            _ => Err("expected a number".into()),
        }
    }

    fn time(&self) -> Result<Pattern<Time>, String> {
        match self {
            Arg::Number(x) => Ok(pattern::pure(Time::from_f64(*x))),
            Arg::Time(p) => Ok(p.clone()),
            Arg::Transform(_) => Err("expected a number or pattern of cycles".into()),
        }
    }

    fn transform(&self) -> Result<Transform, String> {
        match self {
            Arg::Transform(t) => Ok(t.clone()),
            _ => Err("expected a function such as `rev` or `(fast 2)`".into()),
        }
    }
}

/// The implementation of a transform: its arguments (without the pattern) and the pattern.
pub type TransformFn = fn(&[Arg], Pat) -> Result<Pat, String>;

/// Applies `f` to either kind of pattern with the same generic code.
macro_rules! on_pat {
    ($pat:expr, |$p:ident| $body:expr) => {
        match $pat {
            Pat::Sound($p) => Pat::Sound($body),
            Pat::Num($p) => Pat::Num($body),
        }
    };
}

/// Runs a transform argument on a pattern of the same kind.
fn apply_to<T: Item>(
    f: &Transform,
    p: &Pattern<T>,
    wrap: fn(Pattern<T>) -> Pat,
    unwrap: fn(Pat) -> Option<Pattern<T>>,
) -> Result<Pattern<T>, String> {
    unwrap(f(wrap(p.clone()))?).ok_or_else(|| "the function changed the kind of pattern".into())
}

fn sound_of(p: Pat) -> Option<Pattern<SoundEvent>> {
    match p {
        Pat::Sound(p) => Some(p),
        Pat::Num(_) => None,
    }
}

fn num_of(p: Pat) -> Option<Pattern<f64>> {
    match p {
        Pat::Num(p) => Some(p),
        Pat::Sound(_) => None,
    }
}

/// `f` applied to `pat`, as a pattern of the same kind, for combinators that take functions.
fn transformed(f: &Transform, pat: &Pat) -> Result<Pat, String> {
    match pat {
        Pat::Sound(p) => Ok(Pat::Sound(apply_to(f, p, Pat::Sound, sound_of)?)),
        Pat::Num(p) => Ok(Pat::Num(apply_to(f, p, Pat::Num, num_of)?)),
    }
}

fn same_kind<T: Item>(p: Pat, unwrap: fn(Pat) -> Option<Pattern<T>>) -> Pattern<T> {
    unwrap(p).unwrap_or_else(pattern::silence)
}

/// The most copies, repeats or parts a transform may make: a typo such as `stut 1600` must be a
/// clear error, not a patch that exhausts memory or the audio thread.
pub const MAX_COUNT: i64 = 1024;

/// A whole-number argument within `min..=MAX_COUNT`.
fn count_in(x: f64, min: i64, what: &str) -> Result<i64, String> {
    let n = x.round();
    if !(min as f64..=MAX_COUNT as f64).contains(&n) {
        return Err(format!(
            "{what} must be a whole number from {min} to {MAX_COUNT}, found {x}"
        ));
    }
    Ok(n as i64)
}

fn count(x: f64) -> Result<i64, String> {
    count_in(x, 0, "the count")
}

fn fast(args: &[Arg], pat: Pat) -> Result<Pat, String> {
    let amount = args[0].time()?;
    Ok(on_pat!(pat, |p| p.fast_p(&amount)))
}

fn slow(args: &[Arg], pat: Pat) -> Result<Pat, String> {
    let amount = args[0].time()?;
    Ok(on_pat!(pat, |p| p.slow_p(&amount)))
}

fn rev(_: &[Arg], pat: Pat) -> Result<Pat, String> {
    Ok(on_pat!(pat, |p| p.rev()))
}

pub(crate) fn early(args: &[Arg], pat: Pat) -> Result<Pat, String> {
    let amount = args[0].time()?;
    Ok(on_pat!(pat, |p| p.early_p(&amount)))
}

pub(crate) fn late(args: &[Arg], pat: Pat) -> Result<Pat, String> {
    let amount = args[0].time()?;
    Ok(on_pat!(pat, |p| p.late_p(&amount)))
}

fn every(args: &[Arg], pat: Pat) -> Result<Pat, String> {
    let n = count(args[0].number()?)?;
    let t = transformed(&args[1].transform()?, &pat)?;
    Ok(match pat {
        Pat::Sound(p) => Pat::Sound(p.every(n, |_| same_kind(t, sound_of))),
        Pat::Num(p) => Pat::Num(p.every(n, |_| same_kind(t, num_of))),
    })
}

fn every_offset(args: &[Arg], pat: Pat) -> Result<Pat, String> {
    let (n, offset) = (count(args[0].number()?)?, args[1].number()?.round() as i64);
    let t = transformed(&args[2].transform()?, &pat)?;
    Ok(match pat {
        Pat::Sound(p) => Pat::Sound(p.every_offset(n, offset, |_| same_kind(t, sound_of))),
        Pat::Num(p) => Pat::Num(p.every_offset(n, offset, |_| same_kind(t, num_of))),
    })
}

fn superimpose(args: &[Arg], pat: Pat) -> Result<Pat, String> {
    let t = transformed(&args[0].transform()?, &pat)?;
    Ok(match pat {
        Pat::Sound(p) => Pat::Sound(p.superimpose(|_| same_kind(t, sound_of))),
        Pat::Num(p) => Pat::Num(p.superimpose(|_| same_kind(t, num_of))),
    })
}

fn off(args: &[Arg], pat: Pat) -> Result<Pat, String> {
    let by = args[0].time()?;
    let shifted = on_pat!(pat.clone(), |p| p.late_p(&by));
    let t = transformed(&args[1].transform()?, &shifted)?;
    Ok(match (pat, t) {
        (Pat::Sound(p), Pat::Sound(t)) => Pat::Sound(pattern::stack(vec![p, t])),
        (Pat::Num(p), Pat::Num(t)) => Pat::Num(pattern::stack(vec![p, t])),
        _ => return Err("the function changed the kind of pattern".into()),
    })
}

fn sometimes_by_amount(amount: f64, f: &Transform, pat: Pat) -> Result<Pat, String> {
    let kept = on_pat!(pat.clone(), |p| p.degrade_by(amount));
    let chosen = on_pat!(pat, |p| p.undegrade_by_seeded(0, amount));
    let t = transformed(f, &chosen)?;
    Ok(match (kept, t) {
        (Pat::Sound(a), Pat::Sound(b)) => Pat::Sound(pattern::stack(vec![a, b])),
        (Pat::Num(a), Pat::Num(b)) => Pat::Num(pattern::stack(vec![a, b])),
        _ => return Err("the function changed the kind of pattern".into()),
    })
}

fn sometimes_by(args: &[Arg], pat: Pat) -> Result<Pat, String> {
    sometimes_by_amount(args[0].number()?, &args[1].transform()?, pat)
}

macro_rules! sometimes_fixed {
    ($name:ident, $amount:expr) => {
        fn $name(args: &[Arg], pat: Pat) -> Result<Pat, String> {
            sometimes_by_amount($amount, &args[0].transform()?, pat)
        }
    };
}

sometimes_fixed!(sometimes, 0.5);
sometimes_fixed!(often, 0.75);
sometimes_fixed!(rarely, 0.25);
sometimes_fixed!(almost_never, 0.1);
sometimes_fixed!(almost_always, 0.9);

fn degrade(_: &[Arg], pat: Pat) -> Result<Pat, String> {
    Ok(on_pat!(pat, |p| p.degrade()))
}

fn degrade_by(args: &[Arg], pat: Pat) -> Result<Pat, String> {
    let amount = args[0].number()?;
    Ok(on_pat!(pat, |p| p.degrade_by(amount)))
}

fn ply(args: &[Arg], pat: Pat) -> Result<Pat, String> {
    if let Arg::Number(x) = args[0] {
        count_in(x, 1, "the number of repeats")?;
    }
    let n = args[0].time()?;
    Ok(on_pat!(pat, |p| p.ply_p(&n)))
}

fn iter(args: &[Arg], pat: Pat) -> Result<Pat, String> {
    let n = count(args[0].number()?)?;
    Ok(on_pat!(pat, |p| p.iter(n)))
}

fn iter_back(args: &[Arg], pat: Pat) -> Result<Pat, String> {
    let n = count(args[0].number()?)?;
    Ok(on_pat!(pat, |p| p.iter_back(n)))
}

fn palindrome(_: &[Arg], pat: Pat) -> Result<Pat, String> {
    Ok(on_pat!(pat, |p| p.palindrome()))
}

fn chunk(args: &[Arg], pat: Pat) -> Result<Pat, String> {
    let n = count(args[0].number()?)?;
    let f = args[1].transform()?;
    let failed = std::cell::RefCell::new(None);
    let result = match pat {
        Pat::Sound(p) => Pat::Sound(p.chunk(n, |q| {
            apply_to(&f, q, Pat::Sound, sound_of).unwrap_or_else(|e| {
                *failed.borrow_mut() = Some(e);
                q.clone()
            })
        })),
        Pat::Num(p) => Pat::Num(p.chunk(n, |q| {
            apply_to(&f, q, Pat::Num, num_of).unwrap_or_else(|e| {
                *failed.borrow_mut() = Some(e);
                q.clone()
            })
        })),
    };
    match failed.into_inner() {
        Some(e) => Err(e),
        None => Ok(result),
    }
}

/// Euclidean arguments: hits may be negative (the complement), rotation any whole number.
fn euclid_args(hits: f64, steps: f64, rotation: f64) -> Result<(i64, i64, i64), String> {
    let max = pattern::MAX_STEPS as f64;
    if !(0.0..=max).contains(&steps.round()) || !(-max..=max).contains(&hits.round()) {
        return Err(format!(
            "a Euclidean rhythm needs at most {max} steps and as many hits, found {hits} over {steps}"
        ));
    }
    Ok((
        hits.round() as i64,
        steps.round() as i64,
        rotation.round().clamp(-max, max) as i64,
    ))
}

fn euclid(args: &[Arg], pat: Pat) -> Result<Pat, String> {
    let (k, n, _) = euclid_args(args[0].number()?, args[1].number()?, 0.0)?;
    Ok(on_pat!(pat, |p| p.euclid(k, n, 0)))
}

fn euclid_off(args: &[Arg], pat: Pat) -> Result<Pat, String> {
    let (k, n, r) = euclid_args(args[0].number()?, args[1].number()?, args[2].number()?)?;
    Ok(on_pat!(pat, |p| p.euclid(k, n, r)))
}

fn segment(args: &[Arg], pat: Pat) -> Result<Pat, String> {
    let n = Time::from_int(count_in(args[0].number()?, 1, "the number of segments")?);
    Ok(on_pat!(pat, |p| p.segment(n)))
}

fn range(args: &[Arg], pat: Pat) -> Result<Pat, String> {
    let (low, high) = (args[0].number()?, args[1].number()?);
    match pat {
        Pat::Num(p) => Ok(Pat::Num(p.range(low, high))),
        Pat::Sound(_) => Err("`range` scales a pattern of numbers, not sounds".into()),
    }
}

fn sound_only(pat: Pat, name: &str) -> Result<Pattern<SoundEvent>, String> {
    sound_of(pat).ok_or_else(|| format!("`{name}` works on sound patterns (`s \"…\"`)"))
}

fn jux(args: &[Arg], pat: Pat) -> Result<Pat, String> {
    let f = args[0].transform()?;
    let p = sound_only(pat, "jux")?;
    let right = apply_to(
        &f,
        &p.fmap(|e| {
            let mut e = e.clone();
            e.set(Control::Pan, 1.0);
            e
        }),
        Pat::Sound,
        sound_of,
    )?;
    let left = p.fmap(|e| {
        let mut e = e.clone();
        e.set(Control::Pan, 0.0);
        e
    });
    Ok(Pat::Sound(pattern::stack(vec![left, right])))
}

fn stut(args: &[Arg], pat: Pat) -> Result<Pat, String> {
    let (n, feedback, time) = (
        count(args[0].number()?)?,
        args[1].number()?,
        args[2].number()?,
    );
    Ok(Pat::Sound(sound_only(pat, "stut")?.stut(
        n,
        feedback,
        Time::from_f64(time),
    )))
}

fn echo(args: &[Arg], pat: Pat) -> Result<Pat, String> {
    let (n, time, feedback) = (
        count(args[0].number()?)?,
        args[1].number()?,
        args[2].number()?,
    );
    Ok(Pat::Sound(sound_only(pat, "echo")?.echo(
        n,
        Time::from_f64(time),
        feedback,
    )))
}

fn stutter(args: &[Arg], pat: Pat) -> Result<Pat, String> {
    let (n, time) = (count(args[0].number()?)?, Time::from_f64(args[1].number()?));
    Ok(on_pat!(pat, |p| p.stutter(n, time)))
}

const P: Param = Param::required("pattern", ParamKind::Pattern, "");
const F: Param = Param::required("function", ParamKind::Transform, "");

const fn time(name: &'static str) -> Param {
    Param::required(name, ParamKind::Time, "cycles")
}

const fn number(name: &'static str) -> Param {
    Param::required(name, ParamKind::Number, "")
}

const fn transform(
    name: &'static str,
    aliases: &'static [&'static str],
    params: &'static [Param],
    doc: &'static str,
    implementation: TransformFn,
) -> (Function, TransformFn) {
    (
        Function {
            name,
            aliases,
            role: Role::Transform,
            params,
            node: None,
            control: None,
            doc,
        },
        implementation,
    )
}

/// Every transform with its implementation.
pub const TRANSFORMS: &[(Function, TransformFn)] = &[
    transform(
        "fast",
        &["density"],
        &[time("factor"), P],
        "Speed the pattern up by a factor.",
        fast,
    ),
    transform(
        "slow",
        &["sparsity"],
        &[time("factor"), P],
        "Slow the pattern down by a factor.",
        slow,
    ),
    transform("rev", &[], &[P], "Reverse each cycle.", rev),
    transform(
        "early",
        &["rotL"],
        &[time("amount"), P],
        "Shift the pattern earlier by some cycles (also `<~`).",
        early,
    ),
    transform(
        "late",
        &["rotR"],
        &[time("amount"), P],
        "Shift the pattern later by some cycles (also `~>`).",
        late,
    ),
    transform(
        "every",
        &[],
        &[number("n"), F, P],
        "Apply a function every nth cycle, starting with the first.",
        every,
    ),
    transform(
        "every'",
        &["everyOffset"],
        &[number("n"), number("offset"), F, P],
        "Apply a function in cycles where cycle mod n equals the offset.",
        every_offset,
    ),
    transform(
        "jux",
        &[],
        &[F, P],
        "The pattern hard left and a transformed copy hard right.",
        jux,
    ),
    transform(
        "stut",
        &[],
        &[number("count"), number("feedback"), number("time"), P],
        "Echoes `time` cycles apart, fading from 1 towards `feedback`.",
        stut,
    ),
    transform(
        "echo",
        &[],
        &[number("count"), number("time"), number("feedback"), P],
        "Echoes `time` cycles apart, each `feedback` times quieter.",
        echo,
    ),
    transform(
        "stutter",
        &[],
        &[number("count"), number("time"), P],
        "Repeat each event `count` times, `time` cycles apart.",
        stutter,
    ),
    transform(
        "degrade",
        &[],
        &[P],
        "Drop half the events at random.",
        degrade,
    ),
    transform(
        "degradeBy",
        &[],
        &[number("amount"), P],
        "Drop events at random with the given probability.",
        degrade_by,
    ),
    transform(
        "sometimesBy",
        &[],
        &[number("amount"), F, P],
        "Apply a function to a random share of the events.",
        sometimes_by,
    ),
    transform(
        "sometimes",
        &[],
        &[F, P],
        "Apply a function to half the events, at random.",
        sometimes,
    ),
    transform(
        "often",
        &[],
        &[F, P],
        "Apply a function to 75% of the events, at random.",
        often,
    ),
    transform(
        "rarely",
        &[],
        &[F, P],
        "Apply a function to 25% of the events, at random.",
        rarely,
    ),
    transform(
        "almostNever",
        &[],
        &[F, P],
        "Apply a function to 10% of the events, at random.",
        almost_never,
    ),
    transform(
        "almostAlways",
        &[],
        &[F, P],
        "Apply a function to 90% of the events, at random.",
        almost_always,
    ),
    transform(
        "ply",
        &[],
        &[time("n"), P],
        "Repeat each event n times within its own span.",
        ply,
    ),
    transform(
        "iter",
        &[],
        &[number("n"), P],
        "Start each cycle a step further into the pattern.",
        iter,
    ),
    transform(
        "iter'",
        &["iterBack"],
        &[number("n"), P],
        "Like `iter`, going backwards.",
        iter_back,
    ),
    transform(
        "palindrome",
        &[],
        &[P],
        "Play forwards, then backwards, on alternate cycles.",
        palindrome,
    ),
    transform(
        "off",
        &[],
        &[time("time"), F, P],
        "Layer a transformed copy shifted later in time.",
        off,
    ),
    transform(
        "superimpose",
        &[],
        &[F, P],
        "Layer a transformed copy on top.",
        superimpose,
    ),
    transform(
        "chunk",
        &[],
        &[number("n"), F, P],
        "Apply a function to one of n parts of the cycle, moving each cycle.",
        chunk,
    ),
    transform(
        "euclid",
        &[],
        &[number("hits"), number("steps"), P],
        "A Euclidean rhythm of hits over steps.",
        euclid,
    ),
    transform(
        "euclidOff",
        &["eoff"],
        &[number("hits"), number("steps"), number("rotation"), P],
        "A rotated Euclidean rhythm.",
        euclid_off,
    ),
    transform(
        "segment",
        &[],
        &[number("n"), P],
        "Sample the pattern n times per cycle.",
        segment,
    ),
    transform(
        "range",
        &[],
        &[number("low"), number("high"), P],
        "Scale a 0..1 pattern to low..high.",
        range,
    ),
];

const fn control(
    name: &'static str,
    control: Control,
    params: &'static [Param],
    doc: &'static str,
) -> Function {
    Function {
        name,
        aliases: &[],
        role: Role::Control,
        params,
        node: None,
        control: Some(control),
        doc,
    }
}

const fn value(unit: &'static str) -> Param {
    Param::required("value", ParamKind::Signal, unit)
}

/// The controls a sound pattern's events carry, as functions for `#`.
const CONTROLS: &[Function] = &[
    control(
        "speed",
        Control::Speed,
        &[value("")],
        "Playback rate of each event (negative plays backwards).",
    ),
    control(
        "n",
        Control::N,
        &[value("")],
        "Which sample of the sound's folder each event plays.",
    ),
    control(
        "note",
        Control::Note,
        &[value("semitones")],
        "Pitch shift of each event in semitones.",
    ),
    control(
        "begin",
        Control::Begin,
        &[value("")],
        "Where in the sample each event starts, 0 to 1.",
    ),
    control(
        "end",
        Control::End,
        &[value("")],
        "Where in the sample each event stops, 0 to 1.",
    ),
    control(
        "cut",
        Control::Cut,
        &[value("")],
        "Cut group: a new event stops the one sounding in its group.",
    ),
    control(
        "legato",
        Control::Legato,
        &[value("")],
        "Event duration relative to its step.",
    ),
    control(
        "attack",
        Control::Attack,
        &[value("s")],
        "Fade-in time of each event.",
    ),
    control(
        "release",
        Control::Release,
        &[value("s")],
        "Fade-out time of each event.",
    ),
];

const SOUND: Function = Function {
    name: "s",
    aliases: &["sound"],
    role: Role::Sound,
    params: &[Param::required("sounds", ParamKind::Sounds, "")],
    node: None,
    control: None,
    doc: "Play samples named by a pattern: s \"bd*2 [sn cp]\".",
};

/// Registers `s`, the controls and every transform.
pub fn register(r: &mut Registry) {
    r.register(SOUND);
    for f in CONTROLS {
        r.register(f.clone());
    }
    for (f, _) in TRANSFORMS {
        r.register(f.clone());
    }
}

/// The implementation of a transform by its registry name.
pub fn implementation(name: &str) -> Option<TransformFn> {
    TRANSFORMS
        .iter()
        .find(|(f, _)| f.name == name)
        .map(|(_, i)| *i)
}
