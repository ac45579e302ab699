//! When a scheduled job runs next: every fixed period, or daily at a time of day (UTC). Pure
//! arithmetic over the clock reading it is given, so it is tested without waiting.

use chrono::{DateTime, Duration as Span, NaiveTime, Utc};
use std::time::Duration;

/// How often a job runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schedule {
    /// One period after the start, then one period after each run ends.
    Every(Duration),
    /// Every day at this time (UTC).
    DailyAt(NaiveTime),
}

impl Schedule {
    /// How long to wait, from `now`, before the next run.
    pub fn wait_from(&self, now: DateTime<Utc>) -> Duration {
        match *self {
            Schedule::Every(period) => period,
            Schedule::DailyAt(time) => {
                let today = now.date_naive().and_time(time).and_utc();
                let next = if today > now {
                    today
                } else {
                    today + Span::days(1)
                };
                (next - now).to_std().unwrap_or_default()
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, h, m, s).unwrap()
    }

    #[test]
    fn every_waits_one_period() {
        let every = Schedule::Every(Duration::from_secs(600));
        assert_eq!(every.wait_from(at(12, 0, 0)), Duration::from_secs(600));
    }

    #[test]
    fn daily_runs_later_today_or_tomorrow() {
        let daily = Schedule::DailyAt(NaiveTime::from_hms_opt(3, 30, 0).unwrap());
        // Before the time: later today.
        assert_eq!(daily.wait_from(at(3, 0, 0)), Duration::from_secs(30 * 60));
        // Exactly at it or after: tomorrow.
        assert_eq!(
            daily.wait_from(at(3, 30, 0)),
            Duration::from_secs(24 * 3600)
        );
        assert_eq!(
            daily.wait_from(at(23, 30, 0)),
            Duration::from_secs(4 * 3600)
        );
    }
}
