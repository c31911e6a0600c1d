"""Tables as readers see them: escaped HTML with a caption and header cells."""
from __future__ import annotations

import functools
import hashlib
import html

import pandas as pd

from pybtex.richtext import Text

from cstobook.data import bibliography_entries, bibliography_urls, source_keys

SOURCES_COLUMN = "Sources"


def _plain(latex: str) -> str:
    """BibTeX field text as a reader sees it: braces dropped, TeX escapes decoded."""
    return Text.from_latex(latex).render_as("text")


@functools.cache  # decoding the TeX of names costs about 20 ms an entry; chapters ask per row
def author_year(key: str) -> str:
    """'Author Year' of a bibliography entry, as the book's text cites it: one or two family names
    (or the organisation), 'et al.' after the first of three or more, and the year."""
    entry = bibliography_entries()[key]
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [_plain(" ".join(p.prelast_names + p.last_names)) for p in persons]
    if not names:
        names = [_plain(entry.fields.get("organization", entry.fields.get("publisher", key)))]
    who = names[0] if len(names) == 1 else " and ".join(names) if len(names) == 2 else f"{names[0]} et al."
    year = entry.fields.get("year") or entry.fields.get("date", "")[:4] or "n.d."
    return f"{who} {year}"


def author_years(cell) -> str:
    """A source_id cell ('a;b') as readers see sources in plain text: 'Author Year; Author Year'."""
    from cstobook.data import source_keys

    return "; ".join(author_year(key) for key in source_keys(cell))


def source_links(escaped_keys: str) -> str:
    """'a;b' (already escaped) -> 'Author Year' links to each source's URL, opening safely in a new
    tab. (The full reference is in the bibliography; a title attribute on every link cost a page of
    many sourced rows several kilobytes.)"""
    urls = bibliography_urls()
    entries = bibliography_entries()
    links = []
    for key in (html.unescape(k) for k in source_keys(escaped_keys)):
        label = html.escape(author_year(key)) if key in entries else html.escape(key)
        url = urls.get(key)
        links.append(f'<a href="{html.escape(url)}" rel="noopener noreferrer" '
                     f'target="_blank">{label}</a>' if url else label)
    return "; ".join(links)


RIGHT_TO_LEFT_COLUMNS = ("Arabic excerpt",)


def styled(table: pd.DataFrame, caption: str, formats: dict | None = None):
    """A pandas Styler with every cell HTML-escaped, the index hidden and a <caption>.
    A column named 'Sources' holds bibliography keys, shown as links to the sources; Arabic
    columns are set right to left."""
    formats = dict(formats or {})
    if SOURCES_COLUMN in table.columns:
        formats[SOURCES_COLUMN] = source_links
    rtl = [column for column in RIGHT_TO_LEFT_COLUMNS if column in table.columns]
    dates = [column for column in table.columns if column == "Date"]
    return (table.style
            .set_properties(subset=rtl, **{"direction": "rtl", "text-align": "right"})
            .set_properties(subset=dates, **{"white-space": "nowrap"})  # a date never breaks at its hyphens
            .format(formats, escape="html", na_rep="no data")
            .format_index(escape="html", axis=1)
            .hide(axis="index")
            .set_caption(html.escape(caption))  # captions often name values from data/
            .set_uuid(hashlib.sha1(caption.encode()).hexdigest()[:8])  # stable ids: reproducible pages
            .set_table_attributes('class="cstobook-table"'))


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
  function apply() {
    var words = search.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (row) {
      var text = row.textContent.toLowerCase();
      var ok = words.every(function (w) { return text.indexOf(w) !== -1; }) &&
        selects.every(function (s) {
          return !s.value || row.cells[parseInt(s.dataset.column, 10)].textContent.trim() === s.value;
        });
      row.hidden = !ok;
      shown += ok ? 1 : 0;
    });
    count.textContent = shown + " of " + rows.length + " rows shown";
  }
  search.addEventListener("input", apply);
  selects.forEach(function (s) { s.addEventListener("change", apply); });
  apply();
})();
</script>
"""


LONGEST_UNBROKEN_WORD = 14
TABLE_WIDTH_CHARS = 100  # characters of a filterable table's text across a desktop page (1280 px), cell padding included


def _column_shares(table: pd.DataFrame) -> list[float]:
    """Each column's share of the table's width (%), after the typical length of its values (a
    short code, a paragraph); never narrower than its longest word, cell or heading, so that no
    word ("narrator", "imprecise") breaks in the middle."""
    import re

    def longest_word(values) -> int:
        words = (w for v in values for w in re.sub(r"<[^>]+>", " ", html.unescape(str(v))).split())
        return max((len(w) for w in words), default=1)

    typical = [min(max(table[c].astype(str).str.len().median(), len(str(c)) + 2, 22), 300) ** 0.9
               for c in table.columns]
    def shown(column: str):  # the Sources column shows author-year labels, not keys
        values = table[column].dropna()
        if column != SOURCES_COLUMN:
            return values
        entries = bibliography_entries()
        return [author_year(k.strip()) if k.strip() in entries else k for v in values for k in str(v).split(";")]

    # words longer than LONGEST_UNBROKEN_WORD (web addresses, identifiers) may still wrap
    floors = [100 * (min(max(longest_word(shown(c)), longest_word([c])), LONGEST_UNBROKEN_WORD) + 1) / TABLE_WIDTH_CHARS
              for c in table.columns]
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
        widths = "".join(f"#{box_id} th.col{i}{{width:{share:.1f}%}}" for i, share in enumerate(_column_shares(table)))
    return f"<style>@media (max-width: 720px){{{rules}}}@media (min-width: 721px){{{widths}}}</style>"


def filterable(table: pd.DataFrame, caption: str, filters: list[str]):
    """The styled table with a search box and one drop-down per column in `filters`, filtering
    rows in the reader's browser. Option labels are escaped like every cell. On a phone each row
    reads as a card, each value under its column's name."""
    from IPython.display import HTML

    box_id = "filter-" + hashlib.sha1(caption.encode()).hexdigest()[:8]
    controls = [f'<label>Search <input type="search" aria-label="Search the table" '
                f'placeholder="Any word"></label>']
    for column in filters:
        options = "".join(f'<option value="{html.escape(str(v))}">{html.escape(str(v))}</option>'
                          for v in sorted(table[column].dropna().astype(str).unique()))
        controls.append(f'<label>{html.escape(column)} <select data-column="{table.columns.get_loc(column)}">'
                        f'<option value="">all</option>{options}</select></label>')
    return HTML(f'<div class="cstobook-filter" id="{box_id}"><div class="cstobook-filter-controls">'
                f'{" ".join(controls)} <output aria-live="polite"></output></div>'
                f'{_card_labels(box_id, table.columns, table)}'
                f'{styled(table, caption).to_html()}{_FILTER_SCRIPT % {"id": box_id}}</div>')
