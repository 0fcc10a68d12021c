//! Query cost per role: the schema-wide depth and complexity limits bound every caller; this
//! extension applies the tighter `[auth] anonymous_*` limits to anonymous callers and portal
//! keys, whose traffic is the least trusted and the most voluminous. Depth is checked here, not
//! by the schema, so that a document asking only for introspection (`__schema`, `__type`) is not
//! refused for its depth (complexity limits still apply): the standard introspection query of GraphiQL and code generators nests `ofType`
//! deeper than any data query needs, and the parser's recursion limit still bounds it.

use super::Viewer;
use crate::error::Code;
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection};
use async_graphql::{ServerError, ServerResult, ValidationResult, Variables};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use transferhub_schema::enums::Role;

/// Installs the per-role limits into the schema.
#[derive(Debug, Clone, Copy)]
pub struct RoleLimits {
    /// Deepest selection for every caller (`[server] graphql_depth_limit`).
    pub schema_depth: usize,
    /// Deepest selection for anonymous callers and portal keys.
    pub depth: usize,
    /// Largest complexity for anonymous callers and portal keys.
    pub complexity: usize,
}

impl ExtensionFactory for RoleLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RequestLimits {
            limits: *self,
            introspection_only: AtomicBool::new(false),
        })
    }
}

/// The limits for one request, and whether its document asks for introspection only.
struct RequestLimits {
    limits: RoleLimits,
    introspection_only: AtomicBool,
}

/// True when every operation is a query whose every top-level selection is an introspection
/// field (`__schema`, `__type`, `__typename`); fragments at the top level count as data.
fn introspection_only(doc: &ExecutableDocument) -> bool {
    let mut any = false;
    for (_, op) in doc.operations.iter() {
        if op.node.ty != OperationType::Query {
            return false;
        }
        for item in &op.node.selection_set.node.items {
            match &item.node {
                Selection::Field(f) if f.node.name.node.starts_with("__") => any = true,
                _ => return false,
            }
        }
    }
    any
}

fn refusal(message: String) -> ServerError {
    let mut e = ServerError::new(message, None);
    let ext = e.extensions.get_or_insert_with(Default::default);
    ext.set("code", Code::BadInput.as_str());
    ext.set("field", "query");
    e
}

#[async_trait::async_trait]
impl Extension for RequestLimits {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        self.introspection_only
            .store(introspection_only(&doc), Ordering::Relaxed);
        Ok(doc)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        let depth_exempt = self.introspection_only.load(Ordering::Relaxed);
        if !depth_exempt && result.depth > self.limits.schema_depth {
            return Err(vec![refusal(format!(
                "查询嵌套过深 / query is nested too deeply: depth {} exceeds {}",
                result.depth, self.limits.schema_depth
            ))]);
        }
        let limited = ctx
            .data_opt::<Viewer>()
            .is_none_or(|v| v.role == Role::Portal);
        if !limited {
            return Ok(result);
        }
        if !depth_exempt && result.depth > self.limits.depth {
            return Err(vec![refusal(format!(
                "查询嵌套过深 / query is nested too deeply: depth {} exceeds {} for anonymous callers and portal keys",
                result.depth, self.limits.depth
            ))]);
        }
        if result.complexity > self.limits.complexity {
            return Err(vec![refusal(format!(
                "查询过于复杂 / query is too complex: complexity {} exceeds {} for anonymous callers and portal keys",
                result.complexity, self.limits.complexity
            ))]);
        }
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::introspection_only;
    use async_graphql::parser::parse_query;

    #[test]
    fn only_pure_introspection_documents_are_exempt() {
        let yes = |q: &str| introspection_only(&parse_query(q).expect("parses"));
        assert!(yes("{ __schema { types { name } } }"));
        assert!(yes("query IntrospectionQuery { __schema { queryType { name } } __type(name: \"X\") { name } }"));
        assert!(!yes(
            "{ __schema { queryType { name } } achievements { totalCount } }"
        ));
        assert!(!yes(
            "{ ...F } fragment F on QueryRoot { __schema { queryType { name } } }"
        ));
        assert!(!yes("mutation { __typename }"));
        assert!(!yes("{ achievements { totalCount } }"));
    }
}
