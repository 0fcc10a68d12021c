//! The scheduler's input and output, free of the database: slots grouped in sessions, tables,
//! participants with availability and optional fixed booths, and weighted meeting requests.
//! Serialisable so the bench binary and the exact solver read the very same instances.

use serde::{Deserialize, Serialize};

/// Why an instance cannot be scheduled at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchedulerError {
    /// There is no table to meet at.
    #[error("the event has no tables")]
    NoTables,
    /// A slot names a session that does not exist.
    #[error("slot {0} belongs to an unknown session")]
    UnknownSession(usize),
    /// A meeting names a participant that does not exist.
    #[error("meeting {0} names an unknown participant")]
    UnknownParticipant(usize),
    /// A participant would meet themselves.
    #[error("meeting {0} is a participant meeting themselves")]
    SelfMeeting(usize),
    /// A booth number beyond the tables.
    #[error("participant {0} has booth {1}, beyond the tables")]
    BoothOutOfRange(usize, u32),
    /// Two hosts share one booth.
    #[error("booth {0} is given to more than one participant")]
    SharedBooth(u32),
    /// An availability entry names a slot that does not exist.
    #[error("participant {0} is available in an unknown slot")]
    UnknownSlot(usize),
}

/// One time slot; meetings in the same slot run in parallel at different tables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    /// Index into [`Instance::session_caps`].
    pub session: usize,
}

/// Someone who meets: a registration (an organisation's, or one person's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Participant {
    /// Slot indices the participant can attend.
    pub available: Vec<usize>,
    /// Fixed booth (table number, 0-based) for hosts that receive visitors at their own table.
    #[serde(default)]
    pub booth: Option<u32>,
    /// Most meetings this participant accepts over the whole event (`None` = no personal cap).
    #[serde(default)]
    pub max_meetings: Option<u32>,
    /// Most meetings this participant accepts in any one session; the session's own cap applies
    /// too, the smaller of the two wins (`None` = only the session's cap).
    #[serde(default)]
    pub max_per_session: Option<u32>,
}

/// Where a meeting was or is placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    /// Slot index.
    pub slot: usize,
    /// Table number, 0-based.
    pub table: u32,
}

/// A meeting to place, between participants `a` (requester) and `b` (invitee).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingRequest {
    /// Requester index.
    pub a: usize,
    /// Invitee index.
    pub b: usize,
    /// Value of holding the meeting; the scheduler maximises the sum over placed meetings.
    pub priority: u32,
    /// The placement of an earlier schedule, kept when still possible (re-scheduling).
    #[serde(default)]
    pub previous: Option<Placement>,
}

/// Everything the scheduler needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Instance {
    /// Slots in time order.
    pub slots: Vec<Slot>,
    /// Most meetings one participant may have per session (`None` = no cap).
    pub session_caps: Vec<Option<u32>>,
    /// Tables (booths included) available in every slot.
    pub tables: u32,
    /// Participants.
    pub participants: Vec<Participant>,
    /// Meetings to place.
    pub meetings: Vec<MeetingRequest>,
}

/// Why a meeting stayed unplaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Reason {
    /// The two sides are never available at the same time.
    NoCommonAvailability,
    /// Every common slot is taken by a meeting of equal or higher priority for one side, or the
    /// per-session cap is reached.
    ParticipantBusy,
    /// Every common slot where both are free has all tables taken.
    NoTableFree,
    /// A side reached its own cap (`max_meetings` overall, or `max_per_session` in every session
    /// where both are free) with meetings of equal or higher priority.
    ParticipantCap,
}

/// A meeting left out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unplaced {
    /// Index into [`Instance::meetings`].
    pub meeting: usize,
    /// The reason.
    pub reason: Reason,
}

/// The scheduler's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// Placement per meeting, in the instance's order.
    pub placements: Vec<Option<Placement>>,
    /// Meetings left out with their reasons.
    pub unplaced: Vec<Unplaced>,
    /// Sum of priorities of placed meetings.
    pub total_priority: u64,
    /// Meetings that had a previous placement and now sit elsewhere (or nowhere).
    pub moved: usize,
}

impl Instance {
    /// Checks indices and tables, so the solver can index without further checks.
    pub fn validate(&self) -> Result<(), SchedulerError> {
        if self.tables == 0 {
            return Err(SchedulerError::NoTables);
        }
        for (i, s) in self.slots.iter().enumerate() {
            if s.session >= self.session_caps.len() {
                return Err(SchedulerError::UnknownSession(i));
            }
        }
        let mut booths = std::collections::BTreeSet::new();
        for (i, p) in self.participants.iter().enumerate() {
            if let Some(b) = p.booth {
                if b >= self.tables {
                    return Err(SchedulerError::BoothOutOfRange(i, b));
                }
                if !booths.insert(b) {
                    return Err(SchedulerError::SharedBooth(b));
                }
            }
            if p.available.iter().any(|&s| s >= self.slots.len()) {
                return Err(SchedulerError::UnknownSlot(i));
            }
        }
        for (i, m) in self.meetings.iter().enumerate() {
            if m.a >= self.participants.len() || m.b >= self.participants.len() {
                return Err(SchedulerError::UnknownParticipant(i));
            }
            if m.a == m.b {
                return Err(SchedulerError::SelfMeeting(i));
            }
        }
        Ok(())
    }

    /// A simple upper bound on the optimum: every placed meeting uses one of the limited
    /// appointments of each of its two sides, so half the sum over participants of their best
    /// `capacity` meeting priorities bounds the total (capacity = available slots, capped per
    /// session by the session's and the participant's own cap, and overall by the participant's
    /// `max_meetings`). It also never exceeds the sum of all priorities.
    pub fn upper_bound(&self) -> u64 {
        let mut per: Vec<Vec<u32>> = vec![Vec::new(); self.participants.len()];
        for m in &self.meetings {
            for side in [m.a, m.b] {
                if let Some(v) = per.get_mut(side) {
                    v.push(m.priority);
                }
            }
        }
        let mut twice = 0u64;
        for (p, prios) in per.iter_mut().enumerate() {
            let cap = self.capacity(p);
            prios.sort_unstable_by(|x, y| y.cmp(x));
            twice += prios.iter().take(cap).map(|&x| u64::from(x)).sum::<u64>();
        }
        let all: u64 = self.meetings.iter().map(|m| u64::from(m.priority)).sum();
        (twice / 2).min(all)
    }

    /// How many meetings participant `p` can have at most.
    pub fn capacity(&self, p: usize) -> usize {
        let Some(part) = self.participants.get(p) else {
            return 0;
        };
        let mut per_session = vec![0usize; self.session_caps.len()];
        let mut seen = std::collections::BTreeSet::new();
        for &s in &part.available {
            if seen.insert(s) {
                if let Some(slot) = self.slots.get(s) {
                    if let Some(c) = per_session.get_mut(slot.session) {
                        *c += 1;
                    }
                }
            }
        }
        let sum: usize = per_session
            .iter()
            .enumerate()
            .map(|(sess, &n)| {
                self.cap_in_session(p, sess)
                    .map_or(n, |c| n.min(c as usize))
            })
            .sum();
        part.max_meetings.map_or(sum, |c| sum.min(c as usize))
    }

    /// Most meetings participant `p` may have in session `sess`: the smaller of the session's
    /// cap and the participant's own per-session cap (`None` = neither is set).
    pub fn cap_in_session(&self, p: usize, sess: usize) -> Option<u32> {
        let event = self.session_caps.get(sess).copied().flatten();
        let own = self.participants.get(p).and_then(|q| q.max_per_session);
        match (event, own) {
            (Some(x), Some(y)) => Some(x.min(y)),
            (x, y) => x.or(y),
        }
    }
}

impl Schedule {
    /// Checks a schedule against its instance: availability, no double booking, caps, tables,
    /// booths and the reported total. The bench and the tests use it so a wrong schedule can
    /// never pass as a good one.
    pub fn verify(&self, inst: &Instance) -> Result<(), String> {
        use std::collections::BTreeSet;
        if self.placements.len() != inst.meetings.len() {
            return Err("one placement per meeting expected".into());
        }
        let mut seat = BTreeSet::new();
        let mut table = BTreeSet::new();
        let mut load = std::collections::BTreeMap::new();
        let mut count = vec![0u32; inst.participants.len()];
        let mut total = 0u64;
        for (i, (m, p)) in inst.meetings.iter().zip(&self.placements).enumerate() {
            let Some(p) = p else { continue };
            let slot = inst
                .slots
                .get(p.slot)
                .ok_or(format!("meeting {i}: bad slot"))?;
            if p.table >= inst.tables {
                return Err(format!("meeting {i}: table {} beyond the tables", p.table));
            }
            for side in [m.a, m.b] {
                let part = &inst.participants[side];
                if !part.available.contains(&p.slot) {
                    return Err(format!("meeting {i}: participant {side} not available"));
                }
                if !seat.insert((side, p.slot)) {
                    return Err(format!(
                        "participant {side} double-booked in slot {}",
                        p.slot
                    ));
                }
                let n = load.entry((side, slot.session)).or_insert(0u32);
                *n += 1;
                if inst.session_caps[slot.session].is_some_and(|c| *n > c) {
                    return Err(format!("participant {side} over the session cap"));
                }
                if inst
                    .cap_in_session(side, slot.session)
                    .is_some_and(|c| *n > c)
                {
                    return Err(format!(
                        "participant {side} over their own cap in session {}",
                        slot.session
                    ));
                }
                count[side] += 1;
                if part.max_meetings.is_some_and(|c| count[side] > c) {
                    return Err(format!("participant {side} over their own meeting cap"));
                }
            }
            let host_booth = inst.participants[m.b]
                .booth
                .or(inst.participants[m.a].booth);
            match host_booth {
                Some(b) if b != p.table => {
                    return Err(format!("meeting {i}: not at the host's booth"));
                }
                None if inst.participants.iter().any(|q| q.booth == Some(p.table)) => {
                    return Err(format!("meeting {i}: at someone else's booth"));
                }
                _ => {}
            }
            if !table.insert((p.slot, p.table)) {
                return Err(format!("table {} used twice in slot {}", p.table, p.slot));
            }
            total += u64::from(m.priority);
        }
        if total != self.total_priority {
            return Err(format!(
                "reported total {} but placed meetings sum to {total}",
                self.total_priority
            ));
        }
        Ok(())
    }
}
