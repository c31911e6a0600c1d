"""Sphinx extension for the faces the PDF editions are set in. The one-page builds that the PDFs
are printed from (singlehtml) name only faces the book ships (`PRINT_FACES`: Noto Sans for Latin
text, Noto Naskh Arabic, Noto Sans Mono for code; from Debian's fonts-noto-core and
fonts-noto-mono), each cut at build time to the characters of the page, so that a PDF comes out
the same whatever fonts the printing machine has. Loaded by the editions extension."""
from __future__ import annotations

import unicodedata
from pathlib import Path

from sphinx.application import Sphinx

FONT_FOLDER = "fonts"  # the faces the book ships, in _static/ (as editions.py serves the web face)


# (CSS family, file in _static/fonts, weight, style). Every family falls back only to the next
# one of the book's own: Latin (with Greek and Cyrillic) first, then Armenian (titles in the
# bibliography), then Arabic (Noto Sans has no Arabic letters), never a face of the machine.
PRINT_FACES = (("Book Print Sans", "NotoSans-Regular", 400, "normal"),
               ("Book Print Sans", "NotoSans-Bold", 700, "normal"),
               ("Book Print Sans", "NotoSans-Italic", 400, "italic"),
               ("Book Print Sans", "NotoSans-BoldItalic", 700, "italic"),
               ("Book Print Armenian", "NotoSansArmenian-Regular", 400, "normal"),
               ("Book Print Armenian", "NotoSansArmenian-Bold", 700, "normal"),
               ("Book Print Naskh", "NotoNaskhArabic-Regular", 400, "normal"),
               ("Book Print Naskh", "NotoNaskhArabic-Bold", 700, "normal"),
               ("Book Print Mono", "NotoSansMono-Regular", 400, "normal"),
               ("Book Print Mono", "NotoSansMono-Bold", 700, "normal"))
PRINT_FOLDER = "fonts/print"
# The print subsets carry their own PostScript name (the face's, plus this), so that a PDF shows
# which fonts came from the book and which from the machine, even where the machine has the same
# Noto faces installed (Noto declares no reserved font name; the OFL allows a modified version).
PRINT_NAME_SUFFIX = "-CSTOBook"
PRINT_STYLES = "print-fonts.css"
# Naskh sets its letters lower and smaller than Latin faces at one size (as in rtl.css)
NASKH_SIZE_ADJUST = "118%"
PRINT_STACK = '"Book Print Sans", "Book Print Armenian", "Book Print Naskh"'
PRINT_ARABIC_STACK = '"Book Print Naskh", "Book Print Sans", "Book Print Armenian"'
PRINT_MONO_STACK = '"Book Print Mono", "Book Print Armenian", "Book Print Naskh"'


def print_font_file(stem: str) -> str:
    return f"{PRINT_FOLDER}/{stem}.woff2"


def print_font_faces(url=print_font_file, faces=PRINT_FACES) -> str:
    """The @font-face rules of the print faces; `url(stem)` gives each face's address."""
    rules = []
    for family, stem, weight, style in faces:
        extra = f"  size-adjust: {NASKH_SIZE_ADJUST};\n" if "Naskh" in family else ""
        rules.append(f'@font-face {{\n  font-family: "{family}";\n  src: url("{url(stem)}") format("woff2");\n'
                     f"  font-weight: {weight};\n  font-style: {style};\n{extra}}}")
    return "\n".join(rules)


PRINT_RULES = f"""
/* Print (the PDF editions): every text in the book's own faces; the icons keep their font.
   Arabic text (:lang(ar)) takes Noto Naskh Arabic first, for its spaces and digits too: a line of
   Arabic whose spaces came from the Latin face would be written to the PDF word by word, in visual
   order, and a reader searching the PDF for an Arabic phrase would not find it. */
@media print {{
  html, html[dir] {{
    --pst-font-family-base: {PRINT_STACK} !important;
    --pst-font-family-heading: {PRINT_STACK} !important;
    --pst-font-family-monospace: {PRINT_MONO_STACK} !important;
  }}
  body, body :where(*:not(.fa, .fas, .far, .fab, [class*="fa-"])) {{
    font-family: {PRINT_STACK} !important;
  }}
  body:lang(ar), body :where(:lang(ar):not(.fa, .fas, .far, .fab, [class*="fa-"])) {{
    font-family: {PRINT_ARABIC_STACK} !important;
  }}
  body :where(code, code *, pre, pre *, kbd, samp, tt) {{
    font-family: {PRINT_MONO_STACK} !important;
  }}
}}
"""


def one_page_build(app: Sphinx) -> bool:
    return app.builder.name == "singlehtml"


def add_print_styles(app: Sphinx) -> None:
    if one_page_build(app):
        app.add_css_file(PRINT_STYLES)


def print_font_name(postscript_name: str) -> str:
    return postscript_name + PRINT_NAME_SUFFIX


def subset_font(source: Path, target: Path, unicodes: set[int], rename: bool = True, hinting: bool = True) -> None:
    """`source` cut to `unicodes`, as WOFF2, its PostScript name marked as the book's (rename),
    without its TrueType hinting instructions unless `hinting`."""
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff2"
    options.hinting = hinting
    options.layout_features = ["*"]
    options.name_IDs = ["*"]  # keeps the licence and copyright notices of the font
    font = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    if rename:
        names = font["name"]
        postscript = names.getDebugName(6)
        for record in names.names:
            if record.nameID == 6:
                record.string = print_font_name(postscript)
    target.parent.mkdir(parents=True, exist_ok=True)
    subset.save_font(font, str(target), options)


def write_print_fonts(app: Sphinx, exception) -> None:
    """The one-page build's print faces, each cut to the characters of its page, and their rules."""
    if exception is not None or not one_page_build(app):
        return
    outdir = Path(app.outdir)
    characters = set()
    for page in outdir.rglob("*.html"):
        characters.update(page.read_text(encoding="utf-8"))
    unicodes = {ord(c) for c in characters} | {ord(c) for c in " .,:;!?()[]«»-–—/0123456789،؛؟"}
    from fontTools.ttLib import TTFont
    from sphinx.util import logging

    covered = set()
    for _, stem, _, _ in PRINT_FACES:
        covered |= set(TTFont(Path(app.srcdir) / "_static" / FONT_FOLDER / f"{stem}.ttf").getBestCmap())
    text = {c for c in characters if not c.isspace() and not "\ue000" <= c <= "\uf8ff"}  # icons: their own font
    missing = sorted(c for c in text if ord(c) not in covered and unicodedata.category(c)[0] in "LNPS")
    if missing:
        logging.getLogger(__name__).warning(
            "no print face of the book has %s: the PDF would set them in a font of the machine "
            "(add a face to PRINT_FACES)", " ".join(f"{c} (U+{ord(c):04X})" for c in missing))
    for _, stem, _, _ in PRINT_FACES:
        subset_font(Path(app.srcdir) / "_static" / FONT_FOLDER / f"{stem}.ttf",
                    outdir / "_static" / print_font_file(stem), unicodes)
    (outdir / "_static" / PRINT_STYLES).write_text(print_font_faces() + "\n" + PRINT_RULES, encoding="utf-8")


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", add_print_styles)
    # after the other build-finished handlers (default priority 500) have changed the pages
    # (editions.py translates their furniture), so that the subsets hold every character printed
    app.connect("build-finished", write_print_fonts, priority=600)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
