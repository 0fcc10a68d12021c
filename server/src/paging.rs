//! Keyset paging, written once: every listing pages by row id after the cursor of the last row
//! it returned (`relay::parse_after` decodes it), asks for one row more than it shows, and says
//! from that extra row whether more follow.

use crate::error::AppResult;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};

/// Which way a listing runs over the id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Highest id first (newest first).
    NewestFirst,
    /// Lowest id first (oldest first: queues).
    OldestFirst,
}

/// One page of `select` (already filtered) ordered by the id column `id`: the rows after the
/// keyset `after` (exclusive), at most `first` of them; the bool says whether more follow.
pub async fn keyset_page<E, C>(
    db: &C,
    select: Select<E>,
    id: E::Column,
    order: Order,
    after: Option<i64>,
    first: usize,
) -> AppResult<(Vec<E::Model>, bool)>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let select = match (order, after) {
        (Order::NewestFirst, Some(a)) => select.filter(id.lt(a)),
        (Order::OldestFirst, Some(a)) => select.filter(id.gt(a)),
        (_, None) => select,
    };
    let select = match order {
        Order::NewestFirst => select.order_by_desc(id),
        Order::OldestFirst => select.order_by_asc(id),
    };
    let mut rows = select.limit(first as u64 + 1).all(db).await?;
    let more = rows.len() > first;
    rows.truncate(first);
    Ok((rows, more))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ActiveModelTrait, Database, Set};
    use transferhub_schema::entity::audit_log;

    #[tokio::test]
    async fn pages_cover_every_row_once_in_either_order() {
        let db = Database::connect("sqlite::memory:").await.expect("db");
        crate::db::migrate(&db).await.expect("migrate");
        for i in 0..7 {
            audit_log::ActiveModel {
                at: Set(chrono::Utc::now()),
                actor: Set("cli".into()),
                action: Set(format!("test.{i}")),
                entity_type: Set("test".into()),
                detail: Set("{}".into()),
                ..Default::default()
            }
            .insert(&db)
            .await
            .expect("insert");
        }
        for order in [Order::NewestFirst, Order::OldestFirst] {
            let mut seen = Vec::new();
            let mut after = None;
            loop {
                let (rows, more) = keyset_page(
                    &db,
                    audit_log::Entity::find(),
                    audit_log::Column::Id,
                    order,
                    after,
                    3,
                )
                .await
                .expect("page");
                assert!(rows.len() <= 3);
                seen.extend(rows.iter().map(|r| r.id));
                after = rows.last().map(|r| r.id);
                if !more {
                    break;
                }
            }
            let mut expected: Vec<i64> = (1..=7).collect();
            if order == Order::NewestFirst {
                expected.reverse();
            }
            assert_eq!(seen, expected, "{order:?}");
        }
    }
}
