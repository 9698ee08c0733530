//! Where threads run: the CPUs this process may use, which CPU each worker gets, pinning the
//! calling thread, and reading a thread's CPU set and scheduling policy back for a log line.
//!
//! Worker 0 is the caller of [`Pool::run`](crate::Pool::run) (JACK's process thread in
//! `phonon live`), which runs at a higher real-time priority than the helpers. A helper pinned
//! to worker 0's CPU can run only while worker 0 is not running, so it adds nothing to a block;
//! [`plan`] therefore keeps worker 0's CPU free of helpers while there are CPUs to spare.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// The CPUs the process may run on, in ascending order: its main thread's affinity mask (which
/// `taskset` and cpusets narrow), not the calling thread's, which may have pinned itself
/// already; empty if the kernel would not say.
pub fn allowed_cpus() -> Vec<usize> {
    // SAFETY: `set` is a plain bit set the kernel fills; size and pointer describe it.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        let size = std::mem::size_of::<libc::cpu_set_t>();
        if libc::sched_getaffinity(libc::getpid(), size, &mut set) != 0
            && libc::sched_getaffinity(0, size, &mut set) != 0
        {
            return Vec::new();
        }
        cpus_of(&set)
    }
}

/// The CPU for each worker: worker 0 gets the first allowed CPU and the helpers the others in
/// turn, never worker 0's while there is another: a helper sharing the caller's CPU at a lower
/// real-time priority cannot run while the caller waits for it. With one CPU all share it.
pub fn plan(workers: usize, cpus: &[usize]) -> Vec<Option<usize>> {
    (0..workers)
        .map(|worker| match cpus.len() {
            0 => None,
            1 => Some(cpus[0]),
            _ if worker == 0 => Some(cpus[0]),
            n => Some(cpus[1 + (worker - 1) % (n - 1)]),
        })
        .collect()
}

/// A CPU list as `taskset -c` and `--cpus` write it (`1`, `0,2`, `2-3`, `0,2-3`), checked
/// against the CPUs this process may use; the error says which it may.
pub fn parse_cpu_list(text: &str, allowed: &[usize]) -> Result<Vec<usize>, String> {
    let mut cpus = Vec::new();
    for part in text.split(',').map(str::trim) {
        let number = |s: &str| {
            s.trim()
                .parse::<usize>()
                .map_err(|_| format!("`{text}` is not a CPU list such as `1`, `0,2` or `2-3`"))
        };
        let (first, last) = match part.split_once('-') {
            Some((a, b)) => (number(a)?, number(b)?),
            None => (number(part)?, number(part)?),
        };
        if last < first {
            return Err(format!("`{part}` runs backwards; write `{last}-{first}`"));
        }
        for cpu in first..=last {
            if !allowed.is_empty() && !allowed.contains(&cpu) {
                return Err(format!(
                    "CPU {cpu} is not one this process may use ({})",
                    match allowed {
                        [] => "none known".to_string(),
                        _ => format!(
                            "it may use {}",
                            allowed
                                .iter()
                                .map(usize::to_string)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    }
                ));
            }
            if !cpus.contains(&cpu) {
                cpus.push(cpu);
            }
        }
    }
    Ok(cpus)
}

/// `cpus` with those in `busy` moved to the end (each group in its order): [`plan`] then gives
/// worker 0 and the helpers CPUs no other real-time thread is pinned to, while there are any.
pub fn free_first(cpus: &[usize], busy: &[usize]) -> Vec<usize> {
    let (mut free, taken): (Vec<usize>, Vec<usize>) =
        cpus.iter().partition(|cpu| !busy.contains(cpu));
    free.extend(taken);
    free
}

/// A real-time thread of another process, pinned to one CPU: another audio engine's worker, most
/// likely, which a helper pinned there would compete with at the same priority.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PinnedThread {
    /// Its process.
    pub pid: u32,
    /// Its name (`comm`).
    pub name: String,
    /// The one CPU it may run on.
    pub cpu: usize,
}

/// The real-time threads of other user processes that are pinned to one CPU (kernel threads,
/// pinned to every CPU by design, are left out). Read from `/proc`, once, at start-up.
pub fn pinned_real_time_threads() -> Vec<PinnedThread> {
    let me = std::process::id();
    let mut found = Vec::new();
    for (pid, process) in numbered_entries(Path::new("/proc")) {
        // Kernel threads have no command line.
        let user = std::fs::read(process.join("cmdline")).is_ok_and(|c| !c.is_empty());
        if pid == me || !user {
            continue;
        }
        for (tid, task) in numbered_entries(&process.join("task")) {
            let Ok(placement) = placement_of(tid as i32) else {
                continue;
            };
            if let ([cpu], Policy::Fifo(_) | Policy::RoundRobin(_)) =
                (placement.cpus.as_slice(), placement.policy)
            {
                let name = std::fs::read_to_string(task.join("comm")).unwrap_or_default();
                found.push(PinnedThread {
                    pid,
                    name: name.trim().to_string(),
                    cpu: *cpu,
                });
            }
        }
    }
    found
}

/// The entries of `dir` named by a number (processes in `/proc`, a process's tasks), with it.
fn numbered_entries(dir: &Path) -> Vec<(u32, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path())))
        .collect()
}

/// Pins the calling thread to `cpu`.
pub fn pin_current_thread(cpu: usize) -> io::Result<()> {
    // SAFETY: pthread_self names the calling thread, which is alive.
    unsafe { pin_thread(libc::pthread_self(), cpu) }
}

/// Pins a thread of this process to `cpu`, from any thread: JACK creates its process thread
/// itself and tells its handle, so the control thread places it without touching the audio
/// path.
///
/// # Safety
/// `thread` must be a live thread of this process.
pub unsafe fn pin_thread(thread: libc::pthread_t, cpu: usize) -> io::Result<()> {
    if cpu >= libc::CPU_SETSIZE as usize {
        return Err(io::Error::from_raw_os_error(libc::EINVAL));
    }
    let mut set: libc::cpu_set_t = std::mem::zeroed();
    libc::CPU_SET(cpu, &mut set);
    match libc::pthread_setaffinity_np(thread, std::mem::size_of::<libc::cpu_set_t>(), &set) {
        0 => Ok(()),
        code => Err(io::Error::from_raw_os_error(code)),
    }
}

/// Reads where a thread of this process may run and how it is scheduled, by its handle.
///
/// # Safety
/// `thread` must be a live thread of this process.
pub unsafe fn placement_of_thread(thread: libc::pthread_t) -> io::Result<ThreadPlacement> {
    let mut set: libc::cpu_set_t = std::mem::zeroed();
    let code =
        libc::pthread_getaffinity_np(thread, std::mem::size_of::<libc::cpu_set_t>(), &mut set);
    if code != 0 {
        return Err(io::Error::from_raw_os_error(code));
    }
    let mut policy = 0;
    let mut param: libc::sched_param = std::mem::zeroed();
    let code = libc::pthread_getschedparam(thread, &mut policy, &mut param);
    if code != 0 {
        return Err(io::Error::from_raw_os_error(code));
    }
    Ok(ThreadPlacement {
        cpus: cpus_of(&set),
        policy: Policy::from_raw(policy, param.sched_priority),
    })
}

fn cpus_of(set: &libc::cpu_set_t) -> Vec<usize> {
    (0..libc::CPU_SETSIZE as usize)
        // SAFETY: `cpu` is below CPU_SETSIZE, the set's size.
        .filter(|&cpu| unsafe { libc::CPU_ISSET(cpu, set) })
        .collect()
}

/// The kernel's id of the calling thread.
pub fn current_thread_id() -> i32 {
    // SAFETY: gettid has no arguments and cannot fail.
    unsafe { libc::gettid() }
}

/// How the kernel schedules a thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Real time, first in first out, at a priority.
    Fifo(i32),
    /// Real time, round robin, at a priority.
    RoundRobin(i32),
    /// Ordinary time sharing.
    Other,
}

impl Policy {
    fn from_raw(policy: i32, priority: i32) -> Policy {
        match policy & !libc::SCHED_RESET_ON_FORK {
            libc::SCHED_FIFO => Policy::Fifo(priority),
            libc::SCHED_RR => Policy::RoundRobin(priority),
            _ => Policy::Other,
        }
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Policy::Fifo(p) => write!(f, "SCHED_FIFO {p}"),
            Policy::RoundRobin(p) => write!(f, "SCHED_RR {p}"),
            Policy::Other => f.write_str("SCHED_OTHER"),
        }
    }
}

/// A thread's placement as the kernel sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadPlacement {
    /// The CPUs it may run on.
    pub cpus: Vec<usize>,
    /// Its scheduling policy.
    pub policy: Policy,
}

impl fmt::Display for ThreadPlacement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.cpus.as_slice() {
            [cpu] => write!(f, "CPU {cpu}")?,
            cpus => {
                let list: Vec<String> = cpus.iter().map(usize::to_string).collect();
                write!(f, "CPUs {}", list.join(","))?
            }
        }
        write!(f, ", {}", self.policy)
    }
}

/// Reads where thread `tid` of this process may run and how it is scheduled.
pub fn placement_of(tid: i32) -> io::Result<ThreadPlacement> {
    // SAFETY: the kernel fills `set` and `param`; sizes and pointers describe them. A thread id
    // that has gone is reported as an error, not undefined behaviour.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(tid, std::mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
            return Err(io::Error::last_os_error());
        }
        let cpus = cpus_of(&set);
        let policy = libc::sched_getscheduler(tid);
        if policy < 0 {
            return Err(io::Error::last_os_error());
        }
        let mut param: libc::sched_param = std::mem::zeroed();
        if libc::sched_getparam(tid, &mut param) != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(ThreadPlacement {
            cpus,
            policy: Policy::from_raw(policy, param.sched_priority),
        })
    }
}

/// Lets timed sleeps of the calling thread end on time: a thread that is not real-time gets
/// 50 µs of timer slack by default, more than a short audio period can spare.
pub fn tighten_timer_slack() {
    // SAFETY: PR_SET_TIMERSLACK takes one integer argument and only affects this thread.
    unsafe {
        libc::prctl(libc::PR_SET_TIMERSLACK, 1 as libc::c_ulong, 0, 0, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_lists_read_as_taskset_writes_them_and_only_allowed_cpus_pass() {
        let allowed = [0, 1, 2, 3];
        assert_eq!(parse_cpu_list("1", &allowed), Ok(vec![1]));
        assert_eq!(parse_cpu_list("0,2-3", &allowed), Ok(vec![0, 2, 3]));
        assert_eq!(parse_cpu_list(" 3 , 1 ,3", &allowed), Ok(vec![3, 1]));
        assert_eq!(
            parse_cpu_list("7", &allowed),
            Err("CPU 7 is not one this process may use (it may use 0, 1, 2, 3)".into())
        );
        assert!(parse_cpu_list("3-1", &allowed)
            .unwrap_err()
            .contains("backwards"));
        assert!(parse_cpu_list("x", &allowed)
            .unwrap_err()
            .contains("is not a CPU list"));
        assert_eq!(
            parse_cpu_list("5", &[]),
            Ok(vec![5]),
            "unknown: not checked"
        );
    }

    #[test]
    fn worker_0_keeps_its_cpu_while_there_are_cpus_to_spare() {
        assert_eq!(plan(2, &[0, 1]), vec![Some(0), Some(1)]);
        assert_eq!(plan(3, &[2, 5, 7]), vec![Some(2), Some(5), Some(7)]);
        // More workers than CPUs: the extra helpers share the other CPUs, never worker 0's.
        assert_eq!(plan(3, &[0, 1]), vec![Some(0), Some(1), Some(1)]);
        assert_eq!(
            plan(4, &[3, 4, 5]),
            vec![Some(3), Some(4), Some(5), Some(4)]
        );
        assert_eq!(plan(2, &[6]), vec![Some(6), Some(6)]);
        assert_eq!(plan(2, &[]), vec![None, None]);
    }

    #[test]
    fn cpus_other_real_time_threads_are_pinned_to_come_last() {
        assert_eq!(free_first(&[0, 1, 2, 3], &[0, 1]), vec![2, 3, 0, 1]);
        assert_eq!(
            plan(2, &free_first(&[0, 1, 2, 3], &[0, 1])),
            vec![Some(2), Some(3)]
        );
        assert_eq!(free_first(&[0, 1], &[0, 1]), vec![0, 1]);
        assert_eq!(free_first(&[4, 7], &[]), vec![4, 7]);
    }

    #[test]
    fn a_pinned_real_time_thread_of_another_process_is_found() {
        use std::process::{Command, Stdio};
        let cpu = *allowed_cpus().last().unwrap();
        // Another process: a shell made real-time (FIFO 1) and pinned, where this user may.
        let mut child = match Command::new("chrt")
            .args(["-f", "1", "taskset", "-c", &cpu.to_string(), "sleep", "5"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
        {
            Ok(child) => child,
            Err(e) => {
                eprintln!("skipped: cannot run chrt and taskset (util-linux): {e}");
                return;
            }
        };
        std::thread::sleep(std::time::Duration::from_millis(200));
        let running = child.try_wait().unwrap().is_none();
        let found = pinned_real_time_threads();
        let _ = child.kill();
        let _ = child.wait();
        if !running {
            eprintln!("skipped: no real-time scheduling for this user");
            return;
        }
        assert!(
            found
                .iter()
                .any(|t| t.pid == child.id() && t.cpu == cpu && t.name == "sleep"),
            "{found:?}"
        );
        assert!(found.iter().all(|t| t.pid != std::process::id()));
    }

    #[test]
    fn this_thread_can_be_pinned_and_read_back() {
        let cpus = allowed_cpus();
        assert!(!cpus.is_empty(), "no allowed CPU");
        let last = *cpus.last().unwrap();
        std::thread::spawn(move || {
            pin_current_thread(last).unwrap();
            let placement = placement_of(current_thread_id()).unwrap();
            assert_eq!(placement.cpus, vec![last]);
            // SAFETY: this thread is alive.
            let by_handle = unsafe { placement_of_thread(libc::pthread_self()) }.unwrap();
            assert_eq!(by_handle, placement);
            assert!(placement.to_string().starts_with(&format!("CPU {last}, ")));
        })
        .join()
        .unwrap();
        assert!(pin_current_thread(libc::CPU_SETSIZE as usize).is_err());
    }
}
