"""The verdicts of the claims register as schema.org ClaimReview structured data (JSON-LD), the
form in which fact-checkers publish verdicts and search engines and fact-check explorers read them.

One ClaimReview per row of the register: the claim as the book translates it, with the article's
Arabic words; who made it (a person quoted, or the article's own narrator, that is its publisher)
and where (the article); the verdict as the rating's name; the book, in the edition of
CITATION.cff, as the reviewer. Each edition's verdict page publishes the reviews in its language
(`json_ld`): the Arabic page's reviews the claim in the article's own words, the verdict as the
glossary names it, the evidence as the data catalogue translates it, the article's publisher and
the people quoted by their Arabic names, and its own address."""
from __future__ import annotations

import json

import pandas as pd

from cstobook import data, edition, i18n

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


def _say(text: str, language: str, domain: str = "messages") -> str:
    return text if language == "en" else i18n.translate(text, language, domain)


def _name(name: str, language: str) -> str:
    """A person's or organisation's name in `language`: the glossary's, else the names catalogue's."""
    if language == "en":
        return name
    terms = i18n.glossary(language)
    found = terms.loc[terms["english"] == name, "arabic"]
    return found.iloc[0] if len(found) else i18n.translate(name, language, "names")


def article(language: str = "en") -> dict:
    """The article as a schema.org NewsArticle: its Arabic headline, publisher and address read
    (in English, with the book's translation of the headline as its alternative headline)."""
    entry = data.bibliography_entries()[ARTICLE_KEY]
    metadata = _metadata()
    publisher = entry.fields["organization"]
    found = {"@type": "NewsArticle", "headline": metadata["title_ar"], "inLanguage": "ar",
             "alternativeHeadline": metadata["title_en_translation"],
             "publisher": {"@type": "Organization", "name": _name(publisher, language)},
             "datePublished": entry.fields.get("year") or entry.fields["date"], "url": entry.fields["url"]}
    if language != "en":
        del found["alternativeHeadline"]  # the headline is the article's own, in the edition's language
    return found


def claim_reviews(claims: pd.DataFrame, language: str = "en") -> list[dict]:
    """The reviews as the verdict page of the edition in `language` publishes them."""
    metadata = _metadata()
    people = _people(metadata)
    where = article(language)
    site = edition.site()
    page = f"{site}{i18n.EDITION_FOLDERS[language]}{VERDICT_PAGE}.html"
    reviewer = {"@type": "Organization", "name": _say(edition.authors(), language, "edition"), "url": site}
    reviews = []
    for claim in claims.itertuples():
        if claim.speaker == "narrator":
            author = where["publisher"]
        elif claim.speaker in people:
            author = {"@type": "Person", "name": _name(people[claim.speaker], language)}
        else:
            author = {"@type": "Organization", "name": _say(claim.speaker, language, "data")}
        verdict = _say(claim.verdict, language, "data")
        reviews.append({
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "@id": f"{page}#claim-{claim.claim_id}",
            "identifier": claim.claim_id,
            "url": page,
            "inLanguage": language,
            # the Arabic edition reviews the claim in the article's own words
            "claimReviewed": claim.english_translation if language == "en" else claim.arabic_excerpt,
            "itemReviewed": {"@type": "Claim", "author": author, "text": claim.arabic_excerpt,
                             "inLanguage": "ar", "appearance": where, "firstAppearance": where},
            "reviewRating": {"@type": "Rating", "name": verdict, "alternateName": verdict,
                             "ratingExplanation": _say(claim.evidence_summary, language, "data")},
            "author": reviewer,
            "publisher": reviewer,
            "datePublished": edition.released().isoformat(),
            "version": edition.version(),
            "isPartOf": {"@type": "Book", "name": _say(edition.title(), language, "edition"),
                         "url": f"{site}{i18n.EDITION_FOLDERS[language]}", "version": edition.version()},
        })
    return reviews


def _script(reviews: list[dict]) -> str:
    text = json.dumps(reviews, ensure_ascii=False, indent=1).replace("</", "<\\/")
    return f'<script type="application/ld+json">\n{text}\n</script>'


def json_ld(claims: pd.DataFrame) -> str:
    """The reviews as one <script type="application/ld+json"> element ('</' escaped inside), once
    per edition of the book (each edition's verdict page keeps the reviews in its language)."""
    from cstobook.notebook import in_book_build

    if not in_book_build():  # a notebook outside the book: the English reviews
        return _script(claim_reviews(claims))
    return i18n.bilingual(_script(claim_reviews(claims)),
                          {language: _script(claim_reviews(claims, language)) for language in i18n.LANGUAGES})
