//! Throttling of failed attempts (log-ins): failures counted per key within a window, a lockout
//! that doubles with each further one, and attempts in flight counted against what is left.
//! Pure bookkeeping over one key's `Entry` at the wall-clock instants it is given: the entries
//! are stored in the database (`db::throttles`), so that every process sharing it counts the
//! same failures (`actions::login`).

use chrono::{Duration, NaiveDateTime};

/// How many failures a key may have, and what follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// The failure that makes `limit` within `window` locks the key.
    pub limit: u32,
    pub window: Duration,
    /// The first lockout; each further one doubles, up to `max_lockout`.
    pub lockout: Duration,
    /// Also how long a key's past lockouts are remembered after its last failure.
    pub max_lockout: Duration,
}

/// How long an attempt counts as in flight: longer than one takes (the wait for a hash and the
/// hash itself), so the attempts of a process that died stop counting soon after.
pub const IN_FLIGHT_LEASE: Duration = Duration::seconds(30);

impl Policy {
    /// The length of the `n`th lockout (1-based).
    pub fn lockout(&self, n: u32) -> Duration {
        let doublings = n.saturating_sub(1).min(30);
        let length = self
            .lockout
            .checked_mul(1i32 << doublings)
            .unwrap_or(self.max_lockout);
        length.min(self.max_lockout)
    }
}

/// One key's state (a `login_throttles` row).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entry {
    /// Failures in the current window, which began at `window_start`.
    pub failures: u32,
    pub window_start: Option<NaiveDateTime>,
    /// Attempts begun and not yet ended, until `in_flight_until`.
    pub in_flight: u32,
    pub in_flight_until: Option<NaiveDateTime>,
    /// Lockouts so far; the next one is longer.
    pub lockouts: u32,
    pub locked_until: Option<NaiveDateTime>,
    pub last_failure: Option<NaiveDateTime>,
}

impl Entry {
    /// Forgets a window, a lockout or attempts in flight that are over.
    fn refresh(&mut self, policy: &Policy, now: NaiveDateTime) {
        if self
            .window_start
            .is_some_and(|start| now >= start + policy.window)
        {
            self.failures = 0;
            self.window_start = None;
        }
        if self.locked_until.is_some_and(|until| now >= until) {
            self.locked_until = None;
        }
        if self.in_flight_until.is_none_or(|until| now >= until) {
            self.in_flight = 0;
            self.in_flight_until = None;
        }
    }

    /// How long to wait while the key is locked out.
    pub fn locked(&self, now: NaiveDateTime) -> Option<Duration> {
        self.locked_until
            .filter(|until| now < *until)
            .map(|until| until - now)
    }

    /// Begins an attempt, or says how long to wait: while the key is locked out, or while the
    /// attempts in flight could use up what is left of its budget (then 1 s).
    pub fn begin(&mut self, policy: &Policy, now: NaiveDateTime) -> Result<(), Duration> {
        self.refresh(policy, now);
        if let Some(wait) = self.locked(now) {
            return Err(wait);
        }
        if self.failures + self.in_flight >= policy.limit {
            return Err(Duration::seconds(1));
        }
        self.in_flight += 1;
        self.in_flight_until = Some(now + IN_FLIGHT_LEASE);
        Ok(())
    }

    /// Ends an attempt that failed: counts it, and locks the key on reaching the limit.
    pub fn failed(&mut self, policy: &Policy, now: NaiveDateTime) {
        self.in_flight = self.in_flight.saturating_sub(1);
        self.refresh(policy, now);
        self.window_start.get_or_insert(now);
        self.failures += 1;
        self.last_failure = Some(now);
        if self.failures >= policy.limit {
            self.lockouts = self.lockouts.saturating_add(1);
            self.locked_until = Some(now + policy.lockout(self.lockouts));
            self.failures = 0;
            self.window_start = None;
        }
    }

    /// Ends an attempt that succeeded: the key's failures and lockouts are forgotten.
    pub fn succeeded(&mut self) {
        *self = Entry {
            in_flight: self.in_flight.saturating_sub(1),
            in_flight_until: self.in_flight_until,
            ..Entry::default()
        };
    }

    /// Ends an attempt that neither failed nor succeeded (an error, or a success that must not
    /// clear this key).
    pub fn released(&mut self) {
        self.in_flight = self.in_flight.saturating_sub(1);
    }

    /// When nothing of the entry matters any more (it may then be deleted).
    pub fn forget_after(&self, policy: &Policy) -> NaiveDateTime {
        [
            self.window_start.map(|start| start + policy.window),
            self.locked_until,
            self.in_flight_until.filter(|_| self.in_flight > 0),
            self.last_failure
                .filter(|_| self.lockouts > 0)
                .map(|last| last + policy.max_lockout),
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(NaiveDateTime::MIN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy {
            limit: 3,
            window: Duration::seconds(60),
            lockout: Duration::seconds(10),
            max_lockout: Duration::seconds(35),
        }
    }

    fn start() -> NaiveDateTime {
        chrono::Utc::now().naive_utc()
    }

    fn fail(e: &mut Entry, now: NaiveDateTime) -> Result<(), Duration> {
        e.begin(&policy(), now)?;
        e.failed(&policy(), now);
        Ok(())
    }

    #[test]
    fn the_limit_locks_the_key() {
        let (mut a, now) = (Entry::default(), start());
        for _ in 0..3 {
            assert!(fail(&mut a, now).is_ok());
        }
        assert_eq!(a.begin(&policy(), now), Err(Duration::seconds(10)));
        assert_eq!(a.locked(now), Some(Duration::seconds(10)));
        let later = now + Duration::seconds(10);
        assert!(a.begin(&policy(), later).is_ok(), "the lockout ends");
    }

    #[test]
    fn lockouts_double_up_to_the_maximum() {
        let p = policy();
        assert_eq!(p.lockout(1), Duration::seconds(10));
        assert_eq!(p.lockout(2), Duration::seconds(20));
        assert_eq!(p.lockout(3), Duration::seconds(35));
        assert_eq!(p.lockout(200), Duration::seconds(35));
        let (mut a, mut now) = (Entry::default(), start());
        for _ in 0..3 {
            let _ = fail(&mut a, now);
        }
        now += Duration::seconds(10);
        for _ in 0..3 {
            let _ = fail(&mut a, now);
        }
        assert_eq!(a.begin(&p, now), Err(Duration::seconds(20)));
    }

    #[test]
    fn failures_outside_the_window_are_forgotten() {
        let (mut a, now) = (Entry::default(), start());
        let _ = fail(&mut a, now);
        let _ = fail(&mut a, now);
        let later = now + Duration::seconds(61);
        let _ = fail(&mut a, later);
        assert!(a.begin(&policy(), later).is_ok());
    }

    #[test]
    fn a_success_clears_the_key_but_attempts_in_flight_count() {
        let (mut a, now) = (Entry::default(), start());
        let _ = fail(&mut a, now);
        let _ = fail(&mut a, now);
        assert!(a.begin(&policy(), now).is_ok());
        assert_eq!(
            a.begin(&policy(), now),
            Err(Duration::seconds(1)),
            "two failures and one in flight use the budget of three"
        );
        a.succeeded();
        for _ in 0..2 {
            assert!(fail(&mut a, now).is_ok());
        }
        assert!(a.begin(&policy(), now).is_ok());
        a.released();
        assert_eq!(a.in_flight, 0);
    }

    #[test]
    fn attempts_in_flight_of_a_process_that_died_run_out() {
        let (mut a, now) = (Entry::default(), start());
        for _ in 0..3 {
            assert!(a.begin(&policy(), now).is_ok());
        }
        assert!(a.begin(&policy(), now).is_err(), "three in flight");
        let later = now + IN_FLIGHT_LEASE;
        assert!(a.begin(&policy(), later).is_ok(), "never ended: forgotten");
    }

    #[test]
    fn an_entry_is_forgotten_once_nothing_of_it_matters() {
        let (mut a, now) = (Entry::default(), start());
        assert!(a.forget_after(&policy()) < now, "empty");
        let _ = fail(&mut a, now);
        assert_eq!(a.forget_after(&policy()), now + Duration::seconds(60));
        for _ in 0..2 {
            let _ = fail(&mut a, now);
        }
        assert_eq!(
            a.forget_after(&policy()),
            now + Duration::seconds(35),
            "a lockout is remembered for the longest one"
        );
    }
}
