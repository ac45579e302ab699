//! Health figures: what each figure of a community (or of the instance) counts, the periods they
//! are counted over (the 12 weeks and the 12 calendar months before a snapshot's moment), and
//! the arithmetic on what `db::health` reads: medians, newcomer retention within 30 and 90 days,
//! participation modes. No I/O; the figures are counts, never people.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// How many weeks and months a snapshot covers.
pub const PERIODS: usize = 12;

/// A snapshot of day D is taken as of D 00:00 UTC: it counts whole days up to the day before.
pub fn as_of(day: NaiveDate) -> NaiveDateTime {
    day.and_time(chrono::NaiveTime::MIN)
}

/// One period a figure is counted over: `from` included, `to` excluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub label: String,
    pub from: NaiveDateTime,
    pub to: NaiveDateTime,
}

/// The 12 weeks (7 days each) ending at `as_of`, oldest first; each named by its first day.
pub fn weeks(as_of: NaiveDateTime) -> Vec<Window> {
    (0..PERIODS as i64)
        .rev()
        .map(|i| {
            let to = as_of - Duration::weeks(i);
            let from = to - Duration::weeks(1);
            Window {
                label: from.format("%Y-%m-%d").to_string(),
                from,
                to,
            }
        })
        .collect()
}

/// The 12 calendar months (UTC) up to `as_of`, oldest first: the last is the month of the day
/// before `as_of`, ending at `as_of`.
pub fn months(as_of: NaiveDateTime) -> Vec<Window> {
    let last = (as_of - Duration::days(1)).date();
    let first_of = |d: NaiveDate| d.with_day(1).unwrap_or(d);
    let mut starts = vec![first_of(last)];
    for _ in 1..PERIODS {
        let earlier = first_of(starts[starts.len() - 1] - Duration::days(1));
        starts.push(earlier);
    }
    starts.reverse();
    starts
        .iter()
        .enumerate()
        .map(|(i, start)| Window {
            label: start.format("%Y-%m").to_string(),
            from: start.and_time(chrono::NaiveTime::MIN),
            to: starts
                .get(i + 1)
                .map(|d| d.and_time(chrono::NaiveTime::MIN))
                .unwrap_or(as_of),
        })
        .collect()
}

/// Which window of `windows` holds `at`.
pub fn window_of(windows: &[Window], at: NaiveDateTime) -> Option<usize> {
    windows.iter().position(|w| w.from <= at && at < w.to)
}

/// The median of `values` (an even count: the mean of the two middle ones, rounded down);
/// `None` for none.
pub fn median(mut values: Vec<i64>) -> Option<i64> {
    values.sort_unstable();
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]).div_euclid(2)),
    }
}

/// Everything one snapshot holds (stored as JSON in `health_snapshots`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Figures {
    /// The moment the figures are counted up to (excluded), UTC.
    #[schema(value_type = String)]
    pub as_of: NaiveDateTime,
    /// The last 12 weeks, oldest first.
    pub weekly: Vec<Period>,
    /// The last 12 calendar months, oldest first.
    pub monthly: Vec<Period>,
    /// Members now, by where their account lives: `local`, or the host of another server.
    pub by_instance: Vec<HostCount>,
    /// People active in at least 2 of the last 4 weeks.
    pub returning: i64,
    /// Members by their most involved way of taking part over the last 12 weeks.
    pub modes: Modes,
    /// Newcomers of each of the last 12 months and how many contributed within 30 and 90 days.
    pub retention: Vec<Cohort>,
    /// Every meeting of the last 12 months (not cancelled), oldest first.
    pub meetings: Vec<Meeting>,
    /// Members who turned this community's digest off (now; not dated, so not per period).
    pub digest_off_here: i64,
}

/// The figures counted over one week or month.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Period {
    pub label: String,
    /// Memberships that became active in the period.
    pub joined: i64,
    /// Active memberships that ended in the period.
    pub left: i64,
    /// Active memberships at the end of the period.
    pub total: i64,
    /// People who posted, replied, voted or answered a meeting in the period.
    pub active: i64,
    /// Threads started in the period.
    pub threads: i64,
    /// Replies written in the period.
    pub replies: i64,
    /// Threads started in the period that no one but their author has replied to (by `as_of`).
    pub unanswered: i64,
    /// Median seconds from a thread's start to its first reply by someone else, over the
    /// period's threads that have one (threads without a reply are left out).
    pub median_first_reply_secs: Option<i64>,
    /// Meetings held in the period, and their going answers, capacity (where set) and
    /// recorded attendance.
    pub meetings: i64,
    pub going: i64,
    pub capacity: i64,
    pub attended: i64,
    /// Digest mails sent to members in the period.
    pub digests_sent: i64,
    /// Members who turned every digest (or every mail) off in the period.
    pub unsubscribes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HostCount {
    pub host: String,
    pub members: i64,
}

/// The CSCCE community participation model; each member counted once, in the most involved
/// mode that applies (champion, then co-create, collaborate, contribute, consume).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Modes {
    /// Members with no contribution.
    pub consume: i64,
    /// Members who posted or replied.
    pub contribute: i64,
    /// Members who replied to two or more other people.
    pub collaborate: i64,
    /// Members who organized a meeting (authors and named organizers).
    pub co_create: i64,
    /// Moderators and the owner.
    pub champion: i64,
}

/// Who took part in which way, as `db::health` reads it (ids never leave `db`/`domain`).
#[derive(Debug, Default)]
pub struct Involvement {
    pub members: Vec<i64>,
    pub contributors: HashSet<i64>,
    pub collaborators: HashSet<i64>,
    pub co_creators: HashSet<i64>,
    pub champions: HashSet<i64>,
}

impl Involvement {
    pub fn modes(&self) -> Modes {
        let mut m = Modes::default();
        for id in &self.members {
            let slot = if self.champions.contains(id) {
                &mut m.champion
            } else if self.co_creators.contains(id) {
                &mut m.co_create
            } else if self.collaborators.contains(id) {
                &mut m.collaborate
            } else if self.contributors.contains(id) {
                &mut m.contribute
            } else {
                &mut m.consume
            };
            *slot += 1;
        }
        m
    }
}

/// The newcomers of one month.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Cohort {
    pub month: String,
    pub joined: i64,
    /// Who posted or replied within 30 days of joining (exactly 30 days counts).
    pub within_30: i64,
    pub within_90: i64,
    /// Whether 30 (90) days have passed for everyone in the cohort by `as_of`; until then the
    /// count can still grow.
    pub complete_30: bool,
    pub complete_90: bool,
}

/// Cohorts by month of `windows` from each newcomer's first joining and first contribution after
/// it (`None`: none yet).
pub fn retention(
    windows: &[Window],
    joins: &[(NaiveDateTime, Option<NaiveDateTime>)],
    as_of: NaiveDateTime,
) -> Vec<Cohort> {
    let mut cohorts: Vec<Cohort> = windows
        .iter()
        .map(|w| Cohort {
            month: w.label.clone(),
            complete_30: w.to + Duration::days(30) <= as_of,
            complete_90: w.to + Duration::days(90) <= as_of,
            ..Cohort::default()
        })
        .collect();
    for (joined, first) in joins {
        let Some(i) = window_of(windows, *joined) else {
            continue;
        };
        let c = &mut cohorts[i];
        c.joined += 1;
        let after = first.map(|f| f - *joined);
        if after.is_some_and(|d| d <= Duration::days(30)) {
            c.within_30 += 1;
        }
        if after.is_some_and(|d| d <= Duration::days(90)) {
            c.within_90 += 1;
        }
    }
    cohorts
}

/// One meeting: its answers against its capacity and who came.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Meeting {
    pub post_id: i64,
    pub title: String,
    #[schema(value_type = String)]
    pub starts_at: NaiveDateTime,
    pub going: i64,
    pub capacity: Option<i64>,
    pub attended: i64,
}

/// Threads started in each window: how many, how many unanswered, and the median time to the
/// first reply. `threads` are (started, first reply by someone else).
pub fn conversation(
    periods: &mut [Period],
    windows: &[Window],
    threads: &[(NaiveDateTime, Option<NaiveDateTime>)],
) {
    let mut waits: Vec<Vec<i64>> = vec![Vec::new(); windows.len()];
    for (started, first) in threads {
        let Some(i) = window_of(windows, *started) else {
            continue;
        };
        periods[i].threads += 1;
        match first {
            Some(f) => waits[i].push((*f - *started).num_seconds()),
            None => periods[i].unanswered += 1,
        }
    }
    for (p, w) in periods.iter_mut().zip(waits) {
        p.median_first_reply_secs = median(w);
    }
}

/// Meetings held in each window summed into its period.
pub fn meeting_trend(periods: &mut [Period], windows: &[Window], meetings: &[Meeting]) {
    for m in meetings {
        if let Some(i) = window_of(windows, m.starts_at) {
            let p = &mut periods[i];
            p.meetings += 1;
            p.going += m.going;
            p.capacity += m.capacity.unwrap_or(0);
            p.attended += m.attended;
        }
    }
}

/// The host of an actor id (`local` for this instance's own people).
pub fn host_of(local: bool, ap_id: &str) -> String {
    if local {
        return "local".into();
    }
    url::Url::parse(ap_id)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn median_of_even_count_is_mean_of_middle_two() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![7]), Some(7));
        assert_eq!(median(vec![10, 1, 4]), Some(4));
        assert_eq!(median(vec![1, 2, 4, 100]), Some(3));
        assert_eq!(median(vec![1, 2]), Some(1));
    }

    #[test]
    fn months_are_calendar_months_ending_at_the_snapshot() {
        let m = months(t("2026-03-01 00:00:00"));
        assert_eq!(m.len(), 12);
        assert_eq!(m[11].label, "2026-02");
        assert_eq!(m[11].to, t("2026-03-01 00:00:00"));
        assert_eq!(m[0].label, "2025-03");
        let m = months(t("2026-03-15 00:00:00"));
        assert_eq!(m[11].label, "2026-03");
        assert_eq!(m[11].to, t("2026-03-15 00:00:00"));
        assert_eq!(m[10].to, m[11].from);
    }

    #[test]
    fn retention_counts_exactly_thirty_days_and_the_last_day_of_a_month() {
        let w = months(t("2026-06-01 00:00:00"));
        let joins = [
            // The last second of January: a January newcomer.
            (t("2026-01-31 23:59:59"), Some(t("2026-03-02 23:59:59"))),
            // Contributed 30 days and one second later: within 90 only.
            (t("2026-01-10 00:00:00"), Some(t("2026-02-09 00:00:01"))),
            (t("2026-02-01 00:00:00"), None),
        ];
        let c = retention(&w, &joins, t("2026-06-01 00:00:00"));
        let jan = c.iter().find(|c| c.month == "2026-01").unwrap();
        assert_eq!((jan.joined, jan.within_30, jan.within_90), (2, 1, 2));
        let feb = c.iter().find(|c| c.month == "2026-02").unwrap();
        assert_eq!((feb.joined, feb.within_30), (1, 0));
        assert!(jan.complete_90 && !c[11].complete_30);
    }

    #[test]
    fn a_member_counts_once_in_the_most_involved_mode() {
        let i = Involvement {
            members: vec![1, 2, 3, 4, 5],
            contributors: [2, 3, 4, 5].into(),
            collaborators: [3, 4].into(),
            co_creators: [4].into(),
            champions: [5].into(),
        };
        let m = i.modes();
        assert_eq!(
            (
                m.consume,
                m.contribute,
                m.collaborate,
                m.co_create,
                m.champion
            ),
            (1, 1, 1, 1, 1)
        );
    }
}
