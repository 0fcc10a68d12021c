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
                    booth: None
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
