//! Tidal's functions whose arguments are lists and tables: lookups (`swap`, `inhabit`, `fit`,
//! `ur`), step sequences from strings (`step`, `steps`, `lindenmayer`), layouts in time (`seqP`,
//! `distrib`), chords as lists (`chordL`, `flatpat`) and Tidal's random-number helpers.

use super::{constants, maker, number, sounds, transform, values, with_example, Out, P};
use crate::params::{ParamKind, ParamSpec};
use crate::registry::Function;
use crate::values::{applied, Args, Pat, PatItem, TupleItem, MAX_COUNT};
use pattern::{Pattern, Sound, Time, Value};

const PAIRS: ParamSpec = ParamSpec::required("pairs", ParamKind::Tuples, "");
const LIST: ParamSpec = ParamSpec::required("list", ParamKind::Patterns, "");

/// The one constant value of a pattern (`"bd"`, `3`): for arguments Tidal takes as plain values.
fn constant(p: Pat, what: &str) -> Result<Value, String> {
    constants(vec![p], what).map(|mut v| v.remove(0))
}

/// The text of a constant word argument.
fn word(p: Pat, what: &str) -> Result<String, String> {
    match constant(p, what)? {
        Value::Str(s) => Ok(s.to_string()),
        other => Ok(other.to_string()),
    }
}

/// The tuples' patterns, for functions that do not read strings as text.
fn plain(tuples: Vec<Vec<TupleItem>>) -> Vec<Vec<Pat>> {
    tuples
        .into_iter()
        .map(|t| t.into_iter().map(|item| item.pattern).collect())
        .collect()
}

/// `swap things p = filterJust $ (\`lookup\` things) <$> p`
fn swap(a: &mut Args) -> Result<Pat, String> {
    let p = values(a, "swap")?;
    let table: Vec<(Value, Value)> = plain(a.tuples(2)?)
        .into_iter()
        .map(|pair| match <[Pat; 2]>::try_from(pair) {
            Ok([from, to]) => Ok((constant(from, "swap")?, constant(to, "swap")?)),
            Err(_) => Err("`swap` needs (from, to) pairs".to_string()),
        })
        .collect::<Result<_, String>>()?;
    let lookup = move |v: &Value| table.iter().find(|(k, _)| k == v).map(|(_, to)| to.clone());
    let found = p.filter_values({
        let lookup = lookup.clone();
        move |v| lookup(v).is_some()
    });
    Ok(Pat::Value(
        found.fmap(move |v| lookup(v).unwrap_or(Value::Num(0.0))),
    ))
}

/// The patterns of a table of (name, pattern) pairs, and each name's index.
fn named_patterns<T: PatItem>(
    pairs: Vec<Vec<Pat>>,
    what: &str,
) -> Result<(Vec<String>, Vec<Pattern<T>>), String> {
    let mut names = Vec::with_capacity(pairs.len());
    let mut patterns = Vec::with_capacity(pairs.len());
    for pair in pairs {
        let mut pair = pair.into_iter();
        let (name, p) = match (pair.next(), pair.next()) {
            (Some(name), Some(p)) => (name, p),
            _ => return Err(format!("`{what}` needs (name, pattern) pairs")),
        };
        names.push(word(name, what)?);
        patterns.push(T::unwrap(p).ok_or_else(|| format!("`{what}` needs patterns of one kind"))?);
    }
    Ok((names, patterns))
}

/// `inhabit ps p = squeezeJoin $ (\s -> fromMaybe silence $ lookup s ps) <$> p`
fn inhabit(a: &mut Args) -> Result<Pat, String> {
    let pairs = plain(a.tuples(2)?);
    let names_pattern = a.values()?;
    fn build<T: PatItem>(
        pairs: Vec<Vec<Pat>>,
        names_pattern: Pattern<Value>,
    ) -> Result<Pattern<T>, String> {
        let (names, mut patterns) = named_patterns::<T>(pairs, "inhabit")?;
        let missing = patterns.len() as i64;
        patterns.push(pattern::silence());
        let indices = names_pattern.fmap(move |v| {
            let name = v.to_string();
            names
                .iter()
                .position(|n| *n == name)
                .map_or(missing, |i| i as i64)
        });
        Ok(pattern::squeeze(&indices, patterns))
    }
    if pairs
        .iter()
        .any(|p| matches!(p.get(1), Some(Pat::Sound(_))))
    {
        build::<Sound>(pairs, names_pattern).map(Pat::Sound)
    } else {
        build::<Value>(pairs, names_pattern).map(Pat::Value)
    }
}

/// One of Tidal's step characters: `x` the name, a digit the name with that index.
fn step_value(name: &str, c: char) -> Option<Value> {
    match c {
        'x' => Some(Value::word(name)),
        d if d.is_ascii_digit() => Some(Value::List(
            vec![Value::word(name), Value::Num(f64::from(d.to_digit(10)?))].into(),
        )),
        _ => None,
    }
}

/// The steps of a string, each a pattern.
fn stepped(steps: &str, each: impl Fn(char) -> Option<Value>) -> Pattern<Value> {
    pattern::fastcat(
        steps
            .chars()
            .map(|c| each(c).map_or_else(pattern::silence, pattern::pure))
            .collect(),
    )
}

/// `step s cs = fastcat $ map f cs where f c | c == 'x' = pure s | isDigit c = pure $ s ++ ":" ++
/// [c] | otherwise = silence`
fn step(a: &mut Args) -> Result<Pat, String> {
    let (name, steps) = (a.text()?, a.text()?);
    Ok(Pat::Value(stepped(&steps, |c| step_value(&name, c))))
}

/// `steps = stack . map (uncurry step)`
fn steps(a: &mut Args) -> Result<Pat, String> {
    let layers = a
        .tuples(2)?
        .into_iter()
        .map(|pair| {
            let mut pair = pair.into_iter();
            let (name, steps) = match (pair.next(), pair.next()) {
                (Some(n), Some(TupleItem { text: Some(s), .. })) => (word(n.pattern, "steps")?, s),
                _ => return Err("`steps` needs (name, steps) pairs of strings".to_string()),
            };
            Ok(stepped(&steps, |c| step_value(&name, c)))
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Pat::Value(pattern::stack(layers)))
}

/// `step' ss cs = fastcat $ map f cs where f c | c == 'x' = pure $ head ss | isDigit c = pure $ ss
/// !! digitToInt c | otherwise = silence`
fn step_names(a: &mut Args) -> Result<Pat, String> {
    let names = constants(a.patterns()?, "step'")?;
    let steps = a.text()?;
    if names.is_empty() {
        return Err("`step'` needs at least one name".into());
    }
    Ok(Pat::Value(stepped(&steps, |c| match c {
        'x' => Some(names[0].clone()),
        d => d.to_digit(10).and_then(|i| names.get(i as usize).cloned()),
    })))
}

/// `pick name n = name ++ ":" ++ show n`, and `samples`, `samples'` over patterns of both: a
/// sample name and an index, as mini-notation's `bd:3`.
fn named_index(name: &Value, n: &Value) -> Value {
    let index = n.as_f64().unwrap_or(0.0).floor();
    Value::List(vec![name.clone(), Value::Num(index)].into())
}

fn samples(a: &mut Args) -> Result<Pat, String> {
    let (names, indices) = (a.values()?, a.values()?);
    Ok(Pat::Value(names.zip_both(&indices, named_index)))
}

fn samples_flipped(a: &mut Args) -> Result<Pat, String> {
    let (indices, names) = (a.values()?, a.values()?);
    Ok(Pat::Value(
        indices.zip_both(&names, |n, name| named_index(name, n)),
    ))
}

fn pick(a: &mut Args) -> Result<Pat, String> {
    let name = Value::word(&a.text()?);
    let n = a.number()?;
    Ok(Pat::Value(pattern::pure(named_index(
        &name,
        &Value::Num(n),
    ))))
}

/// `_fit perCycle xs p = (xs !!!) <$> (p {query = map (\e -> fmap (+ pos e) e) . query p})
/// where pos e = perCycle * floor (start $ part e)`: each cycle steps `perCycle` further
/// through the list.
fn fit(a: &mut Args) -> Result<Pat, String> {
    let step = a.signed(MAX_COUNT)?;
    let list = constants(a.patterns()?, "fit")?;
    let indices = a.counts()?;
    if list.is_empty() {
        return Ok(Pat::Value(pattern::silence()));
    }
    let n = list.len() as i64;
    let p = Pattern::from_fn(move |span, arena, out| {
        for e in indices.query(span, arena).iter() {
            let at = e.value + step * e.part.begin.floor().numer();
            out.push(e.with_value(list[at.rem_euclid(n) as usize].clone()));
        }
    });
    Ok(Pat::Value(p))
}

/// `_distrib xs p = boolsToPat (foldr distrib' (replicate (last xs) True) (reverse $ layers
/// xs)) p`: Euclidean rhythms within Euclidean rhythms, `distrib [3, 5, 8]` plays 3 of the 5
/// hits of a 5-in-8.
fn distrib<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let counts: Vec<usize> = constants(a.patterns()?, "distrib")?
        .iter()
        .map(|v| {
            v.as_f64()
                .map(|x| x.round().clamp(0.0, pattern::MAX_STEPS as f64) as usize)
        })
        .collect::<Option<_>>()
        .ok_or("`distrib` takes a list of whole numbers such as [3, 5, 8]")?;
    let Some(&last) = counts.last() else {
        return Ok(pattern::silence());
    };
    let arena = bumpalo::Bump::new();
    let layer = |k: usize, n: usize| {
        let mut out = bumpalo::collections::Vec::new_in(&arena);
        pattern::bjorklund(k, n, &arena, &mut out);
        out.to_vec()
    };
    let layers: Vec<Vec<bool>> = counts.windows(2).map(|w| layer(w[0], w[1])).collect();
    // `distrib' (True:a) (x:b) = x : distrib' a b`, a `False` passes over, running out pads.
    let mut rhythm = vec![true; last];
    for outer in layers.iter().rev().collect::<Vec<_>>().into_iter().rev() {
        let mut inner = rhythm.iter();
        rhythm = outer
            .iter()
            .map(|&hit| hit && inner.next().copied().unwrap_or(false))
            .collect();
    }
    let hits = pattern::fastcat(
        rhythm
            .iter()
            .map(|&b| {
                if b {
                    pattern::pure(true)
                } else {
                    pattern::silence()
                }
            })
            .collect(),
    );
    Ok(p.zip_both(&hits, |v, _| v.clone()))
}

/// `_euclidOffBool n k s p = ((s % k) \`rotL\`) ((\a b -> if b then a else not a) <$>
/// _euclidBool n k <*> p)`
fn euclid_off_bool(a: &mut Args) -> Result<Pat, String> {
    let (n, k, s) = (
        a.signed(pattern::MAX_STEPS)?,
        a.signed(pattern::MAX_STEPS)?,
        a.signed(pattern::MAX_STEPS)?,
    );
    let p = a.bools()?;
    if k <= 0 {
        return Ok(Pat::Value(pattern::silence()));
    }
    let arena = bumpalo::Bump::new();
    let mut hits = bumpalo::collections::Vec::new_in(&arena);
    pattern::bjorklund(n.clamp(0, k) as usize, k as usize, &arena, &mut hits);
    let rhythm = pattern::fastcat(hits.iter().map(|&b| pattern::pure(b)).collect());
    let combined = rhythm
        .zip_both(&p, |&a, &b| Value::Bool(if b { a } else { !a }))
        .early(Time::new(s, k));
    Ok(Pat::Value(combined))
}

/// `chordL p = (\name -> fromMaybe [] $ lookup name chordTable) <$> p`, played as the notes of
/// each chord at once.
fn chord_l(a: &mut Args) -> Result<Pat, String> {
    let names = a.values()?;
    let chords = names.fmap(|v| {
        let notes = pattern::chord_for(v).unwrap_or(&[]);
        Value::List(notes.iter().map(|&n| Value::Num(f64::from(n))).collect())
    });
    Ok(Pat::Value(chords.flat()))
}

/// Each note of the pattern as the root of the named chord, its notes at once (the original
/// Phonon's `n "0 5" # chord "maj"`); the chord name is sampled at each note.
fn chord(a: &mut Args) -> Result<Pat, String> {
    let names = a.values()?;
    let roots = values(a, "chord")?;
    let arena = bumpalo::Bump::new();
    let first = pattern::Span::new(Time::ZERO, Time::from(16));
    if let Some(e) = names
        .query(first, &arena)
        .iter()
        .find(|e| pattern::chord_for(&e.value).is_none())
    {
        let known = pattern::chords().flat_map(|(names, _)| names.iter().copied());
        let near = crate::diagnostic::closest(&e.value.to_string(), known);
        let hint = match near.first() {
            Some(n) => format!("did you mean `{n}`?"),
            None => "docs/functions.md lists the chords".to_string(),
        };
        return Err(format!("`chord` has no chord `{}`: {hint}", e.value));
    }
    let stacked = roots.zip_left(&names, |root, name| {
        let notes = pattern::chord_for(name).unwrap_or(&[0]);
        let root = root.as_f64().unwrap_or(0.0);
        Value::List(
            notes
                .iter()
                .map(|&n| Value::Num(root + f64::from(n)))
                .collect(),
        )
    });
    Ok(Pat::Value(stacked.flat()))
}

fn flatpat(a: &mut Args) -> Result<Pat, String> {
    Ok(Pat::Value(values(a, "flatpat")?.flat()))
}

/// `lindenmayer n r s`: `n` rewrites of `s` by the rules `"a:ab,b:a"`, each character replaced
/// by its rule's text (kept when it has none).
fn lindenmayer_text(a: &mut Args, what: &str) -> Result<String, String> {
    let n = a.count(0)?.min(32);
    let rules = a.text()?;
    let mut text = a.text()?;
    let table: Vec<(char, String)> = rules
        .split(',')
        .filter_map(|rule| {
            let (from, to) = rule.split_once(':')?;
            Some((from.chars().next()?, to.to_string()))
        })
        .collect();
    for _ in 0..n {
        let mut next = String::new();
        for c in text.chars() {
            match table.iter().find(|(from, _)| *from == c) {
                Some((_, to)) => next.push_str(to),
                None => next.push(c),
            }
            if next.len() > 1 << 16 {
                return Err(format!(
                    "`{what}` grew past 65,536 characters; use fewer rewrites"
                ));
            }
        }
        text = next;
    }
    Ok(text)
}

fn lindenmayer(a: &mut Args) -> Result<Pat, String> {
    let text = lindenmayer_text(a, "lindenmayer")?;
    Ok(Pat::Value(pattern::pure(Value::word(&text))))
}

/// `lindenmayerI n r s = fmap (fromIntegral . digitToInt) $ lindenmayer n r s`, as a sequence
/// of its digits in one cycle.
fn lindenmayer_digits(a: &mut Args) -> Result<Pat, String> {
    let text = lindenmayer_text(a, "lindenmayerI")?;
    Ok(Pat::Value(stepped(&text, |c| {
        c.to_digit(10).map(|d| Value::Num(f64::from(d)))
    })))
}

/// `seqP ps = stack $ map (\(s, e, p) -> playFor s e (sam s \`rotR\` p)) ps`: each pattern
/// from its start to its end cycle, starting at its own cycle 0.
fn sections<T: PatItem>(list: Vec<Vec<Pat>>) -> Result<Vec<(Time, Time, Pattern<T>)>, String> {
    list.into_iter()
        .map(|t| {
            let mut t = t.into_iter();
            let (Some(s), Some(e), Some(p)) = (t.next(), t.next(), t.next()) else {
                return Err("`seqP` needs (start, end, pattern) tuples".to_string());
            };
            let time = |p: Pat| {
                constant(p, "seqP")?
                    .as_f64()
                    .map(Time::from_f64)
                    .ok_or_else(|| "`seqP` needs numbers for start and end".to_string())
            };
            let p = T::unwrap(p).ok_or("`seqP` needs patterns of one kind")?;
            Ok((time(s)?, time(e)?, p))
        })
        .collect()
}

fn seq_play<T: PatItem>(list: Vec<(Time, Time, Pattern<T>)>) -> Pattern<T> {
    pattern::stack(
        list.into_iter()
            .map(|(s, e, p)| p.late(s.floor()).play_for(s, e))
            .collect(),
    )
}

fn seq_p(a: &mut Args) -> Result<Pat, String> {
    let list = plain(a.tuples(3)?);
    if list.iter().any(|t| matches!(t.get(2), Some(Pat::Sound(_)))) {
        Ok(Pat::Sound(seq_play(sections(list)?)))
    } else {
        Ok(Pat::Value(seq_play(sections(list)?)))
    }
}

/// `seqPLoop ps = timeLoop (pure $ maxT - minT) $ minT \`rotL\` seqP ps`
fn seq_p_loop(a: &mut Args) -> Result<Pat, String> {
    fn looped<T: PatItem>(list: Vec<(Time, Time, Pattern<T>)>) -> Pattern<T> {
        let min = list.iter().map(|s| s.0).min().unwrap_or(Time::ZERO);
        let max = list.iter().map(|s| s.1).max().unwrap_or(Time::ZERO);
        let length = max - min;
        if !length.is_positive() {
            return pattern::silence();
        }
        seq_play(list)
            .early(min)
            .fast(length)
            .loop_first()
            .slow(length)
    }
    let list = plain(a.tuples(3)?);
    if list.iter().any(|t| matches!(t.get(2), Some(Pat::Sound(_)))) {
        Ok(Pat::Sound(looped(sections(list)?)))
    } else {
        Ok(Pat::Value(looped(sections(list)?)))
    }
}

/// `soak depth f pattern = cat $ take depth $ iterate f pattern`
fn soak<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let depth = a.count(1)?;
    let f = a.function()?;
    let mut cycles = Vec::with_capacity(depth as usize);
    let mut last = p;
    for _ in 1..depth {
        let next = applied(&f, &last)?;
        cycles.push(std::mem::replace(&mut last, next));
    }
    cycles.push(last);
    Ok(pattern::slowcat(cycles))
}

/// `tabby n p p'`: two patterns woven as warp and weft over `n` threads, alternating every
/// other thread (Tidal's `tabby`).
fn tabby<T: PatItem>(a: &mut Args, weft: Pattern<T>) -> Out<T> {
    let n = a.count(1)?;
    // The cloth has n² threads' worth of parts: a bound keeps a typo from building millions.
    if n > MAX_THREADS {
        return Err(format!(
            "`tabby` weaves at most {MAX_THREADS} threads, found {n}"
        ));
    }
    let warp = a.pattern::<T>()?;
    // weft = concatMap (const [[0..n-1], reverse [0..n-1]]) [0 .. (n `div` 2) - 1]
    let weft_rows: Vec<Vec<i64>> = (0..n / 2)
        .flat_map(|_| [(0..n).collect::<Vec<_>>(), (0..n).rev().collect()])
        .collect();
    // warp = transpose weft
    let warp_rows: Vec<Vec<i64>> = (0..n)
        .map(|c| {
            weft_rows
                .iter()
                .filter_map(|row| row.get(c as usize).copied())
                .collect()
        })
        .collect();
    let thread = |rows: &[Vec<i64>], p: &Pattern<T>| {
        pattern::fastcat(
            rows.iter()
                .flatten()
                .map(|&i| p.zoom(Time::new(i, n), Time::new(i + 1, n)))
                .collect(),
        )
        .slow(Time::from_int(n))
    };
    let (weft_p, warp_p) = (thread(&weft_rows, &weft), thread(&warp_rows, &warp));
    let mask = |first: bool| {
        let steps = if first {
            vec![pattern::pure(true), pattern::silence()]
        } else {
            vec![pattern::silence(), pattern::pure(true)]
        };
        pattern::fastcat(steps)
            .fast(Time::new(n, 2))
            .every(2, |m| m.rev())
    };
    Ok(pattern::stack(vec![
        warp_p.mask(&mask(true)),
        weft_p.mask(&mask(false)),
    ]))
}

fn time_to_rand(a: &mut Args) -> Result<Pat, String> {
    Ok(Pat::Value(pattern::pure(Value::Num(
        pattern::time_to_rand_f64(a.number()?),
    ))))
}

fn time_to_int_seed(a: &mut Args) -> Result<Pat, String> {
    let seed = pattern::time_to_int_seed(a.number()?);
    Ok(Pat::Value(pattern::pure(Value::Num(seed as f64))))
}

fn int_seed_to_rand(a: &mut Args) -> Result<Pat, String> {
    let seed = a.number()?.trunc() as i64;
    Ok(Pat::Value(pattern::pure(Value::Num(
        pattern::int_seed_to_rand(seed),
    ))))
}

fn xorwise(a: &mut Args) -> Result<Pat, String> {
    let x = a.number()?.trunc() as i64;
    Ok(Pat::Value(pattern::pure(Value::Num(
        pattern::xorwise(x) as f64
    ))))
}

/// Tidal's `perlinWith`: smooth noise at each value of the input, between the random numbers at
/// its whole numbers.
fn perlin_at(x: f64) -> f64 {
    let (a, b) = (x.floor(), x.floor() + 1.0);
    let f = x - a;
    let smooth = 6.0 * f.powi(5) - 15.0 * f.powi(4) + 10.0 * f.powi(3);
    let (ra, rb) = (pattern::time_to_rand_f64(a), pattern::time_to_rand_f64(b));
    ra + smooth * (rb - ra)
}

/// Tidal's `perlin2With`: two-dimensional gradient noise from 0 to 1.
fn perlin2_at(x: f64, y: f64) -> f64 {
    let (fx, fy) = (x.floor(), y.floor());
    let (cx, cy) = (fx + 1.0, fy + 1.0);
    let (xf, yf) = (x - fx, y - fy);
    let angle = |a: f64, b: f64| std::f64::consts::TAU * pattern::time_to_rand_f64(a + 0.0001 * b);
    let dot = |gx: f64, gy: f64, dx: f64, dy: f64| {
        let r = angle(gx, gy);
        r.cos() * dx + r.sin() * dy
    };
    let (da, db) = (dot(fx, fy, xf, yf), dot(cx, fy, xf - 1.0, yf));
    let (dc, dd) = (dot(fx, cy, xf, yf - 1.0), dot(cx, cy, xf - 1.0, yf - 1.0));
    let s = |t: f64| 6.0 * t.powi(5) - 15.0 * t.powi(4) + 10.0 * t.powi(3);
    let (sx, sy) = (s(xf), s(yf));
    let v =
        (1.0 - sx) * (1.0 - sy) * da + sx * (1.0 - sy) * db + (1.0 - sx) * sy * dc + sx * sy * dd;
    (v + 1.0) / 2.0
}

fn numeric(v: &Value) -> f64 {
    v.as_f64().unwrap_or(0.0)
}

fn perlin_with(a: &mut Args) -> Result<Pat, String> {
    Ok(Pat::Value(
        a.values()?.fmap(|v| Value::Num(perlin_at(numeric(v)))),
    ))
}

fn perlin2_with(a: &mut Args) -> Result<Pat, String> {
    let (x, y) = (a.values()?, a.values()?);
    Ok(Pat::Value(x.zip_both(&y, |x, y| {
        Value::Num(perlin2_at(numeric(x), numeric(y)))
    })))
}

/// `perlin2 = perlin2With (sig fromRational)`: time is the first dimension.
fn perlin2(a: &mut Args) -> Result<Pat, String> {
    let y = a.values()?;
    let time = pattern::signal(|t| t.to_f64());
    Ok(Pat::Value(time.zip_both(&y, |&x, y| {
        Value::Num(perlin2_at(x, numeric(y)))
    })))
}

/// `index sz indexpat pat = spread' (zoom' $ toRational sz) (toRational . (*(1-sz)) <$> indexpat)
/// pat`: a window `sz` of each cycle wide, placed by a 0..1 pattern.
fn index<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    let size = Time::from_f64(a.number()?.clamp(0.0, 1.0));
    let places = a.values()?;
    if !size.is_positive() {
        return Ok(pattern::silence());
    }
    let free = (Time::ONE - size).to_f64();
    Ok(pattern::bound(&places, move |v, span, arena, out| {
        let begin = Time::from_f64(numeric(v) * free);
        p.zoom_query(begin, begin + size, span, arena, out)
    }))
}

/// Sounds whose controls (and sound, where it names one) equal the matcher's at their onset,
/// against the rest: `contrast f g matcher p` applies `f` to the first and `g` to the others.
fn contrasted(p: &Pattern<Sound>, matcher: &Pattern<Sound>) -> (Pattern<Sound>, Pattern<Sound>) {
    (p.matching(matcher, true), p.matching(matcher, false))
}

/// `contrast = contrastBy (==)`
fn contrast(a: &mut Args) -> Result<Pat, String> {
    let p = sounds(a, "contrast")?;
    let (matched_f, unmatched_f) = (a.function()?, a.function()?);
    let matcher = a.pattern::<Sound>()?;
    let (matched, unmatched) = contrasted(&p, &matcher);
    Ok(Pat::Sound(pattern::stack(vec![
        applied(&matched_f, &matched)?,
        applied(&unmatched_f, &unmatched)?,
    ])))
}

/// `fix f = contrast f id`
fn fix(a: &mut Args) -> Result<Pat, String> {
    let p = sounds(a, "fix")?;
    let f = a.function()?;
    let matcher = a.pattern::<Sound>()?;
    let (matched, unmatched) = contrasted(&p, &matcher);
    Ok(Pat::Sound(pattern::stack(vec![
        applied(&f, &matched)?,
        unmatched,
    ])))
}

/// `unfix = contrast id`
fn unfix(a: &mut Args) -> Result<Pat, String> {
    let p = sounds(a, "unfix")?;
    let f = a.function()?;
    let matcher = a.pattern::<Sound>()?;
    let (matched, unmatched) = contrasted(&p, &matcher);
    Ok(Pat::Sound(pattern::stack(vec![
        matched,
        applied(&f, &unmatched)?,
    ])))
}

/// The most threads `tabby` weaves.
const MAX_THREADS: i64 = 64;

const TEXT_NAME: ParamSpec = ParamSpec::required("name", ParamKind::Text, "");
const TEXT_STEPS: ParamSpec = ParamSpec::required("steps", ParamKind::Text, "");
const TEXT_RULES: ParamSpec = ParamSpec::required("rules", ParamKind::Text, "");
const TEXT_START: ParamSpec = ParamSpec::required("start", ParamKind::Text, "");
const MATCHER: ParamSpec = ParamSpec::required("matching", ParamKind::Pattern, "");
const F: ParamSpec = super::F;

/// The functions over lists and tables.
pub(super) const FUNCTIONS: &[Function] = &[
    with_example(transform("swap", &[], &[PAIRS, P], "Replace each value found in a table of (from, to) pairs; the rest are dropped.", swap), "out: s \"bd*4\" # n (swap [(\"a\", 0), (\"b\", 3)] \"a b a ~\")"),
    with_example(transform("inhabit", &[], &[PAIRS, ParamSpec::required("names", ParamKind::Words, "")], "Each name of the pattern plays a cycle of the pattern the table gives it, squeezed into its event.", inhabit), "out: inhabit [(\"kick\", s \"bd*2\"), (\"snare\", s \"~ sn\")] \"kick snare [kick kick]\""),
    with_example(maker("step", &[], &[TEXT_NAME, TEXT_STEPS], "A sequence from a string: `x` plays the name, a digit the name with that index, anything else rests.", step), "out: s (step \"bd\" \"x-x2\")"),
    with_example(maker("steps", &[], &[PAIRS], "Several step sequences at once: steps [(\"bd\", \"x-x-\"), (\"hh\", \"-x-x\")].", steps), "out: s (steps [(\"bd\", \"x-x-\"), (\"hh\", \"xxxx\")])"),
    with_example(maker("step'", &[], &[LIST, TEXT_STEPS], "A sequence from a string: `x` plays the first name, a digit the name at that place in the list.", step_names), "out: s (step' [\"bd\", \"sn\", \"hh\"] \"x-1-2-1-\")"),
    with_example(maker("pick", &[], &[TEXT_NAME, number("index")], "A sample name with an index: pick \"bd\" 3 is bd:3.", pick), "out: s (pick \"bd\" 3)"),
    with_example(maker("samples", &[], &[ParamSpec::required("names", ParamKind::Words, ""), ParamSpec::required("indices", ParamKind::Numbers, "")], "Sample names with indices from a second pattern (structure from both).", samples), "out: s (samples \"bd sn\" \"<0 3>\")"),
    with_example(maker("samples'", &[], &[ParamSpec::required("indices", ParamKind::Numbers, ""), ParamSpec::required("names", ParamKind::Words, "")], "samples with the indices first.", samples_flipped), "out: s (samples' \"<0 3>\" \"bd sn\")"),
    with_example(maker("fit", &[], &[number("step"), LIST, ParamSpec::required("indices", ParamKind::Count, "")], "Values of a list picked by an index pattern, each cycle `step` further on.", fit), "out: s (fit 1 [\"bd\", \"sn\", \"hh\"] \"0 1\")"),
    with_example(transform("distrib", &[], &[LIST, P], "Euclidean rhythms nested: distrib [3, 5, 8] plays 3 of the hits of 5-in-8.", generic!(distrib)), "out: distrib [3, 5, 8] $ s \"bd*8\""),
    with_example(maker("euclidOffBool", &[], &[number("hits"), number("steps"), number("rotation"), ParamSpec::required("pattern", ParamKind::Bools, "")], "A rotated Euclidean rhythm as booleans, inverted where the boolean pattern is false.", euclid_off_bool), "out: struct (euclidOffBool 3 8 2 \"t f\") $ s \"hh\""),
    with_example(maker("chordL", &[], &[ParamSpec::required("names", ParamKind::Words, "")], "The notes of each named chord, from 0, at once.", chord_l), "out: s \"supersaw\" # n (chordL \"<major minor7>\")"),
    with_example(transform("chord", &[], &[ParamSpec::required("name", ParamKind::Words, ""), P], "Each note as the root of the named chord, its notes at once.", chord), "out: s \"supersaw\" # n (chord \"<maj min7>\" \"0 5\")"),
    with_example(transform("flatpat", &[], &[P], "Each list value (`0:4:7`) as its values at once.", flatpat), "out: s \"supersaw\" # n (flatpat \"0:4:7 2:5\")"),
    with_example(maker("lindenmayer", &[], &[number("rewrites"), TEXT_RULES, TEXT_START], "A word grown by rewriting each letter by its rule `n` times (an L-system).", lindenmayer), "out: s (step \"bd\" (lindenmayer 3 \"x:x-x,-:x--\" \"x\"))"),
    with_example(maker("lindenmayerI", &[], &[number("rewrites"), TEXT_RULES, TEXT_START], "An L-system of digits, played as numbers in one cycle.", lindenmayer_digits), "out: s \"bd*8\" # n (lindenmayerI 3 \"0:01,1:10\" \"0\")"),
    with_example(maker("seqP", &[], &[ParamSpec::required("sections", ParamKind::Tuples, "")], "Patterns each from a start to an end cycle: seqP [(0, 8, s \"bd*2\"), (4, 12, s \"hh*4\")].", seq_p), "out: seqP [(0, 8, s \"bd*2\"), (4, 12, s \"hh*4\")]"),
    with_example(maker("seqPLoop", &[], &[ParamSpec::required("sections", ParamKind::Tuples, "")], "seqP, looping from the first start to the last end.", seq_p_loop), "out: seqPLoop [(0, 4, s \"bd*2\"), (2, 6, s \"hh*4\")]"),
    transform("soak", &[], &[number("depth"), F, P], "A cycle each of the pattern, the function of it, the function of that… depth cycles, then again.", generic!(soak)),
    with_example(transform("tabby", &[], &[number("threads"), ParamSpec::required("warp", ParamKind::Pattern, ""), P], "Two patterns woven like the threads of a cloth.", generic!(tabby)), "out: tabby 4 (s \"bd*8\") $ s \"hh*8\""),
    maker("timeToRand", &[], &[number("time")], "Tidal's random number for a time, from 0 to 1.", time_to_rand),
    maker("timeToIntSeed", &[], &[number("time")], "Tidal's random seed for a time.", time_to_int_seed),
    maker("intSeedToRand", &[], &[number("seed")], "A random seed as a number from 0 to 1.", int_seed_to_rand),
    maker("xorwise", &[], &[number("seed")], "One step of Tidal's xorshift random generator.", xorwise),
    with_example(maker("perlinWith", &[], &[ParamSpec::required("input", ParamKind::Numbers, "")], "Smooth noise from 0 to 1 along an input pattern (perlin is perlinWith of time).", perlin_with), "out: s \"bd*8\" # pan (perlinWith (saw * 4))"),
    with_example(maker("perlin2With", &[], &[ParamSpec::required("x", ParamKind::Numbers, ""), ParamSpec::required("y", ParamKind::Numbers, "")], "Two-dimensional smooth noise from 0 to 1.", perlin2_with), "out: s \"bd*8\" # pan (perlin2With (saw * 4) (cosine * 2))"),
    with_example(maker("perlin2", &[], &[ParamSpec::required("y", ParamKind::Numbers, "")], "Two-dimensional smooth noise of time and a second input.", perlin2), "out: s \"bd*8\" # pan (perlin2 (sine * 4))"),
    with_example(transform("index", &[], &[number("size"), ParamSpec::required("place", ParamKind::Numbers, ""), P], "A window of each cycle, `size` wide, placed from start (0) to end (1) by a pattern.", generic!(index)), "out: index 0.25 \"<0 0.5 1>\" $ s \"bd sn hh cp\""),
    with_example(transform("contrast", &[], &[F, F, MATCHER, P], "The first function for sounds whose controls match the matching pattern's, the second for the rest.", contrast), "out: contrast (# crush 4) (# speed 2) (s \"hh\") $ s \"bd hh sn hh\""),
    with_example(transform("fix", &[], &[F, MATCHER, P], "Apply the function to the sounds whose controls match the matching pattern's.", fix), "out: fix (# crush 4) (s \"hh\") $ s \"bd hh sn hh\""),
    with_example(transform("unfix", &[], &[F, MATCHER, P], "Apply the function to the sounds whose controls do not match the matching pattern's.", unfix), "out: unfix (# speed 2) (s \"hh\") $ s \"bd hh sn hh\""),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perlin_and_the_seed_helpers_follow_tidals_arithmetic() {
        // Worked from Tidal's definitions: `timeToRand` is 0 at whole numbers below 300,
        // and `perlinWith` runs between the random numbers of its whole numbers.
        assert_eq!(pattern::time_to_rand_f64(0.0), 0.0);
        assert_eq!(perlin_at(2.0), pattern::time_to_rand_f64(2.0));
        assert!(
            (perlin_at(2.5)
                - (pattern::time_to_rand_f64(2.0) + pattern::time_to_rand_f64(3.0)) / 2.0)
                .abs()
                < 1e-12
        );
        assert!((0.0..=1.0).contains(&perlin2_at(1.3, 2.7)));
    }
}
