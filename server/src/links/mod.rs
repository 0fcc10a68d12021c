//! Link-outs: per-patent links to CNIPA built from normalised numbers, the link directory
//! (CNIPA services, peer-province portals, local services) from `[[links]]`, the demo and
//! admins, and the scheduled checker that records each link's reachability.

pub mod checker;
pub mod config;
pub mod defaults;
pub mod graphql;
pub mod patent;
pub mod service;
pub mod template;

use crate::app::config::Config;
use crate::error::{AppError, AppResult};
use crate::links::config::{LinkCheckConfig, LinkConfig};
use crate::outbound::Outbound;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// What the link resolvers share: the configured directory (synced into the store once per
/// process, before the first read), the CNIPA template cache, and the checker's client.
#[derive(Clone)]
pub struct LinkServices {
    configured: Arc<Vec<LinkConfig>>,
    synced: Arc<tokio::sync::OnceCell<()>>,
    /// CNIPA entries for per-patent links.
    pub cnipa: service::CnipaCache,
    /// `[link_check]`.
    pub check: LinkCheckConfig,
    outbound: Arc<Result<Outbound, String>>,
}

impl LinkServices {
    /// Builds the services from the configuration.
    pub fn new(config: &Config) -> Self {
        Self {
            configured: Arc::new(config.links.0.clone()),
            synced: Arc::new(tokio::sync::OnceCell::new()),
            cnipa: service::CnipaCache::default(),
            check: config.link_check.clone(),
            outbound: Arc::new(Outbound::new(&config.outbound)),
        }
    }

    /// Writes `[[links]]` into the store once per process; later calls return at once.
    pub async fn ensure_synced(&self, db: &DatabaseConnection) -> AppResult<()> {
        self.synced
            .get_or_try_init(|| async {
                service::sync_config(db, &self.configured).await?;
                Ok::<(), AppError>(())
            })
            .await?;
        Ok(())
    }

    /// The guarded client for checks.
    pub fn outbound(&self) -> AppResult<&Outbound> {
        self.outbound
            .as_ref()
            .as_ref()
            .map_err(|e| AppError::Internal(e.clone()))
    }
}

/// Starts the scheduled checker (inside `serve`) after syncing `[[links]]`.
pub async fn spawn_checker(
    db: DatabaseConnection,
    config: &Config,
) -> AppResult<Option<tokio::task::JoinHandle<()>>> {
    service::sync_config(&db, &config.links.0).await?;
    if !config.link_check.scheduler {
        return Ok(None);
    }
    let outbound = Outbound::new(&config.outbound).map_err(AppError::Internal)?;
    Ok(Some(tokio::spawn(checker::run(
        db,
        outbound,
        config.link_check.clone(),
    ))))
}

/// Demo directory entries of the Hohhot deployment (`seed-demo`): local services and one more
/// peer portal; idempotent. Their reachability is what the checker reports, not assumed.
pub async fn seed_demo(db: &DatabaseConnection) -> AppResult<()> {
    let entries = [
        (
            "nmg-amr-ip",
            "local_service",
            "内蒙古自治区市场监督管理局(知识产权局)",
            "Inner Mongolia Administration for Market Regulation (IP office)",
            "自治区知识产权行政管理:专利资助、维权援助与政策",
            "150000",
            "http://amr.nmg.gov.cn/",
        ),
        (
            "nmg-kjt",
            "local_service",
            "内蒙古自治区科学技术厅",
            "Department of Science and Technology of Inner Mongolia",
            "科技成果转化政策与技术合同认定登记",
            "150000",
            "http://kjt.nmg.gov.cn/",
        ),
        (
            "hohhot-gov",
            "local_service",
            "呼和浩特市人民政府",
            "Hohhot Municipal People's Government",
            "本市政务服务入口",
            "150100",
            "http://www.huhhot.gov.cn/",
        ),
        (
            "sh-ip-platform",
            "peer_portal",
            "上海知识产权信息公共服务平台",
            "Shanghai IP information public service platform",
            "上海市知识产权信息检索与公共服务",
            "310000",
            "http://www.shanghaiip.cn/",
        ),
    ];
    for (i, (key, category, zh, en, desc, region, url)) in entries.into_iter().enumerate() {
        let d = service::RawLink {
            key,
            category,
            name_zh: zh,
            name_en: en,
            description_zh: Some(desc),
            description_en: None,
            region_code: Some(region),
            url,
            sort_order: 200 + i as i64,
            enabled: true,
        }
        .validate("demo.")?;
        service::store(db, &d, service::origin::DEMO).await?;
    }
    Ok(())
}
