//! Every process the twin starts, and the promise to stop it: each child
//! leads its own process group, is registered here, and is killed with its
//! group when its guard drops — on success, on error, on panic (unwinding)
//! and on Ctrl-C (the handler kills whatever is still registered).

use std::collections::BTreeSet;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

static LIVE: Mutex<BTreeSet<i32>> = Mutex::new(BTreeSet::new());
/// Set once Ctrl-C has cleared `LIVE`: nothing may start after that.
static STOPPING: AtomicBool = AtomicBool::new(false);

/// Installs the Ctrl-C (and SIGTERM) handler once: kill every live group, then exit 130.
pub fn install_interrupt_handler() -> Result<(), String> {
    ctrlc::set_handler(|| {
        eprintln!("\ntwin: interrupted; stopping every process it started");
        kill_all();
        std::process::exit(130);
    })
    .map_err(|e| format!("could not install the Ctrl-C handler: {e}"))
}

pub fn kill_all() {
    STOPPING.store(true, Ordering::SeqCst);
    let groups: Vec<i32> = LIVE.lock().map(|mut l| std::mem::take(&mut *l).into_iter().collect()).unwrap_or_default();
    for pgid in groups {
        // SAFETY: kill(2) with a negative pid signals that process group; no memory is touched.
        unsafe { libc::kill(-pgid, libc::SIGKILL) };
    }
}

/// A running child in its own process group, stopped on drop.
pub struct Proc {
    child: Child,
}

impl Proc {
    /// Starts `cmd` in a new process group, its output appended to `log`.
    pub fn spawn(name: &str, mut cmd: Command, log: &std::path::Path) -> Result<Proc, String> {
        use std::os::unix::process::CommandExt;
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .map_err(|e| format!("{}: {e}", log.display()))?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        cmd.process_group(0).stdin(Stdio::null()).stdout(out).stderr(err);
        // Registering under the lock the handler takes means a Ctrl-C either
        // sees this child or comes before it exists.
        let mut live = LIVE.lock().map_err(|_| "process registry poisoned")?;
        if STOPPING.load(Ordering::SeqCst) {
            return Err(format!("not starting {name}: the twin is stopping"));
        }
        let child = cmd.spawn().map_err(|e| format!("could not start {name}: {e}"))?;
        live.insert(child.id() as i32);
        Ok(Proc { child })
    }

    /// Whether it is still running (it may have exited on its own).
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Sends `signal` to the group and waits (at most `grace`) for the
    /// leader to exit, then kills the group outright.
    pub fn stop(mut self, signal: i32, grace: Duration) {
        self.stop_inner(signal, grace);
    }

    fn stop_inner(&mut self, signal: i32, grace: Duration) {
        let pgid = self.child.id() as i32;
        // SAFETY: as in kill_all.
        unsafe { libc::kill(-pgid, signal) };
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline && self.running() {
            std::thread::sleep(Duration::from_millis(5));
        }
        // SAFETY: as above; the group may already be gone (ESRCH is fine).
        unsafe { libc::kill(-pgid, libc::SIGKILL) };
        let _ = self.child.wait();
        if let Ok(mut live) = LIVE.lock() {
            live.remove(&pgid);
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if LIVE.lock().is_ok_and(|l| l.contains(&(self.child.id() as i32))) {
            self.stop_inner(libc::SIGKILL, Duration::from_millis(500));
        }
    }
}
