"""Tables as readers see them: escaped HTML with a caption and header cells."""
from __future__ import annotations

import functools
import hashlib
import html
import re

import pandas as pd
from pandas.io.formats.style import Styler

from pybtex.backends.plaintext import Backend as PlainTextBackend
from pybtex.richtext import Text

from cstobook import i18n
from cstobook.data import bibliography_entries, bibliography_urls, source_keys

SOURCES_COLUMN = "Sources"
DATE_COLUMN = "Date"  # ISO dates of the data, which may lack a day or month (data.partial_dates)


# One backend, not render_as("text"): that looks the backend up among the installed packages'
# entry points on every call, about 20 ms, which made a chapter's source lines cost seconds.
_PLAIN_TEXT = PlainTextBackend()


def plain_text(latex: str) -> str:
    """BibTeX field text as a reader sees it: braces dropped, TeX escapes and accents decoded,
    '--' as an en dash."""
    escaped = latex.replace("\\$", "$").replace("\\&", "&").replace("\\%", "%")
    if not set("{}\\") & set(escaped):
        return escaped
    return Text.from_latex(escaped).render(_PLAIN_TEXT).replace("--", "–")


@functools.cache  # chapters ask once per row, for the same few entries
def source_name(key: str) -> str:
    """Who a bibliography entry is cited by: one or two family names (or the organisation), 'et
    al.' after the first of three or more."""
    entry = bibliography_entries()[key]
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [plain_text(" ".join(p.prelast_names + p.last_names)) for p in persons]
    if not names:
        names = [plain_text(entry.fields.get("organization", entry.fields.get("publisher", key)))]
    # an organisation named in its own language with a bracketed translation is cited by its own
    # name: the translation is the bibliography's, and would make a source column's label a paragraph
    names = [re.sub(r"\s*\[[^\]]*\]$", "", name) or name for name in names]
    return names[0] if len(names) == 1 else " and ".join(names) if len(names) == 2 else f"{names[0]} et al."


NO_DATE = {"en": "n.d.", "ar": "د.ت."}


def author_year(key: str, language: str = "en") -> str:
    """'Author Year' of a bibliography entry, as the book's text cites it; in another language, the
    name as the names catalogue gives it (an outlet's Arabic name; a scholar's in its own script)."""
    entry = bibliography_entries()[key]
    year = entry.fields.get("year") or entry.fields.get("date", "")[:4] or NO_DATE.get(language, NO_DATE["en"])
    return f"{i18n.translate(source_name(key), language, 'names')} {year}"


def author_years(cell, language: str = "en") -> str:
    """A source_id cell ('a;b') as readers see sources in plain text: 'Author Year; Author Year'."""
    return i18n.semicolon(language).join(author_year(key, language) for key in source_keys(cell))


def source_links(escaped_keys: str, language: str = "en") -> str:
    """'a;b' (already escaped) -> 'Author Year' links to each source's URL, opening safely in a new
    tab. (The full reference is in the bibliography; a title attribute on every link cost a page of
    many sourced rows several kilobytes.)"""
    urls = bibliography_urls()
    entries = bibliography_entries()
    links = []
    for key in (html.unescape(k) for k in source_keys(escaped_keys)):
        label = html.escape(author_year(key, language)) if key in entries else html.escape(key)
        url = urls.get(key)
        links.append(f'<a href="{html.escape(url)}" rel="noopener noreferrer" '
                     f'target="_blank">{label}</a>' if url else label)
    return i18n.semicolon(language).join(links)


RIGHT_TO_LEFT_COLUMNS = ("Arabic excerpt",)
# originals quoted in a Latin or Cyrillic script: left to right in every edition, so that a quote's
# brackets and punctuation keep their order in a right-to-left page
LEFT_TO_RIGHT_COLUMNS = ("Original text as read", "The clause as read (original)")
# Columns of identifiers a reader types (a data file's field names): never translated.
IDENTIFIER_COLUMNS = ("Field",)


def table_id(caption: str, language: str = "en") -> str:
    """A stable id for a table (reproducible pages), distinct in each edition's copy of it."""
    digest = hashlib.sha1(caption.encode()).hexdigest()[:8]
    return digest if language == "en" else f"{digest}-{language}"


def translated_cells(table: pd.DataFrame, language: str) -> pd.DataFrame:
    """The table with each cell in `language` (cstobook.i18n, the data catalogue), ISO dates
    (a column named 'Date') spelled as that edition spells them, column names and bibliography
    keys (Sources) left as they are; the table itself in English."""
    if language == "en":
        return table

    def translated(column: pd.Series) -> pd.Series:
        if column.name == SOURCES_COLUMN or column.name in IDENTIFIER_COLUMNS:
            return column
        if column.name == DATE_COLUMN:
            return column.map(lambda value: i18n.spelled_partial_date(value, language), na_action="ignore")
        return column.map(lambda value: i18n.translate(value, language))

    return table.apply(translated)


def styled(table: pd.DataFrame, caption: str, formats: dict | None = None, language: str = "en"):
    """A pandas Styler with every cell HTML-escaped, the index hidden and a <caption>.
    A column named 'Sources' holds bibliography keys, shown as links to the sources; Arabic
    columns are set right to left. In another `language` than English, the cells, column names
    and caption are shown as the data catalogue translates them (`translated_cells`)."""
    formats = dict(formats or {})
    if SOURCES_COLUMN in table.columns:
        formats[SOURCES_COLUMN] = functools.partial(source_links, language=language)
    rtl = [column for column in RIGHT_TO_LEFT_COLUMNS if column in table.columns]
    dates = [column for column in table.columns if column == DATE_COLUMN]
    # pandas escapes a header before a formatter sees it: a translated header is escaped after
    headers = ({"escape": "html"} if language == "en" else
               {"formatter": lambda name: html.escape(i18n.translate(str(name), language))})
    # styles by column, not by cell: a cell then needs no id of its own, which on long tables is
    # a good part of a page's weight
    ltr = [column for column in LEFT_TO_RIGHT_COLUMNS if column in table.columns]
    column_styles = {**{column: [{"selector": "td", "props": "direction: rtl; text-align: right;"}]
                        for column in rtl},
                     **{column: [{"selector": "td", "props": "direction: ltr; text-align: left;"}]
                        for column in ltr},
                     **{column: [{"selector": "td", "props": "white-space: nowrap;"}]  # a date never breaks at its hyphens
                        for column in dates}}
    return (Styler(translated_cells(table, language), cell_ids=False)
            .set_table_styles(column_styles, overwrite=False)
            .format(formats, escape="html", na_rep=i18n.translate("no data", language))
            .format_index(axis=1, **headers)
            .hide(axis="index")
            .set_caption(html.escape(i18n.translate(caption, language)))  # captions often name values from data/
            .set_uuid(table_id(caption, language))
            .set_table_attributes('class="cstobook-table"'))


_CELL_CLASSES = re.compile(r'<t([dh]) class="(?:data row\d+|col_heading level0) (col\d+)"')


def compact(table_html: str) -> str:
    """A styled table's HTML without what no style sheet or script reads: pandas marks each cell
    with its row and kind ('data row12 col2', 'col_heading level0 col2'); the book styles and
    labels cells by column only (`styled`, `_card_labels`). Dropping them takes about 1 kB (gzip)
    off the Arabic partners page, whose five tables hold some 300 cells; the cells' text is
    untouched."""
    return _CELL_CLASSES.sub(r'<t\1 class="\2"', table_html).replace('" >', '">')


def collapse_sources(table: pd.DataFrame, by: list[str], keep: dict[str, str] | None = None,
                     sources: str = "source_id") -> pd.DataFrame:
    """One row per distinct `by`: reports of the same fact from several sources become one row
    whose Sources lists every key. `keep` maps other columns to their shown names (first value)."""
    keep = keep or {}
    grouped = table.groupby(by, sort=True, dropna=False)
    shown = grouped[list(keep)].first().rename(columns=keep) if keep else grouped.size().to_frame().iloc[:, :0]
    shown[SOURCES_COLUMN] = grouped[sources].agg(
        lambda cells: ";".join(dict.fromkeys(key for cell in cells for key in source_keys(cell))))
    return shown.reset_index()


_FILTER_SCRIPT = """
<script>
(function () {
  var box = document.getElementById("%(id)s");
  var search = box.querySelector("input[type=search]");
  var selects = Array.prototype.slice.call(box.querySelectorAll("select"));
  var rows = Array.prototype.slice.call(box.querySelectorAll("tbody tr"));
  var count = box.querySelector("output");
  // readers type Arabic without its short vowels, shadda and tatweel: search ignores them
  function plain(text) { return text.toLowerCase().replace(/[\\u064B-\\u065F\\u0670\\u0640]/g, ""); }
  function apply() {
    var words = plain(search.value).split(/\\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (row) {
      var text = plain(row.textContent);
      var ok = words.every(function (w) { return text.indexOf(w) !== -1; }) &&
        selects.every(function (s) {
          return !s.value || row.cells[parseInt(s.dataset.column, 10)].textContent.trim() === s.value;
        });
      row.hidden = !ok;
      shown += ok ? 1 : 0;
    });
    count.textContent = count.dataset.shown.replace("{shown}", shown).replace("{total}", rows.length);
  }
  search.addEventListener("input", apply);
  selects.forEach(function (s) { s.addEventListener("change", apply); });
  apply();
})();
</script>
"""


LONGEST_UNBROKEN_WORD = 14
TABLE_WIDTH_CHARS = 100  # characters of a filterable table's text across a desktop page (1280 px), cell padding included
CELL_PADDING_CHARS = 2  # a cell's padding on both sides (0.5 em each), in characters of its text


def _column_shares(table: pd.DataFrame, headings: list[str] | None = None) -> list[float]:
    """Each column's share of the table's width (%), after the typical length of its values (a
    short code, a paragraph); never narrower than its longest word, cell or heading (`headings`,
    the column names as shown, by default the table's), so that no word ("narrator",
    "imprecise") breaks in the middle."""
    import re

    headings = list(table.columns) if headings is None else headings

    def longest_word(values) -> int:
        words = (w for v in values for w in re.sub(r"<[^>]+>", " ", html.unescape(str(v))).split())
        return max((len(w) for w in words), default=1)

    typical = [min(max(table[c].astype(str).str.len().median(), len(str(h)) + 2, 22), 300) ** 0.9
               for c, h in zip(table.columns, headings)]
    def shown(column: str):  # the Sources column shows author-year labels, not keys
        values = table[column].dropna()
        if column != SOURCES_COLUMN:
            return values
        entries = bibliography_entries()
        return [author_year(k.strip()) if k.strip() in entries else k for v in values for k in str(v).split(";")]

    # words longer than LONGEST_UNBROKEN_WORD (web addresses, identifiers) may still wrap
    words = [min(max(longest_word(shown(c)), longest_word([h])), LONGEST_UNBROKEN_WORD)
             for c, h in zip(table.columns, headings)]
    # a cell's padding takes about two characters; a crowded table allows one
    floors = [100 * (word + CELL_PADDING_CHARS) / TABLE_WIDTH_CHARS for word in words]
    if sum(floors) >= 100:
        floors = [100 * (word + 1) / TABLE_WIDTH_CHARS for word in words]
    if sum(floors) >= 100:
        return [100 * f / sum(floors) for f in floors]
    shares = [100 * w / sum(typical) for w in typical]
    fixed: set[int] = set()
    while True:  # raise the columns under their floor; the others share what is left
        under = {i for i, (share, floor) in enumerate(zip(shares, floors)) if share < floor - 1e-9} - fixed
        if not under:
            return shares
        fixed |= under
        free = 100 - sum(floors[i] for i in fixed)
        rest = sum(typical[i] for i in range(len(typical)) if i not in fixed)
        shares = [floors[i] if i in fixed else free * typical[i] / rest for i in range(len(typical))]


def _card_labels(box_id: str, columns, table: pd.DataFrame | None = None) -> str:
    """On a narrow screen the table's rows read as cards (_static/cstobook.css): each cell is
    preceded by its column's name, written here as CSS generated content of its column class.
    On a wider screen the table fits its page: each column gets a share of the width after the
    typical length of its values (a short code, a paragraph), so nothing scrolls sideways."""
    def css_string(text: str) -> str:
        return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ") + '"'

    rules = "".join(f"#{box_id} td.col{i}::before{{content:{css_string(column)}}}"
                    for i, column in enumerate(columns))
    widths = ""
    if table is not None:
        widths = "".join(f"#{box_id} th.col{i}{{width:{share:.1f}%}}"
                         for i, share in enumerate(_column_shares(table, [str(c) for c in columns])))
    return f"<style>@media (max-width: 720px){{{rules}}}@media (min-width: 721px){{{widths}}}</style>"


def filterable(table: pd.DataFrame, caption: str, filters: list[str], language: str = "en"):
    """The styled table with a search box and one drop-down per column in `filters`, filtering
    rows in the reader's browser. Option labels are escaped like every cell. On a phone each row
    reads as a card, each value under its column's name. In another `language` than English the
    table, its controls and its cards are in that language (cstobook.i18n's data catalogue) and
    run in its direction; `table` keeps its English column names."""
    from IPython.display import HTML

    def say(text: str) -> str:
        return html.escape(i18n.translate(text, language))

    shown = translated_cells(table, language)
    box_id = f"filter-{table_id(caption, language)}"
    controls = [f'<label>{say("Search")} <input type="search" aria-label="{say("Search the table")}" '
                f'placeholder="{say("Any word")}"></label>']
    for column in filters:
        options = "".join(f'<option value="{html.escape(str(v))}">{html.escape(str(v))}</option>'
                          for v in sorted(shown[column].dropna().astype(str).unique()))
        controls.append(f'<label>{say(column)} <select data-column="{table.columns.get_loc(column)}">'
                        f'<option value="">{say("all")}</option>{options}</select></label>')
    edition = "" if language == "en" else f' lang="{html.escape(language)}" dir="{i18n.direction(language)}"'
    headings = [i18n.translate(str(column), language) for column in table.columns]
    return HTML(f'<div class="cstobook-filter" id="{box_id}"{edition}><div class="cstobook-filter-controls">'
                f'{" ".join(controls)} <output aria-live="polite" data-shown="{say("{shown} of {total} rows shown")}">'
                f'</output></div>'
                f'{_card_labels(box_id, headings, shown)}'
                f'{compact(styled(table, caption, language=language).to_html())}{_FILTER_SCRIPT % {"id": box_id}}</div>')


def per_edition(editions: dict, write):
    """A table once per edition of the book (cstobook.i18n.bilingual), each edition's build keeping
    its own: `editions` maps "en" and each translated language to the table its readers see, all
    with English column names and cells (or to what `write` makes a table of); `write(table,
    language)` returns the table's HTML in that language."""
    from IPython.display import HTML

    from cstobook.notebook import in_book_build

    if not in_book_build():  # a notebook outside the book: the table once, in English
        return HTML(write(editions["en"], "en"))
    return HTML(i18n.bilingual(write(editions["en"], "en"), {
        language: write(table, language) for language, table in editions.items() if language != "en"}))


def styled_editions(editions: dict[str, pd.DataFrame], caption: str, formats: dict | None = None):
    """A styled table once per edition of the book (`per_edition`; `styled` translates it)."""
    return per_edition(editions, lambda table, language: compact(styled(table, caption, formats, language).to_html()))


def filterable_editions(editions: dict[str, pd.DataFrame], caption: str, filters: list[str]):
    """A filterable table once per edition of the book (`per_edition`; `filterable` translates it)."""
    return per_edition(editions, lambda table, language: filterable(table, caption, filters, language).data)
