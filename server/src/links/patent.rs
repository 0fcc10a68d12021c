//! Patent link-outs: a number as a user typed it is normalised first (application number, old
//! or new format, or publication number) and only then turned into links, so a number that
//! cannot be normalised never yields a broken link.

use super::template::{UrlTemplate, Values};
use crate::error::{AppError, AppResult};
use transferhub_schema::types::{PatentApplicationNumber, PatentKind, PublicationNumber};

/// A patent number after normalisation: what the user gave and what we could tell from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatentRef {
    /// Normalised application number, when given or known.
    pub application_number: Option<PatentApplicationNumber>,
    /// Normalised publication number, when given or known.
    pub publication_number: Option<PublicationNumber>,
}

impl PatentRef {
    /// Reads a number in any common spelling. Publication numbers (`CN` + digits + kind code)
    /// are tried first, then application numbers (`CN`/`ZL` prefix, dot optional, check digit
    /// required and verified). Anything else is BAD_INPUT on `field` with the parser's reason.
    pub fn parse(field: &str, input: &str) -> AppResult<Self> {
        if input.chars().count() > 64 {
            return Err(AppError::bad_input(
                field,
                "a patent number has at most 64 characters",
            ));
        }
        if let Ok(p) = PublicationNumber::parse(input) {
            return Ok(Self {
                application_number: None,
                publication_number: Some(p),
            });
        }
        match PatentApplicationNumber::parse(input) {
            Ok(a) => Ok(Self {
                application_number: Some(a),
                publication_number: None,
            }),
            Err(e) => {
                let looks_like_publication = input
                    .trim()
                    .chars()
                    .last()
                    .is_some_and(|c| c.is_ascii_alphabetic() && c != 'X' && c != 'x');
                let message = if looks_like_publication {
                    match PublicationNumber::parse(input) {
                        Err(pe) => format!(
                            "not a publication number ({pe}) nor an application number ({e})"
                        ),
                        Ok(_) => e.to_string(),
                    }
                } else {
                    e.to_string()
                };
                Err(AppError::BadInput {
                    field: field.to_string(),
                    expected_check_digit: e.expected_check_digit(),
                    message,
                })
            }
        }
    }

    /// The patent kind read from the application number's type digit.
    pub fn kind(&self) -> Option<PatentKind> {
        self.application_number.as_ref().map(|a| a.kind())
    }

    /// Placeholder values for templates.
    pub fn values(&self) -> Values<'_> {
        Values {
            publication_number: self.publication_number.as_ref().map(|p| p.as_str()),
            application_number: self.application_number.as_ref().map(|a| a.as_str()),
        }
    }

    /// Fills `template` for this patent; `None` when it needs a number we do not have.
    pub fn link(&self, template: &UrlTemplate) -> Option<String> {
        template.fill(&self.values())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::links::defaults;

    fn cnipa(key: &str) -> UrlTemplate {
        let l = defaults::default_links()
            .into_iter()
            .find(|l| l.key == key)
            .expect("default link");
        UrlTemplate::parse(&l.url).expect("valid default")
    }

    #[test]
    fn publication_numbers_old_and_new_give_the_cnipa_page() {
        let page = cnipa("cnipa-epub");
        for (input, url) in [
            (
                "CN117033608A",
                "http://epub.cnipa.gov.cn/patent/CN117033608A",
            ),
            (
                "cn 105338215 a",
                "http://epub.cnipa.gov.cn/patent/CN105338215A",
            ),
            (
                "ＣＮ１０５３３８２１５Ｂ",
                "http://epub.cnipa.gov.cn/patent/CN105338215B",
            ),
            (
                "CN205123456U",
                "http://epub.cnipa.gov.cn/patent/CN205123456U",
            ),
            (
                "CN303456789S",
                "http://epub.cnipa.gov.cn/patent/CN303456789S",
            ),
            // Before 2007: 7-digit serials and the C/Y/D kind codes.
            ("CN1234567C", "http://epub.cnipa.gov.cn/patent/CN1234567C"),
            ("CN2345678Y", "http://epub.cnipa.gov.cn/patent/CN2345678Y"),
        ] {
            let p = PatentRef::parse("number", input).expect(input);
            assert_eq!(p.link(&page).as_deref(), Some(url), "{input}");
        }
    }

    #[test]
    fn application_numbers_old_and_new_are_normalised() {
        for (input, normalised, kind) in [
            ("201710601862.3", "201710601862.3", PatentKind::Invention),
            ("CN 201510703489.3", "201510703489.3", PatentKind::Invention),
            ("ZL201110296564.0", "201110296564.0", PatentKind::Invention),
            ("2021101234567", "202110123456.7", PatentKind::Invention),
            ("95115608.X", "95115608.X", PatentKind::Invention),
            ("CN95115608X", "95115608.X", PatentKind::Invention),
        ] {
            let p = PatentRef::parse("number", input).expect(input);
            assert_eq!(
                p.application_number.as_ref().map(|a| a.as_str()),
                Some(normalised),
                "{input}"
            );
            assert_eq!(p.kind(), Some(kind));
            // No publication number: the per-patent page is not built rather than built wrong.
            assert_eq!(p.link(&cnipa("cnipa-epub")), None);
            // Landing pages need no number.
            assert_eq!(
                p.link(&cnipa("cnipa-cpquery")).as_deref(),
                Some("https://cpquery.cponline.cnipa.gov.cn/")
            );
        }
    }

    #[test]
    fn numbers_that_cannot_be_normalised_are_bad_input() {
        for input in [
            "",
            "   ",
            "201710601862.4",
            "20171060186",
            "CN10533821",
            "CN105338215Q",
            "US9876543B2",
            "专利号",
            "201710601862.3; DROP TABLE patents",
        ] {
            let e = PatentRef::parse("number", input).expect_err(input);
            assert_eq!(e.code(), crate::error::Code::BadInput, "{input}");
        }
        let e = PatentRef::parse("number", "201710601862.4").expect_err("check digit");
        match e {
            AppError::BadInput {
                field,
                expected_check_digit,
                ..
            } => {
                assert_eq!(field, "number");
                assert_eq!(expected_check_digit, Some('3'));
            }
            other => panic!("{other:?}"),
        }
        let huge = "1".repeat(10_000);
        assert!(PatentRef::parse("number", &huge).is_err());
    }
}
