//! Errors and warnings about a patch, each pointing at file:line:column with the line and a caret.

use std::fmt;
use std::ops::Range;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// The patch cannot be compiled.
    Error,
    /// The patch compiles, but probably not as meant.
    Warning,
}

/// One problem found in a patch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Byte range in the source that the problem concerns.
    pub span: Range<usize>,
    /// What is wrong, and what was expected.
    pub message: String,
    /// A hint, such as the closest known names.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error at `span`.
    pub fn error(span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            span,
            message: message.into(),
            help: None,
        }
    }

    /// A warning at `span`.
    pub fn warning(span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            span,
            message: message.into(),
            help: None,
        }
    }

    /// Adds a hint.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A patch's text with its file name, for turning byte offsets into lines and columns.
#[derive(Clone, Debug)]
pub struct Source {
    /// The file name shown in messages.
    pub name: String,
    /// The patch text.
    pub text: String,
    line_starts: Vec<usize>,
}

impl Source {
    /// Wraps a patch's text. Editors' variants are read as plain text: a leading UTF-8 byte
    /// order mark is dropped, and Windows (CR LF) and classic Mac (lone CR) line ends become
    /// LF, so lines and columns are the ones the editor shows.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Source {
        let mut text = text.into();
        if let Some(rest) = text.strip_prefix('\u{feff}') {
            text = rest.to_string();
        }
        if text.contains('\r') {
            text = text.replace("\r\n", "\n").replace('\r', "\n");
        }
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Source {
            name: name.into(),
            text,
            line_starts,
        }
    }

    /// The 1-based line and column (in characters) of a byte offset.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let column = self.text[start..offset].chars().count() + 1;
        (line + 1, column)
    }

    /// The text of a 1-based line, without its newline.
    pub fn line(&self, line: usize) -> &str {
        let start = self.line_starts[line - 1];
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |&e| e - 1);
        self.text[start..end.max(start)].trim_end_matches('\r')
    }

    /// Renders a diagnostic as `file:line:column: error: message`, the line, and a caret.
    pub fn render(&self, d: &Diagnostic) -> String {
        Rendered {
            source: self,
            diagnostic: d,
        }
        .to_string()
    }
}

/// Characters of a line shown with a message at most.
const EXCERPT: usize = 120;

struct Rendered<'a> {
    source: &'a Source,
    diagnostic: &'a Diagnostic,
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (s, d) = (self.source, self.diagnostic);
        let (line, column) = s.line_column(d.span.start);
        let kind = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(f, "{}:{line}:{column}: {kind}: {}", s.name, d.message)?;
        let text = s.line(line);
        let gutter = line.to_string().len();
        writeln!(f, "{:gutter$} |", "")?;
        let (end_line, end_column) = s.line_column(d.span.end.max(d.span.start));
        let width = if end_line == line {
            end_column.saturating_sub(column).max(1)
        } else {
            text.chars().count().saturating_sub(column - 1).max(1)
        };
        // A very long line (generated, or one huge expression) is shown around the caret.
        let skip = (column - 1).saturating_sub(EXCERPT / 2);
        let shown: String = text.chars().skip(skip).take(EXCERPT).collect();
        let (before, after) = (
            if skip > 0 { "…" } else { "" },
            if text.chars().count() > skip + EXCERPT {
                "…"
            } else {
                ""
            },
        );
        writeln!(f, "{line} | {before}{shown}{after}")?;
        write!(
            f,
            "{:gutter$} | {}{}{}",
            "",
            before,
            " ".repeat(column - 1 - skip),
            "^".repeat(width.min(EXCERPT - (column - 1 - skip)).max(1))
        )?;
        if let Some(help) = &d.help {
            write!(f, "\n{:gutter$} = help: {help}", "")?;
        }
        Ok(())
    }
}

/// Names as a readable list: `` `a`, `b` ``.
pub fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The known names closest to `name` (edit distance at most a third of its length, at least 1).
pub fn closest<'a>(name: &str, known: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    let mut scored: Vec<(usize, &str)> = known
        .map(|k| (edit_distance(name, k), k))
        .filter(|&(d, _)| d <= limit)
        .collect();
    scored.sort();
    scored.dedup_by_key(|(_, k)| *k);
    scored.into_iter().take(3).map(|(_, k)| k).collect()
}

/// Edit distance counting a swap of neighbours as one edit (optimal string alignment).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::Source;

    #[test]
    fn a_byte_order_mark_and_any_line_end_read_as_plain_lines() {
        let bom = Source::new("p.ph", "\u{feff}out: sine 440\n");
        assert_eq!(bom.text, "out: sine 440\n");
        for text in ["a\r\nbb\r\nccc", "a\rbb\rccc", "a\nbb\nccc"] {
            let source = Source::new("p.ph", text);
            assert_eq!(source.text, "a\nbb\nccc", "{text:?}");
            assert_eq!(source.line_column(source.text.find('c').unwrap()), (3, 1));
        }
    }

    use super::*;

    #[test]
    fn renders_file_line_column_and_a_caret() {
        let s = Source::new("beat.ph", "tempo: 0.5\nout: sinee 440\n");
        let d =
            Diagnostic::error(16..21, "unknown function `sinee`").with_help("did you mean `sine`?");
        assert_eq!(
            s.render(&d),
            "beat.ph:2:6: error: unknown function `sinee`\n  |\n2 | out: sinee 440\n  |      ^^^^^\n  = help: did you mean `sine`?"
        );
    }

    #[test]
    fn a_long_line_is_shown_around_the_caret() {
        let text = format!("out: {}oops{}\n", "a ".repeat(500), " b".repeat(500));
        let s = Source::new("long.ph", text.as_str());
        let at = text.find("oops").unwrap();
        let rendered = s.render(&Diagnostic::error(at..at + 4, "bad"));
        let lines: Vec<&str> = rendered.lines().collect();
        assert!(
            lines[0].starts_with("long.ph:1:1006: error: bad"),
            "{rendered}"
        );
        assert!(lines[2].chars().count() < 140, "{}", lines[2]);
        // The caret stands under `oops` in the excerpt.
        let oops = lines[2].chars().position(|c| c == 'o').unwrap();
        assert_eq!(lines[3].chars().position(|c| c == '^'), Some(oops));
        assert!(lines[3].ends_with("^^^^"), "{}", lines[3]);
    }

    #[test]
    fn closest_names_are_suggested() {
        let known = ["sine", "saw", "square", "lpf", "hpf"];
        assert_eq!(closest("sinee", known.iter().copied()), vec!["sine"]);
        assert_eq!(closest("lfp", known.iter().copied()), vec!["lpf"]);
        assert!(closest("reverb", known.iter().copied()).is_empty());
    }
}
