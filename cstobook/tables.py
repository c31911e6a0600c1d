"""Tables as readers see them: escaped HTML with a caption and header cells."""
from __future__ import annotations

import pandas as pd


def styled(table: pd.DataFrame, caption: str, formats: dict | None = None):
    """A pandas Styler with every cell HTML-escaped, the index hidden and a <caption>."""
    return (table.style
            .format(formats or {}, escape="html", na_rep="no data")
            .format_index(escape="html", axis=1)
            .hide(axis="index")
            .set_caption(caption)
            .set_table_attributes('class="cstobook-table"'))
