//! Throttling of failed attempts (log-ins): failures counted per key within a window, a lockout
//! that doubles with each further one, and attempts in flight counted against what is left.
//! Pure bookkeeping over the instants it is given; the caller keeps one `Throttle` per kind of
//! key (account, address) behind a lock in its context.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

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

impl Policy {
    /// The length of the `n`th lockout (1-based).
    pub fn lockout(&self, n: u32) -> Duration {
        let doublings = n.saturating_sub(1).min(30);
        self.lockout
            .saturating_mul(1u32 << doublings)
            .min(self.max_lockout)
    }
}

#[derive(Debug, Default)]
struct Entry {
    /// Failures in the current window, which began at `window_start`.
    failures: u32,
    window_start: Option<Instant>,
    /// Attempts begun and not yet ended.
    in_flight: u32,
    /// Lockouts so far; the next one is longer.
    lockouts: u32,
    locked_until: Option<Instant>,
    last_failure: Option<Instant>,
}

impl Entry {
    /// Forgets a window or a lockout that is over.
    fn refresh(&mut self, policy: &Policy, now: Instant) {
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
    }

    /// Nothing left worth keeping.
    fn is_idle(&self, policy: &Policy, now: Instant) -> bool {
        self.in_flight == 0
            && self.locked_until.is_none_or(|until| now >= until)
            && self
                .window_start
                .is_none_or(|start| now >= start + policy.window)
            && (self.lockouts == 0
                || self
                    .last_failure
                    .is_none_or(|last| now >= last + policy.max_lockout))
    }
}

/// Failures per key under one policy. Keys should be short (the caller bounds them).
#[derive(Debug)]
pub struct Throttle {
    policy: Policy,
    entries: HashMap<String, Entry>,
    /// Above this many keys, idle ones are dropped, then keys neither locked nor in flight.
    capacity: usize,
}

impl Throttle {
    pub fn new(policy: Policy, capacity: usize) -> Self {
        Throttle {
            policy,
            entries: HashMap::new(),
            capacity: capacity.max(1),
        }
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Begins an attempt for `key`, or says how long to wait: while the key is locked out, or
    /// while the attempts in flight could use up what is left of its budget (then 1 s).
    pub fn begin(&mut self, key: &str, now: Instant) -> Result<(), Duration> {
        if !self.entries.contains_key(key) && self.entries.len() >= self.capacity {
            self.make_room(now);
        }
        let policy = self.policy;
        let entry = self.entries.entry(key.to_string()).or_default();
        entry.refresh(&policy, now);
        if let Some(until) = entry.locked_until {
            return Err(until - now);
        }
        if entry.failures + entry.in_flight >= policy.limit {
            return Err(Duration::from_secs(1));
        }
        entry.in_flight += 1;
        Ok(())
    }

    /// Ends an attempt that failed: counts it, and locks the key on reaching the limit.
    pub fn failed(&mut self, key: &str, now: Instant) {
        let policy = self.policy;
        let entry = self.entries.entry(key.to_string()).or_default();
        entry.in_flight = entry.in_flight.saturating_sub(1);
        entry.refresh(&policy, now);
        entry.window_start.get_or_insert(now);
        entry.failures += 1;
        entry.last_failure = Some(now);
        if entry.failures >= policy.limit {
            entry.lockouts = entry.lockouts.saturating_add(1);
            entry.locked_until = Some(now + policy.lockout(entry.lockouts));
            entry.failures = 0;
            entry.window_start = None;
        }
    }

    /// Ends an attempt that succeeded: the key's failures and lockouts are forgotten.
    pub fn succeeded(&mut self, key: &str) {
        if let Some(entry) = self.entries.get_mut(key) {
            let in_flight = entry.in_flight.saturating_sub(1);
            *entry = Entry {
                in_flight,
                ..Entry::default()
            };
        }
    }

    /// Ends an attempt that neither failed nor succeeded (an error, or a success that must not
    /// clear this key).
    pub fn released(&mut self, key: &str) {
        if let Some(entry) = self.entries.get_mut(key) {
            entry.in_flight = entry.in_flight.saturating_sub(1);
        }
    }

    /// Keys held now.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Drops idle keys; if that is not enough, keys neither locked nor in flight (their few
    /// failures are forgotten: only a flood of new keys gets there). Locked keys stay: each cost
    /// `limit` password hashes, so their number grows no faster than hashing allows.
    fn make_room(&mut self, now: Instant) {
        let policy = self.policy;
        self.entries.retain(|_, e| !e.is_idle(&policy, now));
        if self.entries.len() >= self.capacity {
            self.entries
                .retain(|_, e| e.in_flight > 0 || e.locked_until.is_some_and(|until| now < until));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy {
            limit: 3,
            window: Duration::from_secs(60),
            lockout: Duration::from_secs(10),
            max_lockout: Duration::from_secs(35),
        }
    }

    fn fail(t: &mut Throttle, key: &str, now: Instant) -> Result<(), Duration> {
        t.begin(key, now)?;
        t.failed(key, now);
        Ok(())
    }

    #[test]
    fn the_limit_locks_the_key_and_only_that_key() {
        let mut t = Throttle::new(policy(), 100);
        let now = Instant::now();
        for _ in 0..3 {
            assert!(fail(&mut t, "a", now).is_ok());
        }
        assert_eq!(t.begin("a", now), Err(Duration::from_secs(10)));
        assert!(t.begin("b", now).is_ok(), "another key is not affected");
        t.succeeded("b");
        assert_eq!(t.begin("a", now), Err(Duration::from_secs(10)));
        let later = now + Duration::from_secs(10);
        assert!(t.begin("a", later).is_ok(), "the lockout ends");
    }

    #[test]
    fn lockouts_double_up_to_the_maximum() {
        let p = policy();
        assert_eq!(p.lockout(1), Duration::from_secs(10));
        assert_eq!(p.lockout(2), Duration::from_secs(20));
        assert_eq!(p.lockout(3), Duration::from_secs(35));
        assert_eq!(p.lockout(200), Duration::from_secs(35));
        let mut t = Throttle::new(p, 100);
        let mut now = Instant::now();
        for _ in 0..3 {
            let _ = fail(&mut t, "a", now);
        }
        now += Duration::from_secs(10);
        for _ in 0..3 {
            let _ = fail(&mut t, "a", now);
        }
        assert_eq!(t.begin("a", now), Err(Duration::from_secs(20)));
    }

    #[test]
    fn failures_outside_the_window_are_forgotten() {
        let mut t = Throttle::new(policy(), 100);
        let now = Instant::now();
        let _ = fail(&mut t, "a", now);
        let _ = fail(&mut t, "a", now);
        let later = now + Duration::from_secs(61);
        let _ = fail(&mut t, "a", later);
        assert!(t.begin("a", later).is_ok());
    }

    #[test]
    fn a_success_clears_its_key_but_attempts_in_flight_count() {
        let mut t = Throttle::new(policy(), 100);
        let now = Instant::now();
        let _ = fail(&mut t, "a", now);
        let _ = fail(&mut t, "a", now);
        assert!(t.begin("a", now).is_ok());
        assert_eq!(
            t.begin("a", now),
            Err(Duration::from_secs(1)),
            "two failures and one in flight use the budget of three"
        );
        t.succeeded("a");
        for _ in 0..2 {
            assert!(fail(&mut t, "a", now).is_ok());
        }
        assert!(t.begin("a", now).is_ok());
        t.released("a");
    }

    #[test]
    fn a_flood_of_keys_keeps_the_locked_ones() {
        let mut t = Throttle::new(policy(), 10);
        let now = Instant::now();
        for _ in 0..3 {
            let _ = fail(&mut t, "locked", now);
        }
        for i in 0..100 {
            let _ = fail(&mut t, &format!("k{i}"), now);
        }
        assert!(t.len() <= 10);
        assert!(t.begin("locked", now).is_err());
    }
}
