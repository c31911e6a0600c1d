"""Editions a citation can name: one version everywhere, a changelog entry for it, the cite page
and the verdicts as machine-readable ClaimReview data."""
from __future__ import annotations

import json
import re
import tomllib

import pytest

from build_support import built_page

from conftest import ROOT
from cstobook import data, edition, toc


def test_one_version_everywhere():
    """CITATION.cff, .zenodo.json, pyproject.toml and CHANGELOG.md name the same version, and
    Zenodo the same release date."""
    version = edition.version()
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    zenodo = json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8"))
    assert zenodo["version"] == version
    assert zenodo["publication_date"] == edition.released().isoformat()
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"] == version
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (\d+\.\d+\.\d+)\b(.*)$", changelog, re.M)
    assert headings and headings[0][0] == version, "the newest CHANGELOG entry is the current version"
    assert edition.released().isoformat() in headings[0][1]


# What each release's entry in CHANGELOG.md must tell readers (a new release adds its own row).
RELEASE_TOPICS = {"0.2.0": ("PDF", "answer", "How to cite", "ClaimReview", "Specialist additions"),
                  "0.3.0": ("Arabic edition", "Right to left", "language switch", "hreflang", "PDF",
                            "How it was translated"),
                  "0.4.0": ("Record complete to", "What the record added", "status", "SIPRI",
                            "General Assembly")}


@pytest.mark.parametrize("version", sorted(RELEASE_TOPICS))
def test_changelog_describes_each_release(version):
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {version}" in changelog, version
    entry = changelog.split(f"## {version}", 1)[1].split("\n## ", 1)[0]
    for topic in RELEASE_TOPICS[version]:
        assert topic in entry, topic


def test_changelog_describes_this_release():
    assert edition.version() in RELEASE_TOPICS, f"add version {edition.version()} to RELEASE_TOPICS and CHANGELOG.md"


def cite_page(built_book):
    return built_page(built_book, "chapters/how-to-cite")


def test_cite_page_names_the_version_and_offers_the_pdf(built_book):
    page = cite_page(built_book)
    text = page.get_text(" ")
    assert f"Version {edition.version()}" in text
    pdfs = [a["href"] for a in page.find_all("a", href=True) if a["href"].endswith(".pdf")]
    assert pdfs and all(edition.pdf_name() in href and f"v{edition.version()}" in href for href in pdfs)
    workflow = (ROOT / ".github" / "workflows" / "book.yml").read_text(encoding="utf-8")
    assert "make pdf" in workflow and "release" in workflow and edition.pdf_name().split("-0")[0] in workflow


@pytest.mark.parametrize("document", [d for d in toc.documents()[1:] if d != "chapters/how-to-cite"])
def test_cite_page_gives_apa_and_bibtex_for_each_chapter_with_version_and_access_date(built_book, document):
    page = cite_page(built_book)
    url = f"{edition.site()}{document}.html"
    apa = [li.get_text(" ", strip=True) for li in page.find_all("li") if url in li.get_text()]
    assert len(apa) == 1, f"no APA citation of {document}"
    assert f"(Version {edition.version()})" in apa[0] and "[date of access]" in apa[0]
    assert edition.chapter_title(document).replace("'", "\u2019")[:12] in apa[0].replace("'", "\u2019")
    bibtex = "\n".join(pre.get_text() for pre in page.find_all("pre"))
    entry = bibtex.split(f"{{{edition.chapter_key(document)},", 1)[1].split("\n}", 1)[0]
    assert f"{{{edition.version()}}}" in entry and "urldate" in entry and url in entry


def test_every_page_foot_links_how_to_cite(built_book):
    for document in toc.documents():
        if document == "chapters/how-to-cite":
            continue
        page = built_page(built_book, document)
        foot = page.select_one("aside.cstobook-cite-this")
        assert foot is not None, document
        assert edition.version() in foot.get_text()
        assert foot.find("a", href=lambda h: h and "how-to-cite.html" in h), document


def test_how_to_cite_is_in_the_back_matter():
    parts = toc._entries(ROOT)["parts"]
    assert "chapters/how-to-cite" in toc.part(parts[-1]["caption"]), "How to cite is in the last part"


# --- ClaimReview -------------------------------------------------------------------------------

def claim_reviews(built_book) -> list[dict]:
    page = built_page(built_book, "chapters/verdict")
    found = []
    for script in page.find_all("script", type="application/ld+json"):
        value = json.loads(script.string)
        found.extend(value if isinstance(value, list) else [value])
    return [item for item in found if item.get("@type") == "ClaimReview"]


def test_verdict_page_publishes_one_claimreview_per_claim(built_book):
    reviews = {r["identifier"]: r for r in claim_reviews(built_book)}
    claims = data.load_table("claims")
    assert len(reviews) == len(claims) == len(claim_reviews(built_book))
    article = data.bibliography_entries()["skynewsarabia_csto_ukraine_2022"]
    for claim in claims.itertuples():
        review = reviews[claim.claim_id]
        assert review["@context"] == "https://schema.org"
        assert review["claimReviewed"] == claim.english_translation
        item = review["itemReviewed"]
        assert item["@type"] == "Claim" and item["text"] == claim.arabic_excerpt
        assert item["author"]["name"] and item["author"]["@type"] in ("Person", "Organization")
        if claim.speaker != "narrator":
            assert item["author"]["name"].split()[-1] in claim.speaker or claim.speaker in item["author"]["name"]
        assert item["appearance"]["url"] == article.fields["url"]
        assert item["appearance"]["publisher"]["name"] == "Sky News Arabia"
        assert review["reviewRating"]["name"] == review["reviewRating"]["alternateName"] == claim.verdict
        assert review["author"]["name"] == edition.authors()
        assert review["datePublished"] == edition.released().isoformat()
        assert review["url"].endswith("chapters/verdict.html")


def test_verdict_page_offers_the_register_as_csv(built_book):
    page = built_page(built_book, "chapters/verdict")
    links = [a["href"] for a in page.find_all("a", href=True) if "_downloads/" in a["href"]]
    assert any(href.endswith("/claims.csv") for href in links), links
