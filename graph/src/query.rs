//! `phonon query`: a pattern expression evaluated through the compiler patches go through, and
//! its events in a span as text, JSON lines or a grid drawn the way Tidal's `drawLine` draws one.

pub use crate::compile::evaluate;
use crate::values::Pat;
use pattern::{Event, Sound, Span, Time, Value};
use std::fmt::Write;

/// How `phonon query` prints events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One event a line: `whole part value`, times as `n/d`, `~` for no whole.
    Text,
    /// One JSON object a line: `{"whole": ["n/d", "n/d"] | null, "part": […], "value": …}`.
    Json,
    /// A text grid a cycle wide per row, as Tidal's `drawLine`.
    Draw,
}

/// An event's value as `phonon query` shows it.
#[derive(Clone, Debug, PartialEq)]
pub enum Shown {
    /// A value of a pattern of values.
    Value(Value),
    /// A sound and its controls.
    Sound(Box<Sound>),
}

/// The events of `p` in `span`, sorted by where their parts start.
pub fn events(p: &Pat, span: Span) -> Vec<Event<Shown>> {
    let mut events: Vec<Event<Shown>> = match p {
        Pat::Value(p) => p
            .events(span)
            .into_iter()
            .map(|e| e.with_value(Shown::Value(e.value.clone())))
            .collect(),
        Pat::Sound(p) => p
            .events(span)
            .into_iter()
            .map(|e| e.with_value(Shown::Sound(Box::new(e.value.clone()))))
            .collect(),
    };
    events.sort_by_key(|e| (e.part.begin, e.part.end));
    events
}

/// The events of `p` in `span`, printed in `format`; each line ends with a newline.
pub fn render(p: &Pat, span: Span, format: Format) -> String {
    let events = events(p, span);
    match format {
        Format::Text => events
            .iter()
            .map(|e| {
                let whole = e.whole.map_or("~".to_string(), span_text);
                format!("{whole} {} {}\n", span_text(e.part), value_text(&e.value))
            })
            .collect(),
        Format::Json => events.iter().map(|e| json_line(e) + "\n").collect(),
        Format::Draw => draw(&events, span),
    }
}

fn span_text(s: Span) -> String {
    format!("[{}, {}]", time_text(s.begin), time_text(s.end))
}

/// A time as `n/d` (or `n` when whole).
pub fn time_text(t: Time) -> String {
    let t = t.reduced();
    if t.denom() == 1 {
        t.numer().to_string()
    } else {
        format!("{}/{}", t.numer(), t.denom())
    }
}

fn value_text(v: &Shown) -> String {
    match v {
        Shown::Value(v) => v.to_string(),
        Shown::Sound(s) => s.to_string(),
    }
}

fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_number(x: f64) -> String {
    if !x.is_finite() {
        "null".into()
    } else if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

fn json_value(v: &Value) -> String {
    match v {
        Value::Str(s) => json_string(s),
        Value::Num(x) => json_number(*x),
        Value::Rational(r) if r.denom() == 1 => r.numer().to_string(),
        Value::Rational(r) => json_string(&time_text(*r)),
        Value::Bool(b) => b.to_string(),
        Value::List(items) => format!(
            "[{}]",
            items.iter().map(json_value).collect::<Vec<_>>().join(", ")
        ),
    }
}

fn json_span(s: Span) -> String {
    format!(
        "[{}, {}]",
        json_string(&time_text(s.begin)),
        json_string(&time_text(s.end))
    )
}

/// One event as a JSON object.
pub fn json_line(e: &Event<Shown>) -> String {
    let value = match &e.value {
        Shown::Value(v) => json_value(v),
        Shown::Sound(s) => {
            let mut fields = vec![format!("\"s\": {}", json_value(&s.sound))];
            fields.extend(
                s.controls()
                    .map(|(c, v)| format!("{}: {}", json_string(c.name()), json_number(v))),
            );
            format!("{{{}}}", fields.join(", "))
        }
    };
    format!(
        "{{\"whole\": {}, \"part\": {}, \"value\": {value}}}",
        e.whole.map_or("null".to_string(), json_span),
        json_span(e.part)
    )
}

/// The widest grid a cycle gets; finer rhythms are drawn at this resolution.
const MAX_STEPS: i64 = 64;

/// Events as rows of a grid, a cycle at a time: a value's first character at its onset, `-`
/// while it lasts, `.` where nothing plays; overlapping events take further rows.
fn draw(events: &[Event<Shown>], span: Span) -> String {
    let first = span.begin.floor().numer();
    let last = span.end.ceil().numer().max(first + 1);
    let mut steps = 1i64;
    for e in events {
        let w = e.whole_or_part();
        for t in [w.begin, w.end] {
            let d = t.reduced().denom();
            let lcm = steps / gcd(steps, d) * d;
            if lcm <= MAX_STEPS {
                steps = lcm;
            }
        }
    }
    let cells = ((last - first) * steps) as usize;
    let mut rows: Vec<Vec<char>> = Vec::new();
    let cell = |t: Time| -> i64 {
        ((t - Time::from_int(first)) * Time::from_int(steps))
            .floor()
            .numer()
            .clamp(0, cells as i64)
    };
    for e in events.iter().filter(|e| e.whole.is_none() || e.has_onset()) {
        let w = e.whole_or_part();
        let (begin, end) = (
            cell(w.begin) as usize,
            (cell(w.end) as usize).max(cell(w.begin) as usize + 1),
        );
        let end = end.min(cells);
        if begin >= cells {
            continue;
        }
        let name = match &e.value {
            Shown::Sound(s) => s.sound.to_string(),
            Shown::Value(v) => v.to_string(),
        };
        let label = name.chars().next().unwrap_or('?');
        let row = match rows
            .iter()
            .position(|r| r[begin..end].iter().all(|&c| c == '.'))
        {
            Some(i) => i,
            None => {
                rows.push(vec!['.'; cells]);
                rows.len() - 1
            }
        };
        rows[row][begin] = label;
        for c in &mut rows[row][begin + 1..end] {
            *c = '-';
        }
    }
    if rows.is_empty() {
        rows.push(vec!['.'; cells]);
    }
    let mut out = String::new();
    for row in rows {
        for (i, c) in row.iter().enumerate() {
            if i as i64 % steps == 0 {
                out.push('|');
            }
            out.push(*c);
        }
        out.push_str("|\n");
    }
    out
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 {
        a.abs().max(1)
    } else {
        gcd(b, a % b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Source;
    use crate::registry::Registry;
    use pattern::mini::ValueType;

    fn query(expr: &str, format: Format) -> String {
        let p = evaluate(
            &Source::new("query", expr),
            &Registry::standard(),
            ValueType::Untyped,
        )
        .unwrap_or_else(|d| panic!("{expr}: {d:?}"));
        render(&p, Span::new(Time::ZERO, Time::ONE), format)
    }

    #[test]
    fn text_json_and_grid() {
        assert_eq!(
            query("\"a [b c]\"", Format::Text),
            "[0, 1/2] [0, 1/2] a\n[1/2, 3/4] [1/2, 3/4] b\n[3/4, 1] [3/4, 1] c\n"
        );
        assert_eq!(
            query("\"1 2\" |+ \"10\"", Format::Json),
            "{\"whole\": [\"0\", \"1/2\"], \"part\": [\"0\", \"1/2\"], \"value\": 11}\n\
             {\"whole\": [\"1/2\", \"1\"], \"part\": [\"1/2\", \"1\"], \"value\": 12}\n"
        );
        assert_eq!(query("\"a ~ [b c]\"", Format::Draw), "|a-..bc|\n");
        assert_eq!(query("stack [\"a\", \"b\"]", Format::Draw), "|a|\n|b|\n");
        assert_eq!(
            query("s \"x\" # speed 2", Format::Json),
            "{\"whole\": [\"0\", \"1\"], \"part\": [\"0\", \"1\"], \"value\": {\"s\": \"x\", \"speed\": 2}}\n"
        );
    }
}
