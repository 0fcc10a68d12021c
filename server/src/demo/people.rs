//! Demo people (issue 19): researchers of the demo universities and institutes with Chinese
//! profiles — 职称, IPC and GB/T 4754 fields, keywords, languages — whose names are inventors of
//! demo achievements, so `Achievement.inventorPeople` and `Organisation.people` show them.
//! Profiles pass the same checks as `updateMyProfile`.

use crate::error::{AppError, AppResult};
use crate::people::service::ProfileVisibility;
use crate::validate;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use transferhub_schema::entity::{membership, person_profile, user};
use transferhub_schema::enums::Role;

/// One demo person.
pub struct DemoPerson {
    /// E-mail (their login).
    pub email: &'static str,
    /// Display name (as in the achievements' inventors).
    pub name: &'static str,
    /// Organisation key.
    pub org: &'static str,
    /// 职称.
    pub title: &'static str,
    /// IPC symbols.
    pub ipc: &'static [&'static str],
    /// GB/T 4754 codes.
    pub industry: &'static [&'static str],
    /// Expertise keywords.
    pub keywords: &'static [&'static str],
    /// Languages.
    pub languages: &'static [&'static str],
    /// Bio.
    pub bio: &'static str,
    /// Visibility.
    pub visibility: ProfileVisibility,
}

/// The demo people.
pub const DEMO_PEOPLE: &[DemoPerson] = &[
    DemoPerson {
        email: "wangtana@imau.edu.cn",
        name: "王塔娜",
        org: "imau",
        title: "教授",
        ipc: &["A23C 9/123", "C12N 1/20", "A23C 19/14"],
        industry: &["C1441", "C1449"],
        keywords: &["乳酸菌", "发酵乳", "干酪", "乳品质构"],
        languages: &["zh", "mn", "en"],
        bio:
            "内蒙古农业大学食品科学与工程学院教授，长期从事传统发酵乳制品微生物资源与乳品加工研究。",
        visibility: ProfileVisibility::Public,
    },
    DemoPerson {
        email: "lulimin@immu.edu.cn",
        name: "卢利民",
        org: "immu",
        title: "研究员",
        ipc: &["A61K 36/71", "A61K 36/185", "A61P 25/28"],
        industry: &["C2740", "C2730"],
        keywords: &["蒙药", "质量控制", "指纹图谱", "民族药"],
        languages: &["zh", "mn"],
        bio: "内蒙古医科大学蒙医药学院研究员，研究蒙药复方的物质基础与质量标准。",
        visibility: ProfileVisibility::Public,
    },
    DemoPerson {
        email: "liangyan@imut.edu.cn",
        name: "梁艳",
        org: "imut",
        title: "副教授",
        ipc: &["F03D 7/04", "H02J 3/38", "F03D 80/40"],
        industry: &["D4415", "I6513"],
        keywords: &["风电机组", "状态监测", "故障预警", "SCADA"],
        languages: &["zh", "en"],
        bio: "内蒙古工业大学电力学院副教授，研究风电机组状态监测与智能运维。",
        visibility: ProfileVisibility::Public,
    },
    DemoPerson {
        email: "guoxu@naas.cn",
        name: "郭旭",
        org: "naas",
        title: "高级农艺师",
        ipc: &["A01C 1/00", "A01G 2/10", "A01H 6/82"],
        industry: &["A0123", "A0119"],
        keywords: &["马铃薯", "燕麦", "新品种选育", "旱作农业"],
        languages: &["zh"],
        bio: "内蒙古自治区农牧业科学院高级农艺师，从事马铃薯、燕麦新品种选育与栽培技术推广。",
        visibility: ProfileVisibility::Public,
    },
    DemoPerson {
        email: "gerile@imust.edu.cn",
        name: "格日勒",
        org: "imust",
        title: "教授",
        ipc: &["C22C 38/00", "C21D 8/02"],
        industry: &["C3120", "C3130"],
        keywords: &["稀土钢", "耐候钢", "钢铁材料"],
        languages: &["zh", "mn", "en"],
        bio: "内蒙古科技大学材料与冶金学院教授，研究稀土在钢中的作用与高性能钢材开发。",
        visibility: ProfileVisibility::Basic,
    },
    DemoPerson {
        email: "caokai@imu.edu.cn",
        name: "曹凯",
        org: "imu",
        title: "高级工程师",
        ipc: &["B01J 23/62", "C07C 5/333", "B01J 27/13"],
        industry: &["C2614", "C2661"],
        keywords: &["催化剂", "丙烷脱氢", "煤化工", "无汞催化"],
        languages: &["zh", "en"],
        bio: "内蒙古大学化学化工学院高级工程师，从事工业催化剂研制与煤化工工艺放大。",
        visibility: ProfileVisibility::Public,
    },
];

fn list(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_string()).collect()
}

/// Adds the demo people that are missing (by e-mail) with their membership (MEMBER) and
/// profile; returns how many were added.
pub async fn seed_people(db: &DatabaseConnection) -> AppResult<usize> {
    let mut added = 0;
    let now = Utc::now();
    for p in DEMO_PEOPLE {
        let Some(org) = crate::catalog::service::find_org_by_key(db, p.org).await? else {
            continue;
        };
        let exists = user::Entity::find()
            .filter(user::Column::Email.eq(p.email))
            .one(db)
            .await?;
        if exists.is_some() {
            continue;
        }
        let bad =
            |e: AppError| AppError::Internal(format!("demo person {}: {}", p.email, e.message()));
        let ipc = validate::person_ipc_codes("ipcCodes", &list(p.ipc)).map_err(bad)?;
        let industry = validate::industry_codes("industryCodes", &list(p.industry)).map_err(bad)?;
        let keywords = validate::string_list("keywords", &list(p.keywords), 20, 30).map_err(bad)?;
        let languages = validate::language_tags("languages", &list(p.languages)).map_err(bad)?;
        let json = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
        let tx = crate::db::begin_write(db).await?;
        let u = user::ActiveModel {
            email: Set(Some(p.email.to_string())),
            display_name: Set(p.name.to_string()),
            issuer: Set(None),
            subject: Set(None),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
        membership::ActiveModel {
            user_id: Set(u.id),
            organisation_id: Set(org.id),
            role: Set(Role::Member),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
        person_profile::ActiveModel {
            user_id: Set(u.id),
            title: Set(Some(p.title.to_string())),
            ipc_codes: Set(json(&ipc)),
            industry_codes: Set(json(&industry)),
            keywords: Set(json(&keywords)),
            languages: Set(json(&languages)),
            bio: Set(Some(p.bio.to_string())),
            visibility: Set(p.visibility.as_str().to_string()),
            show_email: Set(false),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
        tx.commit().await?;
        added += 1;
    }
    Ok(added)
}
