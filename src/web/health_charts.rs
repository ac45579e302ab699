//! The health page's charts: each figure of a snapshot (`domain::health::Figures`) as one
//! `Chart`, the numbers of its table and the geometry of its SVG bar chart, computed here so the
//! template only draws rectangles (no script, no inline style: colours are classes in
//! `copse.css`). The CSV export of a figure is its table.

use crate::domain::health::{Figures, Period};

/// Which periods a page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    Weeks,
    Months,
}

impl Span {
    pub fn parse(s: Option<&str>) -> Option<Span> {
        match s {
            None | Some("weeks") => Some(Span::Weeks),
            Some("months") => Some(Span::Months),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Span::Weeks => "weeks",
            Span::Months => "months",
        }
    }

    fn words(self) -> &'static str {
        match self {
            Span::Weeks => "per week, the last 12 weeks",
            Span::Months => "per month, the last 12 months",
        }
    }
}

/// Every figure's name, in the page's order (the `figure` of the CSV address).
pub const FIGURES: &[&str] = &[
    "summary",
    "members",
    "joined-left",
    "instances",
    "active",
    "modes",
    "retention",
    "conversation",
    "first-reply",
    "meeting-trend",
    "meetings",
    "digests",
];

/// One figure: a table, and the same numbers drawn (when there is something to draw).
pub struct Chart {
    pub id: String,
    pub heading: String,
    pub desc: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub svg: Option<Svg>,
}

pub struct Svg {
    pub width: i64,
    pub height: i64,
    pub bars: Vec<Bar>,
    pub labels: Vec<Label>,
    pub legend: Vec<Label>,
    /// The y axis' top value, as shown.
    pub top: String,
}

pub struct Bar {
    pub x: i64,
    pub y: i64,
    pub w: i64,
    pub h: i64,
    pub class: &'static str,
    /// What the bar shows ("2026-03: joined 4"), its tooltip.
    pub title: String,
}

pub struct Label {
    pub x: i64,
    pub y: i64,
    pub text: String,
    pub class: &'static str,
}

const WIDTH: i64 = 640;
const HEIGHT: i64 = 260;
const LEFT: i64 = 48;
const BOTTOM: i64 = 40;
const TOP: i64 = 36;
const CLASSES: [&str; 4] = ["series-0", "series-1", "series-2", "series-3"];

/// Grouped bars: one group per label, one bar per series.
fn draw(labels: &[String], series: &[(&str, Vec<f64>)]) -> Option<Svg> {
    if labels.is_empty() || series.is_empty() {
        return None;
    }
    let max = series
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .fold(0.0_f64, f64::max);
    let top = if max <= 0.0 { 1.0 } else { max };
    let plot_w = WIDTH - LEFT - 8;
    let plot_h = HEIGHT - BOTTOM - TOP;
    let group = plot_w / labels.len() as i64;
    let bar = ((group - 4) / series.len() as i64).max(1);
    let mut bars = Vec::new();
    let mut texts = Vec::new();
    for (i, label) in labels.iter().enumerate() {
        let gx = LEFT + group * i as i64 + 2;
        for (k, (name, values)) in series.iter().enumerate() {
            let v = values.get(i).copied().unwrap_or(0.0);
            let h = ((v / top) * plot_h as f64).round() as i64;
            bars.push(Bar {
                x: gx + bar * k as i64,
                y: TOP + plot_h - h,
                w: bar,
                h,
                class: CLASSES[k % CLASSES.len()],
                title: format!("{label}: {name} {}", number(v)),
            });
        }
        let short: String = label.chars().take(10).collect();
        texts.push(Label {
            x: gx + group / 2 - 2,
            y: HEIGHT - BOTTOM + 16,
            text: short,
            class: "axis",
        });
    }
    let legend = series
        .iter()
        .enumerate()
        .map(|(k, (name, _))| Label {
            x: LEFT + 130 * k as i64,
            y: 16,
            text: (*name).to_string(),
            class: CLASSES[k % CLASSES.len()],
        })
        .collect();
    Some(Svg {
        width: WIDTH,
        height: HEIGHT,
        bars,
        labels: texts,
        legend,
        top: number(top),
    })
}

/// A number as the tables show it: whole, or with one decimal.
fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// A chart whose table is the label column and one column per series (also the survey results'
/// charts, `web::surveys`).
pub fn chart(
    id: &str,
    heading: &str,
    desc: String,
    first: &str,
    labels: Vec<String>,
    series: Vec<(&str, Vec<f64>)>,
) -> Chart {
    let mut columns = vec![first.to_string()];
    columns.extend(series.iter().map(|(n, _)| (*n).to_string()));
    let rows = labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mut row = vec![l.clone()];
            row.extend(series.iter().map(|(_, v)| number(v[i])));
            row
        })
        .collect();
    Chart {
        id: id.into(),
        heading: heading.into(),
        svg: draw(&labels, &series),
        desc,
        columns,
        rows,
    }
}

fn of(periods: &[Period], f: impl Fn(&Period) -> i64) -> Vec<f64> {
    periods.iter().map(|p| f(p) as f64).collect()
}

/// Every figure of `figures` over `span`. `meetings_all`: every meeting (the CSV) rather than
/// the 12 latest (the page).
pub fn charts(figures: &Figures, span: Span, day: &str, meetings_all: bool) -> Vec<Chart> {
    let periods = match span {
        Span::Weeks => &figures.weekly,
        Span::Months => &figures.monthly,
    };
    let labels: Vec<String> = periods.iter().map(|p| p.label.clone()).collect();
    let per = span.words();
    let mut out = vec![Chart {
        id: "summary".into(),
        heading: "In short".into(),
        desc: format!("The snapshot of {day}, counted up to {}.", figures.as_of),
        columns: vec!["Figure".into(), "Value".into()],
        rows: vec![
            vec!["snapshot day".into(), day.into()],
            vec![
                "members now".into(),
                periods.last().map_or(0, |p| p.total).to_string(),
            ],
            vec![
                "returning contributors (active in 2 or more of the last 4 weeks)".into(),
                figures.returning.to_string(),
            ],
            vec![
                "members who turned this community's digest off".into(),
                figures.digest_off_here.to_string(),
            ],
        ],
        svg: None,
    }];
    out.push(chart(
        "members",
        "Members",
        format!("Active memberships at the end of each period, {per}."),
        "Period",
        labels.clone(),
        vec![("members", of(periods, |p| p.total))],
    ));
    out.push(chart(
        "joined-left",
        "Joined and left",
        format!("Memberships begun and ended, {per}."),
        "Period",
        labels.clone(),
        vec![
            ("joined", of(periods, |p| p.joined)),
            ("left", of(periods, |p| p.left)),
        ],
    ));
    out.push(chart(
        "instances",
        "Members by instance",
        "Members now, by the server their account is on (local: this one).".into(),
        "Instance",
        figures.by_instance.iter().map(|h| h.host.clone()).collect(),
        vec![(
            "members",
            figures
                .by_instance
                .iter()
                .map(|h| h.members as f64)
                .collect(),
        )],
    ));
    out.push(chart(
        "active",
        "Active members",
        format!("People who posted, replied, voted or answered a meeting, {per}."),
        "Period",
        labels.clone(),
        vec![("active", of(periods, |p| p.active))],
    ));
    let m = &figures.modes;
    out.push(chart(
        "modes",
        "Participation modes",
        "Members by their most involved way of taking part in the last 12 weeks (CSCCE model): \
         consume (no contribution), contribute (posted or replied), collaborate (replied to two \
         or more others), co-create (organized a meeting), champion (moderators and owner)."
            .into(),
        "Mode",
        [
            "consume",
            "contribute",
            "collaborate",
            "co-create",
            "champion",
        ]
        .map(String::from)
        .to_vec(),
        vec![(
            "members",
            [
                m.consume,
                m.contribute,
                m.collaborate,
                m.co_create,
                m.champion,
            ]
            .map(|n| n as f64)
            .to_vec(),
        )],
    ));
    let r = &figures.retention;
    let mut retention = chart(
        "retention",
        "Newcomer retention",
        "Of the members who joined in each month, how many posted or replied within 30 and 90 \
         days (a month whose days have not all passed yet can still grow)."
            .into(),
        "Month joined",
        r.iter().map(|c| c.month.clone()).collect(),
        vec![
            ("joined", r.iter().map(|c| c.joined as f64).collect()),
            (
                "within 30 days",
                r.iter().map(|c| c.within_30 as f64).collect(),
            ),
            (
                "within 90 days",
                r.iter().map(|c| c.within_90 as f64).collect(),
            ),
        ],
    );
    retention.columns.push("final".into());
    for (row, c) in retention.rows.iter_mut().zip(r) {
        let done = match (c.complete_30, c.complete_90) {
            (true, true) => "yes",
            (true, false) => "30 days only",
            _ => "not yet",
        };
        row.push(done.into());
    }
    out.push(retention);
    out.push(chart(
        "conversation",
        "Conversation",
        format!(
            "Threads started, replies written, and threads no one but their author replied to, \
             {per}."
        ),
        "Period",
        labels.clone(),
        vec![
            ("threads", of(periods, |p| p.threads)),
            ("replies", of(periods, |p| p.replies)),
            ("unanswered", of(periods, |p| p.unanswered)),
        ],
    ));
    out.push(chart(
        "first-reply",
        "Time to first reply",
        format!(
            "Median hours from a thread's start to its first reply by someone else, over the \
             threads started in the period that have one, {per} (0: no replied thread)."
        ),
        "Period",
        labels.clone(),
        vec![(
            "median hours",
            periods
                .iter()
                .map(|p| {
                    let secs = p.median_first_reply_secs.unwrap_or(0) as f64;
                    (secs / 360.0).round() / 10.0
                })
                .collect(),
        )],
    ));
    out.push(chart(
        "meeting-trend",
        "Meetings over time",
        format!(
            "Meetings held, people going, capacity (where set) and recorded attendance, {per}."
        ),
        "Period",
        labels,
        vec![
            ("meetings", of(periods, |p| p.meetings)),
            ("going", of(periods, |p| p.going)),
            ("capacity", of(periods, |p| p.capacity)),
            ("attended", of(periods, |p| p.attended)),
        ],
    ));
    let skip = if meetings_all {
        0
    } else {
        figures.meetings.len().saturating_sub(12)
    };
    let shown = &figures.meetings[skip..];
    out.push(chart(
        "meetings",
        "Meetings",
        "Each meeting of the last 12 months (on the page: the 12 latest): people going, \
         capacity (0: unlimited) and recorded attendance."
            .into(),
        "Meeting",
        shown
            .iter()
            .map(|m| format!("{} {}", m.starts_at.format("%Y-%m-%d"), m.title))
            .collect(),
        vec![
            ("going", shown.iter().map(|m| m.going as f64).collect()),
            (
                "capacity",
                shown
                    .iter()
                    .map(|m| m.capacity.unwrap_or(0) as f64)
                    .collect(),
            ),
            (
                "attended",
                shown.iter().map(|m| m.attended as f64).collect(),
            ),
        ],
    ));
    out.push(chart(
        "digests",
        "Digests",
        format!(
            "Digest mails sent to members, and members who turned every digest or every mail \
             off, {per}. No tracking: opening is not counted."
        ),
        "Period",
        periods.iter().map(|p| p.label.clone()).collect(),
        vec![
            ("sent", of(periods, |p| p.digests_sent)),
            ("unsubscribed", of(periods, |p| p.unsubscribes)),
        ],
    ));
    out
}

/// A figure's table as CSV (RFC 4180: fields with a comma, quote or line break quoted; a text
/// that a spreadsheet would take for a formula starts with `'`).
pub fn csv(chart: &Chart) -> String {
    let field = |s: &str| {
        let s = if s.starts_with(['=', '+', '-', '@']) {
            format!("'{s}")
        } else {
            s.to_string()
        };
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s
        }
    };
    let mut out = String::new();
    for row in std::iter::once(&chart.columns).chain(&chart.rows) {
        let line: Vec<String> = row.iter().map(|c| field(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}
