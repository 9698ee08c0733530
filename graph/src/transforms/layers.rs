//! Tidal's functions that layer copies of a pattern: lists of functions (`layer`, `spreadf`,
//! `pickF`, `selectF`, `jux'`), echoes through a function (`stutWith`, `plyWith`, `ghost`), and
//! the spatial copies (`jux4`, `juxcut`, `spin`).

use super::{constants, maker, number, sounds, time, transform, values, with_example, Out, F, P};
use crate::params::{ParamKind, ParamSpec};
use crate::registry::Function;
use crate::values::{applied, Args, Pat, PatItem, Transform, MAX_COUNT};
use pattern::{Control, Pattern, Sound, Time, Value};

const FUNCTIONS_LIST: ParamSpec = ParamSpec::required("functions", ParamKind::Transforms, "");

/// The pattern with each of `functions` applied, in order.
fn each_applied<T: PatItem>(
    functions: &[Transform],
    p: &Pattern<T>,
) -> Result<Vec<Pattern<T>>, String> {
    functions.iter().map(|f| applied(f, p)).collect()
}

/// `layer fs p = stack $ map ($ p) fs`
fn layer<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(pattern::stack(each_applied(&a.functions()?, &p)?))
}

/// `spreadf = spread ($)`: one function a cycle, in turn.
fn spreadf<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(pattern::slowcat(each_applied(&a.functions()?, &p)?))
}

/// `fastspread ($)`: all the functions in each cycle, in turn.
fn fastspreadf<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(pattern::fastcat(each_applied(&a.functions()?, &p)?))
}

const CURRIED: ParamSpec = ParamSpec::required("function", ParamKind::Curried, "");
const SPREAD_VALUES: ParamSpec = ParamSpec::required("values", ParamKind::Patterns, "");

/// The function given each value of the list, with the pattern.
fn spread_each<T: PatItem>(a: &mut Args, p: &Pattern<T>) -> Result<Vec<Pattern<T>>, String> {
    let f = a.curried()?;
    a.patterns()?
        .into_iter()
        .map(|v| {
            T::unwrap(f(v, T::wrap(p.clone()))?)
                .ok_or_else(|| "the function changed the kind of pattern".to_string())
        })
        .collect()
}

/// `spread f xs p = slowcat $ map (\`f\` p) xs`
fn spread<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(pattern::slowcat(spread_each(a, &p)?))
}

/// `fastspread f xs p = fastcat $ map (\`f\` p) xs`
fn fastspread<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(pattern::fastcat(spread_each(a, &p)?))
}

/// `spreadChoose f vs p = do v <- _segment 1 (choose vs); f v p`: one value at random a cycle.
fn spread_choose<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let choices = spread_each(a, &p)?;
    let n = choices.len();
    let chosen = pattern::rand()
        .segment(Time::ONE)
        .fmap(move |&r| ((r * n as f64).floor() as usize).min(n.saturating_sub(1)));
    Ok(joined(chosen, choices))
}

/// The most different values `spread'` prepares the function for.
const MAX_SPREAD_VALUES: usize = 64;

/// `spread' f vpat pat = vpat >>= \v -> f v pat`: the function given each value of a pattern
/// as it plays. The function is applied ahead of time to each value the pattern plays in its
/// first 64 cycles.
fn spread_patterned<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let f = a.curried()?;
    let given = a.values()?;
    let mut seen: Vec<Value> = Vec::new();
    let arena = bumpalo::Bump::new();
    let head = pattern::Span::new(Time::ZERO, Time::from_int(MAX_SPREAD_VALUES as i64));
    for e in given.query(head, &arena).iter() {
        if !seen.contains(&e.value) {
            if seen.len() == MAX_SPREAD_VALUES {
                return Err(format!(
                    "`spread'` takes a pattern of at most {MAX_SPREAD_VALUES} different values"
                ));
            }
            seen.push(e.value.clone());
        }
    }
    let choices = seen
        .iter()
        .map(|v| {
            let value = Pat::Value(pattern::pure(v.clone()));
            T::unwrap(f(value, T::wrap(p.clone()))?)
                .ok_or_else(|| "the function changed the kind of pattern".to_string())
        })
        .collect::<Result<Vec<_>, String>>()?;
    let missing = choices.len();
    let mut choices = choices;
    choices.push(pattern::silence());
    let indices = given.fmap(move |v| seen.iter().position(|s| s == v).unwrap_or(missing));
    Ok(joined(indices, choices))
}

/// The pattern of `choices` picks, switching with each of its events (Tidal's `innerJoin`).
fn switched<T: PatItem>(indices: Pattern<usize>, choices: Vec<Pattern<T>>) -> Pattern<T> {
    if choices.is_empty() {
        return pattern::silence();
    }
    pattern::patterned(&indices, move |&i, span, arena, out| {
        choices[i.min(choices.len() - 1)].query_into(span, arena, out)
    })
}

/// The pattern of `choices` picks, each cut to the picking event (Tidal's `unwrap`, as its `do`
/// blocks join).
fn joined<T: PatItem>(indices: Pattern<usize>, choices: Vec<Pattern<T>>) -> Pattern<T> {
    if choices.is_empty() {
        return pattern::silence();
    }
    pattern::bound(&indices, move |&i, span, arena, out| {
        choices[i.min(choices.len() - 1)].query_into(span, arena, out)
    })
}

/// `pickF pInt fs pat = innerJoin $ (\i -> (fs !!! i) pat) <$> pInt`
fn pick_f<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let indices = a.counts()?;
    let choices = each_applied(&a.functions()?, &p)?;
    let n = choices.len().max(1) as i64;
    Ok(switched(
        indices.fmap(move |&i| i.rem_euclid(n) as usize),
        choices,
    ))
}

/// `_selectF f ps p = (ps !! floor (max 0 (min 0.999999 f) * fromIntegral (length ps))) p`
fn select_f<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let chooser = a.values()?;
    let choices = each_applied(&a.functions()?, &p)?;
    let n = choices.len() as f64;
    Ok(switched(
        chooser.fmap(move |v| {
            let f = v.as_f64().unwrap_or(0.0).clamp(0.0, 0.999_999);
            (f * n).floor() as usize
        }),
        choices,
    ))
}

/// `_stutWith count steptime f p | count <= 1 = p
///  | otherwise = overlay (f (steptime \`rotR\` _stutWith (count-1) steptime f p)) p`
fn stut_with<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let (count, step) = (a.count(0)?, a.constant_time()?);
    let f = a.function()?;
    let mut echoes = p.clone();
    for _ in 1..count {
        echoes = pattern::stack(vec![applied(&f, &echoes.late(step))?, p.clone()]);
    }
    Ok(echoes)
}

/// `triple = stutter 3`, `quad = stutter 4`, `double = echo = stutter 2`: copies `time` apart.
fn stuttered<T: PatItem>(count: i64, a: &mut Args, p: Pattern<T>) -> Out<T> {
    Ok(p.stutter(count, a.constant_time()?))
}

fn double<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    stuttered(2, a, p)
}

fn triple<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    stuttered(3, a, p)
}

fn quad<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    stuttered(4, a, p)
}

/// `_plyWith n f p = arpeggiate $ compound n where compound n | n <= 1 = p
///  | otherwise = overlay p (f $ compound $ n-1)`
fn ply_with<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let n = a.number()?;
    if n.is_nan() || n > MAX_COUNT as f64 {
        return Err(format!(
            "`plyWith` plays each event at most {MAX_COUNT} times"
        ));
    }
    let f = a.function()?;
    let mut compound = p.clone();
    let mut left = n;
    while left > 1.0 {
        compound = pattern::stack(vec![p.clone(), applied(&f, &compound)?]);
        left -= 1.0;
    }
    Ok(compound.arp(pattern::ArpMode::Up))
}

/// `_every` folded over a list: `foldEvery ns f p = foldr (\`_every\` f) p ns`.
fn fold_every<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let periods = constants(a.patterns()?, "foldEvery")?;
    let f = a.function()?;
    let mut folded = p;
    for period in periods.iter().rev() {
        let n = period
            .as_f64()
            .ok_or("`foldEvery` takes a list of whole numbers such as [3, 5]")?
            .round() as i64;
        let transformed = applied(&f, &folded)?;
        folded = folded.every(n, |_| transformed);
    }
    Ok(folded)
}

/// `weaveWith t p fs = _slow t $ stack $ zipWith (\i f -> (i % l) \`rotL\` _fast t (f (_slow t
/// p))) [0 ..] fs`: `p` spread over `t` cycles, each function's version of it starting its
/// share of them earlier.
fn weave<T: PatItem>(t: Time, p: Pattern<T>, functions: &[Transform]) -> Out<T> {
    if functions.is_empty() || !t.is_positive() {
        return Ok(pattern::silence());
    }
    let l = functions.len() as i64;
    let slowed = p.slow(t);
    let layers = functions
        .iter()
        .enumerate()
        .map(|(i, f)| Ok(applied(f, &slowed)?.early(t * Time::new(i as i64, l))))
        .collect::<Result<Vec<_>, String>>()?;
    Ok(pattern::stack(layers))
}

/// `weaveWith` takes its pattern before the functions, so it is a pattern maker, not a
/// transform.
fn weave_with(a: &mut Args) -> Result<Pat, String> {
    let t = a.constant_time()?;
    let subject = a.any_pattern()?;
    let functions = a.functions()?;
    match subject {
        Pat::Sound(p) => weave(t, p, &functions).map(Pat::Sound),
        Pat::Value(p) => weave(t, p, &functions).map(Pat::Value),
    }
}

/// `(x #)` for each sound pattern of a list, as functions.
fn merges(patterns: Vec<Pattern<Sound>>) -> Vec<Transform> {
    patterns
        .into_iter()
        .map(|x| -> Transform {
            std::rc::Rc::new(move |q: Pat| match q {
                Pat::Sound(q) => Ok(Pat::Sound(x.merged(&q))),
                Pat::Value(_) => Err("`weave` takes a control pattern such as (pan sine)".into()),
            })
        })
        .collect()
}

fn sound_list(a: &mut Args, what: &str) -> Result<Vec<Pattern<Sound>>, String> {
    a.patterns()?
        .into_iter()
        .map(|p| match p {
            Pat::Sound(p) => Ok(p),
            Pat::Value(_) => Err(format!("`{what}` takes a list of sound patterns")),
        })
        .collect()
}

/// `weave t p ps = weave' t p (map (#) ps)`: a control pattern (`pan sine`) spread over `t`
/// cycles and laid over each sound pattern, each a share of the cycles apart.
fn weave_controls(a: &mut Args) -> Result<Pat, String> {
    let t = a.constant_time()?;
    let Pat::Sound(controls) = a.any_pattern()? else {
        return Err("`weave` takes a control pattern such as (pan sine)".into());
    };
    let patterns = sound_list(a, "weave")?;
    weave(t, controls, &merges(patterns)).map(Pat::Sound)
}

/// `interlace a b = weave 16 (P.shape (sine * 0.9)) [a, b]`
fn interlace(a: &mut Args) -> Result<Pat, String> {
    let second = sounds(a, "interlace")?;
    let first = a.pattern::<Sound>()?;
    let shape = pattern::sine().fmap(|&x| {
        let mut s = Sound::new(Value::word(""));
        s.set(Control::Shape, x * 0.9);
        s
    });
    weave(Time::from_int(16), shape, &merges(vec![first, second])).map(Pat::Sound)
}

/// `stackwith p ps = stack $ map (\(i, p') -> p' # ((i % l) \`rotL\` p)) (zip [0..] ps)`
fn stackwith(a: &mut Args) -> Result<Pat, String> {
    let Pat::Sound(controls) = a.any_pattern()? else {
        return Err("`stackwith` takes a control pattern such as (pan sine)".into());
    };
    let patterns = sound_list(a, "stackwith")?;
    let l = patterns.len() as i64;
    Ok(Pat::Sound(pattern::stack(
        patterns
            .iter()
            .enumerate()
            .map(|(i, p)| p.merged(&controls.early(Time::new(i as i64, l))))
            .collect(),
    )))
}

/// `ghost'' a f p = superimpose (((a*2.5) \`rotR\`) . f) $ superimpose (((a*1.5) \`rotR\`) . f) p`
fn ghost_with<T: PatItem>(at: Time, f: &Transform, p: Pattern<T>) -> Out<T> {
    let first = pattern::stack(vec![p.clone(), applied(f, &p)?.late(at * Time::new(3, 2))]);
    let second = applied(f, &first)?.late(at * Time::new(5, 2));
    Ok(pattern::stack(vec![first, second]))
}

fn ghost_function<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let at = a.constant_time()?;
    let f = a.function()?;
    ghost_with(at, &f, p)
}

/// The quieter, shorter, higher note `ghost'` adds: `(|*| gain 0.7) . (|> end 0.2) . (|*|
/// speed 1.25)`. As in Tidal, `|*|` against a constant cuts events at cycle boundaries.
fn ghostly(p: Pat) -> Result<Pat, String> {
    let Pat::Sound(p) = p else {
        return Err("`ghost` works on sound patterns (`s \"…\"`)".into());
    };
    Ok(Pat::Sound(p.zip_both(&pattern::pure(()), |e, _| {
        let mut e = e.clone();
        e.set(Control::Gain, e.get(Control::Gain).map_or(0.7, |g| g * 0.7));
        e.set(Control::End, 0.2);
        e.set(
            Control::Speed,
            e.get(Control::Speed).map_or(1.25, |s| s * 1.25),
        );
        e
    })))
}

fn ghost_at(a: &mut Args) -> Result<Pat, String> {
    let p = sounds(a, "ghost'")?;
    let at = a.constant_time()?;
    let f: Transform = std::rc::Rc::new(ghostly);
    ghost_with(at, &f, p).map(Pat::Sound)
}

/// `ghost = ghost' 0.125`
fn ghost(a: &mut Args) -> Result<Pat, String> {
    let p = sounds(a, "ghost")?;
    let f: Transform = std::rc::Rc::new(ghostly);
    ghost_with(Time::new(1, 8), &f, p).map(Pat::Sound)
}

/// `offadd tp pn p = off tp (+pn) p`; as in Tidal, `+` against a constant cuts events at cycle
/// boundaries.
fn offadd(a: &mut Args) -> Result<Pat, String> {
    let p = values(a, "offadd")?;
    let (by, amount) = (a.time()?, a.number()?);
    let added = p
        .late_p(&by)
        .zip_both(&pattern::pure(amount), |v, &amount| match v.as_f64() {
            Some(x) => Value::Num(x + amount),
            None => v.clone(),
        });
    Ok(Pat::Value(pattern::stack(vec![p, added])))
}

/// Each event with `control` set to `value`, or `value` added to it with `add`.
fn placed(p: &Pattern<Sound>, control: Control, value: f64, add: bool) -> Pattern<Sound> {
    p.update(move |e| {
        let v = match e.get(control) {
            Some(old) if add => old + value,
            _ => value,
        };
        e.set(control, v);
    })
}

/// `jux' fs p = stack $ map (\n -> (fs !! n) p |+ P.pan (pure $ fromIntegral n / fromIntegral l))
/// [0 .. l-1]`
fn jux_list(a: &mut Args) -> Result<Pat, String> {
    let p = sounds(a, "jux'")?;
    let functions = a.functions()?;
    let l = functions.len() as f64;
    let layers = each_applied(&functions, &p)?
        .iter()
        .enumerate()
        .map(|(n, q)| placed(q, Control::Pan, n as f64 / l, true))
        .collect();
    Ok(Pat::Sound(pattern::stack(layers)))
}

/// `juxcut' fs p = stack $ map (\n -> ((fs !! n) p |+ P.cut (pure $ 1-n)) # P.pan (pure $
/// fromIntegral n / fromIntegral l)) [0 .. l-1]`
fn juxcut_list(a: &mut Args) -> Result<Pat, String> {
    let p = sounds(a, "juxcut'")?;
    let functions = a.functions()?;
    let l = functions.len() as f64;
    let layers = each_applied(&functions, &p)?
        .iter()
        .enumerate()
        .map(|(n, q)| {
            let cut = placed(q, Control::Cut, 1.0 - n as f64, true);
            placed(&cut, Control::Pan, n as f64 / l, false)
        })
        .collect();
    Ok(Pat::Sound(pattern::stack(layers)))
}

/// `juxcut f p = stack [p # pan 0 # cut (-1), f $ p # pan 1 # cut (-2)]`
fn juxcut(a: &mut Args) -> Result<Pat, String> {
    let p = sounds(a, "juxcut")?;
    let f = a.function()?;
    let left = placed(
        &placed(&p, Control::Pan, 0.0, false),
        Control::Cut,
        -1.0,
        false,
    );
    let right = placed(
        &placed(&p, Control::Pan, 1.0, false),
        Control::Cut,
        -2.0,
        false,
    );
    Ok(Pat::Sound(pattern::stack(vec![left, applied(&f, &right)?])))
}

/// `jux4 f p = stack [p # P.pan (pure (5/8)), f $ p # P.pan (pure (1/8))]`
fn jux4(a: &mut Args) -> Result<Pat, String> {
    let p = sounds(a, "jux4")?;
    let f = a.function()?;
    let right = applied(&f, &placed(&p, Control::Pan, 0.125, false))?;
    Ok(Pat::Sound(pattern::stack(vec![
        placed(&p, Control::Pan, 0.625, false),
        right,
    ])))
}

/// `_spin copies p = stack $ map (\i -> let offset = i % copies in offset \`rotL\` p # P.pan
/// (pure $ fromRational offset)) [0 .. (copies - 1)]`
fn spin(a: &mut Args) -> Result<Pat, String> {
    let p = sounds(a, "spin")?;
    let copies = a.count(1)?;
    let layers = (0..copies)
        .map(|i| {
            let offset = Time::new(i, copies);
            placed(&p.early(offset), Control::Pan, offset.to_f64(), false)
        })
        .collect();
    Ok(Pat::Sound(pattern::stack(layers)))
}

/// The functions that layer copies.
pub(super) const FUNCTIONS: &[Function] = &[
    with_example(transform("spread", &["slowspread"], &[CURRIED, SPREAD_VALUES, P], "The function given each value of the list in turn, a cycle each: spread fast [1, 2].", generic!(spread)), "out: spread fast [1, 2, 4] $ s \"bd sn\""),
    with_example(transform("fastspread", &[], &[CURRIED, SPREAD_VALUES, P], "The function given each value of the list, all in each cycle in turn.", generic!(fastspread)), "out: fastspread fast [1, 2] $ s \"bd sn\""),
    with_example(transform("spreadChoose", &["spreadr"], &[CURRIED, SPREAD_VALUES, P], "The function given a value of the list chosen at random each cycle.", generic!(spread_choose)), "out: spreadChoose fast [1, 2, 4] $ s \"bd sn\""),
    with_example(transform("spread'", &[], &[CURRIED, ParamSpec::required("values", ParamKind::Numbers, ""), P], "The function given each value of a pattern as it plays.", generic!(spread_patterned)), "out: spread' fast \"<1 2> 4\" $ s \"bd sn\""),
    transform("double", &[], &[time("time"), P], "The pattern and one copy `time` later (stutter 2).", generic!(double)),
    transform("triple", &[], &[time("time"), P], "The pattern and two copies, each `time` later (stutter 3).", generic!(triple)),
    transform("quad", &[], &[time("time"), P], "The pattern and three copies, each `time` later (stutter 4).", generic!(quad)),
    transform("layer", &[], &[FUNCTIONS_LIST, P], "Each function's version of the pattern, all at once: layer [rev, fast 2].", generic!(layer)),
    transform("spreadf", &[], &[FUNCTIONS_LIST, P], "Each function's version of the pattern, one a cycle in turn.", generic!(spreadf)),
    transform("fastspreadf", &[], &[FUNCTIONS_LIST, P], "Each function's version of the pattern, all in each cycle in turn.", generic!(fastspreadf)),
    transform("pickF", &[], &[ParamSpec::required("index", ParamKind::Count, ""), FUNCTIONS_LIST, P], "The function an index pattern picks (counting round), switching with its events.", generic!(pick_f)),
    transform("selectF", &[], &[ParamSpec::required("chooser", ParamKind::Numbers, ""), FUNCTIONS_LIST, P], "The function a 0..1 pattern points at, switching with its events.", generic!(select_f)),
    with_example(transform("stutWith", &["stut'"], &[number("count"), time("time"), F, P], "Echo the pattern count times, each echo `time` later and passed through the function once more.", generic!(stut_with)), "out: stutWith 3 (1/8) (# speed 2) $ s \"bd sn\""),
    with_example(transform("plyWith", &[], &[number("n"), F, P], "Play each event n times in its step, each repeat passed through the function once more.", generic!(ply_with)), "out: plyWith 3 (# speed 2) $ s \"bd sn\""),
    transform("foldEvery", &[], &[ParamSpec::required("periods", ParamKind::Patterns, ""), F, P], "every for each number of the list, in turn: foldEvery [3, 5] (fast 2).", generic!(fold_every)),
    with_example(maker("weave", &[], &[time("cycles"), ParamSpec::required("controls", ParamKind::Pattern, ""), ParamSpec::required("patterns", ParamKind::Patterns, "")], "A control pattern spread over the given cycles and laid over each sound pattern, each starting its share of them later.", weave_controls), "out: weave 16 (pan sine) [s \"bd sn cp\", s \"hh*4\"]"),
    with_example(transform("interlace", &[], &[ParamSpec::required("first", ParamKind::Pattern, ""), P], "Two sound patterns woven with a shape that follows a sine over 16 cycles.", interlace), "out: interlace (s \"bd sn\") $ s \"hh*4\""),
    with_example(maker("stackwith", &[], &[ParamSpec::required("controls", ParamKind::Pattern, ""), ParamSpec::required("patterns", ParamKind::Patterns, "")], "Sound patterns at once, each with a control pattern laid over it, shifted its share of a cycle earlier.", stackwith), "out: stackwith (pan saw) [s \"bd*2\", s \"hh*4\"]"),
    with_example(maker("weaveWith", &["weave'"], &[time("cycles"), P, FUNCTIONS_LIST], "Each function's version of the pattern over the given cycles, each starting its share of them later.", weave_with), "out: weaveWith 3 (s \"bd [sn hh]\") [fast 2, (# speed 2), chop 4]"),
    transform("ghost''", &[], &[time("time"), F, P], "Add two copies through the function, 1.5 and 2.5 times `time` later.", generic!(ghost_function)),
    transform("ghost'", &[], &[time("time"), P], "Ghost notes: two quieter, shorter, higher copies, 1.5 and 2.5 times `time` later.", ghost_at),
    transform("ghost", &[], &[P], "ghost' 0.125.", ghost),
    transform("offadd", &[], &[time("time"), number("amount"), P], "Add a copy shifted later with the amount added to its numbers.", offadd),
    transform("jux'", &[], &[FUNCTIONS_LIST, P], "Each function's version of a sound pattern, panned from left to right in order.", jux_list),
    transform("juxcut'", &[], &[FUNCTIONS_LIST, P], "jux' with each version in a cut group of its own.", juxcut_list),
    transform("juxcut", &[], &[F, P], "jux with each side in a cut group of its own.", juxcut),
    transform("jux4", &[], &[F, P], "jux for four speakers: the pattern at 5/8 of the way round, the function's version at 1/8.", jux4),
    transform("spin", &[], &[number("copies"), P], "Layer copies, each a further share of a cycle earlier and panned further round.", spin),
];
