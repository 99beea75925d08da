//! The sandbox's time: a test clock that moves only when told, or the wall clock.
//!
//! The core never reads a clock (`docs/spec.md §2`); every command gets `now` from here.
//! The value is persisted by the scheduler so a restart resumes where it was, never earlier.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use paystate::Timestamp;

/// The current time in milliseconds since the Unix epoch, from the operating system.
pub fn wall_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_millis()).ok())
        .unwrap_or(0)
}

/// The clock the sandbox runs on.
#[derive(Debug)]
pub struct Clock {
    realtime: bool,
    /// The latest time handed out or set: time never runs backwards.
    millis: AtomicI64,
}

impl Clock {
    /// A clock starting at `start_ms`; `realtime` follows the wall clock from there.
    pub fn new(start_ms: i64, realtime: bool) -> Clock {
        Clock {
            realtime,
            millis: AtomicI64::new(start_ms),
        }
    }

    /// Whether it follows the wall clock.
    pub fn is_realtime(&self) -> bool {
        self.realtime
    }

    /// The current time in milliseconds.
    pub fn now_ms(&self) -> i64 {
        if self.realtime {
            let wall = wall_millis();
            self.millis.fetch_max(wall, Ordering::SeqCst).max(wall)
        } else {
            self.millis.load(Ordering::SeqCst)
        }
    }

    /// The current time.
    pub fn now(&self) -> Timestamp {
        to_timestamp(self.now_ms())
    }

    /// Moves the clock forward to `ms` (never backwards).
    pub fn advance_to(&self, ms: i64) {
        self.millis.fetch_max(ms, Ordering::SeqCst);
    }
}

/// A stored millisecond count as a core timestamp (out-of-range values clamp to the epoch,
/// which only a corrupted database could hold).
pub fn to_timestamp(ms: i64) -> Timestamp {
    Timestamp::from_millis(ms, "clock").unwrap_or_default()
}
