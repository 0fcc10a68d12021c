//! The optimising scheduler. Meetings are taken in priority order and placed first-fit; those
//! left over are then placed by moving others along alternating chains between two slots (Kempe
//! chains, which always succeed on buyer/seller graphs without availability limits), by moving a
//! meeting away from a slot whose tables are full, or — when nothing else works — by ejecting
//! strictly less valuable meetings, which then try again. Every step keeps the schedule feasible
//! and never lowers the total, so it terminates; nothing is random, so the same input gives the
//! same schedule.

use super::model::{Instance, Placement, Reason, Schedule, SchedulerError, Unplaced};
use super::repair;

const FREE: u32 = u32::MAX;
/// Longest alternating chain tried; longer ones are rare and costly to undo.
const CHAIN_LIMIT: usize = 64;
/// Improvement passes over the unplaced meetings.
const MAX_PASSES: usize = 12;

/// Meetings taken out to make room, each with the slot it sat in.
type Ejected = Vec<(usize, usize)>;

/// Where a meeting takes place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Venue {
    /// The host's fixed booth.
    Booth(u32),
    /// Any table not reserved as a booth.
    Pool,
}

/// The working schedule with the indices the moves need.
pub(super) struct State<'a> {
    pub(super) inst: &'a Instance,
    n_slots: usize,
    n_sessions: usize,
    avail: Vec<bool>,
    busy: Vec<u32>,
    load: Vec<u32>,
    /// Meetings placed per participant (for their own overall cap).
    count: Vec<u32>,
    pool_used: Vec<u32>,
    pool_cap: u32,
    in_slot: Vec<Vec<u32>>,
    pos_in_slot: Vec<usize>,
    pub(super) slot_of: Vec<Option<usize>>,
    pub(super) venue: Vec<Venue>,
    total: u64,
}

impl<'a> State<'a> {
    fn new(inst: &'a Instance) -> Self {
        let n_slots = inst.slots.len();
        let n_sessions = inst.session_caps.len();
        let n_p = inst.participants.len();
        let mut avail = vec![false; n_p * n_slots];
        for (p, part) in inst.participants.iter().enumerate() {
            for &s in &part.available {
                avail[p * n_slots + s] = true;
            }
        }
        let booths = inst
            .participants
            .iter()
            .filter(|p| p.booth.is_some())
            .count() as u32;
        let venue = inst
            .meetings
            .iter()
            .map(
                |m| match (inst.participants[m.b].booth, inst.participants[m.a].booth) {
                    (Some(t), _) | (None, Some(t)) => Venue::Booth(t),
                    (None, None) => Venue::Pool,
                },
            )
            .collect();
        Self {
            inst,
            n_slots,
            n_sessions,
            avail,
            busy: vec![FREE; n_p * n_slots],
            load: vec![0; n_p * n_sessions.max(1)],
            count: vec![0; n_p],
            pool_used: vec![0; n_slots],
            pool_cap: inst.tables.saturating_sub(booths),
            in_slot: vec![Vec::new(); n_slots],
            pos_in_slot: vec![0; inst.meetings.len()],
            slot_of: vec![None; inst.meetings.len()],
            venue,
            total: 0,
        }
    }

    fn sides(&self, m: usize) -> (usize, usize) {
        let r = &self.inst.meetings[m];
        (r.a, r.b)
    }

    fn available(&self, p: usize, s: usize) -> bool {
        self.avail[p * self.n_slots + s]
    }

    fn busy_at(&self, p: usize, s: usize) -> u32 {
        self.busy[p * self.n_slots + s]
    }

    /// True when `p` is below every cap that one more meeting in slot `s` counts against: the
    /// session's cap, the participant's own per-session cap and their overall cap.
    fn under_cap(&self, p: usize, s: usize) -> bool {
        let sess = self.inst.slots[s].session;
        !self.at_overall_cap(p)
            && match self.inst.cap_in_session(p, sess) {
                Some(cap) => self.load[p * self.n_sessions + sess] < cap,
                None => true,
            }
    }

    /// True when `p` is below the session's own cap in slot `s`'s session (the event's rule,
    /// ignoring the participant's personal caps).
    fn under_event_cap(&self, p: usize, s: usize) -> bool {
        let sess = self.inst.slots[s].session;
        match self.inst.session_caps[sess] {
            Some(cap) => self.load[p * self.n_sessions + sess] < cap,
            None => true,
        }
    }

    /// True when `p` holds as many meetings as their own overall cap allows.
    fn at_overall_cap(&self, p: usize) -> bool {
        self.inst.participants[p]
            .max_meetings
            .is_some_and(|c| self.count[p] >= c)
    }

    /// The cheapest placed meeting of `p` whose removal makes room under `p`'s caps for a
    /// meeting in slot `s`: one in the same session when that session is full for `p` (which
    /// frees the overall cap too), else any of theirs (only the overall cap binds). With its slot.
    fn cheapest_blocking(&self, p: usize, s: usize) -> Option<(usize, usize)> {
        let sess = self.inst.slots[s].session;
        let session_full = self
            .inst
            .cap_in_session(p, sess)
            .is_some_and(|c| self.load[p * self.n_sessions + sess] >= c);
        (0..self.n_slots)
            .filter(|&t| !session_full || self.inst.slots[t].session == sess)
            .filter_map(|t| {
                let k = self.busy_at(p, t);
                (k != FREE).then_some((k as usize, t))
            })
            .min_by_key(|&(k, _)| (self.inst.meetings[k].priority, k))
    }

    /// True when meeting `m` (currently unplaced) can go into slot `s` as things stand.
    fn fits(&self, m: usize, s: usize) -> bool {
        let (a, b) = self.sides(m);
        self.available(a, s)
            && self.available(b, s)
            && self.busy_at(a, s) == FREE
            && self.busy_at(b, s) == FREE
            && self.under_cap(a, s)
            && self.under_cap(b, s)
            && (self.venue[m] != Venue::Pool || self.pool_used[s] < self.pool_cap)
    }

    fn place(&mut self, m: usize, s: usize) {
        let (a, b) = self.sides(m);
        let sess = self.inst.slots[s].session;
        for p in [a, b] {
            self.busy[p * self.n_slots + s] = m as u32;
            self.load[p * self.n_sessions + sess] += 1;
            self.count[p] += 1;
        }
        if self.venue[m] == Venue::Pool {
            self.pool_used[s] += 1;
        }
        self.pos_in_slot[m] = self.in_slot[s].len();
        self.in_slot[s].push(m as u32);
        self.slot_of[m] = Some(s);
        self.total += u64::from(self.inst.meetings[m].priority);
    }

    fn remove(&mut self, m: usize) -> Option<usize> {
        let s = self.slot_of[m]?;
        let (a, b) = self.sides(m);
        let sess = self.inst.slots[s].session;
        for p in [a, b] {
            self.busy[p * self.n_slots + s] = FREE;
            self.load[p * self.n_sessions + sess] -= 1;
            self.count[p] -= 1;
        }
        if self.venue[m] == Venue::Pool {
            self.pool_used[s] -= 1;
        }
        let pos = self.pos_in_slot[m];
        self.in_slot[s].swap_remove(pos);
        if let Some(&moved) = self.in_slot[s].get(pos) {
            self.pos_in_slot[moved as usize] = pos;
        }
        self.slot_of[m] = None;
        self.total -= u64::from(self.inst.meetings[m].priority);
        Some(s)
    }

    /// Places `m` in slot `s` if it fits there, and nowhere else.
    pub(super) fn try_direct_only(&mut self, m: usize, s: usize) -> bool {
        if s < self.n_slots && self.fits(m, s) {
            self.place(m, s);
            return true;
        }
        false
    }

    /// Places `m` in the first slot that fits, trying `prefer` first.
    pub(super) fn try_direct(&mut self, m: usize, prefer: Option<usize>) -> bool {
        if let Some(s) = prefer.filter(|&s| s < self.n_slots && self.fits(m, s)) {
            self.place(m, s);
            return true;
        }
        for s in 0..self.n_slots {
            if self.fits(m, s) {
                self.place(m, s);
                return true;
            }
        }
        false
    }

    /// Frees `x` in slot `s` by swapping slots `s` and `t` along the alternating chain that starts
    /// with `x`'s meeting in `s`, then places `m` in `s`. Undoes everything on failure.
    fn try_chain(&mut self, m: usize, x: usize, s: usize, t: usize) -> bool {
        let mut chain: Vec<(usize, usize, usize)> = Vec::new();
        let (mut cur, mut from, mut to) = (x, s, t);
        loop {
            let mi = self.busy_at(cur, from);
            if mi == FREE {
                break;
            }
            let mi = mi as usize;
            if chain.iter().any(|&(c, _, _)| c == mi) || chain.len() >= CHAIN_LIMIT {
                return false;
            }
            chain.push((mi, from, to));
            let (a, b) = self.sides(mi);
            let other = if a == cur { b } else { a };
            if self.busy_at(other, to) == FREE {
                break;
            }
            cur = other;
            std::mem::swap(&mut from, &mut to);
        }
        for &(mi, _, _) in &chain {
            self.remove(mi);
        }
        let mut done = 0;
        let mut ok = true;
        for &(mi, _, to) in &chain {
            if self.fits(mi, to) {
                self.place(mi, to);
                done += 1;
            } else {
                ok = false;
                break;
            }
        }
        if ok && self.fits(m, s) {
            self.place(m, s);
            return true;
        }
        for &(mi, _, _) in chain.iter().take(done) {
            self.remove(mi);
        }
        for &(mi, from, _) in &chain {
            self.place(mi, from);
        }
        false
    }

    /// Places `m` by a Kempe-chain swap at one of its sides.
    fn try_kempe(&mut self, m: usize) -> bool {
        let (a, b) = self.sides(m);
        for s in 0..self.n_slots {
            if !(self.available(a, s) && self.available(b, s)) {
                continue;
            }
            let (ba, bb) = (self.busy_at(a, s), self.busy_at(b, s));
            let x = match (ba == FREE, bb == FREE) {
                (true, false) => b,
                (false, true) => a,
                _ => continue,
            };
            for t in 0..self.n_slots {
                if t != s
                    && self.available(x, t)
                    && self.busy_at(x, t) == FREE
                    && self.try_chain(m, x, s, t)
                {
                    return true;
                }
            }
        }
        false
    }

    /// Places `m` in a slot whose tables are all taken by moving one table meeting elsewhere.
    fn try_relocate(&mut self, m: usize) -> bool {
        if self.venue[m] != Venue::Pool {
            return false;
        }
        let (a, b) = self.sides(m);
        for s in 0..self.n_slots {
            let free_here = self.available(a, s)
                && self.available(b, s)
                && self.busy_at(a, s) == FREE
                && self.busy_at(b, s) == FREE
                && self.under_cap(a, s)
                && self.under_cap(b, s);
            if !free_here || self.pool_used[s] < self.pool_cap {
                continue;
            }
            let here: Vec<u32> = self.in_slot[s].clone();
            for k in here {
                let k = k as usize;
                if self.venue[k] != Venue::Pool {
                    continue;
                }
                self.remove(k);
                let target = (0..self.n_slots).find(|&t| t != s && self.fits(k, t));
                if let Some(t) = target {
                    self.place(k, t);
                    self.place(m, s);
                    return true;
                }
                self.place(k, s);
            }
        }
        false
    }

    /// Places `m` by ejecting the cheapest set of meetings in its way (in the slot, at a side's
    /// cap, or at a full table pool), if that set is worth strictly less; returns the ejected
    /// meetings.
    fn try_eject(&mut self, m: usize) -> Option<Vec<usize>> {
        let (a, b) = self.sides(m);
        let prio = u64::from(self.inst.meetings[m].priority);
        let mut best: Option<(u64, usize, Ejected)> = None;
        for s in 0..self.n_slots {
            if !(self.available(a, s) && self.available(b, s)) {
                continue;
            }
            // (meeting, the slot it sat in)
            let mut out: Vec<(usize, usize)> = Vec::new();
            for p in [a, b] {
                let k = self.busy_at(p, s);
                if k != FREE && !out.iter().any(|&(o, _)| o == k as usize) {
                    out.push((k as usize, s));
                }
            }
            for &(k, _) in &out {
                self.remove(k);
            }
            for p in [a, b] {
                if !self.under_cap(p, s) {
                    if let Some((k, t)) = self.cheapest_blocking(p, s) {
                        self.remove(k);
                        out.push((k, t));
                    }
                }
            }
            if !self.fits(m, s)
                && self.venue[m] == Venue::Pool
                && self.pool_used[s] >= self.pool_cap
                && self.under_cap(a, s)
                && self.under_cap(b, s)
            {
                let cheapest = self.in_slot[s]
                    .iter()
                    .map(|&k| k as usize)
                    .filter(|&k| self.venue[k] == Venue::Pool)
                    .min_by_key(|&k| (self.inst.meetings[k].priority, k));
                if let Some(k) = cheapest {
                    self.remove(k);
                    out.push((k, s));
                }
            }
            let fits = self.fits(m, s);
            for &(k, t) in out.iter().rev() {
                self.place(k, t);
            }
            if !fits {
                continue;
            }
            let cost: u64 = out
                .iter()
                .map(|&(k, _)| u64::from(self.inst.meetings[k].priority))
                .sum();
            if cost < prio && best.as_ref().is_none_or(|(c, _, _)| cost < *c) {
                best = Some((cost, s, out));
            }
        }
        let (_, s, out) = best?;
        for &(k, _) in &out {
            self.remove(k);
        }
        self.place(m, s);
        Some(out.into_iter().map(|(k, _)| k).collect())
    }

    fn reason(&self, m: usize) -> Reason {
        let (a, b) = self.sides(m);
        let common: Vec<usize> = (0..self.n_slots)
            .filter(|&s| self.available(a, s) && self.available(b, s))
            .collect();
        if common.is_empty() {
            return Reason::NoCommonAvailability;
        }
        if self.at_overall_cap(a) || self.at_overall_cap(b) {
            return Reason::ParticipantCap;
        }
        let free: Vec<usize> = common
            .into_iter()
            .filter(|&s| self.busy_at(a, s) == FREE && self.busy_at(b, s) == FREE)
            .collect();
        if free
            .iter()
            .any(|&s| self.under_cap(a, s) && self.under_cap(b, s))
        {
            Reason::NoTableFree
        } else if free
            .iter()
            .any(|&s| self.under_event_cap(a, s) && self.under_event_cap(b, s))
        {
            // Free and within the event's caps somewhere: only a personal cap stands in the way.
            Reason::ParticipantCap
        } else {
            Reason::ParticipantBusy
        }
    }
}

/// Schedules an instance: maximises the total priority of placed meetings, never double-books
/// anyone, respects availability, per-session caps (the session's and each participant's own),
/// each participant's overall cap, tables and booths, keeps earlier placements
/// where it can, and says why each left-out meeting was left out.
pub fn schedule(inst: &Instance) -> Result<Schedule, SchedulerError> {
    inst.validate()?;
    let mut st = State::new(inst);
    let n = inst.meetings.len();
    let common: Vec<usize> = inst
        .meetings
        .iter()
        .map(|r| {
            (0..inst.slots.len())
                .filter(|&s| st.available(r.a, s) && st.available(r.b, s))
                .count()
        })
        .collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&m| (std::cmp::Reverse(inst.meetings[m].priority), common[m], m));

    repair::keep_previous(&mut st, &order);
    for &m in &order {
        if st.slot_of[m].is_none() {
            st.try_direct(m, None);
        }
    }
    for _ in 0..MAX_PASSES {
        let before = (st.total, st.slot_of.iter().filter(|s| s.is_some()).count());
        for &m in &order {
            if st.slot_of[m].is_some() {
                continue;
            }
            if st.try_direct(m, None) || st.try_kempe(m) || st.try_relocate(m) {
                continue;
            }
            if let Some(out) = st.try_eject(m) {
                for k in out {
                    let _ = st.try_direct(k, None) || st.try_kempe(k) || st.try_relocate(k);
                }
            }
        }
        let after = (st.total, st.slot_of.iter().filter(|s| s.is_some()).count());
        if after == before {
            break;
        }
    }

    let placements: Vec<Option<Placement>> = repair::assign_tables(&st);
    let unplaced = order
        .iter()
        .filter(|&&m| st.slot_of[m].is_none())
        .map(|&m| Unplaced {
            meeting: m,
            reason: st.reason(m),
        })
        .collect();
    let moved = inst
        .meetings
        .iter()
        .zip(&placements)
        .filter(|(r, p)| r.previous.is_some() && r.previous != **p)
        .count();
    Ok(Schedule {
        placements,
        unplaced,
        total_priority: st.total,
        moved,
    })
}
