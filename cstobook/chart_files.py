"""Writing a figure to figures/: PNG and SVG, byte-reproducibly, each file whole or not at all;
an SVG of right-to-left text laid out right to left."""
from __future__ import annotations

import os
import re

import matplotlib as mpl

from cstobook import i18n, paths
from cstobook.chart_layout import on_phone

SOURCE_GID = "cstobook-source"  # the SVG group of a figure's source line

# An SVG keeps text as text (svg.fonttype "none"), which the browser shapes. A line of right-to-left
# text must be laid out right to left (a mixed line such as the source line orders its parts by
# it), anchored where matplotlib anchored it: a text's start is then its right end.
_SVG_TEXT = re.compile(r'<text style="(?P<style>[^"]*)"')
_RIGHT_TO_LEFT_CHARACTER = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
_MIRRORED_ANCHOR = {"start": "end", "end": "start", "middle": "middle"}


def _right_to_left_svg(svg: str) -> str:
    def laid_out(match: re.Match) -> str:
        end = svg.find("</text>", match.end())
        if not _RIGHT_TO_LEFT_CHARACTER.search(svg[match.end():end]):
            return match[0]
        style = match["style"]
        anchor = re.search(r"text-anchor:\s*(\w+)", style)
        style = re.sub(r";?\s*text-anchor:\s*\w+", "", style)
        return (f'<text style="{style}; text-anchor: {_MIRRORED_ANCHOR[anchor[1] if anchor else "start"]}; '
                f'direction: rtl"')
    return _SVG_TEXT.sub(laid_out, svg)


def _write(fig, name: str, png_text: dict | None = None, language: str = "en") -> list[str]:
    """PNG and SVG of `fig`, each written whole to a temporary file and then moved into place, so
    that a reader of figures/ (another build, a test) never sees half a file."""
    written = []
    for suffix, metadata in (("png", {"Software": None, **(png_text or {})}), ("svg", {"Date": None, "Creator": None})):
        target = paths.FIGURES / f"{name}.{suffix}"
        partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
        # a twin in another language stands, on its pages, for the notebook's own rendering of the
        # chart (drawn at figure.dpi, lighter than savefig.dpi): its desktop PNG is drawn at that
        # resolution too (the phone layout keeps savefig.dpi, for the phone's dense screen)
        web = language != "en" and not on_phone()
        fig.savefig(partial, format=suffix, metadata=metadata, bbox_inches="tight",
                    **({"dpi": mpl.rcParams["figure.dpi"]} if suffix == "png" and web else {}))
        if suffix == "svg" and language in i18n.RIGHT_TO_LEFT:
            partial.write_text(_right_to_left_svg(partial.read_text(encoding="utf-8")), encoding="utf-8")
        os.replace(partial, target)
        written.append(f"figures/{target.name}")
    return written

