//! Re-scheduling after late changes: earlier placements are kept first (most valuable first),
//! so the solver only moves meetings when that lets it place more value; table numbers are
//! kept too where the slot did not change, so printed agendas stay right for most people.

use super::model::Placement;
use super::solver::{State, Venue};

/// Puts every meeting back where the previous schedule had it, when that still fits.
pub(super) fn keep_previous(st: &mut State<'_>, order: &[usize]) {
    for &m in order {
        if let Some(prev) = st.inst.meetings[m].previous {
            st.try_direct_only(m, prev.slot);
        }
    }
}

/// Gives every placed meeting a table: its host's booth, else a table from the pool (tables no
/// booth holds), keeping the previous table when the meeting stays in its slot.
pub(super) fn assign_tables(st: &State<'_>) -> Vec<Option<Placement>> {
    let inst = st.inst;
    let booths: std::collections::BTreeSet<u32> =
        inst.participants.iter().filter_map(|p| p.booth).collect();
    let pool: Vec<u32> = (0..inst.tables).filter(|t| !booths.contains(t)).collect();
    let mut used = vec![std::collections::BTreeSet::<u32>::new(); inst.slots.len()];
    let mut out: Vec<Option<Placement>> = vec![None; inst.meetings.len()];
    // Booth meetings and pool meetings that keep their previous table first, then the rest.
    for (m, slot) in st.slot_of.iter().enumerate() {
        let Some(s) = *slot else { continue };
        match st.venue[m] {
            Venue::Booth(t) => out[m] = Some(Placement { slot: s, table: t }),
            Venue::Pool => {
                if let Some(prev) = inst.meetings[m].previous {
                    if prev.slot == s
                        && !booths.contains(&prev.table)
                        && prev.table < inst.tables
                        && used[s].insert(prev.table)
                    {
                        out[m] = Some(Placement {
                            slot: s,
                            table: prev.table,
                        });
                    }
                }
            }
        }
    }
    for (m, slot) in st.slot_of.iter().enumerate() {
        let Some(s) = *slot else { continue };
        if out[m].is_some() {
            continue;
        }
        if let Some(&t) = pool.iter().find(|t| !used[s].contains(t)) {
            used[s].insert(t);
            out[m] = Some(Placement { slot: s, table: t });
        }
    }
    out
}
