"""Charts of the book: the front that chapters import (`from cstobook import charts`).

The charts live in flat modules by concern, each importing only those below it:
- chart_layout: the layout a chart is drawn in (desktop, or a phone's: a context object,
  `phone_layout()`), and the helpers every chart uses to follow it;
- chart_bars, chart_grids, chart_timelines: the chart families (each function returns a Figure);
- chart_files, chart_twins, chart_output: writing figures to figures/ (PNG and SVG), their
  translated twins, and `save_figure`, the one way a chart reaches figures/ with its source line
  and its phone layout;
- style (the house style): the categories' colours and labels the charts share.
This module only re-exports what chapters, extensions and tests call."""
from __future__ import annotations

from cstobook.chart_bars import bars, bloc_spending_chart, estimates_chart, membership_chart, stacked_counts
from cstobook.chart_files import SOURCE_GID
from cstobook.chart_grids import category_grid, vote_grid
from cstobook.chart_layout import PHONE_MIN_PT, PHONE_SUFFIX, PHONE_WIDTH_IN, Layout, current, phone_layout
from cstobook.chart_output import MAX_SOURCES_NAMED, WEB_FIGURE_KEY, save_figure, source_line
from cstobook.chart_timelines import items_by_date, ladder_timeline, sizes_over_time, timeline
from cstobook.chart_twins import (FIGURE_WORDS_KEY, FONT_FAMILIES, FONT_FILES, RIGHT_TO_LEFT_MARK, UNTRANSLATED_KEY,
                                  figure_words, twin_name, untranslated_words)
from cstobook.style import PHONE_LANE_COLOURS, POSITION_STYLES, VERDICT_COLOURS, VOTE_STYLE

# The modules whose functions draw a chart (each one @chart_layout.responsive: it has a phone layout).
FAMILIES = ("chart_bars", "chart_grids", "chart_timelines")

__all__ = ["FAMILIES", "FIGURE_WORDS_KEY", "FONT_FAMILIES", "FONT_FILES", "Layout",
           "MAX_SOURCES_NAMED", "PHONE_LANE_COLOURS", "PHONE_MIN_PT",
           "PHONE_SUFFIX", "PHONE_WIDTH_IN", "POSITION_STYLES", "RIGHT_TO_LEFT_MARK", "SOURCE_GID",
           "UNTRANSLATED_KEY", "VERDICT_COLOURS", "VOTE_STYLE", "WEB_FIGURE_KEY", "bars", "bloc_spending_chart",
           "category_grid", "current", "estimates_chart", "figure_words", "items_by_date",
           "ladder_timeline", "membership_chart", "phone_layout", "save_figure", "sizes_over_time", "source_line",
           "stacked_counts", "timeline", "twin_name", "untranslated_words", "vote_grid"]
