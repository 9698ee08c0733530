//! The patterns and arguments the language hands its pattern functions. Arguments are compiled
//! once, before a function runs: constants are lifted to patterns (as Tidal's `patternify`
//! does), strings are read at the type the parameter needs, and [`Args`] reports a wrong or
//! out-of-range argument the same way for every function.

use crate::params::ParamSpec;
use pattern::{Item, Pattern, Sound, Time, Value};
use std::rc::Rc;

/// A pattern the language can transform: of sounds, or of values (numbers, words, booleans).
#[derive(Clone)]
pub enum Pat {
    /// Sound events (from `s`).
    Sound(Pattern<Sound>),
    /// Values, read from strings at the type their use asks for.
    Value(Pattern<Value>),
}

impl Pat {
    /// What it holds, for messages.
    pub fn describe(&self) -> &'static str {
        match self {
            Pat::Sound(_) => "a sound pattern",
            Pat::Value(_) => "a pattern of values",
        }
    }
}

/// A pattern type [`Pat`] can hold, so that one generic function serves every kind.
pub trait PatItem: Item + PartialEq {
    /// Wraps a pattern of this type.
    fn wrap(p: Pattern<Self>) -> Pat;
    /// The pattern, if it holds this type.
    fn unwrap(p: Pat) -> Option<Pattern<Self>>;
}

impl PatItem for Sound {
    fn wrap(p: Pattern<Sound>) -> Pat {
        Pat::Sound(p)
    }

    fn unwrap(p: Pat) -> Option<Pattern<Sound>> {
        match p {
            Pat::Sound(p) => Some(p),
            Pat::Value(_) => None,
        }
    }
}

impl PatItem for Value {
    fn wrap(p: Pattern<Value>) -> Pat {
        Pat::Value(p)
    }

    fn unwrap(p: Pat) -> Option<Pattern<Value>> {
        match p {
            Pat::Value(p) => Some(p),
            Pat::Sound(_) => None,
        }
    }
}

/// A function of patterns: `rev`, `fast 2`, `(# speed 2)`, `fast 2 . rev`.
pub type Transform = Rc<dyn Fn(Pat) -> Result<Pat, String>>;

/// One element of a tuple in a list argument: a pattern, and its text when it was written as
/// a string (for functions that read strings as Tidal's `String`s, such as `steps`).
#[derive(Clone)]
pub struct TupleItem {
    /// The element as a pattern.
    pub pattern: Pat,
    /// The string as written, for a string.
    pub text: Option<String>,
}

/// A pattern function still missing one argument before its pattern (`fast` in `spread fast
/// [1, 2]`): given that argument as a pattern, and the pattern.
pub type Curried = Rc<dyn Fn(Pat, Pat) -> Result<Pat, String>>;

/// What a pattern function computes from its compiled arguments.
pub type PatternFn = fn(&mut Args) -> Result<Pat, String>;

/// One compiled argument.
#[derive(Clone)]
pub enum Arg {
    /// A constant number.
    Number(f64),
    /// A pattern of times (cycles, factors).
    Time(Pattern<Time>),
    /// A pattern of values (counts, numbers).
    Values(Pattern<Value>),
    /// A pattern of booleans.
    Bools(Pattern<bool>),
    /// A function of patterns.
    Function(Transform),
    /// A pattern.
    Pattern(Pat),
    /// A list of patterns.
    Patterns(Vec<Pat>),
    /// A list of functions of patterns.
    Functions(Vec<Transform>),
    /// A pattern function missing one argument.
    Curried(Curried),
    /// A list of tuples of patterns.
    Tuples(Vec<Vec<TupleItem>>),
    /// A string as it is written.
    Text(String),
    /// Rows of numbers.
    Rows(Vec<Vec<f64>>),
    /// A list of weighted patterns.
    Steps(Vec<(Time, Pat)>),
    /// A begin and an end.
    Span(Time, Time),
}

/// The most copies, repeats or parts a function may make: a typo such as `stut 1600` must be a
/// clear error, not a patch that exhausts memory or the audio thread.
pub const MAX_COUNT: i64 = 1024;

/// A function's compiled arguments, taken in parameter order.
pub struct Args {
    name: &'static str,
    params: &'static [ParamSpec],
    args: Vec<Option<Arg>>,
    next: usize,
}

impl Args {
    /// The arguments of `name`, one per parameter of `params`.
    pub fn new(name: &'static str, params: &'static [ParamSpec], args: Vec<Arg>) -> Args {
        Args {
            name,
            params,
            args: args.into_iter().map(Some).collect(),
            next: 0,
        }
    }

    fn take(&mut self) -> Result<(&'static ParamSpec, Arg), String> {
        let i = self.next;
        self.next += 1;
        self.take_at(i)
    }

    fn take_at(&mut self, i: usize) -> Result<(&'static ParamSpec, Arg), String> {
        let param = self
            .params
            .get(i)
            .ok_or_else(|| format!("`{}` takes {} arguments", self.name, self.params.len()))?;
        let arg = self
            .args
            .get_mut(i)
            .and_then(Option::take)
            .ok_or_else(|| format!("`{}` needs a value for `{}`", self.name, param.name))?;
        Ok((param, arg))
    }

    fn wrong(&self, param: &ParamSpec, wanted: &str) -> String {
        format!("`{}` needs {wanted} for `{}`", self.name, param.name)
    }

    /// The pattern a transform applies to: its last argument, taken first so that the
    /// function's body can be generic over its type.
    pub fn subject(&mut self) -> Result<Pat, String> {
        let last = self.params.len().saturating_sub(1);
        match self.take_at(last)? {
            (_, Arg::Pattern(p)) => Ok(p),
            (param, _) => Err(self.wrong(param, "a pattern")),
        }
    }

    /// The next argument's value when it is a constant number, without taking it.
    pub fn constant_number(&self) -> Option<f64> {
        match self.args.get(self.next) {
            Some(Some(Arg::Number(x))) => Some(*x),
            _ => None,
        }
    }

    /// The next argument as a constant number.
    pub fn number(&mut self) -> Result<f64, String> {
        match self.take()? {
            (_, Arg::Number(x)) => Ok(x),
            (param, _) => Err(self.wrong(param, "a constant number")),
        }
    }

    /// The next argument as a whole number from `min` to [`MAX_COUNT`].
    pub fn count(&mut self, min: i64) -> Result<i64, String> {
        let (param, arg) = self.take()?;
        let Arg::Number(x) = arg else {
            return Err(self.wrong(param, "a constant whole number"));
        };
        let n = x.round();
        if !(min as f64..=MAX_COUNT as f64).contains(&n) {
            return Err(format!(
                "`{}` needs a whole number from {min} to {MAX_COUNT} for `{}`, found {x}",
                self.name, param.name
            ));
        }
        Ok(n as i64)
    }

    /// The next argument as a constant whole number of either sign, at most `limit` in size.
    pub fn signed(&mut self, limit: i64) -> Result<i64, String> {
        let (param, arg) = self.take()?;
        let Arg::Number(x) = arg else {
            return Err(self.wrong(param, "a constant whole number"));
        };
        let n = x.round();
        if n.abs() > limit as f64 {
            return Err(format!(
                "`{}` needs a whole number from -{limit} to {limit} for `{}`, found {x}",
                self.name, param.name
            ));
        }
        Ok(n as i64)
    }

    /// The next argument as a pattern of times; a constant is lifted to one.
    pub fn time(&mut self) -> Result<Pattern<Time>, String> {
        match self.take()? {
            (_, Arg::Number(x)) => Ok(pattern::pure(Time::from_f64(x))),
            (_, Arg::Time(p)) => Ok(p),
            (param, _) => Err(self.wrong(param, "a number or pattern of cycles")),
        }
    }

    /// The next argument as a speed factor (a pattern of times): a constant that would speed
    /// the pattern up more than [`pattern::mini::MAX_FACTOR`] times is an error, as `*` in
    /// mini-notation. `up` says whether the factor multiplies the speed (`fast`) or divides it
    /// (`slow`). Patterned factors are bounded when played, by the query budget.
    pub fn speed(&mut self, up: bool) -> Result<Pattern<Time>, String> {
        if let Some(Some(Arg::Number(x))) = self.args.get(self.next) {
            let speed = if up {
                x.abs()
            } else if *x == 0.0 {
                0.0
            } else {
                1.0 / x.abs()
            };
            let max = pattern::mini::MAX_FACTOR;
            if speed > max as f64 || speed.is_nan() {
                let param = self.params.get(self.next).map_or("factor", |p| p.name);
                return Err(format!(
                    "`{}` may speed a pattern up at most {max} times, so `{param}` must be {}, found {x}",
                    self.name,
                    if up {
                        format!("at most {max}")
                    } else {
                        format!("at least 1/{max}")
                    }
                ));
            }
        }
        self.time()
    }

    /// The next argument as a constant time.
    pub fn constant_time(&mut self) -> Result<Time, String> {
        match self.take()? {
            (_, Arg::Number(x)) if x.is_finite() => Ok(Time::from_f64(x)),
            (param, _) => Err(self.wrong(param, "a constant number")),
        }
    }

    /// The next argument as a pattern of values; a constant is lifted to one.
    pub fn values(&mut self) -> Result<Pattern<Value>, String> {
        match self.take()? {
            (_, Arg::Number(x)) => Ok(pattern::pure(Value::Num(x))),
            (_, Arg::Values(p)) => Ok(p),
            (param, _) => Err(self.wrong(param, "a number or pattern of numbers")),
        }
    }

    /// The next argument as a pattern of whole numbers; a constant is lifted to one.
    pub fn counts(&mut self) -> Result<Pattern<i64>, String> {
        Ok(self
            .values()?
            .fmap(|v| v.as_f64().map_or(0, |x| x.floor() as i64)))
    }

    /// The next argument as a pattern of booleans.
    pub fn bools(&mut self) -> Result<Pattern<bool>, String> {
        match self.take()? {
            (_, Arg::Bools(p)) => Ok(p),
            (_, Arg::Number(x)) => Ok(pattern::pure(x != 0.0)),
            (param, _) => Err(self.wrong(param, "a pattern of booleans such as \"t f\"")),
        }
    }

    /// The next argument as a function of patterns.
    pub fn function(&mut self) -> Result<Transform, String> {
        match self.take()? {
            (_, Arg::Function(f)) => Ok(f),
            (param, _) => Err(self.wrong(param, "a function such as `rev` or `(fast 2)`")),
        }
    }

    /// The next argument as a list of functions of patterns.
    pub fn functions(&mut self) -> Result<Vec<Transform>, String> {
        match self.take()? {
            (_, Arg::Functions(list)) => Ok(list),
            (param, _) => Err(self.wrong(param, "a list of functions such as [rev, fast 2]")),
        }
    }

    /// The next argument as a pattern function missing one argument.
    pub fn curried(&mut self) -> Result<Curried, String> {
        match self.take()? {
            (_, Arg::Curried(f)) => Ok(f),
            (param, _) => Err(self.wrong(param, "a function missing one argument, such as `fast`")),
        }
    }

    /// The next argument as the text of a string.
    pub fn text(&mut self) -> Result<String, String> {
        match self.take()? {
            (_, Arg::Text(text)) => Ok(text),
            (param, _) => Err(self.wrong(param, "a string")),
        }
    }

    /// The next argument as rows of numbers.
    pub fn rows(&mut self) -> Result<Vec<Vec<f64>>, String> {
        match self.take()? {
            (_, Arg::Rows(rows)) => Ok(rows),
            (param, _) => {
                Err(self.wrong(param, "rows of numbers such as [[0.3, 0.7], [0.5, 0.5]]"))
            }
        }
    }

    /// The next argument as a list of tuples of `arity` patterns each.
    pub fn tuples(&mut self, arity: usize) -> Result<Vec<Vec<TupleItem>>, String> {
        let wanted = if arity == 2 {
            "a list of pairs such as [(\"a\", 1), (\"b\", 2)]"
        } else {
            "a list of tuples such as [(0, 4, s \"bd*2\"), (2, 6, s \"hh*4\")]"
        };
        match self.take()? {
            (_, Arg::Tuples(list)) if list.iter().all(|t| t.len() == arity) => Ok(list),
            (param, _) => Err(self.wrong(param, wanted)),
        }
    }

    /// The next argument, a function, applied to `p`: it must give a pattern of the same type.
    pub fn apply<T: PatItem>(&mut self, p: &Pattern<T>) -> Result<Pattern<T>, String> {
        let f = self.function()?;
        applied(&f, p)
    }

    /// The next argument as a pattern of the same type as the subject.
    pub fn pattern<T: PatItem>(&mut self) -> Result<Pattern<T>, String> {
        match self.take()? {
            (param, Arg::Pattern(p)) => T::unwrap(p)
                .ok_or_else(|| self.wrong(param, "a pattern of the same kind as the others")),
            (param, _) => Err(self.wrong(param, "a pattern")),
        }
    }

    /// The next argument as a pattern of either kind.
    pub fn any_pattern(&mut self) -> Result<Pat, String> {
        match self.take()? {
            (_, Arg::Pattern(p)) => Ok(p),
            (param, _) => Err(self.wrong(param, "a pattern")),
        }
    }

    /// The next argument as a list of patterns.
    pub fn patterns(&mut self) -> Result<Vec<Pat>, String> {
        match self.take()? {
            (_, Arg::Patterns(list)) => Ok(list),
            (param, _) => Err(self.wrong(param, "a list of patterns such as [\"a\", \"b\"]")),
        }
    }

    /// The next argument as a list of weighted patterns.
    pub fn steps(&mut self) -> Result<Vec<(Time, Pat)>, String> {
        match self.take()? {
            (_, Arg::Steps(list)) => Ok(list),
            (param, _) => Err(self.wrong(param, "a list such as [(1, \"a\"), (0.5, \"b\")]")),
        }
    }

    /// The next argument as a begin and an end.
    pub fn span(&mut self) -> Result<(Time, Time), String> {
        match self.take()? {
            (_, Arg::Span(begin, end)) => Ok((begin, end)),
            (param, _) => Err(self.wrong(param, "two numbers such as (0.25, 0.75)")),
        }
    }
}

/// `f` applied to `p`, which must give back a pattern of the same type.
pub fn applied<T: PatItem>(f: &Transform, p: &Pattern<T>) -> Result<Pattern<T>, String> {
    T::unwrap(f(T::wrap(p.clone()))?)
        .ok_or_else(|| "the function changed the kind of pattern".into())
}

/// A pattern given where `param` is expected, as the argument that parameter takes: for
/// functions that supply an argument themselves (`spread`).
pub fn argument_from(param: &ParamSpec, p: Pat) -> Result<Arg, String> {
    use crate::params::ParamKind;
    let Pat::Value(values) = p else {
        return match param.kind {
            ParamKind::Pattern => Ok(Arg::Pattern(p)),
            _ => Err(format!(
                "`{}` takes a value, not a sound pattern",
                param.name
            )),
        };
    };
    match param.kind {
        ParamKind::Time => Ok(Arg::Time(
            values.fmap(|v| v.as_time().unwrap_or(Time::ZERO)),
        )),
        ParamKind::Count | ParamKind::Numbers | ParamKind::Words => Ok(Arg::Values(values)),
        ParamKind::Bools => Ok(Arg::Bools(values.fmap(Value::truthy))),
        ParamKind::Pattern => Ok(Arg::Pattern(Pat::Value(values))),
        ParamKind::Number => {
            let arena = bumpalo::Bump::new();
            let cycle = pattern::Span::new(Time::ZERO, Time::ONE);
            let events = values.query(cycle, &arena);
            let number = match &events[..] {
                [e] if e.whole == Some(cycle) => e
                    .value
                    .as_f64()
                    .map(Arg::Number)
                    .ok_or_else(|| format!("`{}` needs a number", param.name)),
                _ => Err(format!("`{}` needs a constant number", param.name)),
            };
            number
        }
        _ => Err(format!("`{}` cannot be given from a list", param.name)),
    }
}
