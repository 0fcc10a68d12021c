//! Organisations joining the hub (issue 19): a logged-in person without an organisation applies
//! to create one (kind, names, 统一社会信用代码, region, address, contact, business licence); it
//! waits as PENDING for a platform admin's verification (审核), who approves or rejects it with a
//! reason; a rejected applicant fixes the application and resubmits. Until VERIFIED an
//! organisation prepares drafts but publishes nothing (`auth::policy::may_publish`, asked by the
//! catalog and needs through [`service::require_publishing`]). Platform admins (GraphQL and the
//! `transferhub org` CLI) also create verified organisations directly and deactivate them.

pub mod graphql;
pub mod service;
