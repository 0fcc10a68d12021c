//! `[[links]]` (the link directory's configured entries) and `[link_check]` (the scheduled
//! checker); composed by `app/config.rs`.

use serde::{Deserialize, Serialize};

/// The `[[links]]` entries; CNIPA's services and the known peer portals unless configured.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct LinkList(pub Vec<LinkConfig>);

impl Default for LinkList {
    fn default() -> Self {
        Self(super::defaults::default_links())
    }
}

/// One `[[links]]` entry of the link directory.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct LinkConfig {
    /// Stable key (`cnipa-epub`); admins edit the entry by it.
    pub key: String,
    /// `cnipa`, `peer_portal` or `local_service`.
    pub category: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Chinese description.
    pub description_zh: String,
    /// English description.
    pub description_en: String,
    /// GB/T 2260 code of the region the portal serves (empty: national).
    pub region_code: String,
    /// URL, or template with `{publication_number}`, `{application_number}`, `{application_body}`.
    pub url: String,
    /// Position in lists (ascending).
    pub sort_order: i64,
    /// Shown and checked.
    pub enabled: bool,
}

impl Default for LinkConfig {
    fn default() -> Self {
        Self {
            key: String::new(),
            category: String::new(),
            name_zh: String::new(),
            name_en: String::new(),
            description_zh: String::new(),
            description_en: String::new(),
            region_code: String::new(),
            url: String::new(),
            sort_order: 100,
            enabled: true,
        }
    }
}

/// `[link_check]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinkCheckConfig {
    /// Run the scheduled checker inside `serve`.
    pub scheduler: bool,
    /// Each link is checked again after this many seconds.
    pub interval_secs: u64,
    /// One check gives up after this many seconds (a slow site counts as broken).
    pub timeout_secs: u64,
    /// Failed checks in a row before a link is flagged BROKEN (one failure may be a blip).
    pub failures_before_broken: u32,
    /// Check results kept per link.
    pub history: u32,
}

impl Default for LinkCheckConfig {
    fn default() -> Self {
        Self {
            scheduler: true,
            interval_secs: 6 * 3600,
            timeout_secs: 10,
            failures_before_broken: 1,
            history: 100,
        }
    }
}

impl LinkList {
    /// Checks `[[links]]` at load time: every entry valid, keys unique.
    pub fn validate(&self) -> Result<(), String> {
        let mut seen = std::collections::HashSet::new();
        for (i, l) in self.0.iter().enumerate() {
            super::service::check_configured(l, &format!("links[{i}]."))?;
            if !seen.insert(l.key.trim()) {
                return Err(format!("links[{i}].key: {:?} appears twice", l.key));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_directory_is_valid() {
        LinkList::default().validate().expect("defaults valid");
    }

    #[test]
    fn config_errors_name_the_entry_and_field() {
        let mut l = crate::links::defaults::default_links();
        l[1].url = "https://x.cn/{patent}".into();
        let e = LinkList(l).validate().expect_err("bad placeholder");
        assert!(e.starts_with("links[1].urlTemplate"), "{e}");
        let mut l = crate::links::defaults::default_links();
        l[2].key = l[0].key.clone();
        let e = LinkList(l).validate().expect_err("dup");
        assert!(e.contains("twice"), "{e}");
        let mut l = crate::links::defaults::default_links();
        l[0].category = "blog".into();
        assert!(LinkList(l)
            .validate()
            .expect_err("cat")
            .contains("links[0].category"));
    }
}
