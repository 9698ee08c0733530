//! The hexagonal drum skin of sc3-plugins' `MembraneHexagon` (after Brook Eaton's roto-drum),
//! which SuperDirt's `superhex` strikes: a waveguide mesh of 19 scattering junctions on a
//! triangular grid, each with a self-loop whose admittance sets the tension, and inverting,
//! averaging guides round the rim. The mesh is laid out at compile time the way the plug-in
//! searches it, so the same junctions take the input and the same one is heard.

/// Junctions in the mesh.
pub const JUNCTIONS: usize = 19;

/// Neighbours a junction can have on the grid, as steps (x, y).
const STEPS: [(i32, i32); 6] = [(1, 1), (2, 0), (1, -1), (-1, -1), (-2, 0), (-1, 1)];

/// The grid's size for the plug-in's shape of diameter 1.
const SIZE: i32 = 12;

/// Unit delays: two per link between junctions, one rim guide per edge junction and one
/// self-loop per junction.
pub const DELAYS: usize = 2 * LINKS + EDGES + JUNCTIONS;

/// Links between neighbouring junctions.
const LINKS: usize = Mesh::LAYOUT.links;
/// Junctions on the rim.
const EDGES: usize = Mesh::LAYOUT.edges;

const fn in_hexagon(x: i32, y: i32) -> bool {
    let (x, y) = (x.abs(), y.abs());
    x < SIZE / 2 && y < SIZE / 4 && (x < SIZE / 4 || x < SIZE / 2 - y)
}

/// Which delays a junction reads and writes.
#[derive(Clone, Copy)]
struct Junction {
    /// Incoming delays; the outgoing one of the same link is at the same place in `outs`.
    ins: [usize; 7],
    outs: [usize; 7],
    ports: usize,
    self_loop: usize,
}

/// The mesh's wiring.
#[derive(Clone, Copy)]
struct Mesh {
    junctions: [Junction; JUNCTIONS],
    /// Which delays invert (the rim guides).
    inverts: [bool; 2 * 60 + JUNCTIONS * 2],
    links: usize,
    edges: usize,
}

impl Mesh {
    /// Found as the plug-in finds it: from the centre, depth first (the last found is looked
    /// at next), numbering junctions as they are found; links kept from the first three steps.
    const LAYOUT: Mesh = Mesh::search();

    const fn search() -> Mesh {
        let mut points = [(0i32, 0i32); JUNCTIONS];
        let mut found = 1;
        let mut stack = [0usize; JUNCTIONS];
        let mut stacked = 0;
        let mut links = [(0usize, 0usize); 60];
        let mut link_count = 0;
        let mut edge = [false; JUNCTIONS];
        let mut look = 0;
        loop {
            let mut i = 0;
            while i < 6 {
                let x = points[look].0 + STEPS[i].0;
                let y = points[look].1 + STEPS[i].1;
                if !in_hexagon(x, y) {
                    edge[look] = true;
                } else {
                    let mut other = found;
                    let mut j = 0;
                    while j < found {
                        if points[j].0 == x && points[j].1 == y {
                            other = j;
                        }
                        j += 1;
                    }
                    if other == found {
                        points[found] = (x, y);
                        stack[stacked] = found;
                        stacked += 1;
                        found += 1;
                    }
                    if i < 3 {
                        links[link_count] = (look, other);
                        link_count += 1;
                    }
                }
                i += 1;
            }
            if stacked == 0 {
                break;
            }
            stacked -= 1;
            look = stack[stacked];
        }
        let empty = Junction {
            ins: [0; 7],
            outs: [0; 7],
            ports: 0,
            self_loop: 0,
        };
        let mut junctions = [empty; JUNCTIONS];
        let mut inverts = [false; 2 * 60 + JUNCTIONS * 2];
        let mut d = 0;
        let mut k = 0;
        while k < link_count {
            let (from, to) = links[k];
            let (f, t) = (junctions[from].ports, junctions[to].ports);
            // One delay each way: the first leaves `from` for `to`, the second comes back.
            junctions[from].outs[f] = d;
            junctions[to].ins[t] = d;
            junctions[from].ins[f] = d + 1;
            junctions[to].outs[t] = d + 1;
            junctions[from].ports += 1;
            junctions[to].ports += 1;
            d += 2;
            k += 1;
        }
        let mut edges = 0;
        let mut j = 0;
        while j < JUNCTIONS {
            junctions[j].self_loop = d;
            d += 1;
            if edge[j] {
                let p = junctions[j].ports;
                junctions[j].ins[p] = d;
                junctions[j].outs[p] = d;
                junctions[j].ports += 1;
                inverts[d] = true;
                d += 1;
                edges += 1;
            }
            j += 1;
        }
        Mesh {
            junctions,
            inverts,
            links: link_count,
            edges,
        }
    }
}

/// The skin's motion: each delay's value going in (`a`), coming out (`b`), and a rim guide's
/// last input (`c`). Lives in the voice's own lines.
pub struct Membrane<'a> {
    a: &'a mut [f32],
    b: &'a mut [f32],
    c: &'a mut [f32],
}

impl<'a> Membrane<'a> {
    /// Floats of memory the skin keeps.
    pub const MEMORY: usize = 3 * DELAYS;

    /// The skin over `memory` (at least [`Membrane::MEMORY`] floats, zero for a skin at rest).
    pub fn over(memory: &'a mut [f32]) -> Membrane<'a> {
        let (a, rest) = memory.split_at_mut(DELAYS);
        let (b, rest) = rest.split_at_mut(DELAYS);
        Membrane {
            a,
            b,
            c: &mut rest[..DELAYS],
        }
    }

    /// One frame: `input` spread over the first half of the junctions, `tension` (the
    /// plug-in's, 0.01–0.1 typical) and `loss` (just under 1) as `MembraneHexagon` takes them;
    /// returns what the first junction hears.
    pub fn next(&mut self, input: f32, tension: f32, loss: f32) -> f32 {
        const DELTA: f32 = 6.0;
        const GAMMA: f32 = 8.0;
        let tension = if tension == 0.0 { 1e-4 } else { tension };
        let admittance = 2.0 * DELTA * DELTA / (tension * tension * GAMMA * GAMMA);
        let loss = if loss >= 1.0 { 0.99999 } else { loss };
        let middle = JUNCTIONS / 2;
        let mut heard = 0.0;
        for (i, j) in Mesh::LAYOUT.junctions.iter().enumerate() {
            let ins = &j.ins[..j.ports];
            let arriving: f32 = ins.iter().map(|&d| self.b[d]).sum();
            let self_admittance = admittance - j.ports as f32;
            let mut total = 2.0 * (arriving + self_admittance * self.b[j.self_loop]) / admittance;
            if i < middle {
                total += input / middle as f32;
            }
            total *= loss;
            for (&out, &inn) in j.outs[..j.ports].iter().zip(ins) {
                self.a[out] = total - self.b[inn];
            }
            self.a[j.self_loop] = total - self.b[j.self_loop];
            if i == 0 {
                heard = total;
            }
        }
        for d in 0..DELAYS {
            if Mesh::LAYOUT.inverts[d] {
                self.b[d] = (self.c[d] - self.a[d]) * 0.5;
                self.c[d] = -self.a[d];
            } else {
                self.b[d] = self.a[d];
            }
        }
        heard
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hexagon_is_the_plugins() {
        assert_eq!(JUNCTIONS, 19);
        assert_eq!(
            EDGES, 12,
            "all but the centre and its six neighbours are on the rim"
        );
        assert_eq!(LINKS, 42);
        let centre = Mesh::LAYOUT.junctions[0];
        assert_eq!(centre.ports, 6);
        for j in &Mesh::LAYOUT.junctions {
            assert!(j.ports == 6 || j.ports == 4 || j.ports == 5, "{}", j.ports);
        }
    }

    /// `MembraneHexagon.ar(Decay.ar(Impulse.ar(0, 0, 1), 0.01), 0.05 × 261.63 / 400,
    /// 1 − 0.01 / 261.63)` (`superhex`'s skin at middle C) on scsynth at 48 kHz: peak 13.24, RMS
    /// 5.267 over its first 0.1 s, 2.278 to 0.5 s and 0.394 to 1 s, and a pitch of 283 Hz.
    #[test]
    fn the_skin_sounds_as_the_plugins() {
        let sr = 48_000usize;
        let freq = 261.6256f32;
        let mut memory = vec![0.0; Membrane::MEMORY];
        let mut skin = Membrane::over(&mut memory);
        let fall = (0.001f32.ln() / (0.01 * sr as f32)).exp();
        // SuperCollider's constructors run `Decay` and the mesh once on the impulse before the
        // first block, which then strikes again.
        skin.next(1.0, 0.05 * freq / 400.0, 1.0 - 0.01 / freq);
        let mut decay = 1.0;
        let out: Vec<f32> = (0..sr)
            .map(|i| {
                decay = decay * fall + if i == 0 { 1.0 } else { 0.0 };
                skin.next(decay, 0.05 * freq / 400.0, 1.0 - 0.01 / freq)
            })
            .collect();
        let peak = out.iter().fold(0.0f32, |m, x| m.max(x.abs()));
        assert!((peak / 13.244 - 1.0).abs() < 0.01, "peak {peak}");
        let rms = |s: &[f32]| (s.iter().map(|x| x * x).sum::<f32>() / s.len() as f32).sqrt();
        for ((from, to), want) in [(0, sr / 10), (sr / 10, sr / 2), (sr / 2, sr)]
            .into_iter()
            .zip([5.267, 2.278, 0.394])
        {
            let got = rms(&out[from..to]);
            let db = 20.0 * (got / want).log10();
            assert!(db.abs() < 0.5, "{from}–{to}: {got} against {want}");
        }
        let pitch = crate::measure::strongest(&out[sr / 10..sr / 2], 50.0, 2_000.0);
        assert!((pitch / 283.0 - 1.0).abs() < 0.02, "pitch {pitch}");
    }
}
