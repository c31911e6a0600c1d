"""Scholarship in the book: the works of data/literature.csv are scholarly entries, complete and
discussed in the literature chapter; at least 25 such works are cited in the chapters' prose. (No
entry of the bibliography, cited in prose or not, has a forum, blog or aggregator as its author:
test_provenance.py.)"""
from __future__ import annotations

from cstobook import data
from test_provenance import bibliography, cited_keys, toc_sources

from conftest import ROOT

SCHOLARLY_TYPES = {"article", "book", "incollection", "techreport"}
# Where a work of each type was published, as biblatex names it.
VENUE = {"article": "journal", "book": "publisher", "incollection": "booktitle", "techreport": "institution"}
MINIMUM_WORKS_IN_PROSE = 25  # issue 19: at least 25 analytic works cited in prose

def prose_citations() -> dict[str, set[str]]:
    """Bibliography key -> the pages whose text cites it with a {cite} role."""
    found: dict[str, set[str]] = {}
    for page, path in toc_sources().items():
        for key in cited_keys(path.read_text(encoding="utf-8")):
            found.setdefault(key, set()).add(page)
    return found


def test_works_of_the_literature_table_are_complete_scholarly_entries():
    entries = bibliography()
    literature = data.load_table("literature")
    problems = []
    for row in literature.itertuples():
        entry = entries[row.source_id]
        if entry.type not in SCHOLARLY_TYPES:
            problems.append(f"{row.source_id}: entry type {entry.type!r} is not a scholarly work")
            continue
        if entry.type != row.kind:
            problems.append(f"{row.source_id}: kind {row.kind!r} but the entry is @{entry.type}")
        if not entry.persons.get("author"):
            problems.append(f"{row.source_id}: no author")
        fields = {name.lower() for name in entry.fields}
        for needed in ("title", "year", "urldate", VENUE[entry.type]):
            if needed not in fields:
                problems.append(f"{row.source_id}: no {needed}")
        if not fields & {"url", "doi"}:
            problems.append(f"{row.source_id}: no url or doi")
        if str(row.year) != entry.fields.get("year"):
            problems.append(f"{row.source_id}: year {row.year} but the entry says {entry.fields.get('year')}")
    assert not problems, "\n".join(problems)


def test_every_work_of_the_table_is_discussed_in_the_literature_chapter():
    cited = cited_keys((ROOT / "chapters" / "literature.md").read_text(encoding="utf-8"))
    missing = sorted(set(data.load_table("literature")["source_id"]) - cited)
    assert not missing, f"works of data/literature.csv the chapter never cites: {missing}"


def test_at_least_25_scholarly_works_are_cited_in_chapter_prose():
    entries = bibliography()
    works = sorted(key for key in prose_citations() if key in entries and entries[key].type in SCHOLARLY_TYPES)
    assert len(works) >= MINIMUM_WORKS_IN_PROSE, \
        f"only {len(works)} articles, books, chapters or reports are cited in the chapters: {works}"


def test_the_argument_ends_with_the_thesis_and_its_refutation():
    """The verdict's last section states a thesis, positions it against the literature and says
    what evidence would prove it wrong."""
    text = (ROOT / "chapters" / "verdict.md").read_text(encoding="utf-8")
    last = text[text.rindex("\n## "):]
    assert last.startswith("\n## What the case shows"), "the verdict no longer ends with 'What the case shows'"
    assert "**The thesis" in last and "**What would prove it wrong.**" in last
    entries = bibliography()
    assert sum(entries[key].type in SCHOLARLY_TYPES for key in cited_keys(last)) >= 3, \
        "the thesis is not positioned against the literature"
