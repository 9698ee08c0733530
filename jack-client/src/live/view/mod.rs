//! `--view`: a terminal view of what plays, redrawn a few times a second from the telemetry
//! the control thread already has — meters per output, load and xruns, the heaviest nodes, the
//! next cycles of each output's patterns and the last compile error. It reads nothing from the
//! audio thread beyond that telemetry and the output levels.

mod capture;
pub mod roll;

use super::levels::Level;
use capture::StderrCapture;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use ratatui::crossterm::terminal::{self, EnterAlternateScreen, LeaveAlternateScreen};
use ratatui::crossterm::{cursor, execute};
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Terminal;
use std::io::{IsTerminal, Stdout};
use std::time::{Duration, Instant};

/// How often the view is redrawn.
const REDRAW_EVERY: Duration = Duration::from_millis(100);
/// How long a clip mark stays lit after the last clipped sample.
const CLIP_HOLD: Duration = Duration::from_secs(2);
/// Cycles of each pattern shown.
pub const ROLL_CYCLES: i64 = 2;
/// Lines of stderr the log panel can show at most.
const LOG_LINES: usize = 50;
/// The quietest level a meter shows.
const FLOOR_DB: f32 = -60.0;

/// What a key asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// `q` (or Ctrl-C, which the terminal's raw mode turns into a key): stop cleanly.
    Quit,
    /// `h`: hush, or unhush if hushed.
    Hush,
}

/// One output's meter: its name and its two channels' levels since the last frame.
pub struct Meter {
    /// The output (`out` for the main mix).
    pub name: String,
    /// Left and right.
    pub levels: [Level; 2],
}

/// Everything one frame of the view shows.
pub struct Screen {
    /// The first line: what plays and how (`house.ph · playing · 124 BPM · cycle 12.25`).
    pub headline: String,
    /// Load, block times, voices and xruns.
    pub figures: String,
    /// The output meters, the main mix first.
    pub meters: Vec<Meter>,
    /// Each output's patterns drawn over the next cycles, and the cycle they start at.
    pub rolls: (i64, Vec<(String, Vec<String>)>),
    /// The heaviest nodes with their patch lines (`lpf@3 12 µs, …`).
    pub heaviest: String,
    /// The last compile error, until an edit compiles.
    pub error: Option<String>,
    /// Hushed from the view or the control port.
    pub hushed: bool,
}

/// The terminal, taken over for the view.
pub struct View {
    terminal: Terminal<CrosstermBackend<Stdout>>,
    capture: Option<StderrCapture>,
    last_draw: Option<Instant>,
    /// When each meter's channel last clipped.
    clipped: Vec<[Option<Instant>; 2]>,
}

impl View {
    /// Takes the terminal over: an alternate screen in raw mode, stderr shown inside the view.
    pub fn start() -> Result<View, String> {
        if !std::io::stdout().is_terminal() {
            return Err("--view needs a terminal on standard output".into());
        }
        let fail = |e: std::io::Error| format!("cannot take the terminal over for --view: {e}");
        terminal::enable_raw_mode().map_err(fail)?;
        let mut stdout = std::io::stdout();
        if let Err(e) = execute!(stdout, EnterAlternateScreen, cursor::Hide) {
            let _ = terminal::disable_raw_mode();
            return Err(fail(e));
        }
        let terminal = Terminal::new(CrosstermBackend::new(stdout)).map_err(fail)?;
        let capture = StderrCapture::start().map_err(fail)?;
        Ok(View {
            terminal,
            capture: Some(capture),
            last_draw: None,
            clipped: Vec::new(),
        })
    }

    /// True when the next frame is due.
    pub fn due(&self) -> bool {
        self.last_draw.is_none_or(|t| t.elapsed() >= REDRAW_EVERY)
    }

    /// The keys pressed since the last call, without waiting.
    pub fn keys(&mut self) -> Vec<Key> {
        let mut keys = Vec::new();
        while event::poll(Duration::ZERO).unwrap_or(false) {
            let Ok(Event::Key(key)) = event::read() else {
                continue;
            };
            if key.kind != KeyEventKind::Press {
                continue;
            }
            match key.code {
                KeyCode::Char('q') | KeyCode::Esc => keys.push(Key::Quit),
                KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                    keys.push(Key::Quit)
                }
                KeyCode::Char('h') => keys.push(Key::Hush),
                _ => {}
            }
        }
        keys
    }

    /// Draws `screen`.
    pub fn draw(&mut self, screen: &Screen) {
        self.last_draw = Some(Instant::now());
        self.clipped.resize(screen.meters.len(), [None, None]);
        for (meter, clipped) in screen.meters.iter().zip(self.clipped.iter_mut()) {
            for (level, at) in meter.levels.iter().zip(clipped.iter_mut()) {
                if level.peak >= 1.0 {
                    *at = Some(Instant::now());
                }
            }
        }
        let log: Vec<String> = self
            .capture
            .as_ref()
            .map(|c| c.last(LOG_LINES))
            .unwrap_or_default()
            .into_iter()
            .filter(|l| !l.trim().is_empty())
            .collect();
        let clipped = &self.clipped;
        let _ = self.terminal.draw(|frame| {
            let roll_lines: usize = screen
                .rolls
                .1
                .iter()
                .map(|(_, l)| l.len().max(1))
                .sum::<usize>()
                .max(1);
            let error_lines = screen.error.as_ref().map_or(0, |e| e.lines().count() + 2);
            let [head, meters, roll, heavy, error, log_area, keys] = Layout::vertical([
                Constraint::Length(2),
                Constraint::Length(screen.meters.len() as u16 + 2),
                Constraint::Length(roll_lines as u16 + 2),
                Constraint::Length(1),
                Constraint::Length(error_lines as u16),
                // The log takes what is left, if anything.
                Constraint::Min(0),
                Constraint::Length(1),
            ])
            .areas(frame.area());
            frame.render_widget(headline(screen), head);
            frame.render_widget(meter_lines(&screen.meters, clipped, meters.width), meters);
            frame.render_widget(roll_lines_of(&screen.rolls), roll);
            frame.render_widget(
                Paragraph::new(format!("heaviest: {}", or_dash(&screen.heaviest))),
                heavy,
            );
            if let Some(e) = &screen.error {
                frame.render_widget(
                    Paragraph::new(e.as_str())
                        .style(Style::default().fg(Color::Red))
                        .block(
                            Block::bordered().title(" last error (the previous patch plays on) "),
                        ),
                    error,
                );
            }
            // The newest lines that fit.
            let fits = usize::from(log_area.height.saturating_sub(2));
            frame.render_widget(
                Paragraph::new(log[log.len().saturating_sub(fits)..].join("\n"))
                    .wrap(Wrap { trim: false })
                    .block(Block::bordered().title(" log ")),
                log_area,
            );
            frame.render_widget(
                Paragraph::new("q quit · h hush/unhush")
                    .style(Style::default().add_modifier(Modifier::DIM)),
                keys,
            );
        });
    }

    /// Gives the terminal and stderr back.
    pub fn finish(mut self) {
        self.restore();
    }

    fn restore(&mut self) {
        if let Some(capture) = self.capture.take() {
            capture.restore();
            let _ = execute!(
                self.terminal.backend_mut(),
                LeaveAlternateScreen,
                cursor::Show
            );
            let _ = terminal::disable_raw_mode();
        }
    }
}

impl Drop for View {
    fn drop(&mut self) {
        self.restore();
    }
}

fn or_dash(s: &str) -> &str {
    if s.is_empty() {
        "-"
    } else {
        s
    }
}

fn headline(screen: &Screen) -> Paragraph<'_> {
    let mut first = vec![Span::styled(
        screen.headline.as_str(),
        Style::default().add_modifier(Modifier::BOLD),
    )];
    if screen.hushed {
        first.push(Span::styled(
            " · HUSHED",
            Style::default().fg(Color::Yellow),
        ));
    }
    Paragraph::new(vec![Line::from(first), Line::from(screen.figures.as_str())])
}

/// A level in dBFS, held to the meter's floor.
fn db(x: f32) -> f32 {
    if x > 0.0 {
        (20.0 * x.log10()).max(FLOOR_DB)
    } else {
        FLOOR_DB
    }
}

/// A bar `width` cells wide: RMS filled, the peak marked.
fn bar(level: Level, width: usize) -> String {
    let cells = |x: f32| (((db(x) - FLOOR_DB) / -FLOOR_DB) * width as f32).round() as usize;
    let (rms, peak) = (cells(level.rms).min(width), cells(level.peak).min(width));
    (0..width)
        .map(|i| {
            if i < rms {
                '█'
            } else if peak > 0 && i == peak - 1 {
                '|'
            } else {
                '·'
            }
        })
        .collect()
}

fn meter_lines<'a>(
    meters: &'a [Meter],
    clipped: &[[Option<Instant>; 2]],
    width: u16,
) -> Paragraph<'a> {
    let name_width = meters
        .iter()
        .map(|m| m.name.len())
        .max()
        .unwrap_or(3)
        .max(3);
    // name, two bars with their figures and the clip marks.
    let bar_width = (usize::from(width).saturating_sub(name_width + 40) / 2).clamp(8, 40);
    let lines: Vec<Line> = meters
        .iter()
        .zip(clipped)
        .map(|(m, clipped)| {
            let mut spans = vec![Span::raw(format!("{:<name_width$} ", m.name))];
            for (side, (level, at)) in ["L", "R"].iter().zip(m.levels.iter().zip(clipped)) {
                let clip = at.is_some_and(|t| t.elapsed() < CLIP_HOLD);
                spans.push(Span::raw(format!("{side} ")));
                spans.push(Span::styled(
                    bar(*level, bar_width),
                    Style::default().fg(if clip { Color::Red } else { Color::Green }),
                ));
                spans.push(Span::raw(format!(" {:>5.1} dB ", db(level.peak))));
                spans.push(Span::styled(
                    if clip { "CLIP " } else { "     " },
                    Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
                ));
            }
            Line::from(spans)
        })
        .collect();
    Paragraph::new(lines).block(Block::bordered().title(" outputs (peak dBFS) "))
}

fn roll_lines_of((from, rolls): &(i64, Vec<(String, Vec<String>)>)) -> Paragraph<'_> {
    let name_width = rolls.iter().map(|(n, _)| n.len()).max().unwrap_or(3);
    let mut lines = Vec::new();
    for (name, drawn) in rolls {
        if drawn.is_empty() {
            lines.push(Line::from(format!("{name:<name_width$} (silent)")));
        }
        for (k, row) in drawn.iter().enumerate() {
            let label = if k == 0 { name.as_str() } else { "" };
            lines.push(Line::from(format!("{label:<name_width$} {row}")));
        }
    }
    if rolls.is_empty() {
        lines.push(Line::from("no patterns (Tidal's patterns live in Tidal)"));
    }
    Paragraph::new(lines)
        .block(Block::bordered().title(format!(" patterns, cycles {from}–{} ", from + ROLL_CYCLES)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bar_fills_to_the_rms_and_marks_the_peak() {
        let level = Level {
            peak: 1.0,
            rms: 0.1,
        };
        // -20 dB is two thirds of the way from the -60 dB floor.
        assert_eq!(bar(level, 6), "████·|");
        assert_eq!(bar(Level::default(), 4), "····");
        assert_eq!(db(0.0), FLOOR_DB);
        assert!((db(0.5) + 6.02).abs() < 0.01);
    }
}
