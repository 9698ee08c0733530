//! What the control port's commands do to the live host: each is carried out on the control
//! thread between its other steps, answered, and remembered, so a reload or a reconnect to a
//! restarted server keeps the gain, hush, mutes and solos it set.

use super::control_port::{Command, Request};
use super::Control;
use rosc::OscType;
use std::collections::BTreeSet;

/// What the control port has set.
#[derive(Debug, Default)]
pub(super) struct Controls {
    /// The master gain asked for (1 until one is).
    gain: Option<f32>,
    /// Silent until `/unhush`.
    hushed: bool,
    /// A tempo set with `/tempo` or `/bpm`, until the patch is loaded again with its own.
    tempo: Option<f64>,
    mutes: BTreeSet<String>,
    solos: BTreeSet<String>,
    /// The values set by name, for a new engine after a reconnect.
    named: std::collections::BTreeMap<String, f32>,
}

impl Controls {
    /// Silent until unhushed.
    pub(super) fn hushed(&self) -> bool {
        self.hushed
    }

    /// The gain the engine plays at: 0 while hushed.
    fn engine_gain(&self) -> f32 {
        if self.hushed {
            0.0
        } else {
            self.gain.unwrap_or(1.0)
        }
    }

    /// The outputs among `outputs` to silence: the muted ones, and while any is soloed the
    /// ones that are not.
    fn silenced(&self, outputs: &[String]) -> Vec<String> {
        outputs
            .iter()
            .filter(|name| {
                self.mutes.contains(*name)
                    || (!self.solos.is_empty() && !self.solos.contains(*name))
            })
            .cloned()
            .collect()
    }
}

impl Control {
    /// Carries out what came on the control port, answering each sender.
    pub(super) fn answer_requests(&mut self) {
        let requests = match &self.control_port {
            Some(port) => port.requests(),
            None => return,
        };
        for request in requests {
            let outcome = self.carry_out(&request);
            let Some(port) = &self.control_port else {
                return;
            };
            match outcome {
                Ok(Answer::Done(details)) => port.done(&request, details),
                Ok(Answer::Status(pairs)) => port.status(&request, pairs),
                Err(message) => {
                    tracing::warn!("control port: {} refused: {message}", request.address);
                    port.error(&request, &message);
                }
            }
        }
    }

    /// Hushes, or unhushes if hushed (the view's `h`).
    pub(super) fn toggle_hush(&mut self) {
        self.controls.hushed = !self.controls.hushed;
        tracing::info!(
            "view: {}",
            if self.controls.hushed {
                "hushed"
            } else {
                "unhushed"
            }
        );
        self.session
            .controller
            .set_gain(self.controls.engine_gain());
    }

    /// After a new version of the patch was loaded: its own tempo now plays, and the mutes and
    /// solos apply to its outputs.
    pub(super) fn patch_loaded(&mut self) {
        self.controls.tempo = None;
        self.apply_mutes();
    }

    /// Sends what the control port set to a new session's engine (after a reconnect).
    pub(super) fn reapply_controls(&mut self) {
        if self.controls.gain.is_some() || self.controls.hushed {
            self.session
                .controller
                .set_gain(self.controls.engine_gain());
        }
        if let Some(cps) = self.controls.tempo {
            self.session.controller.set_cps(cps);
        }
        for (name, value) in &self.controls.named {
            self.session.controller.named().set(name, *value);
        }
        self.apply_mutes();
    }

    fn apply_mutes(&mut self) {
        let outputs = self.session.controller.output_names().to_vec();
        let silenced = self.controls.silenced(&outputs);
        self.session.controller.set_muted(&silenced);
    }

    fn carry_out(&mut self, request: &Request) -> Result<Answer, String> {
        let controller = &mut self.session.controller;
        let sent = |ok: bool| {
            ok.then(|| Answer::Done(Vec::new()))
                .ok_or_else(|| "the engine is not taking commands; try again".to_string())
        };
        match &request.command {
            Command::Hush => {
                self.controls.hushed = true;
                tracing::info!("control port: hushed");
                sent(controller.set_gain(0.0))
            }
            Command::Unhush => {
                self.controls.hushed = false;
                tracing::info!("control port: unhushed");
                sent(controller.set_gain(self.controls.engine_gain()))
            }
            Command::Gain(gain) => {
                self.controls.gain = Some(*gain);
                sent(controller.set_gain(self.controls.engine_gain()))
            }
            Command::Tempo(cps) => self.set_tempo(*cps),
            Command::Bpm(bpm) => self.set_tempo(bpm / 240.0),
            Command::Mute(name)
            | Command::Unmute(name)
            | Command::Solo(name)
            | Command::Unsolo(name) => {
                self.known_output(name)?;
                let set = match &request.command {
                    Command::Mute(_) | Command::Unmute(_) => &mut self.controls.mutes,
                    _ => &mut self.controls.solos,
                };
                if matches!(request.command, Command::Mute(_) | Command::Solo(_)) {
                    set.insert(name.clone());
                } else {
                    set.remove(name);
                }
                self.apply_mutes();
                Ok(Answer::Done(Vec::new()))
            }
            Command::Load(path) => self.load_patch(path),
            Command::Set(name, value) => {
                if !controller.named().set(name, *value) {
                    return Err(format!(
                        "{} names are set already; a patch reads at most that many",
                        dsp::named::NAMED_VALUES
                    ));
                }
                self.controls.named.insert(name.clone(), *value);
                Ok(Answer::Done(Vec::new()))
            }
            Command::Status => Ok(Answer::Status(self.status_pairs())),
        }
    }

    fn set_tempo(&mut self, cps: f64) -> Result<Answer, String> {
        if let Some(link) = &self.config.link {
            link.publish(cps);
            tracing::info!("control port: tempo {cps} cycles per second, for every Link peer");
            return Ok(Answer::Done(vec![OscType::Double(cps)]));
        }
        if self
            .session
            .shared
            .followed_bpm
            .load(std::sync::atomic::Ordering::Relaxed)
            != 0
        {
            return Err(
                "the tempo follows the --sync source (a JACK timebase master or a MIDI clock)"
                    .into(),
            );
        }
        self.controls.tempo = Some(cps);
        tracing::info!("control port: tempo {cps} cycles per second");
        if self.session.controller.set_cps(cps) {
            Ok(Answer::Done(vec![OscType::Double(cps)]))
        } else {
            Err("the engine is not taking commands; try again".into())
        }
    }

    /// An error naming the outputs there are, unless `name` is one.
    fn known_output(&self, name: &str) -> Result<(), String> {
        let outputs = self.session.controller.output_names();
        if outputs.iter().any(|o| o == name) {
            Ok(())
        } else {
            Err(format!(
                "no output named `{name}`; the outputs are {}",
                outputs.join(", ")
            ))
        }
    }

    /// Compiles the patch at `path` and plays it in place of the one playing, which plays on
    /// if it has errors (the first is the answer). Later edits of the new file reload it.
    fn load_patch(&mut self, path: &std::path::Path) -> Result<Answer, String> {
        let text =
            crate::patch::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let (patch, diagnostics) =
            crate::patch::compile_report(path, text, &self.registry, Some(&self.known));
        let Some(patch) = patch else {
            // The first error's headline: `file:line:column: error: …`.
            let first = diagnostics
                .iter()
                .find(|d| d.contains(": error: "))
                .and_then(|d| d.lines().next())
                .unwrap_or("it does not compile");
            return Err(first.to_string());
        };
        let generation = self
            .load_with_ports(&patch.graph)
            .map_err(|e| format!("{e}; the previous patch keeps playing"))?;
        tracing::info!("control port: loaded {}", path.display());
        self.graph = patch.graph;
        self.compiled = Some((generation, self.session.client().frame_time()));
        let missing = self.loader.missing(&self.bank, &patch.sounds);
        if !missing.is_empty() {
            self.loader.request(self.bank.clone(), missing);
        }
        self.sounds = patch.sounds;
        self.args.patch = Some(path.to_path_buf());
        self.watcher = super::watch(path);
        self.patch_loaded();
        Ok(Answer::Done(vec![OscType::Long(generation as i64)]))
    }

    fn status_pairs(&mut self) -> Vec<(&'static str, OscType)> {
        let outputs = self.session.controller.output_names().to_vec();
        let silenced = self.controls.silenced(&outputs);
        let load = self.telemetry.total().load;
        vec![
            ("patch", OscType::String(self.patch_name())),
            (
                "cps",
                OscType::Double(self.controls.tempo.unwrap_or(self.graph.cps)),
            ),
            ("load", OscType::Float(load as f32)),
            ("xruns", OscType::Long(self.xruns() as i64)),
            ("gain", OscType::Float(self.controls.gain.unwrap_or(1.0))),
            ("hushed", OscType::Int(i32::from(self.controls.hushed))),
            ("outputs", OscType::String(outputs.join(","))),
            ("muted", OscType::String(silenced.join(","))),
        ]
    }
}

/// What a command answers.
enum Answer {
    /// `/done ADDRESS …`.
    Done(Vec<OscType>),
    /// `/status` and its pairs.
    Status(Vec<(&'static str, OscType)>),
}
