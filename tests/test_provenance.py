"""The provenance chain, end to end: every row of data/ names sources that are in the bibliography
with a URL or identifier and an access date; every bibliography entry is used; every chapter
cites a source of each table it loads; every figure in the prose is computed (glued), not typed;
the data appendix lists and links every table. The rules read _toc.yml and data/datapackage.json,
so they cover chapters and tables added later."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pybtex.database import parse_file

from build_support import ROOT, built_page
from cstobook import data, toc

DATA = ROOT / "data"
IDENTIFIERS = {"url", "doi", "isbn", "issn", "eprint"}
CITE_ROLE = re.compile(r"\{(?:foot)?cite(?::\w+)?\}`(?P<keys>[^`]*)`")
LOAD_TABLE = re.compile(r"\bload_table\(\s*(['\"])(?P<name>[^'\"]+)\1")


def resources() -> list[dict]:
    return json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))["resources"]


def source_keys(resource: dict) -> dict[str, list[str]]:
    """Bibliography key -> where it is named ('data/x.csv, line 7, column source_id')."""
    return data.table_sources(DATA / resource["path"])


def all_source_keys() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for resource in resources():
        for key, where in source_keys(resource).items():
            found.setdefault(key, []).extend(where)
    return found


def bibliography() -> dict:
    return parse_file(str(ROOT / "references.bib"), bib_format="bibtex").entries


def toc_sources() -> dict[str, Path]:
    """docname -> source file of every document in _toc.yml."""
    return {page: path for page in toc.documents() if (path := toc.source_file(page)) is not None}


def checked_sources() -> dict[str, Path]:
    """The pages of the book and the chapter template, which new chapters start from."""
    return {**toc_sources(), "chapters/_template": ROOT / "chapters" / "_template.md"}


def cited_keys(text: str) -> set[str]:
    return {key.strip() for match in CITE_ROLE.finditer(text) for key in match["keys"].split(",") if key.strip()}


# --- Sources resolve, and every entry is used ---------------------------------------------------

def test_every_source_id_resolves_to_a_dated_bibliography_entry():
    entries = bibliography()
    problems = []
    for key, where in sorted(all_source_keys().items()):
        if key not in entries:
            problems.append(f"{where[0]}: {key!r} is not in references.bib")
            continue
        fields = {name.lower() for name in entries[key].fields}
        if not fields & IDENTIFIERS:
            problems.append(f"references.bib, {key}: no url or identifier (doi, isbn, ...) ({where[0]})")
        if "urldate" not in fields:
            problems.append(f"references.bib, {key}: no access date (urldate) ({where[0]})")
    assert not problems, "\n".join(problems)


def test_every_bibliography_entry_is_cited_or_used_in_data():
    """No dead entries: each is cited from a page of the book or named as a source in data/."""
    used = set(all_source_keys())
    for path in toc_sources().values():
        used |= cited_keys(path.read_text(encoding="utf-8"))
    text = (ROOT / "references.bib").read_text(encoding="utf-8")
    dead = [f"references.bib:{text[:text.find('{' + key + ',')].count(chr(10)) + 1}: {key}"
            for key in bibliography() if key not in used]
    assert not dead, "entries neither cited nor named in data/:\n" + "\n".join(dead)


def test_every_page_cites_only_entries_of_the_bibliography():
    entries = bibliography()
    unknown = [f"{path.relative_to(ROOT)}: {key}" for path in checked_sources().values()
               for key in sorted(cited_keys(path.read_text(encoding="utf-8"))) if key not in entries]
    assert not unknown, "\n".join(unknown)


# --- Sources name their originals -----------------------------------------------------------------

# Sites through which texts were read that are not their publishers: aggregators, reposts, forums,
# blogs and mirrors. A text read there is cited under its original publisher, the copy in a note.
RELAYS = ("urdupoint", "devdiscourse", "debatepolitics", "brothersjudd", "ironblade", "accentnews", "wikimili",
          "yahoo", "gifizo", "investing.com", "hyetert", "armenianclub", "webjosh", "leadpakistan", "infosurhoy",
          "cde.news", "kitchen0", "anedelya", "oopstop", "ukrainetoday", "cxtvnews",
          "indianarrative", "breaknlinks", "dailyripple", "blogen", "wikiwand", "clankeith", "elhdth",
          "dtnext", "click2houston", "millichronicle", "sila-rf", "newsme.com.ua", "armeniandiaspora", "cloudfront")
NAMING_FIELDS = ("author", "organization", "publisher", "institution", "journal")


def letters(text: str) -> str:
    """Letters only, so that "Debate Politics", "debatepolitics.com" and "Brothers Judd blog" match."""
    return re.sub(r"[^a-z]", "", text.lower())


def names_of(entry) -> str:
    """Everyone an entry credits: persons of author and editor, and the naming fields."""
    people = " ".join(str(person) for role in ("author", "editor") for person in entry.persons.get(role, []))
    return " ".join([people] + [entry.fields.get(name, "") for name in NAMING_FIELDS])


def names_a_relay(credited: str) -> bool:
    return any(letters(relay) in letters(credited) for relay in RELAYS)


@pytest.mark.parametrize("credited, flagged", [
    ("{Debate Politics forum (repost of RFE/RL text)}", True),
    ("Devdiscourse (Reuters copy)", True),
    ("{ironbladeonline.com}", True),
    ("UrduPoint (Sputnik)", True),
    ("{Reuters}", False),
    ("Allison, Roy", False),
])
def test_relay_rule_on_examples(credited, flagged):
    assert names_a_relay(credited) is flagged


def test_no_relay_is_named_as_a_source():
    """Every entry, cited in prose or named in data/, credits the original publisher."""
    found = [f"references.bib, {key}: credits {names_of(entry).strip()!r}"
             for key, entry in bibliography().items() if names_a_relay(names_of(entry))]
    assert not found, ("an aggregator, repost, forum, blog or mirror is named as author or publisher: cite the "
                       "original publisher and record the copy read in `note`:\n" + "\n".join(found))


def test_texts_read_through_a_relay_say_so():
    silent = [f"references.bib, {key}: read at {entry.fields['url'][:60]} but its note does not say how"
              for key, entry in bibliography().items()
              if any(relay in entry.fields.get("url", "") for relay in RELAYS)
              and not re.search(r"\bread\b|\brelayed\b|\bquoted\b|\brepost", entry.fields.get("note", ""), re.I)]
    assert not silent, "say in `note` where the text was read (\"Read in a repost at ...\"):\n" + "\n".join(silent)


# --- Chapters cite what they use ------------------------------------------------------------------

def tables_shown(code: str) -> set[str]:
    """Tables a chapter's code loads by name; load_region() shows the map geometry."""
    names = {match["name"] for match in LOAD_TABLE.finditer(code)}
    if re.search(r"\bload_region\(", code):
        names.add("region")
    return names


def chapter_code(path: Path) -> str:
    from myst_nb.core.read import is_myst_markdown_notebook, read_myst_markdown_notebook

    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        import nbformat
        cells = nbformat.reads(text, as_version=4).cells
    elif is_myst_markdown_notebook(text):
        cells = read_myst_markdown_notebook(text).cells
    else:
        return ""
    return "\n".join(cell.source for cell in cells if cell.cell_type == "code")


@pytest.mark.parametrize("page", [page for page, path in checked_sources().items() if chapter_code(path)])
def test_chapter_cites_a_source_of_every_table_it_loads(page):
    """The rule: a chapter that calls data.load_table("T") (or load_region()) cites, with a
    {cite} role in its text, at least one of the sources named in T's rows."""
    path = checked_sources()[page]
    cited = cited_keys(path.read_text(encoding="utf-8"))
    by_name = {resource["name"]: resource for resource in resources()}
    missing = []
    for name in sorted(tables_shown(chapter_code(path))):
        if name not in by_name:
            continue  # the build fails on an unknown table, naming it
        keys = set(source_keys(by_name[name]))
        if keys and not keys & cited:
            missing.append(f"{path.relative_to(ROOT)}: loads {name!r} ({by_name[name]['path']}) but cites none of "
                           f"its {len(keys)} sources, e.g. {{cite:p}}`{sorted(keys)[0]}`")
    assert not missing, "\n".join(missing)


# --- Figures in prose are computed ------------------------------------------------------------------

MONTHS = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|" \
         r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
EXEMPT = [  # what a digit in prose may be without being a figure from data (in this order)
    re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?(?:\s*(?:-|–|—|or|and|to|,)(?:\s+on)?\s*\d{{1,2}}(?:st|nd|rd|th)?)*\s+{MONTHS}"),  # 13 or (on) 14 September
    re.compile(rf"\b{MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?!\d)"),                   # September 13
    re.compile(r"\b(?:Articles?|Art\.)\s+\d+(?:\.\d+)*(?:\s*(?:,|-|–|and|or|to)\s*\d+(?:\.\d+)*)*"),  # Article 4, Articles 2 and 4
    re.compile(r"\b(?:[A-Z]/(?:RES/)?)?(?:ES-\d+/)?\d+(?:/\d+)+\b|\bES-\d+(?:/\d+)*"),  # resolutions: ES-11/1, 68/262, A/RES/68/262
    re.compile(r"(?<![\d.,])(?:19|20)\d{2}(?:s\b)?(?![\d.,]\d)"),                       # years 1900-2099
    re.compile(r"\b\d+(?:st|nd|rd|th)\b"),                                              # ordinals: 20th
    re.compile(r"\b[A-Za-z]+-?\d+[A-Za-z\d]*\b"),                                         # identifiers: claim c03, G7
    re.compile(r"\b(?:Python|CC BY(?:-SA|-NC)*|[Vv]ersion|v)\s*\d+(?:\.\d+)+"),             # versions: Python 3.11, CC BY 4.0
    re.compile(r"\b1:\d+(?:[mk]\b|(?:,\d{3})+)"),                                          # map scales: 1:50m
]
SKIPPED_DIRECTIVES = {"code-cell", "raw-cell", "code", "code-block", "sourcecode", "bibliography", "math",
                      "raw", "eval-rst", "glue", "glue:any", "glue:text", "literalinclude", "include", "csv-table"}
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,}|:{3,})\s*(?:\{(?P<directive>[^}]+)\})?(?P<rest>.*)$")
INLINE = [
    re.compile(r"\{[\w:.-]+\}`[^`]*`"),          # roles: {glue:text}`x`, {cite:p}`k`, {numref}`fig-1`, {download}`...`
    re.compile(r"`[^`]*`"),                      # inline code
    re.compile(r"\{\{.*?\}\}"),                  # substitutions
    re.compile(r"<!--.*?-->"),                   # comments
    re.compile(r"<blockquote\b.*?</blockquote>", re.S),  # quotes of the article
    re.compile(r"\]\([^)]*\)"),                  # link targets (the link text stays)
    re.compile(r"<https?://[^>]*>|https?://\S+"),  # bare and autolinks
    re.compile(r"<[^>]+>"),                      # HTML tags (their text stays)
    re.compile(r"\[\^[^\]]*\]"),                 # footnote references
]


def prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, text) of the prose of a MyST page: no front matter, code, directive options,
    fenced blocks that are not prose, block quotes or target labels."""
    lines = text.splitlines()
    keep: list[tuple[int, str]] = []
    index = 0
    if lines and lines[0].strip() == "---":
        index = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), len(lines) - 1) + 1
    stack: list[tuple[str, bool]] = []  # (closing fence, body is prose)
    in_options = False
    while index < len(lines):
        number, line = index + 1, lines[index]
        index += 1
        match = FENCE.match(line)
        if match and stack and match["fence"][0] == stack[-1][0][0] and len(match["fence"]) >= len(stack[-1][0]) \
                and not match["directive"] and not match["rest"].strip():
            stack.pop()
            in_options = False
            continue
        if match and (not stack or stack[-1][1]):
            directive = (match["directive"] or "").strip()
            prose = bool(directive) and directive not in SKIPPED_DIRECTIVES
            stack.append((match["fence"], prose))
            in_options = prose
            continue
        if stack and not stack[-1][1]:
            continue
        if in_options:
            if re.match(r"^\s*:[\w-]+:", line):
                continue
            if line.strip() == "---":  # YAML options block
                index = next((i for i in range(index, len(lines)) if lines[i].strip() == "---"), index) + 1
                continue
            in_options = False
        if re.match(r"^\s*>", line) or re.match(r"^\s*\([\w:.-]+\)=\s*$", line):
            continue
        keep.append((number, line))
    return keep


def hand_typed_figures(text: str) -> list[tuple[int, str, str]]:
    """(line, figure, line text) of every digit left in the prose after the exemptions."""
    lines = prose_lines(text)
    joined = "\n".join(line for _, line in lines)
    for pattern in INLINE + EXEMPT:  # some span lines ("15 or\n16 May"): blank them, keeping line breaks
        joined = pattern.sub(lambda m: re.sub(r"[^\n]", " ", m[0]), joined)
    found = []
    for (number, original), line in zip(lines, joined.split("\n")):
        for match in re.finditer(r"\d[\d.,:/%]*", line):
            found.append((number, match[0].rstrip(".,:"), original.strip()))
    return found


@pytest.mark.parametrize("page", list(checked_sources()))
def test_no_hand_typed_figures_in_prose(page):
    """A figure in the prose comes from data through {glue:text}. Left out: code, directive
    options, roles and citations, inline code, links, block quotes (the Arabic article), dates and
    years, article numbers, resolution symbols and ordinals. Any other digit is a typed figure."""
    path = checked_sources()[page]
    found = hand_typed_figures(path.read_text(encoding="utf-8"))
    assert not found, "hand-typed figures (glue them from a computed value):\n" + "\n".join(
        f"{path.relative_to(ROOT)}:{line}: {figure!r} in: {text[:110]}" for line, figure, text in found)


def test_hand_typed_figure_rule_on_examples():
    text = ("---\nfile_format: mystnb\n---\n(label)=\n# Title\n\n"
            "In 2022, on 13 or\non 14 September, Article 4 and resolution ES-11/1 and 68/262, the 20th summit.\n"
            "Russia spent {glue:text}`share:.0f`% {cite:p}`key_2022` of `data/x_2.csv`.\n"
            "> quoted 6 states\n<blockquote lang=\"ar\">عام 2002 6 دول</blockquote>\n"
            "```{code-cell} ipython3\nx = 45\n```\n"
            "```{glue:figure} fig_1\n:name: fig-1\n:alt: chart from 1992\n\nCaption with 17 items.\n```\n"
            "It occupied 45 square kilometres, [see](https://e.com/2021/05/13/x).\n")
    found = [(figure, line) for line, figure, _ in hand_typed_figures(text)]
    assert found == [("17", 19), ("45", 21)]


# --- The data appendix ----------------------------------------------------------------------------

def test_data_appendix_lists_and_links_every_table(built_book):
    """The appendix renders from datapackage.json: it names each resource's file and offers it
    for download."""
    soup = built_page(built_book, "chapters/appendix-data")
    text = soup.get_text()
    downloads = {link["href"].rsplit("/", 1)[-1] for link in soup.find_all("a", href=True)
                 if "download" in (link.get("class") or []) or link.has_attr("download")}
    problems = []
    for resource in resources():
        name = Path(resource["path"]).name
        if resource["path"] not in text:
            problems.append(f"{resource['path']} is not named on the appendix page")
        if name not in downloads:
            problems.append(f"{resource['path']} has no download link on the appendix page")
    assert not problems, "chapters/appendix-data.md:\n" + "\n".join(problems)
