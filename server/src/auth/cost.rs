//! Query cost per role: the schema-wide depth and complexity limits bound every caller; this
//! extension applies the tighter `[auth] anonymous_*` limits to anonymous callers and portal
//! keys, whose traffic is the least trusted and the most voluminous.

use super::Viewer;
use crate::error::Code;
use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextValidation};
use async_graphql::{ServerError, ValidationResult};
use std::sync::Arc;
use transferhub_schema::enums::Role;

/// Installs the per-role limits into the schema.
#[derive(Debug, Clone, Copy)]
pub struct RoleLimits {
    /// Deepest selection for anonymous callers and portal keys.
    pub depth: usize,
    /// Largest complexity for anonymous callers and portal keys.
    pub complexity: usize,
}

impl ExtensionFactory for RoleLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(*self)
    }
}

fn refusal(message: String) -> ServerError {
    let mut e = ServerError::new(message, None);
    let ext = e.extensions.get_or_insert_with(Default::default);
    ext.set("code", Code::BadInput.as_str());
    ext.set("field", "query");
    e
}

#[async_trait::async_trait]
impl Extension for RoleLimits {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        let limited = ctx
            .data_opt::<Viewer>()
            .is_none_or(|v| v.role == Role::Portal);
        if !limited {
            return Ok(result);
        }
        if result.depth > self.depth {
            return Err(vec![refusal(format!(
                "查询嵌套过深 / query is nested too deeply: depth {} exceeds {} for anonymous callers and portal keys",
                result.depth, self.depth
            ))]);
        }
        if result.complexity > self.complexity {
            return Err(vec![refusal(format!(
                "查询过于复杂 / query is too complex: complexity {} exceeds {} for anonymous callers and portal keys",
                result.complexity, self.complexity
            ))]);
        }
        Ok(result)
    }
}
