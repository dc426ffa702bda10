"""The digest as an Atom 1.0 feed (RFC 4287) that feed readers open: one entry per paper, its
TL;DR and why it is there as the summary. Every text is XML-escaped, and characters XML 1.0 cannot
hold at all (control characters a stored abstract may carry) are dropped, so the feed always parses."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from urllib.parse import quote

NS = "http://www.w3.org/2005/Atom"
NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def digest_feed(digest: dict, *, feed_id: str, title: str, base_url: str) -> str:
    """`digest` (ForYou.digest's answer) as an Atom document; `base_url` is the server's root, for
    the feed's link to the API."""
    feed = ET.Element("feed", xmlns=NS)
    _text(feed, "id", feed_id)
    _text(feed, "title", title)
    _text(feed, "subtitle", f"Papers new to the corpus in the last {digest['days']} day(s), closest to your "
                            f"reading list first ({digest['new_papers']} new)")
    _text(feed, "updated", digest["until"])
    author = ET.SubElement(feed, "author")
    _text(author, "name", "Paperlens")
    ET.SubElement(feed, "link", rel="related", href=base_url.rstrip("/") + "/api/v1/docs")
    ET.SubElement(feed, "generator").text = "Paperlens"
    for result in digest["results"]:
        entry = ET.SubElement(feed, "entry")
        _text(entry, "id", "urn:paperlens:paper:" + quote(result["id"], safe=":"))
        _text(entry, "title", result.get("title") or result["id"])
        _text(entry, "updated", result["joined_at"])
        if result.get("published"):
            _text(entry, "published", _date_time(result["published"]))
        if result.get("url"):
            ET.SubElement(entry, "link", rel="alternate", type="text/html", href=_clean(result["url"]))
        for name in result.get("authors") or []:
            _text(ET.SubElement(entry, "author"), "name", name)
        _text(entry, "summary", summary(result)).set("type", "text")
    return "<?xml version='1.0' encoding='utf-8'?>\n" + ET.tostring(feed, encoding="unicode")


def summary(result: dict) -> str:
    """The entry's text: the score, the TL;DR, the saved papers it is close to and the words."""
    lines = [f"Score {result['score']:.0f}/100."]
    if result.get("tldr"):
        lines.append(result["tldr"])
    if result.get("because"):
        lines.append("Close to: " + "; ".join(b["title"] or b["id"] for b in result["because"]) + ".")
    if result.get("matched_terms"):
        lines.append("Shared words: " + ", ".join(t["term"] for t in result["matched_terms"]) + ".")
    return "\n\n".join(lines)


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = _clean(text)
    return element


def _clean(text: str) -> str:
    return NOT_XML.sub("", str(text))


def _date_time(published: str) -> str:
    """Atom dates are full date-times: a YYYY, YYYY-MM or YYYY-MM-DD date at midnight UTC."""
    parts = (published.split("-") + ["01", "01"])[:3]
    return f"{parts[0]}-{parts[1]}-{parts[2]}T00:00:00Z"
