//! Filter conditions shared by the achievement and need listings: industry at any GB/T 4754
//! level, region at any GB/T 2260 level, keyset paging. Each becomes an indexable condition.

use crate::error::AppResult;
use crate::validate;
use sea_orm::sea_query::{Alias, Expr, SimpleExpr};
use sea_orm::Condition;
use transferhub_schema::types::IndustryLevel;

/// Equality on the stored column for the filter's industry level (`C`, `C38`, `C384`, `C3841`).
pub fn industry(field: &str, value: &str) -> AppResult<SimpleExpr> {
    let code = validate::industry(field, Some(value))?
        .ok_or_else(|| crate::error::AppError::bad_input(field, "must not be empty"))?;
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
        .ok_or_else(|| crate::error::AppError::bad_input(field, "must not be empty"))?;
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
    fn region_filter_covers_the_area() {
        let s = sql(region("region", "150000").expect("ok"));
        assert!(s.contains(">= '150000'") && s.contains("< '160000'"), "{s}");
        let s = sql(region("region", "150100").expect("ok"));
        assert!(s.contains(">= '150100'") && s.contains("< '150200'"), "{s}");
        let s = sql(region("region", "150102").expect("ok"));
        assert!(s.contains("= '150102'"), "{s}");
    }
}
