//! Filter conditions shared by the achievement and need listings: industry at any GB/T 4754
//! level, region at any GB/T 2260 level, and [`ListFilter`], the one builder both listings (and
//! a new domain's) compose their `filter` argument with. Each becomes an indexable condition.

use crate::error::{AppError, AppResult};
use crate::validate;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, BinOper, Expr, SimpleExpr};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter};
use transferhub_schema::entity::organisation;
use transferhub_schema::enums::TransferMode;
use transferhub_schema::types::IndustryLevel;

/// Builds a listing's condition from its filter fields, validating each with the field name the
/// client sent (`filter.…`). Fields left `None` add nothing.
#[derive(Debug, Clone)]
pub struct ListFilter {
    cond: Condition,
}

/// The organisation a `filter.organisation` key names; an unknown key is BAD_INPUT on that field.
/// Shared by every listing that filters by organisation (catalog, needs, audit log).
pub async fn organisation_by_key(
    db: &DatabaseConnection,
    key: &str,
) -> AppResult<organisation::Model> {
    organisation::Entity::find()
        .filter(organisation::Column::Key.eq(key.trim()))
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::bad_input(
                "filter.organisation",
                format!("no organisation with key {key:?}"),
            )
        })
}

impl ListFilter {
    /// Starts from `base` (e.g. the visibility rule; `Condition::all()` for none).
    pub fn new(base: Condition) -> Self {
        Self { cond: base }
    }

    /// `filter.organisation`: the organisation with that key owns the record.
    pub async fn organisation(
        mut self,
        db: &DatabaseConnection,
        column: impl ColumnTrait,
        key: Option<&str>,
    ) -> AppResult<Self> {
        if let Some(key) = key {
            let org = organisation_by_key(db, key).await?;
            self.cond = self.cond.add(column.eq(org.id));
        }
        Ok(self)
    }

    /// Equality on `column` (type, status, …).
    pub fn equals<V: Into<sea_orm::Value>>(
        mut self,
        column: impl ColumnTrait,
        v: Option<V>,
    ) -> Self {
        if let Some(v) = v {
            self.cond = self.cond.add(column.eq(v));
        }
        self
    }

    /// `filter.industry` at any level.
    pub fn industry(mut self, v: Option<&str>) -> AppResult<Self> {
        if let Some(i) = v {
            self.cond = self.cond.add(industry("filter.industry", i)?);
        }
        Ok(self)
    }

    /// `filter.maturityMin` / `filter.maturityMax` on a TRL column (1–9 each, min ≤ max).
    pub fn maturity(
        mut self,
        column: impl ColumnTrait + Copy,
        min: Option<i32>,
        max: Option<i32>,
    ) -> AppResult<Self> {
        if let Some(min) = validate::trl("filter.maturityMin", min)? {
            self.cond = self.cond.add(column.gte(min));
        }
        if let Some(max) = validate::trl("filter.maturityMax", max)? {
            self.cond = self.cond.add(column.lte(max));
        }
        if let (Some(min), Some(max)) = (min, max) {
            if min > max {
                return Err(AppError::bad_input(
                    "filter.maturityMin",
                    "must not exceed maturityMax",
                ));
            }
        }
        Ok(self)
    }

    /// `filter.transferMode`: the record's mode bit mask includes it.
    pub fn transfer_mode(mut self, column: impl ColumnTrait, m: Option<TransferMode>) -> Self {
        if let Some(m) = m {
            self.cond = self
                .cond
                .add(Expr::col(column).binary(BinOper::BitAnd, m.bit()).ne(0));
        }
        self
    }

    /// `filter.region` at any level.
    pub fn region(mut self, v: Option<&str>) -> AppResult<Self> {
        if let Some(r) = v {
            self.cond = self.cond.add(region("filter.region", r)?);
        }
        Ok(self)
    }

    /// `filter.updatedSince`: changed at or after.
    pub fn updated_since(mut self, column: impl ColumnTrait, t: Option<DateTime<Utc>>) -> Self {
        if let Some(t) = t {
            self.cond = self.cond.add(column.gte(t));
        }
        self
    }

    /// The condition.
    pub fn build(self) -> Condition {
        self.cond
    }
}

/// Equality on the stored column for the filter's industry level (`C`, `C38`, `C384`, `C3841`).
pub fn industry(field: &str, value: &str) -> AppResult<SimpleExpr> {
    let code = validate::industry(field, Some(value))?
        .ok_or_else(|| AppError::bad_input(field, "must not be empty"))?;
    let column = match code.level() {
        IndustryLevel::Section => "industry_section",
        IndustryLevel::Division => "industry_division",
        IndustryLevel::Group => "industry_group",
        IndustryLevel::Class => "industry_code",
    };
    Ok(Expr::col(Alias::new(column)).eq(code.as_str()))
}

/// Region filter: a province code (`150000`) or prefecture code (`150100`) matches every code
/// inside it; a county code matches itself.
pub fn region(field: &str, value: &str) -> AppResult<Condition> {
    let code = validate::region(field, Some(value))?
        .ok_or_else(|| AppError::bad_input(field, "must not be empty"))?;
    let s = code.as_str();
    let col = || Expr::col(Alias::new("region_code"));
    let (lo, hi) = if s.ends_with("0000") {
        let p: u32 = s[..2].parse().unwrap_or(0);
        (format!("{p:02}0000"), format!("{:02}0000", p + 1))
    } else if s.ends_with("00") {
        let p: u32 = s[..4].parse().unwrap_or(0);
        (format!("{p:04}00"), format!("{:04}00", p + 1))
    } else {
        return Ok(Condition::all().add(col().eq(s)));
    };
    Ok(Condition::all().add(col().gte(lo)).add(col().lt(hi)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::sea_query::{Query, SqliteQueryBuilder};

    fn sql(c: Condition) -> String {
        Query::select()
            .column(Alias::new("id"))
            .from(Alias::new("t"))
            .cond_where(c)
            .to_string(SqliteQueryBuilder)
    }

    #[test]
    fn industry_filter_uses_the_column_of_its_level() {
        let e = industry("industry", "C38").expect("ok");
        assert!(sql(Condition::all().add(e)).contains("\"industry_division\" = 'C38'"));
        let e = industry("industry", "3841").expect("ok");
        assert!(sql(Condition::all().add(e)).contains("\"industry_code\" = 'C3841'"));
        assert!(industry("industry", "Z9").is_err());
    }

    #[test]
    fn a_maturity_range_that_ends_before_it_starts_is_refused_for_every_listing() {
        use transferhub_schema::entity::{achievement, need};
        for r in [
            ListFilter::new(Condition::all()).maturity(achievement::Column::Trl, Some(8), Some(3)),
            ListFilter::new(Condition::all()).maturity(need::Column::RequiredTrl, Some(8), Some(3)),
        ] {
            match r {
                Err(AppError::BadInput { field, .. }) => assert_eq!(field, "filter.maturityMin"),
                other => panic!("expected BAD_INPUT on filter.maturityMin, got {other:?}"),
            }
        }
        let ok = ListFilter::new(Condition::all())
            .maturity(need::Column::RequiredTrl, Some(3), Some(8))
            .expect("ok")
            .build();
        let s = sql(ok);
        assert!(
            s.contains("\"required_trl\" >= 3") && s.contains("\"required_trl\" <= 8"),
            "{s}"
        );
    }

    #[test]
    fn region_filter_covers_the_area() {
        let s = sql(region("region", "150000").expect("ok"));
        assert!(s.contains(">= '150000'") && s.contains("< '160000'"), "{s}");
        let s = sql(region("region", "150100").expect("ok"));
        assert!(s.contains(">= '150100'") && s.contains("< '150200'"), "{s}");
        let s = sql(region("region", "150102").expect("ok"));
        assert!(s.contains("= '150102'"), "{s}");
    }
}
