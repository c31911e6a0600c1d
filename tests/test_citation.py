"""Citation and reuse: CITATION.cff (valid against the Citation File Format schema), Zenodo
metadata, BibTeX for the book and each chapter of _toc.yml, each chapter as a notebook, each table
as CSV, and launch buttons (Binder, Colab) for the book's repository."""
from __future__ import annotations

import json
import re
import sys
import tomllib
from pathlib import Path

import jsonschema
import nbformat
import pytest
import yaml
from pybtex.database import parse_string

from build_support import ROOT, built_page
from cstobook import toc

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
CITATION = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
ZENODO = json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8"))
BASEURL = CONFIG["html"]["baseurl"]
REPOSITORY = CONFIG["repository"]["url"]
ORG, REPO = REPOSITORY.split("github.com/")[1].split("/")[:2]
PAGES = toc.documents()
CHAPTERS = [p for p in PAGES[1:] if p != "chapters/how-to-cite"]  # what a reader would cite
# The pages that print the bibliography, in reading order
BIBLIOGRAPHY_PAGES = [p for p in PAGES if "```{bibliography}" in toc.source_file(p).read_text(encoding="utf-8")]


def straight_quotes(text: str) -> str:
    """Sphinx's smart quotes undone, so that a title typed either way compares equal."""
    return text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')


def page_title(built_book: Path, page: str) -> str:
    return straight_quotes(built_page(built_book, page).find("h1").get_text(" ", strip=True).rstrip("#").strip())


def from_bibtex(field: str) -> str:
    """The text a BibTeX field stands for (TeX's dashes and escapes read by latexcodec)."""
    import codecs

    import latexcodec  # noqa: F401 - registers the codec

    text = codecs.decode(field.replace("\\{", "\x00").replace("\\}", "\x01"), "ulatex")
    return straight_quotes(text.replace("\x00", "{").replace("\x01", "}").replace("\\$", "$"))


AWKWARD_TITLES = ["Spending, 2022–2025", "The “offer” and the ‘ask’", 'A "quoted" word — and more',
                  "Costs & benefits: 50% of R_0 {braces} #1 $5", "Pashinyan’s doubts"]


@pytest.mark.parametrize("title", AWKWARD_TITLES)
def test_any_title_text_survives_the_citation(title):
    """A chapter's title as How to cite writes it in BibTeX reads back as the title (en and em
    dashes, straight and curly quotes, TeX's special characters)."""
    from cstobook import edition

    entry = f"@incollection{{key,\n  title = {{{edition.bibtex_text(title)}}},\n  year = {{2026}}\n}}"
    parsed = parse_string(entry, "bibtex").entries["key"]
    assert from_bibtex(parsed.fields["title"]) == straight_quotes(title)


def test_titles_are_cited_as_readers_see_them():
    from cstobook import edition

    assert edition.plain_text("The *offer*, `2022`–2025: [a link](https://example.org)") == "The offer, 2022–2025: a link"


def is_notebook(page: str) -> bool:
    """A page with code: an .ipynb, or MyST markdown read as a notebook (file_format: mystnb)."""
    if (ROOT / f"{page}.ipynb").is_file():
        return True
    source = ROOT / f"{page}.md"
    front = source.read_text(encoding="utf-8").split("---")[1] if source.read_text(encoding="utf-8").startswith("---") else ""
    return "file_format: mystnb" in front or "kernelspec" in front


NOTEBOOK_PAGES = [p for p in PAGES if is_notebook(p)]


# --- CITATION.cff and Zenodo -------------------------------------------------------------------

def test_citation_cff_is_valid_citation_file_format():
    schema = json.loads((Path(__file__).parent / "schemas" / "citation-cff-1.2.0.schema.json").read_text())
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(CITATION)]
    assert errors == []


def test_citation_cff_agrees_with_the_book():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert CITATION["title"] == CONFIG["title"]
    assert CITATION["preferred-citation"]["title"].startswith(CONFIG["title"])
    assert CITATION["url"] == CITATION["preferred-citation"]["url"] == BASEURL
    assert CITATION["repository-code"] == REPOSITORY
    assert CITATION["version"] == version
    assert str(CITATION["preferred-citation"]["year"]) == str(CONFIG["copyright"])
    assert [a.get("name") for a in CITATION["authors"]] == [CONFIG["author"]]


ZENODO_UPLOAD_TYPES = {"publication", "poster", "presentation", "dataset", "image", "video", "software",
                       "lesson", "physicalobject", "other"}
ZENODO_PUBLICATION_TYPES = {"annotationcollection", "book", "section", "conferencepaper", "datamanagementplan",
                            "article", "patent", "preprint", "deliverable", "milestone", "proposal", "report",
                            "softwaredocumentation", "taxonomictreatment", "technicalnote", "thesis",
                            "workingpaper", "other"}
ZENODO_RELATIONS = {"isCitedBy", "cites", "isSupplementTo", "isSupplementedBy", "isContinuedBy", "continues",
                    "isDescribedBy", "describes", "hasMetadata", "isMetadataFor", "isNewVersionOf",
                    "isPreviousVersionOf", "isPartOf", "hasPart", "isReferencedBy", "references",
                    "isDocumentedBy", "documents", "isCompiledBy", "compiles", "isVariantFormOf",
                    "isOriginalFormOf", "isIdenticalTo", "isAlternateIdentifier", "isReviewedBy", "reviews",
                    "isDerivedFrom", "isSourceOf", "requires", "isRequiredBy", "isObsoletedBy", "obsoletes"}


def test_zenodo_metadata_is_complete_and_agrees_with_citation_cff():
    """.zenodo.json in the fields of Zenodo's deposit metadata: what a GitHub release archives."""
    assert ZENODO["upload_type"] in ZENODO_UPLOAD_TYPES
    if ZENODO["upload_type"] == "publication":
        assert ZENODO["publication_type"] in ZENODO_PUBLICATION_TYPES
    assert ZENODO["title"] == CITATION["preferred-citation"]["title"]
    assert ZENODO["version"] == CITATION["version"]
    assert [c["name"] for c in ZENODO["creators"]] == [a["name"] for a in CITATION["authors"]]
    assert ZENODO["license"].lower() == CITATION["preferred-citation"]["license"].lower()
    assert ZENODO["access_right"] == "open"
    assert len(re.sub(r"<[^>]+>", "", ZENODO["description"])) > 100
    assert set(ZENODO["keywords"]) == set(CITATION["keywords"])
    for related in ZENODO["related_identifiers"]:
        assert related["relation"] in ZENODO_RELATIONS
    assert REPOSITORY in [r["identifier"] for r in ZENODO["related_identifiers"]]


# --- How to cite -------------------------------------------------------------------------------

def cite_entries(built_book: Path):
    page = built_page(built_book, "chapters/how-to-cite")
    blocks = [pre.get_text() for pre in page.find_all("pre") if "@" in pre.get_text()]
    assert blocks, "no BibTeX on the How to cite page"
    return parse_string("\n\n".join(blocks), "bibtex").entries


def test_how_to_cite_gives_bibtex_for_the_book(built_book):
    entries = cite_entries(built_book)
    book = entries["csto_ukraine_book"]
    assert book.type == "book"
    assert book.fields["title"] == "{" + CITATION["preferred-citation"]["title"] + "}"  # brace-protected
    assert book.fields["publisher"]
    assert book.fields["url"] == BASEURL
    assert book.fields["year"] == str(CITATION["preferred-citation"]["year"])
    assert len(book.persons["author"]) == 1  # the contributors as one corporate author, in braces
    assert "CSTO--Ukraine book contributors" in str(book.persons["author"][0])


@pytest.mark.parametrize("page", CHAPTERS)
def test_how_to_cite_gives_bibtex_for_each_chapter(built_book, page):
    by_url = {e.fields.get("url"): e for e in cite_entries(built_book).values()}
    entry = by_url.get(f"{BASEURL}{page}.html")
    assert entry is not None, f"no BibTeX entry for {page}"
    assert entry.type == "incollection"
    assert entry.fields["title"].startswith("{") and entry.fields["title"].endswith("}")  # brace-protected
    assert from_bibtex(entry.fields["title"][1:-1]) == page_title(built_book, page)
    assert entry.fields["booktitle"] == "{" + CITATION["preferred-citation"]["title"] + "}"


def plain_style(bibtex: str) -> list[str]:
    """Each entry as pybtex's `plain` style (BibTeX's plain.bst) formats it, as text: the style
    refuses an entry that lacks a field it requires (a @book's publisher) and lower-cases titles
    but for what is in braces."""
    from pybtex.plugin import find_plugin

    style = find_plugin("pybtex.style.formatting", "plain")()
    entries = parse_string(bibtex, "bibtex").entries
    return [entry.text.render_as("text") for entry in style.format_entries(entries.values())]


def test_the_books_bibtex_formats_in_bibtex_plain_style_with_titles_as_written():
    from cstobook import edition

    book = plain_style(edition.book_bibtex("2026-12-05"))[0]
    assert edition.title().replace("–", "-")[:40] in book.replace("–", "-")
    assert edition.publisher().replace("–", "-") in book.replace("–", "-")
    for document in [d for d in toc.documents()[1:] if d != "chapters/how-to-cite"]:
        chapter = plain_style(edition.chapter_bibtex(document, "2026-12-05"))[0]
        title = edition.chapter_title(document).replace("–", "-")
        assert title in chapter.replace("–", "-"), f"{document}: {chapter!r} does not keep the title {title!r}"


def test_plain_style_refuses_a_book_without_publisher_and_lowercases_unprotected_titles():
    """The check above can fail: the entry the book gave before (no publisher, titles unprotected)."""
    from pybtex.style.template import FieldIsMissing

    with pytest.raises(FieldIsMissing):
        plain_style("@book{b, author = {{X}}, title = {T}, year = {2026}}")
    chapter = plain_style("@incollection{c, author = {{X}}, title = {Cracks inside: Armenia}, "
                          "booktitle = {B}, publisher = {P}, year = {2026}}")[0]
    assert "Cracks inside: armenia" in chapter


# --- Reuse: notebooks, tables, launch buttons ---------------------------------------------------

@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_each_chapter_downloads_as_a_notebook(built_book, page):
    """The page's download button offers the chapter as .ipynb, holding all of its code. (The
    notebook carries outputs when the build executed it; a build that takes every notebook from
    the execution cache writes them without, a myst-nb 1.4 behaviour. CI builds afresh.)"""
    links = [a["href"] for a in built_page(built_book, page).find_all("a", href=True) if a["href"].endswith(".ipynb")]
    local = [href for href in links if "_sources/" in href]
    assert local, f"{page} offers no .ipynb download"
    served = (built_book / page).parent / local[0]
    assert served.resolve() == (built_book / "_sources" / f"{page}.ipynb").resolve()
    notebook = nbformat.read(served, as_version=4)
    nbformat.validate(notebook)
    code = [c.source for c in notebook.cells if c.cell_type == "code"]
    source = (ROOT / f"{page}.md").read_text(encoding="utf-8") if (ROOT / f"{page}.md").is_file() else ""
    assert len(code) >= max(1, source.count("```{code-cell}"))


def csv_resources() -> list[str]:
    package = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    return sorted(r["path"] for r in package["resources"] if str(r.get("path", "")).endswith(".csv"))


@pytest.mark.parametrize("table", csv_resources())
def test_each_data_table_downloads_as_csv(built_book, table):
    """Every CSV table of data/datapackage.json is linked from a page of the book, as it is."""
    name = Path(table).name
    for page in PAGES:
        for link in built_page(built_book, page).find_all("a", href=True):
            href = link["href"].split("#")[0]
            if "_downloads/" in href and href.endswith("/" + name):
                served = (built_book / page).parent / href
                assert served.read_bytes() == (ROOT / "data" / table).read_bytes()
                return
    pytest.fail(f"no page links {table} for download")


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_launch_buttons_open_the_chapter_on_binder_and_colab(built_book, page):
    sys.path.insert(0, str(ROOT / "_ext"))
    from book_publishing import launch_notebook_path

    from book_publishing import DEFAULT_BRANCH

    branch = CONFIG["sphinx"]["config"].get("launch_notebooks_branch", DEFAULT_BRANCH)
    notebook = launch_notebook_path(page, CONFIG["repository"].get("path_to_book", ""))
    hrefs = {a["href"] for a in built_page(built_book, page).find_all("a", href=True)}
    assert f"https://mybinder.org/v2/gh/{ORG}/{REPO}/{branch}?urlpath=tree/{notebook}" in hrefs
    assert f"https://colab.research.google.com/github/{ORG}/{REPO}/blob/{branch}/{notebook}" in hrefs


def test_launch_notebooks_are_written_for_every_chapter_with_code(built_book, tmp_path):
    """What the publishing workflow pushes to the notebooks branch: each chapter with code as an
    executed notebook beside its source, the very file its download button serves, whose first
    cell sets it up wherever it is opened."""
    sys.path.insert(0, str(ROOT / "tools"))
    sys.path.insert(0, str(ROOT / "_ext"))
    import book_publishing
    import launch_notebooks

    branch = CONFIG["sphinx"]["config"].get("launch_notebooks_branch", book_publishing.DEFAULT_BRANCH)
    written = launch_notebooks.write_notebooks(built_book, tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == sorted(f"{p}.ipynb" for p in NOTEBOOK_PAGES)
    for path in written:
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
        setup = notebook.cells[0]
        assert setup.metadata["tags"] == ["setup"]
        assert REPOSITORY in setup.source and f'"CSTOBOOK_BRANCH", "{branch}"' in setup.source
        assert notebook.metadata["kernelspec"]["name"] == "python3"
        compile(setup.source, str(path), "exec")
    workflow = (ROOT / ".github" / "workflows" / "book.yml").read_text(encoding="utf-8")
    assert f"git checkout -B {branch}" in workflow


def test_binder_installs_the_book_and_its_package():
    # the versions the book is built with, but only what the chapters need (not the build and
    # test stack): the package's own dependencies, named in binder/requirements.txt
    binder = (ROOT / "binder" / "requirements.txt").read_text()
    assert "-c ../requirements.txt" in binder and "-r ../requirements.txt" not in binder
    post_build = ROOT / "binder" / "postBuild"
    assert post_build.stat().st_mode & 0o111, "binder/postBuild must be executable"
    assert "pip install" in post_build.read_text() and "-e ." in post_build.read_text()


def bibliography_style():
    sys.path.insert(0, str(ROOT / "_ext"))
    import bibliography_editions

    return bibliography_editions


def test_the_bibliography_orders_names_as_a_reader_reads_them(tmp_path):
    """One alphabetical order, by the first author's name whether a person's or an organisation's:
    braces, which keep an organisation's name whole, and case play no part (pybtex's `plain` put
    every organisation after every person, and a name braced twice after those), then the year or
    date. The numbers follow that order."""
    bib = tmp_path / "order.bib"
    bib.write_text("""
@online{tass_b, author = {{{TASS}}}, title = {B}, date = {2023-01-02}}
@online{osborn, author = {Osborn, Andrew}, title = {C}, year = {2022}}
@online{otenge, author = {{Otenge}}, title = {D}, year = {2022}}
@online{orda, author = {{Orda.kz}}, title = {E}, year = {2022}}
@online{tass_a, author = {{TASS}}, title = {F}, date = {2022-05-01}}
@online{allison, author = {Allison, Roy}, title = {G}, year = {2018}}
@online{digits, author = {{24.kg}}, title = {H}, year = {2022}}
@online{cyrillic, author = {{РИА Новости}}, title = {I}, year = {2022}}
""", encoding="utf-8")
    numbers = bibliography_style().book_order([bib])
    assert sorted(numbers, key=numbers.get) == ["digits", "allison", "orda", "osborn", "otenge", "tass_a",
                                                "tass_b", "cyrillic"]
    assert sorted(numbers.values()) == list(range(1, 9))


def test_the_bibliography_is_one_numbered_order_across_its_pages(built_book):
    """Each entry is printed once, on one of the bibliography's pages, and its number is its place in
    the book's one alphabetical order: the pages continue one another, so that a number names one
    entry. Each page stays small enough for a phone's first visit (issue 22)."""
    from cstobook import data

    numbers = bibliography_style().book_order([ROOT / "data" / "references.bib"])
    assert len(BIBLIOGRAPHY_PAGES) > 1
    printed = []
    for page in BIBLIOGRAPHY_PAGES:
        labels = [label.get_text(strip=True) for label in built_page(built_book, page).select("div.citation .label")]
        assert labels, page
        assert len(labels) < 0.6 * len(numbers), f"{page} holds most of the bibliography"
        printed += labels
    assert printed == [f"[{n}]" for n in range(1, len(data.bibliography_entries()) + 1)]
    assert len(numbers) == len(data.bibliography_entries())


def test_the_bibliography_prints_every_title_as_written(built_book):
    """Each title reads on the bibliography page as the bibliography writes it: pybtex's `plain`
    set titles in sentence case, which lowercased every name not braced in them ("the csto",
    "la otan", "the un missions"), and it showed BibTeX's escaped dollar as "\\$"."""
    from cstobook import data
    from cstobook.tables import plain_text

    def words(text: str) -> str:  # TeX's dashes and quotation marks as the page prints them
        text = text.replace("---", "\u2014").replace("--", "\u2013").replace("``", '"').replace("''", '"')
        return " ".join(straight_quotes(text).split())

    page = words(" ".join(built_page(built_book, page).get_text(" ") for page in BIBLIOGRAPHY_PAGES))
    titles = {key: words(plain_text(entry.fields["title"])) for key, entry in data.bibliography_entries().items()
              if "title" in entry.fields}
    assert len(titles) > 100
    assert [key for key, title in titles.items() if title not in page] == []
    assert "\\$" not in page
