//! Model checks of the fixed-capacity work-stealing deque on its own.
#![cfg(loom)]

use loom_tests::model;
use scheduler::deque::{self, Steal, Task};
use scheduler::sync::{thread, Arc, AtomicUsize, Ordering};

fn task(i: u32) -> Task {
    Task {
        stage: 0,
        lo: i,
        hi: i + 1,
    }
}

/// The owner pushes and pops while a thief steals: every task is taken exactly once.
#[test]
fn owner_and_thief_take_each_task_once() {
    model(|| {
        let (local, stealer) = deque::new();
        let taken: Arc<Vec<AtomicUsize>> = Arc::new((0..3).map(|_| AtomicUsize::new(0)).collect());
        local.push(task(0)).unwrap();
        local.push(task(1)).unwrap();
        let thief = {
            let taken = taken.clone();
            thread::spawn(move || {
                for _ in 0..2 {
                    if let Steal::Success(t) = stealer.steal() {
                        taken[t.lo as usize].fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        };
        local.push(task(2)).unwrap();
        while let Some(t) = local.pop() {
            taken[t.lo as usize].fetch_add(1, Ordering::Relaxed);
        }
        thief.join().unwrap();
        for (i, count) in taken.iter().enumerate() {
            assert_eq!(count.load(Ordering::Relaxed), 1, "task {i}");
        }
    });
}

/// Two thieves race the owner for the last task: exactly one wins it.
#[test]
fn the_last_task_goes_to_exactly_one_taker() {
    model(|| {
        let (local, stealer) = deque::new();
        let taken = Arc::new(AtomicUsize::new(0));
        local.push(task(7)).unwrap();
        let thieves: Vec<_> = (0..2)
            .map(|_| {
                let (stealer, taken) = (stealer.clone(), taken.clone());
                thread::spawn(move || {
                    if let Steal::Success(t) = stealer.steal() {
                        assert_eq!(t, task(7));
                        taken.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        if let Some(t) = local.pop() {
            assert_eq!(t, task(7));
            taken.fetch_add(1, Ordering::Relaxed);
        }
        for thief in thieves {
            thief.join().unwrap();
        }
        assert_eq!(taken.load(Ordering::Relaxed), 1);
    });
}
