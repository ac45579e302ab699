//! Digest rules without I/O: the frequencies (off, daily, weekly, monthly), a member's
//! preferences and their defaults, and when a digest is due: at the member's local hour in
//! their time zone, on every day, every Monday or every first of the month. A period is named
//! by the local date it was due (`2026-12-07`); its content is what happened in the period
//! before that moment.

use super::communities::text_enum;
use crate::error::{Error, Result};
use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// How often a member gets a digest (of all their communities, or of one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Frequency {
    Off,
    Daily,
    Weekly,
    Monthly,
}
text_enum!(Frequency { Off = "off", Daily = "daily", Weekly = "weekly", Monthly = "monthly" });

impl Frequency {
    /// Every frequency that sends something, in the order the settings page lists them.
    pub const SENDING: [Frequency; 3] = [Frequency::Daily, Frequency::Weekly, Frequency::Monthly];

    /// A form or API value, or 400 on `field`.
    pub fn parse_field(field: &str, value: &str) -> Result<Frequency> {
        Frequency::parse(value.trim()).ok_or_else(|| {
            Error::invalid_field(field, "expected one of off, daily, weekly, monthly")
        })
    }

    /// For people: "weekly".
    pub fn label(self) -> &'static str {
        self.as_str()
    }
}

/// The defaults for a member who has chosen nothing.
pub const DEFAULT_FREQUENCY: Frequency = Frequency::Weekly;
pub const DEFAULT_HOUR: u32 = 8;

/// After its local hour, a period's digest is still sent for this long (a job that was down
/// catches up); later, that period is skipped rather than sent at an odd hour.
pub const GRACE: Duration = Duration::hours(6);

/// A member's digest preferences, defaults applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preferences {
    pub frequency: Frequency,
    /// 0 to 23, local.
    pub hour: u32,
    pub timezone: Tz,
    /// Whether the zone is the member's own choice (else the instance's default).
    pub own_timezone: bool,
}

impl Preferences {
    /// The stored row's values (None: no row), over the instance's default zone.
    pub fn of(stored: Option<(&str, i32, Option<&str>)>, default_zone: Tz) -> Preferences {
        let Some((frequency, hour, zone)) = stored else {
            return Preferences {
                frequency: DEFAULT_FREQUENCY,
                hour: DEFAULT_HOUR,
                timezone: default_zone,
                own_timezone: false,
            };
        };
        let own = zone.and_then(|z| z.parse::<Tz>().ok());
        Preferences {
            frequency: Frequency::parse(frequency).unwrap_or(DEFAULT_FREQUENCY),
            hour: u32::try_from(hour)
                .ok()
                .filter(|h| *h < 24)
                .unwrap_or(DEFAULT_HOUR),
            timezone: own.unwrap_or(default_zone),
            own_timezone: own.is_some(),
        }
    }
}

/// Checks a local hour typed in a form or sent to the API.
pub fn parse_hour(value: i64) -> Result<i32> {
    i32::try_from(value)
        .ok()
        .filter(|h| (0..24).contains(h))
        .ok_or_else(|| Error::invalid_field("hour", "expected an hour from 0 to 23"))
}

/// One period's digest: named by the local date it is due, covering `[since, until)` (UTC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub frequency: Frequency,
    /// The local date it is due, `YYYY-MM-DD`: with the member and frequency, its identity.
    pub key: String,
    pub since: NaiveDateTime,
    pub until: NaiveDateTime,
}

/// The local date `d` at `hour` in `tz`, as UTC. A local time skipped by a clock change is
/// taken an hour later; one that happens twice, the first time.
fn at_hour(tz: Tz, d: NaiveDate, hour: u32) -> Option<NaiveDateTime> {
    let local = d.and_hms_opt(hour, 0, 0)?;
    tz.from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(local + Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.naive_utc())
}

/// The latest local date, on or before `d`, on which a `frequency` digest falls.
fn falls_on_or_before(frequency: Frequency, d: NaiveDate) -> Option<NaiveDate> {
    match frequency {
        Frequency::Off => None,
        Frequency::Daily => Some(d),
        Frequency::Weekly => {
            Some(d - Duration::days(i64::from(d.weekday().num_days_from_monday())))
        }
        Frequency::Monthly => d.with_day(1),
    }
}

/// The date of the period before the one falling on `d`.
fn previous(frequency: Frequency, d: NaiveDate) -> Option<NaiveDate> {
    match frequency {
        Frequency::Off => None,
        Frequency::Daily => Some(d - Duration::days(1)),
        Frequency::Weekly => Some(d - Duration::days(7)),
        Frequency::Monthly => d.checked_sub_months(Months::new(1)),
    }
}

/// The period whose digest is due at `now` for a member with `frequency` at local `hour` in
/// `tz`: the latest one whose moment has come, if it came less than [`GRACE`] ago.
pub fn due(frequency: Frequency, hour: u32, tz: Tz, now: DateTime<Utc>) -> Option<Period> {
    let local_today = now.with_timezone(&tz).date_naive();
    // The moment may still be ahead today: then the latest one is an earlier day's.
    for d in [local_today, local_today - Duration::days(1)] {
        let day = falls_on_or_before(frequency, d)?;
        let until = at_hour(tz, day, hour)?;
        if until > now.naive_utc() {
            continue;
        }
        if now.naive_utc() - until >= GRACE {
            return None;
        }
        let since = at_hour(tz, previous(frequency, day)?, hour)?;
        return Some(Period {
            frequency,
            key: day.format("%Y-%m-%d").to_string(),
            since,
            until,
        });
    }
    None
}

/// The week a federated digest covers at `now`: the one ending at the latest Monday 00:00 UTC.
pub fn federated_week(now: DateTime<Utc>) -> Option<Period> {
    let monday = falls_on_or_before(Frequency::Weekly, now.date_naive())?;
    let until = monday.and_hms_opt(0, 0, 0)?;
    Some(Period {
        frequency: Frequency::Weekly,
        key: monday.format("%Y-%m-%d").to_string(),
        since: until - Duration::days(7),
        until,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn weekly_is_due_on_monday_at_the_local_hour() {
        let paris: Tz = "Europe/Paris".parse().unwrap();
        // Monday 2026-12-07, 08:00 in Paris is 07:00 UTC.
        assert_eq!(
            due(Frequency::Weekly, 8, paris, utc(2026, 12, 7, 6, 59)),
            None
        );
        let p = due(Frequency::Weekly, 8, paris, utc(2026, 12, 7, 7, 0)).unwrap();
        assert_eq!(p.key, "2026-12-07");
        assert_eq!(p.until, utc(2026, 12, 7, 7, 0).naive_utc());
        assert_eq!(p.since, utc(2026, 11, 30, 7, 0).naive_utc());
        // Past the grace: skipped, not sent at an odd hour.
        assert_eq!(
            due(Frequency::Weekly, 8, paris, utc(2026, 12, 7, 13, 0)),
            None
        );
        assert_eq!(
            due(Frequency::Weekly, 8, paris, utc(2026, 12, 8, 7, 0)),
            None
        );
    }

    #[test]
    fn daily_crosses_the_date_line() {
        let auckland: Tz = "Pacific/Auckland".parse().unwrap();
        // 07:00 in Auckland on 2026-12-08 (NZDT, +13) is 18:00 UTC on 2026-12-07.
        let p = due(Frequency::Daily, 7, auckland, utc(2026, 12, 7, 18, 30)).unwrap();
        assert_eq!(p.key, "2026-12-08");
        assert_eq!(p.until - p.since, Duration::days(1));
    }

    #[test]
    fn monthly_on_the_first_and_off_never() {
        let p = due(Frequency::Monthly, 0, Tz::UTC, utc(2027, 1, 1, 1, 0)).unwrap();
        assert_eq!(p.key, "2027-01-01");
        assert_eq!(p.since, utc(2026, 12, 1, 0, 0).naive_utc());
        assert_eq!(due(Frequency::Off, 0, Tz::UTC, utc(2027, 1, 1, 1, 0)), None);
    }

    #[test]
    fn a_skipped_local_hour_is_taken_an_hour_later() {
        let ny: Tz = "America/New_York".parse().unwrap();
        // 2027-03-14 02:00 does not exist in New York: the digest goes at 03:00 EDT (07:00 UTC).
        assert_eq!(due(Frequency::Daily, 2, ny, utc(2027, 3, 14, 6, 59)), None);
        assert_eq!(
            due(Frequency::Daily, 2, ny, utc(2027, 3, 14, 7, 0)).map(|p| p.key),
            Some("2027-03-14".into())
        );
    }
}
