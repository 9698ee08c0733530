//! Parameters of the functions a patch can call: their names, kinds, defaults and units.

/// What an argument may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    /// The signal being processed; `#` fills it from its left side.
    Input,
    /// A number, pattern string, bus or expression, modulatable at audio rate.
    Signal,
    /// A constant number.
    Number,
    /// A number of cycles, or a pattern of them.
    Time,
    /// A mini-notation string of sound names.
    Sounds,
    /// A pattern transform (`rev`, `fast 2`, `(# speed 2)`).
    Transform,
    /// A pattern: the one a transform applies to, or one it layers in.
    Pattern,
    /// A whole number or a pattern of them, read as Tidal's `Int`.
    Count,
    /// A number or a pattern of numbers, read as Tidal's `Double`.
    Numbers,
    /// A pattern of booleans (`"t f"`, `"1 0"`).
    Bools,
    /// A word or a pattern of words (`"minor"`, `"<major minor>"`).
    Words,
    /// A list of patterns: `[a, b, c]`.
    Patterns,
    /// A list of pattern functions: `[rev, fast 2, (# speed 2)]`.
    Transforms,
    /// A pattern function missing one argument before its pattern: `fast` in
    /// `spread fast [1, 2]`.
    Curried,
    /// Rows of numbers: `[[0.3, 0.7], [0.5, 0.5]]`.
    Rows,
    /// A string taken as it is written, not read as a pattern: `"x:x-x,-:x--"`.
    Text,
    /// A list of tuples of patterns: `[("a", 1), ("b", s "sn")]`, `[(0, 4, s "bd")]`.
    Tuples,
    /// A list of weighted patterns: `[(1, a), (0.5, b)]`.
    Steps,
    /// A list of patterns with weights after them, as Tidal's `wrandcat` takes them:
    /// `[(a, 3), (b, 1)]`.
    Weighted,
    /// Two numbers, a begin and an end: `(0.25, 0.75)`.
    Span,
    /// A string of numbers read once as a fixed list: `"0 1 0.3 0"`.
    Levels,
    /// A pattern string whose events start something: `"x ~ x x"`, `"x(3,8)"`, `"1 0 1 1"`
    /// (a `0` or `f` step is a rest).
    Triggers,
    /// A note pattern or a frequency: each event plays a voice (`"c3 e3 g3"`, `55`).
    Notes,
}

impl ParamKind {
    /// True for an input port of the node: false for what the compiler reads to shape the
    /// node itself (a list of levels, what triggers it, the notes its voices play).
    pub fn is_port(self) -> bool {
        !matches!(
            self,
            ParamKind::Levels
                | ParamKind::Triggers
                | ParamKind::Notes
                | ParamKind::Sounds
                | ParamKind::Words
                | ParamKind::Text
        )
    }
}

/// One parameter of a function.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParamSpec {
    /// Its name, as `phonon functions` shows it.
    pub name: &'static str,
    /// What it accepts.
    pub kind: ParamKind,
    /// Its value when left out; `None` makes it required.
    pub default: Option<f64>,
    /// Its unit (`Hz`, `s`, `cycles`), or empty.
    pub unit: &'static str,
    /// The lowest and highest values the node uses, when it holds them to a range.
    pub range: Option<(f64, f64)>,
}

impl ParamSpec {
    /// A required parameter.
    pub const fn required(name: &'static str, kind: ParamKind, unit: &'static str) -> ParamSpec {
        ParamSpec {
            name,
            kind,
            default: None,
            unit,
            range: None,
        }
    }

    /// A parameter with a default.
    pub const fn optional(
        name: &'static str,
        kind: ParamKind,
        default: f64,
        unit: &'static str,
    ) -> ParamSpec {
        ParamSpec {
            name,
            kind,
            default: Some(default),
            unit,
            range: None,
        }
    }
}
