//! Feeds over `views/`: iCalendar for events (`ical`).

pub mod ical;
