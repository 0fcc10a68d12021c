#!/usr/bin/env python3
"""A real OAI-PMH 2.0 data provider for TransferHub's harvest tests, built on pyoai's server
(`pip install pyoai`), which this project did not write. It serves Dublin Core records from a
JSON file that is re-read on every request, so a test can add, change and delete records
between harvests. Fault switches make it misbehave on purpose:

  --exit-after N      serve N ListRecords responses, then exit (provider killed mid-harvest)
  --storm N           answer the first N ListRecords requests with 503 + Retry-After: 1
  --truncate-page N   cut the N-th ListRecords response in half, once
  --reject-token-once answer the first resumptionToken request with badResumptionToken
  --encoding gbk      re-encode responses as GBK with a matching XML declaration
  --bomb              answer ListRecords with a billion-laughs entity bomb
  --delay S           sleep S seconds before each ListRecords response

Prints "READY <port>" on stdout once listening (use --port 0 for a free port).
"""
import argparse
import datetime
import json
import os
import sys
import time
import types
import urllib.parse
from wsgiref.simple_server import WSGIRequestHandler, make_server

from oaipmh import common, error, metadata, server

# pyoai 2.5 still calls cgi.parse_qs, which Python 3.8 removed; give it the urllib equivalent.
server.cgi = types.SimpleNamespace(parse_qs=urllib.parse.parse_qs)

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords><record><header>
<identifier>&lol4;</identifier><datestamp>2024-01-01</datestamp></header></record></ListRecords></OAI-PMH>
"""


def parse_time(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ")


class Repository:
    """IBatchingOAI over the JSON data file."""

    def __init__(self, path, base_url, granularity):
        self.path = path
        self.base_url = base_url
        self.granularity = granularity

    def records(self):
        with open(self.path, encoding="utf-8") as f:
            return json.load(f)

    def identify(self):
        return common.Identify(
            repositoryName="测试机构知识库 Test Repository",
            baseURL=self.base_url,
            protocolVersion="2.0",
            adminEmails=["oai@example.edu.cn"],
            earliestDatestamp=datetime.datetime(2000, 1, 1),
            deletedRecord="persistent",
            granularity=self.granularity,
            compression=["identity"],
        )

    def listMetadataFormats(self, identifier=None):
        return [("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", "http://www.openarchives.org/OAI/2.0/oai_dc/")]

    def listSets(self, cursor=0, batch_size=10):
        sets = sorted({s for r in self.records() for s in r.get("sets", [])})
        return [(s, "集合 " + s, None) for s in sets][cursor : cursor + batch_size]

    def _select(self, set=None, from_=None, until=None):
        out = []
        for r in sorted(self.records(), key=lambda r: (r["datestamp"], r["id"])):
            stamp = parse_time(r["datestamp"])
            if set and set not in r.get("sets", []):
                continue
            if from_ and stamp < from_:
                continue
            if until and stamp > until:
                continue
            out.append(r)
        return out

    def _header(self, r):
        return common.Header(None, r["id"], parse_time(r["datestamp"]), r.get("sets", []), r.get("deleted", False))

    def _metadata(self, r):
        if r.get("deleted"):
            return None
        fields = {k: r.get(k, []) for k in ["title", "creator", "subject", "description", "publisher", "contributor", "date", "type", "format", "identifier", "source", "language", "relation", "coverage", "rights"]}
        return common.Metadata(None, fields)

    def listRecords(self, metadataPrefix, set=None, from_=None, until=None, cursor=0, batch_size=10):
        if metadataPrefix != "oai_dc":
            raise error.CannotDisseminateFormatError(metadataPrefix)
        chosen = self._select(set, from_, until)
        if not chosen:
            raise error.NoRecordsMatchError("no records match")
        return [(self._header(r), self._metadata(r), None) for r in chosen[cursor : cursor + batch_size]]

    def listIdentifiers(self, metadataPrefix, set=None, from_=None, until=None, cursor=0, batch_size=10):
        return [self._header(r) for r in self._select(set, from_, until)[cursor : cursor + batch_size]]

    def getRecord(self, metadataPrefix, identifier):
        for r in self.records():
            if r["id"] == identifier:
                return self._header(r), self._metadata(r), None
        raise error.IdDoesNotExistError(identifier)


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--data", required=True)
    p.add_argument("--batch", type=int, default=50)
    p.add_argument("--granularity", default="YYYY-MM-DDThh:mm:ssZ")
    p.add_argument("--exit-after", type=int, default=0)
    p.add_argument("--storm", type=int, default=0)
    p.add_argument("--truncate-page", type=int, default=0)
    p.add_argument("--reject-token-once", action="store_true")
    p.add_argument("--encoding", default="utf-8")
    p.add_argument("--bomb", action="store_true")
    p.add_argument("--delay", type=float, default=0.0)
    a = p.parse_args()

    registry = metadata.MetadataRegistry()
    registry.registerWriter("oai_dc", server.oai_dc_writer)
    state = {"list_records": 0, "storm": a.storm, "truncated": False, "token_rejected": False}
    holder = {}

    def app(environ, start_response):
        query = environ.get("QUERY_STRING", "")
        if environ.get("REQUEST_METHOD") == "POST":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            query = environ["wsgi.input"].read(size).decode("utf-8")
        kw = {k: v[0] for k, v in urllib.parse.parse_qs(query, keep_blank_values=True).items()}
        verb = kw.get("verb")
        if verb == "ListRecords":
            if state["storm"] > 0:
                state["storm"] -= 1
                start_response("503 Service Unavailable", [("Retry-After", "1"), ("Content-Type", "text/plain")])
                return [b"busy"]
            if a.bomb:
                start_response("200 OK", [("Content-Type", "text/xml")])
                return [BOMB]
            if a.delay:
                time.sleep(a.delay)
            if a.reject_token_once and "resumptionToken" in kw and not state["token_rejected"]:
                state["token_rejected"] = True
                kw["resumptionToken"] = "garbage-token"
            state["list_records"] += 1
        body = holder["server"].handleRequest(kw)
        if verb == "ListRecords" and a.truncate_page and state["list_records"] == a.truncate_page and not state["truncated"]:
            state["truncated"] = True
            body = body[: len(body) // 2]
        if a.encoding.lower() != "utf-8":
            text = body.decode("utf-8").replace("encoding='UTF-8'", "encoding='%s'" % a.encoding.upper(), 1)
            # Characters outside the legacy charset become numeric references, as real GBK sites do.
            body = text.encode(a.encoding, errors="xmlcharrefreplace")
        start_response("200 OK", [("Content-Type", "text/xml")])
        if verb == "ListRecords" and a.exit_after and state["list_records"] >= a.exit_after:
            sys.stdout.flush()
            os._exit(0)
        return [body]

    httpd = make_server("127.0.0.1", a.port, app, handler_class=Quiet)
    port = httpd.server_address[1]
    repo = Repository(a.data, "http://127.0.0.1:%d/oai" % port, a.granularity)
    holder["server"] = server.BatchingServer(repo, registry, resumption_batch_size=a.batch)
    print("READY %d" % port, flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    main()
