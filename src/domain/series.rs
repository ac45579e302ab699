//! Meeting series: what a valid recurrence is (an RRULE of a meeting, daily to yearly, with
//! exceptions as local dates, in the series' IANA zone), its occurrences in a window (the local
//! wall-clock time kept across DST changes; every expansion bounded in count and span), and which
//! occurrences are materialized ahead (the horizon).

use crate::{
    domain::events::{self as event_rules, EventDetails, EventInput},
    error::{Error, Result},
};
use chrono::{Duration, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use rrule::{RRule, RRuleSet, Unvalidated};

/// The longest RRULE we read.
pub const MAX_RRULE: usize = 300;
/// The most exceptions a series has.
pub const MAX_EXDATES: usize = 200;
/// The most occurrences one expansion returns, whatever is asked.
pub const MAX_EXPANSION: u16 = 400;
/// How far back a new series may begin (a meeting that started yesterday).
const CREATE_BACK_DAYS: i64 = 1;
/// How far ahead the next occurrence is looked for when none falls within the horizon.
const NEXT_WITHIN_DAYS: i64 = 3660;

/// A series as a form or the API gives it: its first occurrence (the event's fields, local
/// times in `timezone`), the rule, and the local dates left out.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct SeriesInput {
    #[serde(flatten)]
    pub event: EventInput,
    /// An RRULE without DTSTART (that is `starts_at`): `FREQ=WEEKLY;BYDAY=TH`,
    /// `FREQ=MONTHLY;BYDAY=2TH` (second Thursday), optionally `;UNTIL=20271231T235959Z` or
    /// `;COUNT=10`. Frequencies from daily to yearly.
    pub rrule: String,
    /// Local dates (`YYYY-MM-DD`) on which the meeting does not take place.
    #[serde(default)]
    pub exdates: Vec<String>,
}

/// A valid recurrence: the rule, its first occurrence in local time, the zone and the length of
/// each occurrence.
#[derive(Debug, Clone, PartialEq)]
pub struct Recurrence {
    pub rrule: String,
    pub exdates: Vec<NaiveDate>,
    pub first_local: NaiveDateTime,
    pub tz: Tz,
    pub duration: Duration,
}

/// How far ahead occurrences are materialized: up to `occurrences` of them, none starting more
/// than `days` ahead, except that the next one always is (a yearly gathering shows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Horizon {
    pub occurrences: u16,
    pub days: i64,
}

/// Normalizes and checks an RRULE: `RRULE:` prefix optional, one line, a meeting's frequency.
pub fn parse_rule(raw: &str) -> Result<String> {
    let rule = raw.trim();
    let rule = rule
        .strip_prefix("RRULE:")
        .or_else(|| rule.strip_prefix("rrule:"))
        .unwrap_or(rule)
        .trim()
        .to_ascii_uppercase();
    if rule.is_empty() {
        return Err(Error::invalid_field("rrule", "say how the meeting repeats"));
    }
    if rule.len() > MAX_RRULE || rule.contains(['\n', '\r']) || rule.contains("DTSTART") {
        return Err(Error::invalid_field(
            "rrule",
            format_args!("one RRULE line of at most {MAX_RRULE} characters, without DTSTART"),
        ));
    }
    let freq = rule
        .split(';')
        .find_map(|part| part.strip_prefix("FREQ="))
        .unwrap_or("");
    if !matches!(freq, "DAILY" | "WEEKLY" | "MONTHLY" | "YEARLY") {
        return Err(Error::invalid_field(
            "rrule",
            "a meeting repeats daily, weekly, monthly or yearly (FREQ=…)",
        ));
    }
    if rule.split(';').any(|part| {
        part.starts_with("BYHOUR") || part.starts_with("BYMINUTE") || part.starts_with("BYSECOND")
    }) {
        return Err(Error::invalid_field(
            "rrule",
            "a series meets on days at its first meeting's time: no BYHOUR, BYMINUTE, BYSECOND",
        ));
    }
    rule.parse::<RRule<Unvalidated>>()
        .map_err(|e| Error::invalid_field("rrule", format_args!("not a valid RRULE: {e}")))?;
    Ok(rule)
}

/// Local dates, `YYYY-MM-DD`, sorted and without repeats.
pub fn parse_exdates(list: &[String]) -> Result<Vec<NaiveDate>> {
    let mut dates = list
        .iter()
        .flat_map(|s| s.split([',', ' ', '\n', '\r']))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
                Error::invalid_field("exdates", format_args!("{s:.20}: not a date YYYY-MM-DD"))
            })
        })
        .collect::<Result<Vec<_>>>()?;
    dates.sort();
    dates.dedup();
    if dates.len() > MAX_EXDATES {
        return Err(Error::invalid_field(
            "exdates",
            format_args!("at most {MAX_EXDATES} exceptions"),
        ));
    }
    Ok(dates)
}

/// A series' first occurrence (checked as any event is) and its recurrence. `now` is UTC; a new
/// series (`new`) begins at most a day ago. CPU-bound for a rule that never meets (about a
/// second): callers run it off the async threads ([`parse_blocking`]).
pub fn parse(
    input: &SeriesInput,
    now: NaiveDateTime,
    new: bool,
) -> Result<(EventDetails, Recurrence)> {
    let details = event_rules::parse(&input.event)?;
    let rrule = parse_rule(&input.rrule)?;
    let exdates = parse_exdates(&input.exdates)?;
    let tz = event_rules::parse_zone(&details.timezone)?;
    let back = if new {
        CREATE_BACK_DAYS
    } else {
        NEXT_WITHIN_DAYS
    };
    if details.starts_at < now - Duration::days(back) {
        return Err(Error::invalid_field(
            "starts_at",
            "a series begins with its next meeting, not in the past",
        ));
    }
    let rec = Recurrence {
        rrule,
        exdates,
        first_local: event_rules::utc_to_local(details.starts_at, tz).naive_local(),
        tz,
        duration: details.ends_at - details.starts_at,
    };
    // The rule must make sense from this start (e.g. UNTIL in UTC) and meet at all: a rule that
    // never does (30 February) costs the expansion its whole bound once, here, and is refused.
    let until = details.starts_at + Duration::days(NEXT_WITHIN_DAYS);
    if rec.starts(details.starts_at, until, 1)?.is_empty() {
        return Err(Error::invalid_field(
            "rrule",
            "this rule gives no meeting in the next ten years",
        ));
    }
    Ok((details, rec))
}

/// [`parse`] on a blocking thread.
pub async fn parse_blocking(
    input: &SeriesInput,
    now: NaiveDateTime,
    new: bool,
) -> Result<(EventDetails, Recurrence)> {
    let input = input.clone();
    tokio::task::spawn_blocking(move || parse(&input, now, new))
        .await
        .map_err(|e| anyhow::anyhow!("parsing a series: {e}"))?
}

impl Recurrence {
    /// The starts (UTC) of the occurrences from `after` to `before` (both included), at most
    /// `max` (and never more than [`MAX_EXPANSION`]), in order. Each is at the first
    /// occurrence's local time in the zone, whatever the offset that day.
    pub fn starts(
        &self,
        after: NaiveDateTime,
        before: NaiveDateTime,
        max: u16,
    ) -> Result<Vec<NaiveDateTime>> {
        let zone = rrule::Tz::Tz(self.tz);
        let local = |t: NaiveDateTime| zone.from_local_datetime(&t).earliest();
        let start = local(self.first_local).ok_or_else(|| {
            Error::invalid_field("starts_at", "this time does not exist in the zone")
        })?;
        let rule = self
            .rrule
            .parse::<RRule<Unvalidated>>()
            .and_then(|r| r.validate(start))
            .map_err(|e| Error::invalid_field("rrule", format_args!("not a valid RRULE: {e}")))?;
        let mut set = RRuleSet::new(start).rrule(rule);
        for day in &self.exdates {
            if let Some(t) = local(day.and_time(self.first_local.time())) {
                set = set.exdate(t);
            }
        }
        let found = set
            .after(zone.from_utc_datetime(&after))
            .before(zone.from_utc_datetime(&before))
            .all(max.min(MAX_EXPANSION));
        Ok(found.dates.iter().map(|d| d.naive_utc()).collect())
    }

    /// The occurrences to have materialized at `now` (UTC starts, in order): the next ones
    /// within the horizon, or the very next one when none is.
    pub fn ahead(&self, now: NaiveDateTime, horizon: Horizon) -> Result<Vec<NaiveDateTime>> {
        let within = self.starts(now, now + Duration::days(horizon.days), horizon.occurrences)?;
        if !within.is_empty() || horizon.occurrences == 0 {
            return Ok(within);
        }
        self.starts(now, now + Duration::days(NEXT_WITHIN_DAYS), 1)
    }

    /// The local day of an occurrence starting at `utc`: an occurrence's place in the rule (a
    /// series meets at most once a day), kept when the series' time of day changes.
    pub fn day_of(&self, utc: NaiveDateTime) -> NaiveDate {
        event_rules::utc_to_local(utc, self.tz).date_naive()
    }

    /// The exceptions, one date a line, as stored.
    pub fn exdates_text(&self) -> String {
        self.exdates
            .iter()
            .map(|d| d.format("%Y-%m-%d").to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// The RRULE the event form's "repeats" choice means for a first occurrence on `first` (local):
/// `weekly` on its weekday, `monthly` on the same weekday of the month ("second Thursday"; the
/// last one when it is the fifth), until a local date when given. None for `no`.
pub fn rule_for(
    repeats: &str,
    first: NaiveDate,
    until: Option<NaiveDate>,
) -> Result<Option<String>> {
    use chrono::Datelike;
    let day = match first.weekday() {
        chrono::Weekday::Mon => "MO",
        chrono::Weekday::Tue => "TU",
        chrono::Weekday::Wed => "WE",
        chrono::Weekday::Thu => "TH",
        chrono::Weekday::Fri => "FR",
        chrono::Weekday::Sat => "SA",
        chrono::Weekday::Sun => "SU",
    };
    let mut rule = match repeats.trim() {
        "" | "no" => return Ok(None),
        "weekly" => format!("FREQ=WEEKLY;BYDAY={day}"),
        "fortnightly" => format!("FREQ=WEEKLY;INTERVAL=2;BYDAY={day}"),
        "monthly" => {
            let nth = (first.day() - 1) / 7 + 1;
            let nth = if nth >= 5 {
                "-1".to_string()
            } else {
                nth.to_string()
            };
            format!("FREQ=MONTHLY;BYDAY={nth}{day}")
        }
        _ => {
            return Err(Error::invalid_field(
                "repeats",
                "one of no, weekly, fortnightly, monthly",
            ))
        }
    };
    if let Some(until) = until {
        rule.push_str(&until.format(";UNTIL=%Y%m%dT235959Z").to_string());
    }
    Ok(Some(rule))
}

/// "every second Thursday", "every Thursday": the rule for people, when it is one the form
/// makes; the RRULE itself otherwise.
pub fn describe(rrule: &str) -> String {
    let parts: Vec<(&str, &str)> = rrule.split(';').filter_map(|p| p.split_once('=')).collect();
    let get = |k: &str| parts.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
    let day = |code: &str| -> Option<&'static str> {
        Some(match code {
            "MO" => "Monday",
            "TU" => "Tuesday",
            "WE" => "Wednesday",
            "TH" => "Thursday",
            "FR" => "Friday",
            "SA" => "Saturday",
            "SU" => "Sunday",
            _ => return None,
        })
    };
    let byday = get("BYDAY").unwrap_or("");
    let described = match (get("FREQ"), get("INTERVAL")) {
        (Some("WEEKLY"), None | Some("1")) => day(byday).map(|d| format!("every {d}")),
        (Some("WEEKLY"), Some("2")) => day(byday).map(|d| format!("every other {d}")),
        (Some("MONTHLY"), None | Some("1")) if byday.len() >= 3 => {
            let (nth, code) = byday.split_at(byday.len() - 2);
            let nth = match nth {
                "1" | "+1" => Some("first"),
                "2" | "+2" => Some("second"),
                "3" | "+3" => Some("third"),
                "4" | "+4" => Some("fourth"),
                "-1" => Some("last"),
                _ => None,
            };
            nth.zip(day(code))
                .map(|(n, d)| format!("every {n} {d} of the month"))
        }
        (Some("DAILY"), None | Some("1")) => Some("every day".into()),
        _ => None,
    };
    let mut text = described.unwrap_or_else(|| rrule.to_string());
    if let Some(until) =
        get("UNTIL").and_then(|u| NaiveDate::parse_from_str(u.get(..8)?, "%Y%m%d").ok())
    {
        text.push_str(&until.format(", until %-d %b %Y").to_string());
    }
    text
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn series(start: &str, end: &str, rule: &str) -> SeriesInput {
        SeriesInput {
            event: EventInput {
                starts_at: start.into(),
                ends_at: end.into(),
                timezone: "Europe/Berlin".into(),
                ..EventInput::default()
            },
            rrule: rule.into(),
            exdates: vec![],
        }
    }

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn weekly_across_the_spring_dst_change_keeps_the_local_time() {
        let now = at("2027-03-01 00:00");
        let (_, rec) = parse(
            &series(
                "2027-03-18T19:00",
                "2027-03-18T21:00",
                "FREQ=WEEKLY;BYDAY=TH",
            ),
            now,
            true,
        )
        .unwrap();
        let starts = rec.starts(now, at("2027-04-10 00:00"), 10).unwrap();
        let utc: Vec<String> = starts
            .iter()
            .map(|t| t.format("%m-%d %H:%M").to_string())
            .collect();
        // Berlin moves to summer time on 28 March 2027: 19:00 local is 18:00 UTC, then 17:00.
        assert_eq!(
            utc,
            ["03-18 18:00", "03-25 18:00", "04-01 17:00", "04-08 17:00"]
        );
    }

    #[test]
    fn monthly_on_the_second_thursday_with_an_exception() {
        let now = at("2026-12-01 00:00");
        let mut input = series(
            "2027-01-14T19:00",
            "2027-01-14T20:30",
            "FREQ=MONTHLY;BYDAY=2TH",
        );
        input.exdates = vec!["2027-03-11".into()];
        let (_, rec) = parse(&input, now, true).unwrap();
        let starts = rec.starts(now, at("2027-06-01 00:00"), 10).unwrap();
        let days: Vec<String> = starts
            .iter()
            .map(|t| t.format("%m-%d").to_string())
            .collect();
        assert_eq!(days, ["01-14", "02-11", "04-08", "05-13"]);
        assert_eq!(describe(&rec.rrule), "every second Thursday of the month");
    }

    #[test]
    fn the_form_choice_becomes_a_rule() {
        let first = NaiveDate::from_ymd_opt(2027, 1, 14).unwrap();
        assert_eq!(
            rule_for("monthly", first, None).unwrap().unwrap(),
            "FREQ=MONTHLY;BYDAY=2TH"
        );
        let until = NaiveDate::from_ymd_opt(2027, 12, 31);
        assert_eq!(
            rule_for("weekly", first, until).unwrap().unwrap(),
            "FREQ=WEEKLY;BYDAY=TH;UNTIL=20271231T235959Z"
        );
        assert_eq!(rule_for("no", first, None).unwrap(), None);
    }

    #[test]
    fn huge_and_endless_rules_are_bounded_by_the_horizon() {
        let now = at("2026-12-01 00:00");
        let horizon = Horizon {
            occurrences: 3,
            days: 90,
        };
        for rule in [
            "FREQ=DAILY;COUNT=10000",
            "FREQ=DAILY",
            "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU",
        ] {
            let (_, rec) = parse(
                &series("2026-12-02T08:00", "2026-12-02T09:00", rule),
                now,
                true,
            )
            .unwrap();
            let took = std::time::Instant::now();
            assert_eq!(rec.ahead(now, horizon).unwrap().len(), 3, "{rule}");
            // Even asked for everything, an expansion stops at its bound.
            let all = rec
                .starts(now, now + Duration::days(40_000), u16::MAX)
                .unwrap();
            assert_eq!(all.len(), usize::from(MAX_EXPANSION), "{rule}");
            assert!(took.elapsed() < std::time::Duration::from_secs(1), "{rule}");
        }
        // A quarterly meeting: the next one shows even beyond 90 days.
        let (_, rec) = parse(
            &series(
                "2027-04-01T10:00",
                "2027-04-01T12:00",
                "FREQ=MONTHLY;INTERVAL=3",
            ),
            now,
            true,
        )
        .unwrap();
        assert_eq!(rec.ahead(now, horizon).unwrap().len(), 1);
    }

    #[test]
    fn bad_series_are_refused_by_field() {
        let now = at("2026-12-01 00:00");
        let field = |i: &SeriesInput| parse(i, now, true).unwrap_err().field.clone();
        let ok = series("2027-01-14T19:00", "2027-01-14T20:00", "FREQ=WEEKLY");
        for rule in [
            "",
            "FREQ=MINUTELY",
            "FREQ=WEEKLY;BYDAY=XX",
            "DTSTART:20270101T000000Z",
        ] {
            let i = SeriesInput {
                rrule: rule.into(),
                ..ok.clone()
            };
            assert_eq!(field(&i).as_deref(), Some("rrule"), "{rule}");
        }
        let i = SeriesInput {
            exdates: vec!["14/01/2027".into()],
            ..ok.clone()
        };
        assert_eq!(field(&i).as_deref(), Some("exdates"));
        let past = series("2026-10-01T19:00", "2026-10-01T20:00", "FREQ=WEEKLY");
        assert_eq!(field(&past).as_deref(), Some("starts_at"));
    }
}
