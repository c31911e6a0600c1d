"""Tables as readers see them: escaped HTML with a caption and header cells."""
from __future__ import annotations

import hashlib
import html

import pandas as pd

from cstobook.data import bibliography_urls, source_keys

SOURCES_COLUMN = "Sources"


def source_links(escaped_keys: str) -> str:
    """'a;b' (already escaped) -> links to each source's URL, opening safely in a new tab."""
    urls = bibliography_urls()
    links = []
    for key in source_keys(escaped_keys):
        url = urls.get(html.unescape(key))
        links.append(f'<a href="{html.escape(url)}" rel="noopener noreferrer" target="_blank">{key}</a>'
                     if url else key)
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


def filterable(table: pd.DataFrame, caption: str, filters: list[str]):
    """The styled table with a search box and one drop-down per column in `filters`, filtering
    rows in the reader's browser. Option labels are escaped like every cell."""
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
                f'{styled(table, caption).to_html()}{_FILTER_SCRIPT % {"id": box_id}}</div>')
