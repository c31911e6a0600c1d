"""The verdicts of the claims register as schema.org ClaimReview structured data (JSON-LD), the
form in which fact-checkers publish verdicts and search engines and fact-check explorers read them.

One ClaimReview per row of the register: the claim as the book translates it, with the article's
Arabic words; who made it (a person quoted, or the article's own narrator, that is its publisher)
and where (the article); the verdict as the rating's name; the book, in the edition of
CITATION.cff, as the reviewer."""
from __future__ import annotations

import json

import pandas as pd

from cstobook import data, edition

ARTICLE_KEY = "skynewsarabia_csto_ukraine_2022"  # the bibliography entry of the article examined
VERDICT_PAGE = "chapters/verdict"


def _metadata() -> dict[str, str]:
    table = data.load_table("article_metadata")
    return dict(zip(table["field"], table["value"]))


def _people(metadata: dict[str, str]) -> dict[str, str]:
    """Surname as the register names a speaker -> full name, from the article's metadata."""
    people = {}
    for field, value in metadata.items():
        if field.startswith("quoted_person_") and not field.endswith("_check"):
            name = value.split(" — ")[0].strip()
            people[name.split()[-1]] = name
    return people


def article() -> dict:
    """The article as a schema.org NewsArticle: its Arabic headline, publisher and address read."""
    entry = data.bibliography_entries()[ARTICLE_KEY]
    metadata = _metadata()
    publisher = entry.fields["organization"]
    return {"@type": "NewsArticle", "headline": metadata["title_ar"], "inLanguage": "ar",
            "alternativeHeadline": metadata["title_en_translation"],
            "publisher": {"@type": "Organization", "name": publisher},
            "datePublished": entry.fields.get("year") or entry.fields["date"], "url": entry.fields["url"]}


def claim_reviews(claims: pd.DataFrame) -> list[dict]:
    metadata = _metadata()
    people = _people(metadata)
    where = article()
    page = f"{edition.site()}{VERDICT_PAGE}.html"
    reviewer = {"@type": "Organization", "name": edition.authors(), "url": edition.site()}
    reviews = []
    for claim in claims.itertuples():
        if claim.speaker == "narrator":
            author = where["publisher"]
        elif claim.speaker in people:
            author = {"@type": "Person", "name": people[claim.speaker]}
        else:
            author = {"@type": "Organization", "name": claim.speaker}
        reviews.append({
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "@id": f"{page}#claim-{claim.claim_id}",
            "identifier": claim.claim_id,
            "url": page,
            "inLanguage": "en",  # one set of reviews, in English, for every edition
            "claimReviewed": claim.english_translation,
            "itemReviewed": {"@type": "Claim", "author": author, "text": claim.arabic_excerpt,
                             "inLanguage": "ar", "appearance": where, "firstAppearance": where},
            "reviewRating": {"@type": "Rating", "name": claim.verdict, "alternateName": claim.verdict,
                             "ratingExplanation": claim.evidence_summary},
            "author": reviewer,
            "publisher": reviewer,
            "datePublished": edition.released().isoformat(),
            "version": edition.version(),
            "isPartOf": {"@type": "Book", "name": edition.title(), "url": edition.site(),
                         "version": edition.version()},
        })
    return reviews


def json_ld(claims: pd.DataFrame) -> str:
    """The reviews as one <script type="application/ld+json"> element ('</' escaped inside)."""
    text = json.dumps(claim_reviews(claims), ensure_ascii=False, indent=1).replace("</", "<\\/")
    return f'<script type="application/ld+json">\n{text}\n</script>'
