//! Enums shared by the store, the API and the CLI, so one spelling exists for each value
//! (API.md fixes the GraphQL names; the database stores the same upper-case strings).

#[cfg(feature = "db")]
use sea_orm::entity::prelude::StringLen;
use serde::{Deserialize, Serialize};

/// Kinds of technology achievement (成果类型).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "String(StringLen::None)")
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AchievementType {
    /// 专利
    #[cfg_attr(feature = "db", sea_orm(string_value = "PATENT"))]
    Patent,
    /// 软件著作权
    #[cfg_attr(feature = "db", sea_orm(string_value = "SOFTWARE_COPYRIGHT"))]
    SoftwareCopyright,
    /// 植物新品种
    #[cfg_attr(feature = "db", sea_orm(string_value = "PLANT_VARIETY"))]
    PlantVariety,
    /// 技术秘密
    #[cfg_attr(feature = "db", sea_orm(string_value = "KNOW_HOW"))]
    KnowHow,
    /// 其他
    #[cfg_attr(feature = "db", sea_orm(string_value = "OTHER"))]
    Other,
}

impl AchievementType {
    /// Chinese label used in listings and imports.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Patent => "专利",
            Self::SoftwareCopyright => "软件著作权",
            Self::PlantVariety => "植物新品种",
            Self::KnowHow => "技术秘密",
            Self::Other => "其他",
        }
    }
}

/// Ways an achievement can be transferred (促进科技成果转化法 Art. 16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "String(StringLen::None)")
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TransferMode {
    /// 自行投资实施
    #[cfg_attr(feature = "db", sea_orm(string_value = "SELF_IMPLEMENTATION"))]
    SelfImplementation,
    /// 转让
    #[cfg_attr(feature = "db", sea_orm(string_value = "ASSIGNMENT"))]
    Assignment,
    /// 许可
    #[cfg_attr(feature = "db", sea_orm(string_value = "LICENCE"))]
    Licence,
    /// 合作实施
    #[cfg_attr(feature = "db", sea_orm(string_value = "JOINT_IMPLEMENTATION"))]
    JointImplementation,
    /// 作价投资
    #[cfg_attr(feature = "db", sea_orm(string_value = "EQUITY_INVESTMENT"))]
    EquityInvestment,
    /// 其他协商确定的方式
    #[cfg_attr(feature = "db", sea_orm(string_value = "OTHER"))]
    Other,
}

impl TransferMode {
    /// Every mode, in the statute's order.
    pub const ALL: [TransferMode; 6] = [
        Self::SelfImplementation,
        Self::Assignment,
        Self::Licence,
        Self::JointImplementation,
        Self::EquityInvestment,
        Self::Other,
    ];

    /// One bit per mode, so a set of modes is one integer column filterable on every database.
    pub fn bit(self) -> i32 {
        1 << (self as i32)
    }

    /// Packs a set of modes into the stored bit mask.
    pub fn mask(modes: &[TransferMode]) -> i32 {
        modes.iter().fold(0, |m, t| m | t.bit())
    }

    /// Unpacks a stored bit mask, in the statute's order.
    pub fn from_mask(mask: i32) -> Vec<TransferMode> {
        Self::ALL
            .into_iter()
            .filter(|t| mask & t.bit() != 0)
            .collect()
    }

    /// Chinese label as written in the statute.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::SelfImplementation => "自行投资实施",
            Self::Assignment => "转让",
            Self::Licence => "许可",
            Self::JointImplementation => "合作实施",
            Self::EquityInvestment => "作价投资",
            Self::Other => "其他协商确定的方式",
        }
    }
}

/// What an organisation is, which decides what it may publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "String(StringLen::None)")
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrganisationKind {
    /// 高校
    #[cfg_attr(feature = "db", sea_orm(string_value = "UNIVERSITY"))]
    University,
    /// 科研院所
    #[cfg_attr(feature = "db", sea_orm(string_value = "INSTITUTE"))]
    Institute,
    /// 企业
    #[cfg_attr(feature = "db", sea_orm(string_value = "FIRM"))]
    Firm,
    /// 服务机构
    #[cfg_attr(feature = "db", sea_orm(string_value = "AGENCY"))]
    Agency,
    /// 活动组织方
    #[cfg_attr(feature = "db", sea_orm(string_value = "ORGANISER"))]
    Organiser,
    /// 外部门户
    #[cfg_attr(feature = "db", sea_orm(string_value = "PORTAL"))]
    Portal,
}

/// Where an organisation stands in verification (审核) by a platform admin. Only VERIFIED
/// organisations publish; the others may prepare drafts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "String(StringLen::None)")
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrganisationStatus {
    /// Applied (or resubmitted); waits for a platform admin.
    #[cfg_attr(feature = "db", sea_orm(string_value = "PENDING"))]
    Pending,
    /// Approved by a platform admin (and every organisation from configuration or demo data).
    #[cfg_attr(feature = "db", sea_orm(string_value = "VERIFIED"))]
    Verified,
    /// Rejected with a reason; its admin may fix the application and resubmit.
    #[cfg_attr(feature = "db", sea_orm(string_value = "REJECTED"))]
    Rejected,
}

/// What a member or a token may do; checked by the one policy in the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "String(StringLen::None)")
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    /// Runs the whole hub.
    #[cfg_attr(feature = "db", sea_orm(string_value = "PLATFORM_ADMIN"))]
    PlatformAdmin,
    /// Manages one organisation.
    #[cfg_attr(feature = "db", sea_orm(string_value = "ORG_ADMIN"))]
    OrgAdmin,
    /// Edits one organisation's records.
    #[cfg_attr(feature = "db", sea_orm(string_value = "MEMBER"))]
    Member,
    /// Runs matchmaking events.
    #[cfg_attr(feature = "db", sea_orm(string_value = "ORGANISER"))]
    Organiser,
    /// An external portal reading the catalog.
    #[cfg_attr(feature = "db", sea_orm(string_value = "PORTAL"))]
    Portal,
}

impl Role {
    /// Parses the CLI spelling (`platform-admin`, `org-admin`, `member`, `organiser`, `portal`).
    pub fn from_cli(s: &str) -> Option<Role> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "platform-admin" => Some(Self::PlatformAdmin),
            "org-admin" => Some(Self::OrgAdmin),
            "member" => Some(Self::Member),
            "organiser" | "organizer" => Some(Self::Organiser),
            "portal" => Some(Self::Portal),
            _ => None,
        }
    }
}

/// Publication state of an achievement; only PUBLISHED is public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "String(StringLen::None)")
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AchievementStatus {
    /// Visible to its organisation only.
    #[cfg_attr(feature = "db", sea_orm(string_value = "DRAFT"))]
    Draft,
    /// Public.
    #[cfg_attr(feature = "db", sea_orm(string_value = "PUBLISHED"))]
    Published,
    /// No longer offered; kept for history.
    #[cfg_attr(feature = "db", sea_orm(string_value = "WITHDRAWN"))]
    Withdrawn,
}

/// Whether a need still seeks answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "String(StringLen::None)")
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NeedStatus {
    /// Seeking achievements.
    #[cfg_attr(feature = "db", sea_orm(string_value = "OPEN"))]
    Open,
    /// Solved or abandoned.
    #[cfg_attr(feature = "db", sea_orm(string_value = "CLOSED"))]
    Closed,
}

/// Chinese patent types as carried by the application number's type digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "String(StringLen::None)")
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PatentType {
    /// 发明
    #[cfg_attr(feature = "db", sea_orm(string_value = "INVENTION"))]
    Invention,
    /// 实用新型
    #[cfg_attr(feature = "db", sea_orm(string_value = "UTILITY_MODEL"))]
    UtilityModel,
    /// 外观设计
    #[cfg_attr(feature = "db", sea_orm(string_value = "DESIGN"))]
    Design,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transfer_mode_mask_round_trips() {
        let modes = vec![TransferMode::Licence, TransferMode::EquityInvestment];
        let mask = TransferMode::mask(&modes);
        assert_eq!(TransferMode::from_mask(mask), modes);
        assert_eq!(TransferMode::from_mask(0), vec![]);
    }

    #[test]
    fn role_parses_cli_spelling() {
        assert_eq!(Role::from_cli("org-admin"), Some(Role::OrgAdmin));
        assert_eq!(Role::from_cli("PLATFORM_ADMIN"), Some(Role::PlatformAdmin));
        assert_eq!(Role::from_cli("root"), None);
    }
}

/// Where a deal (交易) stands (API.md, second wave).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "String(StringLen::None)")
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DealStatus {
    /// Interest expressed, the seller has not answered yet (意向).
    #[cfg_attr(feature = "db", sea_orm(string_value = "INTENT"))]
    Intent,
    /// Both parties are talking (洽谈).
    #[cfg_attr(feature = "db", sea_orm(string_value = "NEGOTIATING"))]
    Negotiating,
    /// Under public notice (公示).
    #[cfg_attr(feature = "db", sea_orm(string_value = "NOTICE"))]
    Notice,
    /// Listed on the exchange (挂牌).
    #[cfg_attr(feature = "db", sea_orm(string_value = "LISTED"))]
    Listed,
    /// Being auctioned (拍卖).
    #[cfg_attr(feature = "db", sea_orm(string_value = "AUCTIONING"))]
    Auctioning,
    /// Price and terms agreed.
    #[cfg_attr(feature = "db", sea_orm(string_value = "AGREED"))]
    Agreed,
    /// A contract is confirmed.
    #[cfg_attr(feature = "db", sea_orm(string_value = "CONTRACTED"))]
    Contracted,
    /// The contract is registered (技术合同认定登记).
    #[cfg_attr(feature = "db", sea_orm(string_value = "REGISTERED"))]
    Registered,
    /// Ended after completion.
    #[cfg_attr(feature = "db", sea_orm(string_value = "CLOSED"))]
    Closed,
    /// Ended by a party before completion.
    #[cfg_attr(feature = "db", sea_orm(string_value = "WITHDRAWN"))]
    Withdrawn,
}

impl DealStatus {
    /// True while messages may still be exchanged.
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Closed | Self::Withdrawn)
    }
}
