"""Handouts in the reader's language (``--lang``): complete catalogues, the same numbers and
formulas in every language, no English left in a Chinese book, and Chinese that prints."""
from __future__ import annotations

import io
import re
import shutil
import string
import subprocess

import openpyxl
import polib
import pytest

import messages
from mlptrace import OutputConfig, TrainConfig, train
from mlptrace.cli import main
from mlptrace.export import epoch_files, epoch_jobs, marking_rows
from mlptrace.i18n import LOCALES, catalogue, languages
from mlptrace.layout.cells import quoted
from mlptrace.layout.exercise import marking_book
from mlptrace.layout.summary import summary_book
from mlptrace.trace import Plan
from mlptrace.writers.xlsx import book_bytes
from soffice import pdf_page_of, render_page, requires_pdftoppm, requires_soffice, to_pdf

CATALOGUES = [lang for lang in languages() if lang != "en"]


def _fields(text: str) -> set:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


# ---------------------------------------------------------------- the catalogues


def test_zh_is_a_language():
    assert "zh" in CATALOGUES


def test_every_marker_gets_a_literal_text():
    assert messages.dynamic() == [], "a formatted string passed to t()/N_() can never be translated"


@pytest.mark.parametrize("lang", CATALOGUES)
def test_catalogue_has_every_text_the_code_marks(lang):
    po = polib.pofile(str(LOCALES / f"{lang}.po"))
    translated = {e.msgid for e in po.translated_entries()}
    missing = {msgid: where[0] for msgid, where in messages.marked().items() if msgid not in translated}
    assert not missing, f"{lang}.po lacks (or has fuzzy/empty) translations of: {missing}"


@pytest.mark.parametrize("lang", CATALOGUES)
def test_catalogue_has_no_stale_texts(lang):
    stale = {e.msgid for e in polib.pofile(str(LOCALES / f"{lang}.po")) if not e.obsolete} - set(messages.marked())
    assert not stale, f"{lang}.po translates texts the code no longer has: {sorted(stale)}"


@pytest.mark.parametrize("lang", CATALOGUES)
def test_translations_keep_the_placeholders(lang):
    wrong = [(e.msgid, e.msgstr) for e in polib.pofile(str(LOCALES / f"{lang}.po")).translated_entries()
             if _fields(e.msgid) != _fields(e.msgstr)]
    assert not wrong, wrong


def test_the_translate_function():
    zh, en = catalogue("zh"), catalogue("en")
    assert en("Step {label} — {where}", label="3 X", where="y") == "Step 3 X — y"
    assert zh("Hidden layer input") == "计算隐层输入"  # the article's own title of step 3
    assert "7" in zh("Loss at epoch {epoch} (last)", epoch=7)
    assert zh("a text no catalogue has") == "a text no catalogue has"


# ---------------------------------------------------------------- the books

#: (settings, exercise level): every level, several updates, several layers, other activations
RUNS = {
    "article": (TrainConfig(epochs=20, record="1"), "guided"),
    "sgd": (TrainConfig(data="xor", batch_size=1, shuffle=True, epochs=3, record="2", seed=3), "formula"),
    "deep relu": (TrainConfig(hidden=(3, 2), activation="relu", output_activation="linear", epochs=2,
                              record="1", init="he", lr=0.01), "matrix"),
}


def _books(run, lang):
    """(file name, xlsx bytes) of every workbook of a run with exercises, its summary and its
    marking table."""
    config, level = run
    trace = train(config)
    options = OutputConfig(exercise=level, lang=lang)
    books = [(job[0], epoch_files((trace, options, {}), job)[0]) for job in epoch_jobs(trace, options)]
    files = [(name, name) for name, _ in books]
    variants = [(1, 0, 0.5, [name for name, _ in books])]
    summary = summary_book(trace, files, variants=variants, lang=lang)
    marking = marking_book(marking_rows(trace, options), lang=lang)
    return trace, books + [("summary.xlsx", book_bytes(summary)), ("marking.xlsx", book_bytes(marking))]


def _sheets(data, values=False):
    wb = openpyxl.load_workbook(io.BytesIO(data), data_only=values)
    return wb, [(ws, {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None})
                for ws in wb.worksheets]


def _no_text(formula: str) -> str:
    """A formula with its text literals emptied: words inside a formula ("of "&MaxScore) are
    the reader's language; everything else must be the same."""
    return re.sub(r'"(?:[^"]|"")*"', '""', formula)


def _checks(ws):
    return [(str(rng.sqref), [f for rule in rng.rules for f in rule.formula]) for rng in ws.conditional_formatting]


@pytest.fixture(scope="module", params=list(RUNS))
def both(request):
    config = RUNS[request.param]
    return _books(config, "en"), _books(config, "zh")


def test_numbers_and_formulas_are_the_same_in_chinese(both):
    (_, en_books), (_, zh_books) = both
    assert [n for n, _ in en_books] == [n for n, _ in zh_books]
    for (name, en), (_, zh) in zip(en_books, zh_books):
        _, en_sheets = _sheets(en)
        _, zh_sheets = _sheets(zh)
        assert len(en_sheets) == len(zh_sheets), name
        renames = sorted(((quoted(e.title), quoted(z.title)) for (e, _), (z, _) in zip(en_sheets, zh_sheets)),
                         key=lambda p: -len(p[0]))

        def in_zh(formula):
            for old, new in renames:
                formula = formula.replace(old, new)
            return _no_text(formula)

        compared = 0
        for (ews, ecells), (zws, zcells) in zip(en_sheets, zh_sheets):
            where = f"{name} {ews.title}"
            assert set(ecells) == set(zcells), where
            for addr, v in ecells.items():
                w = zcells[addr]
                if isinstance(v, str) and v.startswith("="):
                    assert _no_text(w) == in_zh(v), f"{where}!{addr}"
                    compared += 1
                elif isinstance(v, (int, float)):
                    assert type(w) is type(v) and w == v, f"{where}!{addr}: {v!r} in English, {w!r} in Chinese"
                    compared += 1
                else:
                    assert isinstance(w, str), f"{where}!{addr}"
            assert [(r, [_no_text(f) for f in fs]) for r, fs in _checks(zws)] == \
                   [(r, [in_zh(f) for f in fs]) for r, fs in _checks(ews)], where
        assert compared > 10, name
        # the numbers saved with the formulas (what a previewer shows) are the same too
        for (_, ecells), (_, zcells) in zip(_sheets(en, values=True)[1], _sheets(zh, values=True)[1]):
            assert {a: v for a, v in ecells.items() if isinstance(v, (int, float))} == \
                   {a: v for a, v in zcells.items() if isinstance(v, (int, float))}, name


# words a Chinese reader sees in English on purpose (besides the article's code names and the
# data's column names): the program's name, activation and data names, methods named after
# people, the article's English title, its term "delta" beside 增量, keys, the --exercise levels
# and the words of file names
KEPT = {"mlptrace", "SGD", "Xavier", "Glorot", "He", "np", "random", "uniform", "epochs", "sigmoid",
        "tanh", "relu", "linear", "exp", "max", "Understanding", "and", "coding", "neural", "networks",
        "from", "scratch", "article", "xor", "delta", "Tab", "Esc", "guided", "formula", "matrix"}


def _english_words(text, names):
    words = re.findall(r"[A-Za-z][A-Za-z0-9_]*", text.replace("&P", "").replace("&N", ""))
    symbol = re.compile(r"[A-Za-z][0-9]*")  # x1, w3, e, z: the article's symbols
    return [w for w in words if w not in KEPT and w not in names and not symbol.fullmatch(w)]


def test_a_chinese_book_has_no_english_words(both):
    (_, en_books), (trace, zh_books) = both
    names = set(trace.plan.specs) | set(Plan((4, 3, 1)).specs) | set(trace.data.input_names) | set(trace.data.target_names)
    parts = {p for name, _ in zh_books for p in re.split(r"[./\\ ]", name)}  # file names' words
    names |= parts | {w for p in parts for w in p.split("_")}
    for name, data in zh_books:
        _, sheets = _sheets(data)
        for ws, cells in sheets:
            if ws.sheet_state == "veryHidden":  # the marks behind a copy's score: never shown
                continue
            assert not _english_words(ws.title, names), ws.title
            for text in _margin_texts(ws):
                assert not _english_words(text, names), f"{name} {ws.title}: header or footer {text!r}"
            for addr, v in cells.items():
                if isinstance(v, str):  # a text, or the texts inside a formula
                    text = " ".join(re.findall(r'"((?:[^"]|"")*)"', v)) if v.startswith("=") else v
                    assert not _english_words(text, names), f"{name} {ws.title}!{addr}: {v!r}"
            for chart in ws._charts:
                for text in _chart_texts(chart):
                    assert not _english_words(text, names), f"{name} {ws.title} chart: {text!r}"


def _margin_texts(ws):
    """The page header's and footer's texts (codes like &P, &A and fonts left out), and the
    messages of the cells' input checks."""
    parts = [getattr(hf, side).text or "" for hf in (ws.oddHeader, ws.oddFooter)
             for side in ("left", "center", "right")]
    parts = [re.sub(r'&"[^"]*"|&[A-Z]|&\d+', " ", p) for p in parts]
    checks = [x or "" for dv in ws.data_validations.dataValidation
              for x in (dv.error, dv.errorTitle, dv.prompt, dv.promptTitle)]
    return parts + checks


def _chart_texts(chart):
    def text(title):
        return "".join(r.t for p in title.tx.rich.p for r in (p.r or [])) if title and title.tx.rich else ""
    return [text(chart.title), text(chart.x_axis.title), text(chart.y_axis.title),
            *(s.tx.v for s in chart.series if s.tx is not None and s.tx.v)]


def test_sheet_names_put_the_step_number_first():
    names = openpyxl.load_workbook(io.BytesIO(_books(RUNS["article"], "zh")[1][0][1])).sheetnames
    assert names[3] == "3 计算隐层输入" and names[12] == "12 更新输出和隐藏层的偏置量"
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)  # what a spreadsheet allows


@pytest.mark.skipif(shutil.which("fc-list") is None, reason="fontconfig's fc-list is not installed")
def test_chinese_books_name_a_font_with_chinese_letters():
    wb = openpyxl.load_workbook(io.BytesIO(_books(RUNS["article"], "zh")[1][1][1]))
    fonts = {c.font.name for ws in wb.worksheets if ws.sheet_state != "veryHidden"
             for row in ws.iter_rows() for c in row if c.value is not None}
    assert len(fonts) == 1
    chinese = subprocess.run(["fc-list", ":lang=zh-cn", "family"], capture_output=True, text=True).stdout
    if not chinese.strip():
        pytest.skip("no Chinese font installed (Debian fonts-noto-cjk)")
    assert fonts.pop() in {f for line in chinese.splitlines() for f in line.split(",")}


# ---------------------------------------------------------------- the pages


def _page(lang):
    trace = train(RUNS["sgd"][0])
    options = OutputConfig(lang=lang, html=True)
    return epoch_files((trace, options, {}), epoch_jobs(trace, options)[0])[1].decode("utf-8"), trace


def test_a_chinese_page_has_the_numbers_of_the_english_one_in_chinese():
    (en, _), (zh, trace) = _page("en"), _page("zh")
    cell = re.compile(r'data-name="([^"]+)" data-row="(\d+)" data-col="(\d+)"[^>]*>([^<]*)<')
    assert cell.findall(zh) == cell.findall(en) and len(cell.findall(en)) > 100
    assert '<html lang="zh">' in zh
    # the texts and the trails' lines (not the styles and the script)
    shown = re.sub(r"<style>.*?</style>|<script>.*?</script>|<[^>]+>", " ", zh, flags=re.S)
    names = set(trace.plan.specs) | set(trace.data.input_names) | set(trace.data.target_names)
    words = _english_words(shown.replace("&lt;", " "), names | {"class", "trails", "names", "updates",
                                                                    "application", "json", "type"})
    assert not words, sorted(set(words))[:20]


# ---------------------------------------------------------------- the command line and print


def test_lang_option(out_dir, capsys):
    assert main(["--lang", "fr", "--out", str(out_dir), "--epochs", "2", "--quiet"]) == 2
    assert "--lang must be one of en, zh, not 'fr'" in capsys.readouterr().err
    assert not out_dir.exists()
    assert main(["--lang", "zh", "--out", str(out_dir), "--epochs", "2", "--quiet"]) == 0
    wb = openpyxl.load_workbook(out_dir / "epoch_1.xlsx")
    assert wb.sheetnames[:2] == ["概览", "1 读取输入和输出"]
    assert openpyxl.load_workbook(out_dir / "summary.xlsx").sheetnames[:2] == ["总结", "概念"]


@requires_soffice
@requires_pdftoppm
@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="pdffonts (poppler-utils) is not installed")
def test_a_chinese_step_page_prints(tmp_path):
    trace = train(record="1")
    options = OutputConfig(lang="zh")
    job = epoch_jobs(trace, options)[0]
    xlsx = tmp_path / job[0]
    xlsx.write_bytes(epoch_files((trace, options, {}), job)[0])
    pdf = to_pdf(xlsx, tmp_path)
    page = pdf_page_of(pdf, "步骤3 计算隐层输入")  # the title extracts as text: real glyphs, not boxes
    assert "每个隐层神经元" in subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                                       capture_output=True, text=True, check=True).stdout
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines()[2:] if "CJK" in line]
    assert cjk and all(line.split()[-5] == "yes" for line in cjk), fonts  # embedded, so it prints anywhere
    pixels = render_page(pdf, page, tmp_path)
    yellow = (pixels[..., 0] > 240) & (pixels[..., 1] > 240) & (pixels[..., 2] < 30)
    dark = pixels.max(axis=2) < 100
    assert yellow.any() and dark.mean() > 0.002  # the focus cell, and text on the page
