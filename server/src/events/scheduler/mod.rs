//! The meeting scheduler, pure and free of the database: [`model`] holds instances and
//! schedules, [`solver`] places meetings, `repair` keeps earlier placements on re-scheduling.
//! The events service builds an [`Instance`] from the store and writes the [`Schedule`] back in
//! one transaction.

pub mod model;
mod repair;
pub mod solver;

pub use model::{
    Instance, MeetingRequest, Participant, Placement, Reason, Schedule, SchedulerError, Slot,
    Unplaced,
};
pub use solver::schedule;

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    fn all_slots(n: usize) -> Vec<usize> {
        (0..n).collect()
    }

    fn instance(slots: usize, tables: u32, n_p: usize) -> Instance {
        Instance {
            slots: vec![Slot { session: 0 }; slots],
            session_caps: vec![None],
            tables,
            participants: vec![
                Participant {
                    available: all_slots(slots),
                    ..Default::default()
                };
                n_p
            ],
            meetings: Vec::new(),
        }
    }

    fn meet(a: usize, b: usize, priority: u32) -> MeetingRequest {
        MeetingRequest {
            a,
            b,
            priority,
            previous: None,
        }
    }

    #[test]
    fn complete_buyer_seller_graph_fits_in_max_degree_slots() {
        // König: a bipartite graph of maximum degree 6 colours with 6 colours.
        let mut inst = instance(6, 36, 12);
        for a in 0..6 {
            for b in 6..12 {
                inst.meetings.push(meet(a, b, 1));
            }
        }
        let s = schedule(&inst).expect("schedule");
        s.verify(&inst).expect("feasible");
        assert!(s.unplaced.is_empty(), "{:?}", s.unplaced);
        assert_eq!(s.total_priority, 36);
    }

    #[test]
    fn tables_limit_parallel_meetings_and_the_best_win() {
        let mut inst = instance(1, 2, 6);
        inst.meetings = vec![meet(0, 1, 1), meet(2, 3, 5), meet(4, 5, 3)];
        let s = schedule(&inst).expect("schedule");
        s.verify(&inst).expect("feasible");
        assert_eq!(s.total_priority, 8);
        assert_eq!(s.unplaced.len(), 1);
        assert_eq!(s.unplaced[0].meeting, 0);
        assert_eq!(s.unplaced[0].reason, Reason::NoTableFree);
    }

    #[test]
    fn popular_participant_keeps_the_most_valuable_meetings() {
        let mut inst = instance(3, 10, 6);
        for (b, p) in [(1, 1), (2, 9), (3, 2), (4, 8), (5, 7)] {
            inst.meetings.push(meet(0, b, p));
        }
        let s = schedule(&inst).expect("schedule");
        s.verify(&inst).expect("feasible");
        assert_eq!(s.total_priority, 24);
        assert!(s
            .unplaced
            .iter()
            .all(|u| u.reason == Reason::ParticipantBusy));
    }

    #[test]
    fn no_common_availability_is_reported() {
        let mut inst = instance(4, 4, 2);
        inst.participants[0].available = vec![0, 1];
        inst.participants[1].available = vec![2, 3];
        inst.meetings = vec![meet(0, 1, 3)];
        let s = schedule(&inst).expect("schedule");
        assert_eq!(s.unplaced[0].reason, Reason::NoCommonAvailability);
        assert_eq!(s.total_priority, 0);
    }

    #[test]
    fn session_caps_are_respected() {
        let mut inst = instance(4, 10, 5);
        inst.slots = vec![
            Slot { session: 0 },
            Slot { session: 0 },
            Slot { session: 1 },
            Slot { session: 1 },
        ];
        inst.session_caps = vec![Some(1), None];
        inst.participants[0].available = vec![0, 1];
        inst.meetings = (1..5).map(|b| meet(0, b, 1)).collect();
        let s = schedule(&inst).expect("schedule");
        s.verify(&inst).expect("feasible");
        assert_eq!(s.total_priority, 1);
    }

    #[test]
    fn hosts_receive_at_their_booths() {
        let mut inst = instance(3, 3, 4);
        inst.participants[0].booth = Some(2);
        inst.meetings = vec![meet(1, 0, 1), meet(2, 0, 1), meet(3, 0, 1), meet(1, 2, 1)];
        let s = schedule(&inst).expect("schedule");
        s.verify(&inst).expect("feasible");
        for i in 0..3 {
            assert_eq!(s.placements[i].expect("placed").table, 2);
        }
        assert_ne!(s.placements[3].expect("placed").table, 2);
    }

    #[test]
    fn invalid_instances_are_refused() {
        let mut inst = instance(2, 0, 2);
        assert_eq!(schedule(&inst), Err(SchedulerError::NoTables));
        inst.tables = 1;
        inst.meetings = vec![meet(1, 1, 1)];
        assert_eq!(schedule(&inst), Err(SchedulerError::SelfMeeting(0)));
        inst.meetings = vec![meet(0, 7, 1)];
        assert_eq!(schedule(&inst), Err(SchedulerError::UnknownParticipant(0)));
        inst.meetings = vec![];
        inst.participants[0].booth = Some(3);
        assert_eq!(schedule(&inst), Err(SchedulerError::BoothOutOfRange(0, 3)));
    }

    #[test]
    fn a_participants_own_cap_is_never_exceeded_and_reported() {
        // Participant 0 is wanted by eight others, all high priority, but accepts two meetings.
        let mut inst = instance(8, 10, 9);
        inst.participants[0].max_meetings = Some(2);
        inst.meetings = (1..9).map(|b| meet(0, b, 5 - (b as u32 % 3))).collect();
        let s = schedule(&inst).expect("schedule");
        s.verify(&inst).expect("feasible");
        let placed = s.placements.iter().flatten().count();
        assert_eq!(placed, 2, "cap 2, {placed} placed");
        // The two most valuable ones (priority 5: b = 3 and 6).
        assert_eq!(s.total_priority, 10);
        assert_eq!(s.unplaced.len(), 6);
        assert!(s
            .unplaced
            .iter()
            .all(|u| u.reason == Reason::ParticipantCap));
        assert!(inst.upper_bound() >= s.total_priority);
        assert!(inst.capacity(0) == 2);
    }

    #[test]
    fn a_participants_own_session_cap_is_never_exceeded() {
        // Two sessions of three slots; participant 0 takes one meeting per session, the event
        // allows three; six requests, so two are placed (one per session).
        let mut inst = instance(6, 10, 7);
        inst.slots = (0..6).map(|i| Slot { session: i / 3 }).collect();
        inst.session_caps = vec![Some(3), None];
        inst.participants[0].max_per_session = Some(1);
        inst.meetings = (1..7).map(|b| meet(0, b, b as u32)).collect();
        let s = schedule(&inst).expect("schedule");
        s.verify(&inst).expect("feasible");
        let sessions: Vec<usize> = s
            .placements
            .iter()
            .flatten()
            .map(|p| inst.slots[p.slot].session)
            .collect();
        assert_eq!(sessions.len(), 2, "{sessions:?}");
        assert_ne!(sessions[0], sessions[1], "one per session: {sessions:?}");
        assert_eq!(s.total_priority, 6 + 5);
        assert!(s
            .unplaced
            .iter()
            .all(|u| u.reason == Reason::ParticipantCap));
        // The smaller of the session's and the participant's own cap wins.
        assert_eq!(inst.cap_in_session(0, 0), Some(1));
        assert_eq!(inst.cap_in_session(1, 0), Some(3));
        assert_eq!(inst.cap_in_session(0, 1), Some(1));
        assert_eq!(inst.cap_in_session(1, 1), None);
    }

    #[test]
    fn verify_catches_a_schedule_over_a_participants_cap() {
        let mut inst = instance(4, 4, 4);
        inst.meetings = vec![meet(0, 1, 1), meet(0, 2, 1), meet(0, 3, 1)];
        let s = schedule(&inst).expect("schedule");
        assert_eq!(s.placements.iter().flatten().count(), 3);
        s.verify(&inst).expect("feasible without caps");
        inst.participants[0].max_meetings = Some(2);
        assert!(
            s.verify(&inst).is_err(),
            "three meetings against a cap of two"
        );
        inst.participants[0].max_meetings = None;
        inst.participants[0].max_per_session = Some(2);
        assert!(s.verify(&inst).is_err(), "three in one session against two");
    }

    #[test]
    fn caps_are_kept_on_rescheduling_from_a_previous_schedule() {
        // The earlier schedule had three meetings for participant 0; their cap is now two.
        let mut inst = instance(4, 4, 4);
        inst.meetings = vec![meet(0, 1, 1), meet(0, 2, 3), meet(0, 3, 2)];
        let first = schedule(&inst).expect("schedule");
        for (m, p) in inst.meetings.iter_mut().zip(&first.placements) {
            m.previous = *p;
        }
        inst.participants[0].max_meetings = Some(2);
        let again = schedule(&inst).expect("schedule");
        again.verify(&inst).expect("feasible");
        assert_eq!(again.total_priority, 5);
        assert_eq!(again.placements[0], None);
    }

    #[test]
    fn random_instances_with_personal_caps_stay_feasible() {
        for seed in 0..5 {
            let mut inst = random_instance(seed, 60, 240, 8);
            inst.slots = (0..8).map(|i| Slot { session: i / 4 }).collect();
            inst.session_caps = vec![Some(3), None];
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed + 100);
            for p in &mut inst.participants {
                if rng.gen_bool(0.4) {
                    p.max_meetings = Some(rng.gen_range(1..=4));
                }
                if rng.gen_bool(0.3) {
                    p.max_per_session = Some(rng.gen_range(1..=2));
                }
            }
            let s = schedule(&inst).expect("schedule");
            s.verify(&inst).expect("feasible");
            assert!(s.total_priority <= inst.upper_bound());
            for (i, p) in inst.participants.iter().enumerate() {
                let n = inst
                    .meetings
                    .iter()
                    .zip(&s.placements)
                    .filter(|(m, pl)| pl.is_some() && (m.a == i || m.b == i))
                    .count();
                if let Some(c) = p.max_meetings {
                    assert!(n <= c as usize, "participant {i}: {n} > {c}");
                }
            }
        }
    }

    fn random_instance(seed: u64, n_p: usize, n_m: usize, slots: usize) -> Instance {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut inst = instance(slots, (n_p / 3) as u32, n_p);
        for p in &mut inst.participants {
            if rng.gen_bool(0.3) {
                let from = rng.gen_range(0..slots / 2);
                p.available = (from..slots).collect();
            }
        }
        let half = n_p / 2;
        let mut seen = std::collections::BTreeSet::new();
        while inst.meetings.len() < n_m {
            let a = rng.gen_range(0..half);
            let b = half + (rng.gen_range(0..half * half) as f64).sqrt() as usize % half;
            if seen.insert((a, b)) {
                inst.meetings.push(meet(a, b, rng.gen_range(1..=5)));
            }
        }
        inst
    }

    #[test]
    fn random_instances_are_feasible_and_deterministic() {
        for seed in 0..5 {
            let inst = random_instance(seed, 60, 200, 8);
            let s1 = schedule(&inst).expect("schedule");
            s1.verify(&inst).expect("feasible");
            let s2 = schedule(&inst).expect("schedule");
            assert_eq!(s1, s2, "same input, same schedule");
            assert!(s1.total_priority <= inst.upper_bound());
            assert_eq!(
                s1.unplaced.len() + s1.placements.iter().flatten().count(),
                inst.meetings.len()
            );
        }
    }

    #[test]
    fn rescheduling_keeps_existing_meetings_in_place() {
        let mut inst = random_instance(7, 60, 150, 8);
        let first = schedule(&inst).expect("schedule");
        for (m, p) in inst.meetings.iter_mut().zip(&first.placements) {
            m.previous = *p;
        }
        // Late changes: two new requests, one cancellation.
        inst.meetings.push(meet(0, 31, 5));
        inst.meetings.push(meet(1, 32, 4));
        inst.meetings.remove(3);
        let again = schedule(&inst).expect("schedule");
        again.verify(&inst).expect("feasible");
        let kept_before = inst
            .meetings
            .iter()
            .filter(|m| m.previous.is_some())
            .count();
        assert!(
            again.moved * 10 <= kept_before,
            "moved {} of {kept_before}",
            again.moved
        );
        assert!(again.total_priority + 5 >= first.total_priority);
    }
}
