//! URL templates of the link directory: the placeholders a template may hold, validation when
//! an admin or the configuration defines one, and filling them for one patent.

use std::fmt;

/// The placeholders a template may use; anything else in braces is refused.
pub const PLACEHOLDERS: [&str; 3] = [
    "publication_number",
    "application_number",
    "application_body",
];

/// Longest template accepted.
pub const MAX_TEMPLATE_CHARS: usize = 2000;

/// Why a template was refused, in words an admin can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// Nothing given.
    #[error("the URL template is empty")]
    Empty,
    /// Over [`MAX_TEMPLATE_CHARS`].
    #[error("the URL template is {0} characters long; at most {MAX_TEMPLATE_CHARS} allowed")]
    TooLong(usize),
    /// A `{` without `}` or the reverse.
    #[error("unbalanced brace at character {0}")]
    Unbalanced(usize),
    /// `{something}` that is not a known placeholder.
    #[error("unknown placeholder {{{0}}}; allowed: {{publication_number}}, {{application_number}}, {{application_body}}")]
    UnknownPlaceholder(String),
    /// Not an absolute http(s) URL once filled.
    #[error("not an absolute http or https URL: {0}")]
    NotHttp(String),
    /// User name or password inside the URL.
    #[error("the URL must not carry a user name or password")]
    Credentials,
}

/// One piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Hole(&'static str),
}

/// A validated template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlTemplate {
    raw: String,
    parts: Vec<Part>,
}

/// Values for the placeholders of one patent; a missing value leaves the link unbuildable.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values<'a> {
    /// Normalised publication number, e.g. `CN105338215A`.
    pub publication_number: Option<&'a str>,
    /// Normalised application number, e.g. `201710601862.3`.
    pub application_number: Option<&'a str>,
}

impl UrlTemplate {
    /// Parses and validates a template (placeholders known, braces balanced, http(s) URL
    /// without credentials once filled with sample values).
    pub fn parse(raw: &str) -> Result<Self, TemplateError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(TemplateError::Empty);
        }
        let n = raw.chars().count();
        if n > MAX_TEMPLATE_CHARS {
            return Err(TemplateError::TooLong(n));
        }
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut chars = raw.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '{' => {
                    let mut name = String::new();
                    let mut closed = false;
                    for (_, d) in chars.by_ref() {
                        if d == '}' {
                            closed = true;
                            break;
                        }
                        if d == '{' {
                            return Err(TemplateError::Unbalanced(i));
                        }
                        name.push(d);
                    }
                    if !closed {
                        return Err(TemplateError::Unbalanced(i));
                    }
                    let Some(hole) = PLACEHOLDERS.iter().find(|p| **p == name.trim()) else {
                        return Err(TemplateError::UnknownPlaceholder(name));
                    };
                    if !text.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut text)));
                    }
                    parts.push(Part::Hole(hole));
                }
                '}' => return Err(TemplateError::Unbalanced(i)),
                c => text.push(c),
            }
        }
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        let t = Self {
            raw: raw.to_string(),
            parts,
        };
        let sample = t
            .fill(&Values {
                publication_number: Some("CN105338215A"),
                application_number: Some("201710601862.3"),
            })
            .unwrap_or_default();
        check_url(&sample)?;
        Ok(t)
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// Whether the template needs per-patent values (otherwise it is a plain landing page).
    pub fn is_per_patent(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Hole(_)))
    }

    /// The URL for these values, or `None` when a placeholder it needs has no value.
    pub fn fill(&self, v: &Values<'_>) -> Option<String> {
        let mut out = String::with_capacity(self.raw.len() + 16);
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Hole("publication_number") => out.push_str(v.publication_number?),
                Part::Hole("application_number") => out.push_str(v.application_number?),
                Part::Hole(_) => {
                    let a = v.application_number?;
                    out.push_str(a.split_once('.').map_or(a, |(body, _)| body));
                }
            }
        }
        Some(out)
    }

    /// The address the checker requests: the URL itself for a landing page; for a per-patent
    /// template, the site's root (the checker never fetches per-patent pages).
    pub fn check_target(&self) -> Option<String> {
        if !self.is_per_patent() {
            return Some(self.raw.clone());
        }
        let sample = self.fill(&Values {
            publication_number: Some("CN105338215A"),
            application_number: Some("201710601862.3"),
        })?;
        let u = url::Url::parse(&sample).ok()?;
        Some(format!("{}/", u.origin().ascii_serialization()))
    }
}

impl fmt::Display for UrlTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

fn check_url(s: &str) -> Result<(), TemplateError> {
    let u = url::Url::parse(s).map_err(|e| TemplateError::NotHttp(format!("{s} ({e})")))?;
    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none_or(str::is_empty) {
        return Err(TemplateError::NotHttp(s.to_string()));
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err(TemplateError::Credentials);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_patent_template_fills_and_checks_the_site_root() {
        let t = UrlTemplate::parse("http://epub.cnipa.gov.cn/patent/{publication_number}")
            .expect("valid");
        assert!(t.is_per_patent());
        assert_eq!(
            t.fill(&Values {
                publication_number: Some("CN117033608A"),
                application_number: None,
            })
            .as_deref(),
            Some("http://epub.cnipa.gov.cn/patent/CN117033608A")
        );
        assert_eq!(t.fill(&Values::default()), None);
        assert_eq!(
            t.check_target().as_deref(),
            Some("http://epub.cnipa.gov.cn/")
        );
    }

    #[test]
    fn application_body_drops_the_check_digit() {
        let t = UrlTemplate::parse(
            "https://x.example.cn/q?an={application_body}&full={application_number}",
        )
        .expect("valid");
        assert_eq!(
            t.fill(&Values {
                publication_number: None,
                application_number: Some("201710601862.3"),
            })
            .as_deref(),
            Some("https://x.example.cn/q?an=201710601862&full=201710601862.3")
        );
    }

    #[test]
    fn bad_templates_are_refused_with_a_reason() {
        for (t, want) in [
            ("", TemplateError::Empty),
            (
                "https://a.cn/{pub}",
                TemplateError::UnknownPlaceholder("pub".into()),
            ),
            (
                "https://a.cn/{publication_number",
                TemplateError::Unbalanced(13),
            ),
            ("https://a.cn/}", TemplateError::Unbalanced(13)),
        ] {
            assert_eq!(UrlTemplate::parse(t), Err(want), "{t}");
        }
        for t in [
            "ftp://a.cn/",
            "javascript:alert(1)",
            "/relative/path",
            "epub.cnipa.gov.cn/patent/x",
        ] {
            assert!(
                matches!(UrlTemplate::parse(t), Err(TemplateError::NotHttp(_))),
                "{t}"
            );
        }
        assert_eq!(
            UrlTemplate::parse("https://user:pw@a.cn/"),
            Err(TemplateError::Credentials)
        );
        let long = format!("https://a.cn/{}", "x".repeat(3000));
        assert!(matches!(
            UrlTemplate::parse(&long),
            Err(TemplateError::TooLong(_))
        ));
    }
}
