"""The charts of the Arabic edition: each chart of a translated page (cstobook.i18n.TRANSLATED_FIGURES)
has an Arabic twin in figures/ (NAME.ar.png, .svg and its phone layout), written by the same call
that writes the English figure, with every word translated from locales/ar/LC_MESSAGES/figures.po,
in the book's Arabic font, its letters joined and its words in right-to-left order."""
from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import matplotlib
import pandas as pd
import polib
import pytest
from PIL import Image

matplotlib.use("Agg")

from cstobook import catalogues, charts, data, i18n, notebook, paths, style  # noqa: E402

LANGUAGE = "ar"
SVG = "{http://www.w3.org/2000/svg}"
LATIN = re.compile(r"[A-Za-z]")
ARABIC_LETTERS = re.compile(r"^[\u0621-\u064a]+$")  # a word of letters alone (no marks, digits or punctuation)
LAM_ALEF = re.compile("\u0644[\u0622\u0623\u0625\u0627]")  # a ligature, which the font and the reshaper draw differently


def png_words(file: Path, key: str) -> list[str]:
    with Image.open(file) as image:
        assert key in image.info, f"{file.name} records no {key}"
        return json.loads(image.info[key])


def layouts(name: str) -> list[str]:
    """A figure's English layouts in figures/: NAME and, for a chart, NAME.phone."""
    return [name] + ([name + charts.PHONE_SUFFIX] if (paths.FIGURES / f"{name}{charts.PHONE_SUFFIX}.png").is_file() else [])


def svg_texts(svg: Path) -> list[tuple[str, str, bool]]:
    """(words, style, in the source line) of every text of an SVG written by matplotlib (without
    the right-to-left mark that opens each translated line)."""
    root = ElementTree.parse(svg).getroot()
    source = {id(text) for group in root.iter(f"{SVG}g") if group.get("id") == charts.SOURCE_GID
              for text in group.iter(f"{SVG}text")}
    found = []
    for text in root.iter(f"{SVG}text"):
        words = "".join(text.itertext())
        if words.strip():
            found.append((words.replace(charts.RIGHT_TO_LEFT_MARK, "").strip(), text.get("style", ""), id(text) in source))
    return found


def translations(name: str) -> dict[str, str]:
    return {word: i18n.translate(word, LANGUAGE, "figures") for word in catalogues.figure_words(name)}


@pytest.mark.parametrize("name", i18n.TRANSLATED_FIGURES)
def test_translated_figure_has_an_arabic_twin_with_every_word_translated(name):
    """The English PNGs record the figure's words and those the catalogue does not translate (none
    may be missing); the twin and its phone layout are in figures/, as PNG and SVG."""
    for layout in layouts(name):
        english = paths.FIGURES / f"{layout}.png"
        assert png_words(english, charts.FIGURE_WORDS_KEY), f"{english.name} records no words"
        missing = png_words(english, charts.UNTRANSLATED_KEY.format(LANGUAGE))
        assert missing == [], f"{english.name}: not translated in figures.po: {missing}"
        twin = charts.twin_name(name, LANGUAGE, layout.removeprefix(name))
        for suffix in ("png", "svg"):
            assert (paths.FIGURES / f"{twin}.{suffix}").is_file(), f"figures/{twin}.{suffix} is missing"


@pytest.mark.parametrize("name", i18n.TRANSLATED_FIGURES)
def test_arabic_twin_carries_the_arabic_words_in_the_arabic_font(name):
    """Every text with letters in the twin's SVG is Arabic, in Noto Naskh Arabic, and laid out
    right to left; Latin letters appear only in the source line (the sources' names, as cited);
    every word of every translation is on the twin, and no English word of the figure is."""
    for layout in layouts(name):
        words = {word: i18n.translate(word, LANGUAGE, "figures")
                 for word in png_words(paths.FIGURES / f"{layout}.png", charts.FIGURE_WORDS_KEY)}
        twin = paths.FIGURES / f"{charts.twin_name(name, LANGUAGE, layout.removeprefix(name))}.svg"
        texts = svg_texts(twin)
        lettered = [(words_, style_, source) for words_, style_, source in texts if re.search(r"[^\W\d_]", words_)]
        assert lettered, f"{twin.name} holds no words"
        opened = ["".join(t.itertext()) for t in ElementTree.parse(twin).getroot().iter(f"{SVG}text")
                  if re.search(r"[^\W\d_]", "".join(t.itertext()))]
        assert all(line.startswith(charts.RIGHT_TO_LEFT_MARK) for line in opened), \
            f"{twin.name}: a line does not open right to left"
        for shown, style_, source in lettered:
            assert "'Noto Naskh Arabic'" in style_, f"{twin.name}: {shown!r} is not in the Arabic font"
            assert "direction: rtl" in style_, f"{twin.name}: {shown!r} is not laid out right to left"
            assert source or not LATIN.search(shown), f"{twin.name}: {shown!r} is not translated"
        on_twin = {word for shown, _, _ in texts for word in shown.split()}
        for english, arabic in words.items():
            missing = [word for word in arabic.split() if word not in on_twin]
            assert not missing, f"{twin.name}: {english!r} is not shown as {arabic!r} (missing {missing})"
        shown_lines = {shown for shown, _, _ in texts}
        assert not [e for e in words if e in shown_lines], f"{twin.name} still shows English words"


def test_matplotlib_joins_and_orders_arabic_as_the_reference_libraries_do():
    """matplotlib (3.11: libraqm) shapes and orders the twins' Arabic itself. The glyphs it draws for
    each word of the translations, left to right, must be the font's glyphs of the word as
    arabic_reshaper joins it and python-bidi orders it: unjoined letters, or letters drawn in
    typing order, fail."""
    import arabic_reshaper
    from bidi.algorithm import get_display
    from matplotlib import _text_helpers, font_manager

    font = font_manager.get_font(str(paths.ROOT / "_static" / "fonts" / charts.FONT_FILES[LANGUAGE][0]))
    font.set_size(12, 72)
    glyph = font.get_charmap()
    words = {word for name in i18n.TRANSLATED_FIGURES for arabic in translations(name).values()
             for word in arabic.split() if ARABIC_LETTERS.match(word) and not LAM_ALEF.search(word)}
    joined = [w for w in words if len(w) > 2]
    assert len(joined) >= 20, f"too few Arabic words to check: {sorted(joined)}"
    wrong = []
    for word in sorted(joined):
        drawn = [item.glyph_index for item in _text_helpers.layout(word, font)]
        expected = [glyph[ord(c)] for c in get_display(arabic_reshaper.reshape(word), base_dir="R")]
        if drawn != expected:
            wrong.append(word)
    assert wrong == [], f"drawn unlike the reference shaping: {wrong}"
    # and a word typed letter by letter (isolated forms) is not what is drawn
    word = sorted(joined)[0]
    assert [item.glyph_index for item in _text_helpers.layout(word, font)] != [glyph[ord(c)] for c in reversed(word)]


def test_figures_catalogue_is_complete_and_fully_translated():
    """figures.po holds every word of the translated figures, each translated, none fuzzy."""
    po = polib.pofile(str(i18n.catalogue_path(LANGUAGE, "figures")))
    msgids = {entry.msgid for entry in po if not entry.obsolete}
    missing = [word for word in catalogues.messages("figures") if word not in msgids]
    assert catalogues.messages("figures") and missing == [], f"not in figures.po (run tools/build_edition.py --catalogues): {missing}"
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert "fuzzy" not in po.metadata_as_entry().flags


def test_source_lines_of_arabic_figures_name_their_sources_in_arabic():
    """A chart's or map's source line in Arabic names agencies, outlets and institutions in Arabic
    (the names catalogue's form: «المصدر: معهد ستوكهولم الدولي لأبحاث السلام 2024»), an undated source
    «د.ت.» as the tables write it; Latin letters only in a bracketed gloss, such as «(NSN)»."""
    po = polib.pofile(str(i18n.catalogue_path(LANGUAGE, "figures")))
    lines = [e.msgstr for e in po.translated_entries() if re.match(r"Sources?: ", e.msgid)]
    assert lines
    latin = [line for line in lines if LATIN.search(re.sub(r"\([^()]*\)", "", line))]
    undated = [line for line in lines if "دون تاريخ" in line]
    assert (latin, undated) == ([], [])


@pytest.fixture
def example(tmp_path, monkeypatch):
    """A translated figure written to a scratch figures/, with a catalogue holding `known`."""
    monkeypatch.setattr(paths, "FIGURES", tmp_path)
    monkeypatch.setenv(notebook.BOOK_BUILD_VARIABLE, "1")  # figures are written in a build of the book
    monkeypatch.setattr(i18n, "TRANSLATED_FIGURES", ("example",))
    style.use_house_style()
    key = sorted(data.bibliography_keys())[0]
    table = pd.DataFrame({"name": ["first move", "second move"], "yes": [3, 5], "no": [1, 0], "source_id": [key, key]})
    known = {"A title": "عنوان", "Count": "العدد", "first move": "الخطوة الأولى", "second move": "الخطوة الثانية",
             "yes": "نعم", "no": "لا", charts.source_line(table): "المصدر: مثال"}

    def write(catalogue: dict[str, str]):
        monkeypatch.setattr(i18n, "catalogue", lambda language, domain: catalogue if domain == "figures" else {})
        figure = charts.stacked_counts(table.set_index("name")[["yes", "no"]], {"yes": "#0072B2", "no": "#D55E00"},
                                       "A title", "Count")
        return figure, charts.save_figure(figure, "example", source=table)

    return known, write


def test_save_figure_writes_the_twin_and_puts_the_english_back(example):
    known, write = example
    figure, written = write(known)
    assert written[4:] == ["figures/example.ar.png", "figures/example.ar.svg",
                           "figures/example.ar.phone.png", "figures/example.ar.phone.svg"]
    assert charts.untranslated_words(figure, LANGUAGE) == []
    english = charts.figure_words(figure)
    assert {"A title", "Count", "first move", "yes"} <= set(english)  # the notebook's figure is English again
    assert figure.axes[0].get_legend().get_texts()[0].get_text() == "yes"
    shown = {words for words, _, _ in svg_texts(paths.FIGURES / "example.ar.svg")}
    assert {"عنوان", "العدد", "الخطوة الأولى", "نعم", "المصدر: مثال"} <= shown
    with Image.open(paths.FIGURES / "example.ar.png") as twin, Image.open(paths.FIGURES / "example.png") as png:
        assert twin.tobytes() != png.tobytes()


def test_a_figure_with_a_word_not_translated_gets_no_twin_and_names_the_word(example):
    known, write = example
    write(known)
    assert (paths.FIGURES / "example.ar.png").is_file()
    figure, written = write({k: v for k, v in known.items() if k != "second move"})
    assert [w for w in written if ".ar." in w] == []
    assert not list(paths.FIGURES.glob("example.ar*")), "the stale twin is left behind"
    assert png_words(paths.FIGURES / "example.png", charts.UNTRANSLATED_KEY.format(LANGUAGE)) == ["second move"]


def test_arabic_edition_shows_the_twins_of_the_translated_charts():
    """The Arabic build (_ext/reader_edition.py) swaps each translated chart, by its file name and
    by the name of the notebook's rendering, for its twin; the English build swaps nothing."""
    sys.path.insert(0, str(paths.ROOT / "_ext"))
    try:
        import reader_edition
    finally:
        sys.path.remove(str(paths.ROOT / "_ext"))
    twins = reader_edition.translated_renderings(paths.ROOT, LANGUAGE)
    assert reader_edition.translated_renderings(paths.ROOT, "en") == {}
    for name in i18n.TRANSLATED_FIGURES:
        twin = paths.FIGURES / f"{charts.twin_name(name, LANGUAGE)}.png"
        assert twins[f"{name}.png"] == twin
        phone = paths.FIGURES / f"{name}{charts.PHONE_SUFFIX}.png"
        if name.endswith("_map"):  # a map's static image: downloaded and printed, never shown on a page
            assert not phone.is_file(), f"{name} is shown on a page: its twin needs the check below"
            continue
        with Image.open(phone) as image:
            assert twins[f"{image.info[charts.WEB_FIGURE_KEY]}.png"] == twin
    # its phone layout is offered as the English one is
    assert reader_edition.phone_renderings(paths.ROOT)["claims_verdicts.ar.png"].name == "claims_verdicts.ar.phone.png"
