//! Builds OAI-PMH request URLs: the verb and its arguments appended to the repository's base URL,
//! percent-encoded, with `resumptionToken` as the exclusive argument it is in the protocol.

use url::Url;

use crate::ConnectorError;

/// One request the connector sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Request<'a> {
    Identify,
    ListMetadataFormats,
    ListSets {
        token: Option<&'a str>,
    },
    /// The first ListRecords request of a harvest.
    ListRecords {
        prefix: &'a str,
        set: Option<&'a str>,
        from: Option<&'a str>,
    },
    /// A follow-up ListRecords request.
    ResumeRecords {
        token: &'a str,
    },
}

impl Request<'_> {
    /// The URL for this request against `base_url`.
    pub(crate) fn url(&self, base_url: &str) -> Result<String, ConnectorError> {
        let mut url = Url::parse(base_url).map_err(|e| {
            ConnectorError::Config(format!("OAI-PMH base URL {base_url:?} is not a URL: {e}"))
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(ConnectorError::Config(format!(
                "OAI-PMH base URL {base_url:?} must be http or https"
            )));
        }
        let mut params: Vec<(&str, &str)> = Vec::new();
        match self {
            Self::Identify => params.push(("verb", "Identify")),
            Self::ListMetadataFormats => params.push(("verb", "ListMetadataFormats")),
            Self::ListSets { token } => {
                params.push(("verb", "ListSets"));
                if let Some(token) = token {
                    params.push(("resumptionToken", token));
                }
            }
            Self::ListRecords { prefix, set, from } => {
                params.push(("verb", "ListRecords"));
                params.push(("metadataPrefix", prefix));
                if let Some(set) = set {
                    params.push(("set", set));
                }
                if let Some(from) = from {
                    params.push(("from", from));
                }
            }
            Self::ResumeRecords { token } => {
                params.push(("verb", "ListRecords"));
                params.push(("resumptionToken", token));
            }
        }
        url.query_pairs_mut().extend_pairs(params);
        Ok(url.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "http://repo.example.edu/oai";

    #[test]
    fn list_records_arguments_in_order_and_encoded() {
        let url = Request::ListRecords {
            prefix: "oai_dc",
            set: Some("patent:invention"),
            from: Some("2024-05-01T08:30:00Z"),
        }
        .url(BASE)
        .unwrap();
        assert_eq!(
            url,
            "http://repo.example.edu/oai?verb=ListRecords&metadataPrefix=oai_dc\
             &set=patent%3Ainvention&from=2024-05-01T08%3A30%3A00Z"
        );
    }

    #[test]
    fn resumption_token_is_exclusive() {
        let url = Request::ResumeRecords { token: "a b&c=d" }
            .url(BASE)
            .unwrap();
        assert_eq!(
            url,
            "http://repo.example.edu/oai?verb=ListRecords&resumptionToken=a+b%26c%3Dd"
        );
    }

    #[test]
    fn existing_query_is_kept_and_bad_bases_refused() {
        let url = Request::Identify
            .url("https://x.example/oai?site=3")
            .unwrap();
        assert_eq!(url, "https://x.example/oai?site=3&verb=Identify");
        assert!(matches!(
            Request::Identify.url("not a url"),
            Err(ConnectorError::Config(_))
        ));
        assert!(matches!(
            Request::Identify.url("ftp://x.example/oai"),
            Err(ConnectorError::Config(_))
        ));
    }
}
