//! The one place OAI-PMH XML is read. quick-xml streams events (no DOM of the page); a DOCTYPE is
//! refused outright, so no entity can be declared, and only the five predefined entities plus
//! numeric character references are expanded. Nesting is tracked to the end of the document, so a
//! truncated page fails as a whole before any record of it is used.

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use crate::ConnectorError;

/// Deeper nesting than this is an attack or a bug, never a catalog record.
const MAX_DEPTH: usize = 128;

/// The root element every OAI-PMH response has.
const ROOT: &str = "OAI-PMH";

/// One open element: its names, attributes, its own text so far and where it starts.
#[derive(Debug, Clone, Default)]
pub(crate) struct Frame {
    /// Name without its namespace prefix (`title` for `dc:title`).
    pub(crate) local: String,
    /// Name as written (`dc:title`).
    pub(crate) name: String,
    /// Attributes as written, values unescaped.
    pub(crate) attrs: Vec<(String, String)>,
    /// Character data directly inside this element (child elements' text excluded).
    pub(crate) text: String,
    /// Byte offset of the start tag's `<`.
    pub(crate) start: usize,
    /// Byte offset just after the start tag's `>`.
    pub(crate) content_start: usize,
}

impl Frame {
    /// Value of the attribute named exactly `name` (`status`, `xml:lang`).
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Receives elements as they open and close; `parents` are the open ancestors, root first.
pub(crate) trait Handler {
    /// An element opened (its text is not known yet).
    fn start(&mut self, parents: &[Frame], frame: &Frame) -> Result<(), ConnectorError>;
    /// An element closed; `content_end` is where its end tag starts, `end` where it stops.
    fn end(
        &mut self,
        parents: &[Frame],
        frame: Frame,
        content_end: usize,
        end: usize,
    ) -> Result<(), ConnectorError>;
}

/// An `<error code="…">` element of the response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OaiError {
    /// `noRecordsMatch`, `badResumptionToken`, `badArgument`…
    pub(crate) code: String,
    /// The repository's message.
    pub(crate) message: String,
}

/// Reads a whole OAI-PMH response, feeding `handler`; returns the protocol errors it carried.
pub(crate) fn drive<H: Handler>(
    xml: &str,
    handler: &mut H,
) -> Result<Vec<OaiError>, ConnectorError> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Frame> = Vec::new();
    let mut errors = Vec::new();
    let mut seen_root = false;
    loop {
        let before = offset(&reader);
        let event = reader
            .read_event()
            .map_err(|e| ConnectorError::Malformed(format!("XML error near byte {before}: {e}")))?;
        let after = offset(&reader);
        match event {
            Event::DocType(_) => {
                return Err(ConnectorError::Malformed("DTD not allowed".to_owned()));
            }
            Event::Start(tag) => {
                let frame = open(&tag, before, after, &stack, &mut seen_root)?;
                handler.start(&stack, &frame)?;
                stack.push(frame);
            }
            Event::Empty(tag) => {
                let frame = open(&tag, before, after, &stack, &mut seen_root)?;
                handler.start(&stack, &frame)?;
                close(&stack, frame, after, after, handler, &mut errors)?;
            }
            Event::End(_) => {
                let frame = stack.pop().ok_or_else(|| {
                    ConnectorError::Malformed(format!("unexpected end tag near byte {before}"))
                })?;
                close(&stack, frame, before, after, handler, &mut errors)?;
            }
            Event::Text(text) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&text.xml10_content());
                }
            }
            Event::CData(data) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&data.xml10_content());
                }
            }
            Event::GeneralRef(reference) => {
                let resolved = if reference.is_char_ref() {
                    let ch = reference.resolve_char_ref().map_err(|e| {
                        ConnectorError::Malformed(format!("bad character reference: {e}"))
                    })?;
                    ch.map(String::from)
                } else {
                    resolve_predefined_entity(&reference).map(str::to_owned)
                };
                let Some(resolved) = resolved else {
                    return Err(ConnectorError::Malformed(format!(
                        "entity &{}; not allowed: only the predefined XML entities and \
                         character references are expanded",
                        &*reference
                    )));
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&resolved);
                }
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => {
                if let Some(open) = stack.last() {
                    return Err(ConnectorError::Malformed(format!(
                        "truncated XML: <{}> is never closed",
                        open.name
                    )));
                }
                if !seen_root {
                    return Err(ConnectorError::Malformed(
                        "empty response: no XML element".to_owned(),
                    ));
                }
                return Ok(errors);
            }
        }
    }
}

fn offset(reader: &Reader<&[u8]>) -> usize {
    usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX)
}

/// Builds the frame of an element that just opened, checking root and depth.
fn open(
    tag: &BytesStart<'_>,
    start: usize,
    content_start: usize,
    stack: &[Frame],
    seen_root: &mut bool,
) -> Result<Frame, ConnectorError> {
    let name = tag.name().as_ref().to_owned();
    let local = tag.local_name().as_ref().to_owned();
    if stack.is_empty() {
        if *seen_root {
            return Err(ConnectorError::Malformed(
                "more than one root element".to_owned(),
            ));
        }
        if local != ROOT {
            return Err(ConnectorError::Malformed(format!(
                "not an OAI-PMH response: the root element is <{name}>"
            )));
        }
        *seen_root = true;
    }
    if stack.len() >= MAX_DEPTH {
        return Err(ConnectorError::Malformed(format!(
            "elements nested deeper than {MAX_DEPTH}"
        )));
    }
    let mut attrs = Vec::new();
    for attr in tag.attributes() {
        let attr = attr.map_err(|e| ConnectorError::Malformed(format!("bad attribute: {e}")))?;
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| {
                ConnectorError::Malformed(format!("bad attribute value in <{name}>: {e}"))
            })?;
        attrs.push((attr.key.as_ref().to_owned(), value.into_owned()));
    }
    Ok(Frame {
        local,
        name,
        attrs,
        text: String::new(),
        start,
        content_start,
    })
}

/// Hands a closed element to the handler, collecting `OAI-PMH/error` on the way.
fn close<H: Handler>(
    parents: &[Frame],
    frame: Frame,
    content_end: usize,
    end: usize,
    handler: &mut H,
    errors: &mut Vec<OaiError>,
) -> Result<(), ConnectorError> {
    if parents.len() == 1 && frame.local == "error" {
        errors.push(OaiError {
            code: frame.attr("code").unwrap_or_default().to_owned(),
            message: frame.text.trim().to_owned(),
        });
    }
    handler.end(parents, frame, content_end, end)
}

/// Whether the open ancestors, below the root, are exactly `names` (local names).
pub(crate) fn path_is(parents: &[Frame], names: &[&str]) -> bool {
    parents.len() == names.len() + 1
        && parents
            .iter()
            .skip(1)
            .zip(names)
            .all(|(frame, name)| frame.local == *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records every closed element as `local=text`.
    #[derive(Default)]
    struct Collect(Vec<String>);

    impl Handler for Collect {
        fn start(&mut self, _: &[Frame], _: &Frame) -> Result<(), ConnectorError> {
            Ok(())
        }
        fn end(&mut self, _: &[Frame], f: Frame, _: usize, _: usize) -> Result<(), ConnectorError> {
            self.0.push(format!("{}={}", f.local, f.text));
            Ok(())
        }
    }

    fn run(xml: &str) -> Result<(Vec<String>, Vec<OaiError>), ConnectorError> {
        let mut c = Collect::default();
        let errors = drive(xml, &mut c)?;
        Ok((c.0, errors))
    }

    #[test]
    fn predefined_and_numeric_references_are_expanded() {
        let (seen, _) = run("<OAI-PMH><a>x &amp; y &lt; &#x4E2D;&#25991;</a></OAI-PMH>").unwrap();
        assert_eq!(seen[0], "a=x & y < 中文");
    }

    #[test]
    fn cdata_and_empty_elements() {
        let (seen, _) = run("<OAI-PMH><a><![CDATA[<b>]]></a><c/></OAI-PMH>").unwrap();
        assert_eq!(seen, vec!["a=<b>", "c=", "OAI-PMH="]);
    }

    #[test]
    fn doctype_is_refused_even_without_entities() {
        let err = run("<!DOCTYPE OAI-PMH><OAI-PMH/>").unwrap_err();
        assert_eq!(err, ConnectorError::Malformed("DTD not allowed".to_owned()));
    }

    #[test]
    fn undeclared_entity_is_refused() {
        let err = run("<OAI-PMH><a>&xxe;</a></OAI-PMH>").unwrap_err();
        assert!(matches!(err, ConnectorError::Malformed(m) if m.contains("&xxe;")));
    }

    #[test]
    fn truncation_wrong_root_and_empty_are_refused() {
        for bad in [
            "<OAI-PMH><a>x</a>",
            "<OAI-PMH><a",
            "<html><body/></html>",
            "",
            "  ",
        ] {
            assert!(
                matches!(run(bad), Err(ConnectorError::Malformed(_))),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn errors_are_collected() {
        let (_, errors) =
            run(r#"<OAI-PMH><error code="badArgument">no verb</error></OAI-PMH>"#).unwrap();
        assert_eq!(
            errors,
            vec![OaiError {
                code: "badArgument".to_owned(),
                message: "no verb".to_owned()
            }]
        );
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!(
            "<OAI-PMH>{}{}</OAI-PMH>",
            "<a>".repeat(200),
            "</a>".repeat(200)
        );
        assert!(matches!(run(&deep), Err(ConnectorError::Malformed(m)) if m.contains("deeper")));
    }
}
