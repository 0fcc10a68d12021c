//! The default link directory: CNIPA's own services as DOMAIN.md lists them and the peer
//! portals whose addresses are known. A deployment replaces or extends it with `[[links]]`.

use crate::links::config::LinkConfig;

fn link(
    key: &str,
    category: &str,
    name_zh: &str,
    name_en: &str,
    description_zh: &str,
    url: &str,
    sort_order: i64,
) -> LinkConfig {
    LinkConfig {
        key: key.into(),
        category: category.into(),
        name_zh: name_zh.into(),
        name_en: name_en.into(),
        description_zh: description_zh.into(),
        description_en: String::new(),
        region_code: String::new(),
        url: url.into(),
        sort_order,
        enabled: true,
    }
}

/// CNIPA's per-patent publication page and landing pages, and the peer portals.
pub fn default_links() -> Vec<LinkConfig> {
    vec![
        link(
            "cnipa-epub",
            "cnipa",
            "中国专利公布公告",
            "CNIPA patent publication and announcement",
            "按公布/公告号查看该专利的公布公告页面",
            "http://epub.cnipa.gov.cn/patent/{publication_number}",
            10,
        ),
        link(
            "cnipa-pss",
            "cnipa",
            "专利检索及分析",
            "CNIPA patent search and analysis",
            "国家知识产权局专利检索及分析系统(需登录)",
            "https://pss-system.cponline.cnipa.gov.cn/",
            20,
        ),
        link(
            "cnipa-cpquery",
            "cnipa",
            "中国及多国专利审查信息查询",
            "CNIPA examination status (China and other offices)",
            "查询专利审查状态、费用与法律状态(需登录)",
            "https://cpquery.cponline.cnipa.gov.cn/",
            30,
        ),
        link(
            "cnipa-cponline",
            "cnipa",
            "专利业务办理系统",
            "CNIPA patent e-filing",
            "专利电子申请与业务办理",
            "https://cponline.cnipa.gov.cn/",
            40,
        ),
        link(
            "cnipa-fees",
            "cnipa",
            "专利缴费与业务办理(交互平台)",
            "CNIPA fees and interactive services",
            "专利费用缴纳与交互式业务办理",
            "https://interactive.cponline.cnipa.gov.cn/",
            50,
        ),
        link(
            "cnipa-trademark",
            "cnipa",
            "商标网上服务",
            "CNIPA trademark online services",
            "商标网上申请与查询",
            "https://wcjs.sbj.cnipa.gov.cn/",
            60,
        ),
        LinkConfig {
            region_code: "330000".into(),
            ..link(
                "zj-51jishu",
                "peer_portal",
                "中国浙江网上技术市场",
                "China Zhejiang Online Technology Market",
                "浙江省人民政府、科技部、国家知识产权局共同主办的网上技术市场",
                "https://www.51jishu.com/",
                110,
            )
        },
    ]
}
