//! `Stages`: the plan of one block — jobs `0..n`, each in exactly one of a sequence of stages.

use crate::sync::{AtomicBool, AtomicU32, Ordering};
use crossbeam_utils::CachePadded;
use std::fmt;

/// The most jobs a plan may hold (positions are packed in 24 bits).
pub const MAX_JOBS: usize = (1 << 24) - 1;
/// The most stages a plan may hold (stage numbers are packed in 16 bits).
pub const MAX_STAGES: usize = (1 << 16) - 1;

/// Why a stage layout was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StagesError {
    /// A stage lists no job.
    EmptyStage {
        /// The stage's index.
        stage: usize,
    },
    /// A job id is not below the number of jobs.
    JobOutOfRange {
        /// The offending id.
        job: usize,
        /// The number of jobs in the plan.
        jobs: usize,
    },
    /// A job appears in more than one place.
    DuplicateJob {
        /// The repeated id.
        job: usize,
    },
    /// More jobs or stages than the plan can encode.
    TooLarge {
        /// Jobs in the layout.
        jobs: usize,
        /// Stages in the layout.
        stages: usize,
    },
}

impl fmt::Display for StagesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StagesError::EmptyStage { stage } => write!(f, "stage {stage} has no jobs"),
            StagesError::JobOutOfRange { job, jobs } => {
                write!(f, "job {job} is out of range: the plan has {jobs} jobs (0..{jobs})")
            }
            StagesError::DuplicateJob { job } => write!(f, "job {job} appears more than once"),
            StagesError::TooLarge { jobs, stages } => write!(
                f,
                "{jobs} jobs in {stages} stages is too large (at most {MAX_JOBS} jobs and {MAX_STAGES} stages)"
            ),
        }
    }
}

impl std::error::Error for StagesError {}

/// Jobs `0..n` grouped into ordered stages, with one completion counter per stage.
///
/// Built off the hot path; [`crate::Pool::run`] only resets the counters.
pub struct Stages {
    /// Job ids, stage after stage.
    order: Box<[u32]>,
    /// `bounds[k]..bounds[k + 1]` are the positions of stage `k` in `order`.
    bounds: Box<[u32]>,
    /// Jobs of each stage not yet finished in the running block.
    pub(crate) remaining: Box<[CachePadded<AtomicU32>]>,
    /// Per position: some worker has taken the job in the running block. Whoever claims a job
    /// runs it, so a range held by a stalled worker can be taken back job by job.
    claimed: Box<[AtomicBool]>,
    widest: usize,
    /// The stage of each job id.
    stage_of: Box<[u32]>,
}

impl Stages {
    /// Builds a plan from explicit stages: every id in `0..total` must appear exactly once.
    pub fn new<S: AsRef<[usize]>>(stages: &[S]) -> Result<Stages, StagesError> {
        let jobs: usize = stages.iter().map(|s| s.as_ref().len()).sum();
        if jobs > MAX_JOBS || stages.len() > MAX_STAGES {
            return Err(StagesError::TooLarge {
                jobs,
                stages: stages.len(),
            });
        }
        let mut seen = vec![false; jobs];
        let mut order = Vec::with_capacity(jobs);
        let mut bounds = Vec::with_capacity(stages.len() + 1);
        bounds.push(0);
        for (stage, ids) in stages.iter().enumerate() {
            let ids = ids.as_ref();
            if ids.is_empty() {
                return Err(StagesError::EmptyStage { stage });
            }
            for &job in ids {
                let slot = seen
                    .get_mut(job)
                    .ok_or(StagesError::JobOutOfRange { job, jobs })?;
                if std::mem::replace(slot, true) {
                    return Err(StagesError::DuplicateJob { job });
                }
                order.push(job as u32);
            }
            bounds.push(order.len() as u32);
        }
        Ok(Self::from_parts(order, bounds))
    }

    /// Builds a plan of consecutively numbered jobs: stage 0 holds jobs `0..widths[0]`, and so on.
    pub fn from_widths(widths: &[usize]) -> Result<Stages, StagesError> {
        let jobs: usize = widths.iter().sum();
        if jobs > MAX_JOBS || widths.len() > MAX_STAGES {
            return Err(StagesError::TooLarge {
                jobs,
                stages: widths.len(),
            });
        }
        if let Some(stage) = widths.iter().position(|&w| w == 0) {
            return Err(StagesError::EmptyStage { stage });
        }
        let mut bounds = Vec::with_capacity(widths.len() + 1);
        bounds.push(0u32);
        let mut end = 0u32;
        for &w in widths {
            end += w as u32;
            bounds.push(end);
        }
        Ok(Self::from_parts((0..end).collect(), bounds))
    }

    fn from_parts(order: Vec<u32>, bounds: Vec<u32>) -> Stages {
        let widest = bounds
            .windows(2)
            .map(|w| (w[1] - w[0]) as usize)
            .max()
            .unwrap_or(0);
        let remaining = bounds
            .windows(2)
            .map(|w| CachePadded::new(AtomicU32::new(w[1] - w[0])))
            .collect();
        let claimed = (0..order.len()).map(|_| AtomicBool::new(false)).collect();
        let mut stage_of = vec![0u32; order.len()];
        for (k, w) in bounds.windows(2).enumerate() {
            for &job in &order[w[0] as usize..w[1] as usize] {
                stage_of[job as usize] = k as u32;
            }
        }
        Stages {
            order: order.into_boxed_slice(),
            bounds: bounds.into_boxed_slice(),
            remaining,
            claimed,
            widest,
            stage_of: stage_of.into_boxed_slice(),
        }
    }

    /// The number of jobs.
    pub fn job_count(&self) -> usize {
        self.order.len()
    }

    /// The number of stages.
    pub fn stage_count(&self) -> usize {
        self.bounds.len() - 1
    }

    /// The job ids of stage `k`.
    pub fn stage(&self, k: usize) -> &[u32] {
        &self.order[self.bounds[k] as usize..self.bounds[k + 1] as usize]
    }

    /// The stage job `job` runs in.
    pub fn stage_of(&self, job: usize) -> usize {
        self.stage_of[job] as usize
    }

    /// The stage of every job id.
    pub(crate) fn stage_table(&self) -> &[u32] {
        &self.stage_of
    }

    /// The number of jobs in the widest stage: the most workers a block can keep busy.
    pub fn widest(&self) -> usize {
        self.widest
    }

    /// The job at `position` in stage-by-stage order.
    #[inline]
    pub(crate) fn job_at(&self, position: u32) -> u32 {
        self.order[position as usize]
    }

    /// The positions `lo..hi` of stage `k`.
    #[inline]
    pub(crate) fn span(&self, k: usize) -> (u32, u32) {
        (self.bounds[k], self.bounds[k + 1])
    }

    /// Takes the job at `position` for the calling worker; false if another worker has.
    #[inline]
    pub(crate) fn claim(&self, position: u32) -> bool {
        // Relaxed: the job's inputs are ordered by the stage counters, not by the claim.
        !self.claimed[position as usize].swap(true, Ordering::Relaxed)
    }

    /// The first stage with jobs left in the running block, if any.
    pub(crate) fn current_stage(&self) -> Option<usize> {
        // Acquire: a stage counter seen at zero makes that stage's writes visible, so the
        // next stage's jobs may run.
        self.remaining
            .iter()
            .position(|c| c.load(Ordering::Acquire) != 0)
    }

    /// Re-arms every stage's counter and every claim for a new block.
    pub(crate) fn rearm(&self) {
        for (k, counter) in self.remaining.iter().enumerate() {
            let (lo, hi) = self.span(k);
            counter.store(hi - lo, Ordering::Relaxed);
        }
        for claim in self.claimed.iter() {
            claim.store(false, Ordering::Relaxed);
        }
    }
}

impl fmt::Debug for Stages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries((0..self.stage_count()).map(|k| self.stage(k)))
            .finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn explicit_stages_keep_their_order() {
        let s = Stages::new(&[vec![2, 0], vec![1], vec![4, 3]]).unwrap();
        assert_eq!(s.job_count(), 5);
        assert_eq!(s.stage_count(), 3);
        assert_eq!(s.stage(0), &[2, 0]);
        assert_eq!(s.stage(2), &[4, 3]);
        assert_eq!(s.widest(), 2);
    }

    #[test]
    fn bad_layouts_are_rejected_with_a_reason() {
        assert_eq!(
            Stages::new(&[vec![0], vec![]]).unwrap_err(),
            StagesError::EmptyStage { stage: 1 }
        );
        assert_eq!(
            Stages::new(&[vec![0, 2]]).unwrap_err(),
            StagesError::JobOutOfRange { job: 2, jobs: 2 }
        );
        assert_eq!(
            Stages::new(&[vec![0], vec![0]]).unwrap_err(),
            StagesError::DuplicateJob { job: 0 }
        );
        assert_eq!(
            Stages::from_widths(&[3, 0]).unwrap_err(),
            StagesError::EmptyStage { stage: 1 }
        );
        assert!(Stages::from_widths(&[MAX_JOBS, 1]).is_err());
        assert_eq!(
            StagesError::JobOutOfRange { job: 2, jobs: 2 }.to_string(),
            "job 2 is out of range: the plan has 2 jobs (0..2)"
        );
    }

    #[test]
    fn widths_number_jobs_consecutively() {
        let s = Stages::from_widths(&[1, 3]).unwrap();
        assert_eq!(s.stage(0), &[0]);
        assert_eq!(s.stage(1), &[1, 2, 3]);
        let empty = Stages::from_widths(&[]).unwrap();
        assert_eq!((empty.job_count(), empty.stage_count()), (0, 0));
    }
}
