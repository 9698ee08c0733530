//! The patterns each output plays, drawn over the next cycles as `phonon query --draw` draws
//! them: a cycle per `|…|`, an event's first letter where it starts and `-` while it lasts.

use graph::query::{self, Format};
use graph::values::Pat;
use graph::{Graph, GraphNodeKind, Input, NodeId};
use pattern::{Span, Time, Value};

/// Patterns drawn per output at most.
const PER_OUTPUT: usize = 4;

/// The patterns feeding each output of a patch.
#[derive(Default)]
pub struct Rolls {
    outputs: Vec<(String, Vec<Pat>)>,
}

impl Rolls {
    /// The patterns of `graph`'s outputs: the sound and number patterns of the nodes each
    /// output hears, nearest first.
    pub fn of(graph: &Graph) -> Rolls {
        let outputs = graph
            .outputs
            .iter()
            .map(|o| (o.name.clone(), patterns_into(graph, o.node)))
            .filter(|(_, patterns)| !patterns.is_empty())
            .collect();
        Rolls { outputs }
    }

    /// Each output's patterns drawn over `cycles` cycles from cycle `from`: its name and a
    /// line per pattern.
    pub fn draw(&self, from: i64, cycles: i64) -> Vec<(String, Vec<String>)> {
        let span = Span::new(Time::from_int(from), Time::from_int(from + cycles));
        self.outputs
            .iter()
            .map(|(name, patterns)| {
                let lines = patterns
                    .iter()
                    .flat_map(|p| {
                        query::render(p, span, Format::Draw)
                            .lines()
                            .map(str::to_string)
                            .collect::<Vec<_>>()
                    })
                    .collect();
                (name.clone(), lines)
            })
            .collect()
    }
}

/// The patterns of the nodes `node` reads, directly or through others, nearest first.
fn patterns_into(graph: &Graph, node: NodeId) -> Vec<Pat> {
    let mut seen = vec![false; graph.nodes.len()];
    let mut queue = std::collections::VecDeque::from([node]);
    let mut patterns = Vec::new();
    while let Some(id) = queue.pop_front() {
        if std::mem::replace(&mut seen[id.index()], true) {
            continue;
        }
        let n = &graph.nodes[id.index()];
        if let GraphNodeKind::Dsp(kind) = &n.kind {
            let found = match kind {
                dsp::Kind::Sampler(p) => Some(Pat::Sound(p.clone())),
                dsp::Kind::Numbers(p)
                | dsp::Kind::Onsets(p)
                | dsp::Kind::Voices { notes: Some(p), .. } => {
                    Some(Pat::Value(p.fmap(|x| Value::Num(*x))))
                }
                _ => None,
            };
            if let Some(p) = found {
                if patterns.len() < PER_OUTPUT {
                    patterns.push(p);
                }
            }
        }
        queue.extend(n.inputs.iter().filter_map(|(_, input)| match input {
            Input::Node(source) => Some(*source),
            Input::Const(_) => None,
        }));
    }
    patterns
}

#[cfg(test)]
mod tests {
    use super::*;
    use graph::{Registry, Source};

    fn rolls(text: &str) -> Rolls {
        let source = Source::new("test.ph", text.to_string());
        let graph = graph::compile(&source, &Registry::standard())
            .graph
            .expect("compiles");
        Rolls::of(&graph)
    }

    #[test]
    fn each_output_draws_the_patterns_it_hears() {
        let rolls = rolls(
            "out1: s \"bd*4 [sn cp]\" # lpf 800 0.2\nout2: saw \"110 220\" * 0.1\nout3: sine 440\n",
        );
        let drawn = rolls.draw(0, 2);
        assert_eq!(drawn.len(), 2, "out3 plays no pattern: {drawn:?}");
        assert_eq!(
            drawn[0],
            ("out1".to_string(), vec!["|bbbbs-c-|bbbbs-c-|".to_string()])
        );
        assert_eq!(drawn[1].0, "out2");
        assert_eq!(drawn[1].1, ["|12|12|"]);
    }
}
