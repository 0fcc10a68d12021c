//! Cuts an event's sessions into meeting slots, and checks sessions first: positive length,
//! no overlap between sessions, breaks inside their session, at least one slot each.

use chrono::{DateTime, Duration, Utc};

/// Longest meeting accepted, in minutes.
pub const MAX_MEETING_MINUTES: i64 = 240;
/// Most slots one event may have (keeps the scheduler's instance bounded).
pub const MAX_SLOTS: usize = 500;

/// A session as given by the organiser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSpec {
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Breaks (lunch, keynotes) without meetings.
    pub breaks: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

/// One meeting slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotTime {
    /// Index of the session (in the given order).
    pub session: usize,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
}

/// A session problem: the input field (relative to `input`) and what is wrong.
pub type SessionError = (String, String);

/// Checks sessions and returns their slots, in time order within each session.
pub fn slots(
    sessions: &[SessionSpec],
    meeting_minutes: i64,
) -> Result<Vec<SlotTime>, SessionError> {
    if !(5..=MAX_MEETING_MINUTES).contains(&meeting_minutes) {
        return Err((
            "meetingMinutes".into(),
            format!("must be between 5 and {MAX_MEETING_MINUTES} minutes"),
        ));
    }
    if sessions.is_empty() {
        return Err((
            "sessions".into(),
            "an event needs at least one session".into(),
        ));
    }
    let len = Duration::minutes(meeting_minutes);
    for (i, s) in sessions.iter().enumerate() {
        if s.ends_at <= s.starts_at {
            return Err((
                format!("sessions[{i}].endsAt"),
                "must be after startsAt".into(),
            ));
        }
        if s.ends_at - s.starts_at > Duration::hours(24) {
            return Err((
                format!("sessions[{i}].endsAt"),
                "a session lasts at most 24 hours".into(),
            ));
        }
        for (j, o) in sessions.iter().enumerate().take(i) {
            if s.starts_at < o.ends_at && o.starts_at < s.ends_at {
                return Err((
                    format!("sessions[{i}]"),
                    format!("overlaps session {j} (会场时段重叠)"),
                ));
            }
        }
        for (k, (b0, b1)) in s.breaks.iter().enumerate() {
            if b1 <= b0 || *b0 < s.starts_at || *b1 > s.ends_at {
                return Err((
                    format!("sessions[{i}].breaks[{k}]"),
                    "a break must be a positive range inside its session".into(),
                ));
            }
        }
    }
    let mut out = Vec::new();
    for (i, s) in sessions.iter().enumerate() {
        let mut t = s.starts_at;
        let before = out.len();
        while t + len <= s.ends_at {
            match s.breaks.iter().find(|(b0, b1)| t < *b1 && *b0 < t + len) {
                Some((_, b1)) => t = *b1,
                None => {
                    out.push(SlotTime {
                        session: i,
                        starts_at: t,
                        ends_at: t + len,
                    });
                    t += len;
                }
            }
            if out.len() > MAX_SLOTS {
                return Err(("sessions".into(), format!("more than {MAX_SLOTS} slots")));
            }
        }
        if out.len() == before {
            return Err((format!("sessions[{i}]"), "too short for one meeting".into()));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 18, h, m, 0)
            .single()
            .expect("time")
    }

    #[test]
    fn sessions_are_cut_into_slots_around_breaks() {
        let s = SessionSpec {
            starts_at: at(1, 0),
            ends_at: at(3, 0),
            breaks: vec![(at(1, 50), at(2, 10))],
        };
        let got = slots(&[s], 25).expect("slots");
        let starts: Vec<_> = got.iter().map(|s| s.starts_at).collect();
        assert_eq!(starts, vec![at(1, 0), at(1, 25), at(2, 10), at(2, 35)]);
    }

    #[test]
    fn overlapping_sessions_and_bad_lengths_are_refused() {
        let a = SessionSpec {
            starts_at: at(1, 0),
            ends_at: at(3, 0),
            breaks: vec![],
        };
        let b = SessionSpec {
            starts_at: at(2, 0),
            ends_at: at(4, 0),
            breaks: vec![],
        };
        let e = slots(&[a.clone(), b], 20).expect_err("overlap");
        assert_eq!(e.0, "sessions[1]");
        assert_eq!(
            slots(std::slice::from_ref(&a), 0).expect_err("zero").0,
            "meetingMinutes"
        );
        assert_eq!(slots(&[], 20).expect_err("none").0, "sessions");
        let short = SessionSpec {
            starts_at: at(1, 0),
            ends_at: at(1, 10),
            breaks: vec![],
        };
        assert_eq!(slots(&[short], 20).expect_err("short").0, "sessions[0]");
    }
}
