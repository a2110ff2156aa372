"""The HTML pages in a real browser (headless Chromium through Selenium), checked against the
workbook and the dump JSON written by the same run, never against the page's own data."""
from __future__ import annotations

import base64
import html.parser
import io
import json
import re
import shutil

import numpy as np
import pytest
from openpyxl import load_workbook

from mlptrace import train
from mlptrace.cli import main
from mlptrace.files import is_run_file

DECIMALS = 3
#: what each step computes, from the specification's table (not from the code)
COMPUTES = {
    "3 Hidden layer input": ["hidden_layer_input"],
    "4 Hidden activations": ["hiddenlayer_activations"],
    "5 Output": ["output_layer_input", "output"],
    "6 Error": ["E"],
    "7 Slopes": ["slope_output_layer", "slope_hidden_layer"],
    "8 Output delta": ["d_output"],
    "9 Hidden error": ["Error_at_hidden_layer"],
    "10 Hidden delta": ["d_hiddenlayer"],
    "11 Update weights": ["wout_next", "wh_next"],
    "12 Update biases": ["bout_next", "bh_next"],
}
SHEETS = ["Overview", "1 Inputs", "2 Initial weights", *COMPUTES]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The article's run with --html: (folder, dump JSON, the page's text)."""
    out = tmp_path_factory.mktemp("html")
    assert main(["--html", "--record", "1", "--out", str(out), "--dump-json", str(out / "dump.json"),
                 "--quiet"]) == 0
    dump = json.loads((out / "dump.json").read_text())
    return out, dump, (out / "epoch_0001.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the whole module."""
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service
    driver_path = shutil.which("chromedriver")
    if driver_path is None or not (shutil.which("chromium") or shutil.which("chromium-browser")):
        pytest.skip("needs Chromium and chromedriver (Debian: chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--window-size=1400,1000"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    yield driver
    driver.quit()


@pytest.fixture
def page(browser, run):
    browser.get((run[0] / "epoch_0001.html").as_uri())
    return browser


def _shown(driver):
    """The data-step of the board on show (None for the overview)."""
    return driver.execute_script(
        "var s = Array.from(document.querySelectorAll('section')).filter(e => e.offsetParent);"
        "if (s.length !== 1) return 'sections shown: ' + s.length;"
        "var b = s[0].querySelector('[data-step]'); return b && b.dataset.step;")


def _marked(driver, step):
    """{(name, row, col): class} of the focus and input cells on board ``step``."""
    cells = driver.execute_script(
        "return Array.from(document.querySelector('[data-step=\"' + arguments[0] + '\"]')"
        ".querySelectorAll('.focus,.input'), e => [e.dataset.name, +e.dataset.row, +e.dataset.col,"
        " e.classList.contains('focus') ? 'focus' : 'input']);", step)
    return {(n, r, c): kind for n, r, c, kind in cells}


def _go_to(driver, step):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select
    Select(driver.find_element(By.CSS_SELECTOR, "nav select")).select_by_visible_text(step)
    assert _shown(driver) == step


def _cell(driver, step, name, row, col):
    from selenium.webdriver.common.by import By
    return driver.find_element(By.CSS_SELECTOR, f'[data-step="{step}"] [data-name="{name}"]'
                                                f'[data-row="{row}"][data-col="{col}"]')


# ---------------------------------------------------------------- the workbook as an oracle

_RANGE = re.compile(r"\$?([A-Z]{1,3})\$?(\d+):\$?([A-Z]{1,3})\$?(\d+)")
_ADDRESS = re.compile(r"(?<![A-Z0-9_!'])\$?([A-Z]{1,3})\$?(\d+)(?![\d(])")


def _column(letters):
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def formula_addresses(formula: str) -> set:
    """Every (row, col) a formula reads, ranges expanded."""
    cells = set()
    for a, r1, b, r2 in _RANGE.findall(formula):
        cells |= {(r, c) for r in range(int(r1), int(r2) + 1) for c in range(_column(a), _column(b) + 1)}
    for a, r in _ADDRESS.findall(_RANGE.sub("", formula)):
        cells.add((int(r), _column(a)))
    return cells


def board_of(ws, update) -> dict:
    """{(row, col): (name, 1-based row, col)} of a workbook sheet, from the matrix labels
    written on it (a label, then a row of column names or the shape, then the numbers)."""
    where = {}
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, str):
                name = c.value.split("  (")[0]
                if name in update and c.font.bold:
                    rows, cols = len(update[name]), len(update[name][0])
                    for i in range(rows):
                        for j in range(cols):
                            where[(c.row + 2 + i, c.column + j)] = (name, i + 1, j + 1)
    return where


# ---------------------------------------------------------------- the file


def test_page_is_self_contained_small_and_printable(run):
    out, _, text = run
    assert sorted(p.name for p in out.iterdir() if p.suffix == ".html") == ["epoch_0001.html"]
    assert len(text.encode("utf-8")) < 200_000
    assert not re.search(r"https?:|(src|href|url)\s*[=(]\s*[\"']?//", text, re.I)
    assert "<link" not in text and "@import" not in text and " src=" not in text
    print_css = text[text.index("@media print"):]
    assert "break-after:page" in print_css.replace(" ", "")
    assert is_run_file("epoch_0001.html") and is_run_file("epoch_5000.html")


def test_no_page_without_the_option(tmp_path):
    assert main(["--epochs", "2", "--out", str(tmp_path), "--quiet"]) == 0
    assert not list(tmp_path.glob("*.html"))


def test_same_run_same_bytes(run, tmp_path):
    assert main(["--html", "--record", "1", "--out", str(tmp_path), "--quiet"]) == 0
    assert (tmp_path / "epoch_0001.html").read_bytes() == (run[0] / "epoch_0001.html").read_bytes()


# ---------------------------------------------------------------- in the browser


def test_buttons_and_arrow_keys_turn_the_pages(page):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    assert _shown(page) is None  # the overview first
    page.find_element(By.CSS_SELECTOR, "[data-go='1']").click()
    assert _shown(page) == "1 Inputs"
    body = page.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.ARROW_RIGHT)
    body.send_keys(Keys.ARROW_RIGHT)
    assert _shown(page) == "3 Hidden layer input"
    body.send_keys(Keys.ARROW_LEFT)
    assert _shown(page) == "2 Initial weights"
    page.find_element(By.CSS_SELECTOR, "[data-go='-1']").click()
    page.find_element(By.CSS_SELECTOR, "[data-go='-1']").click()
    page.find_element(By.CSS_SELECTOR, "[data-go='-1']").click()  # nothing before the overview
    assert _shown(page) is None
    for _ in SHEETS:
        body.send_keys(Keys.ARROW_RIGHT)
    assert _shown(page) == SHEETS[-1]
    assert len(page.find_elements(By.CSS_SELECTOR, "[data-step]")) == len(SHEETS) - 1


def test_default_focus_is_the_workbooks(page, run):
    """Before any click each board marks what the workbook's sheet marks (the focus cell 1,1)."""
    _, dump, _ = run
    marked = _marked(page, "3 Hidden layer input")
    assert {k for k, v in marked.items() if v == "focus"} == {("hidden_layer_input", 1, 1)}
    assert {k for k, v in marked.items() if v == "input"} == (
        {("X", 1, c) for c in range(1, 5)} | {("wh", r, 1) for r in range(1, 5)} | {("bh", 1, 1)})


@pytest.mark.parametrize("step", list(COMPUTES))
def test_a_click_marks_what_the_workbook_formula_reads(page, run, step):
    """Click the last cell of each matrix the step computes: it is the only focus, and the
    orange cells are exactly those its formula in the workbook refers to."""
    out, dump, _ = run
    update = dump["epochs"][0]["updates"][0]
    ws = load_workbook(out / "epoch_0001.xlsx")[step]
    where = board_of(ws, update)
    address = {v: k for k, v in where.items()}
    _go_to(page, step)
    for name in COMPUTES[step]:
        row, col = len(update[name]), len(update[name][0])
        cell = _cell(page, step, name, row, col)
        cell.click()
        formula = ws.cell(*address[(name, row, col)]).value
        assert formula.startswith("="), formula
        expected = {where[a] for a in formula_addresses(formula)}
        marked = _marked(page, step)
        assert {k for k, v in marked.items() if v == "focus"} == {(name, row, col)}
        assert {k for k, v in marked.items() if v == "input"} == expected, formula
        lines = page.execute_script(
            "return Array.from(document.querySelector('[data-step=\"' + arguments[0] + '\"]')"
            ".parentNode.querySelector('.lines').children, e => e.textContent);", step)
        value = update[name][row - 1][col - 1]
        assert lines[0].startswith(f"{name} = ")
        assert lines[1].startswith(f"{name}[{row},{col}] = ")
        assert abs(float(lines[1].rsplit("= ", 1)[1].replace("−", "-")) - value) <= 10 ** -DECIMALS


def test_keyboard_focus_and_escape(page):
    from selenium.webdriver.common.keys import Keys
    step = "4 Hidden activations"
    _go_to(page, step)
    before = _marked(page, step)
    page.execute_script("arguments[0].focus()", _cell(page, step, "hiddenlayer_activations", 3, 2))
    assert _marked(page, step) == {("hiddenlayer_activations", 3, 2): "focus", ("hidden_layer_input", 3, 2): "input"}
    page.switch_to.active_element.send_keys(Keys.ESCAPE)
    assert _marked(page, step) == before


def test_numbers_are_the_dump_at_the_shown_digits(page, run):
    """Every number of the last board (every matrix) is the dump's, with at least DECIMALS
    decimals and 3 significant digits, as the workbook shows it (the data, whole numbers, without)."""
    _, dump, _ = run
    update = dump["epochs"][0]["updates"][0]
    cells = page.execute_script(
        "return Array.from(document.querySelectorAll('[data-step=\"12 Update biases\"] [data-name]'),"
        " e => [e.dataset.name, +e.dataset.row, +e.dataset.col, e.textContent]);")
    names = {n for n in update if isinstance(update[n], list) and n not in ("samples",)}
    assert {n for n, *_ in cells} == names
    assert len(cells) == sum(len(update[n]) * len(update[n][0]) for n in names)
    for name, row, col, text in cells:
        value = update[name][row - 1][col - 1]
        if name in ("X", "y"):
            assert re.fullmatch(r"−?\d+", text), (name, text)
            places = 0
        else:
            assert re.fullmatch(r"−?\d+\.\d{%d,}" % DECIMALS, text), (name, text)
            places = len(text.split(".")[1])
            assert len(text.lstrip("−").replace(".", "").lstrip("0")) >= 3 or value == 0, (name, text)
        assert abs(float(text.replace("−", "-")) - value) <= 0.5 * 10 ** -places + 1e-12, (name, row, col)


def test_screenshot_has_yellow_and_orange(page):
    from PIL import Image
    _go_to(page, "3 Hidden layer input")
    pixels = np.asarray(Image.open(io.BytesIO(page.get_screenshot_as_png())).convert("RGB"))
    counts = {colour: int(np.all(pixels == colour, axis=-1).sum()) for colour in ((255, 255, 0), (255, 192, 0))}
    assert counts[(255, 255, 0)] > 500 and counts[(255, 192, 0)] > 9 * 500, counts


def test_print_gives_one_step_a_page(page):
    """Printed (Chromium's own PDF), the overview and every step each fill one page."""
    pypdf = pytest.importorskip("pypdf")
    from selenium.webdriver.common.print_page_options import PrintOptions
    options = PrintOptions()
    options.orientation = "landscape"
    pdf = pypdf.PdfReader(io.BytesIO(base64.b64decode(page.print_page(options))))
    texts = [p.extract_text() for p in pdf.pages]
    assert len(texts) == len(SHEETS)
    for text, sheet in zip(texts[1:], SHEETS[1:]):
        assert f"Step {sheet} — epoch 1" in text.replace("\n", " ")


# ---------------------------------------------------------------- notebooks


class _Cells(html.parser.HTMLParser):
    """(name, row, col) → classes (``cells``) and shown text (``values``) of every matrix cell
    in an HTML text; ``steps``: the sheets' titles."""

    def __init__(self):
        super().__init__()
        self.cells, self.values, self.steps, self._open = {}, {}, [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-name" in a:
            self._open = (a["data-name"], int(a["data-row"]), int(a["data-col"]))
            self.cells[self._open] = set(a["class"].split())
            self.values[self._open] = ""
        if "data-step" in a:
            self.steps.append(a["data-step"])

    def handle_data(self, data):
        if self._open is not None:
            self.values[self._open] += data

    def handle_endtag(self, tag):
        self._open = None


@pytest.fixture(scope="module")
def trace():
    return train(seed=0, epochs=10, record="1")


def test_notebook_shows_a_step_with_its_focus(trace):
    parser = _Cells()
    parser.feed(trace.show(epoch=1, step=3, focus=(2, 3))._repr_html_())
    assert parser.steps == ["3 Hidden layer input"]
    focus = {k for k, v in parser.cells.items() if "focus" in v}
    inputs = {k for k, v in parser.cells.items() if "input" in v}
    assert focus == {("hidden_layer_input", 2, 3)}
    assert inputs == {("X", 2, c) for c in range(1, 5)} | {("wh", r, 3) for r in range(1, 5)} | {("bh", 1, 3)}


def test_notebook_shows_an_update_and_its_steps(trace, browser, tmp_path):
    """An update shows its twelve boards; two outputs on one notebook page work independently."""
    update = trace.epoch(1).updates[0]
    parser = _Cells()
    whole = update._repr_html_()
    parser.feed(whole)
    assert parser.steps == SHEETS[1:]
    assert update.step(5)._repr_html_() == trace.show(step=5)._repr_html_()
    with pytest.raises(KeyError, match="no step 13"):
        update.step(13)
    notebook = tmp_path / "notebook.html"
    notebook.write_text(f"<!DOCTYPE html><meta charset=utf-8><body>{whole}{update.step(6)._repr_html_()}</body>",
                        encoding="utf-8")
    browser.get(notebook.as_uri())
    first = "document.querySelectorAll('.mlptrace')[0]"
    browser.execute_script(f"{first}.querySelector('[data-go=\"1\"]').click()")
    assert browser.execute_script(f"return {first}.querySelector('section.on [data-step]').dataset.step") == "2 Initial weights"
    cells = browser.find_elements("css selector", ".mlptrace:nth-of-type(2) [data-name='E'][data-row='3']")
    cells[-1].click()
    second = browser.execute_script(
        "var r = document.querySelectorAll('.mlptrace')[1];"
        "return Array.from(r.querySelectorAll('.focus,.input'), e => [e.dataset.name, e.dataset.row, e.className]);")
    assert sorted(second) == [["E", "3", "v focus"], ["output", "3", "v input"], ["y", "3", "v input"]]


def test_clicks_on_a_later_update_of_a_deeper_network(browser, tmp_path):
    """Two hidden layers, two updates an epoch: on every sheet of the second update, a click on
    the last cell of each matrix the sheet adds marks exactly what its workbook formula reads
    on that sheet (nothing for a given matrix), and shows the second update's number."""
    assert main(["--html", "--data", "xor", "--hidden", "3,2", "--batch-size", "2", "--epochs", "2",
                 "--record", "1", "--out", str(tmp_path), "--dump-json", str(tmp_path / "d.json"),
                 "--quiet"]) == 0
    update = json.loads((tmp_path / "d.json").read_text())["epochs"][0]["updates"][1]
    wb = load_workbook(tmp_path / "epoch_1.xlsx")
    browser.get((tmp_path / "epoch_1.html").as_uri())
    sheets = [ws for ws in wb.worksheets if ws.title.startswith("U2 ")]
    assert len(sheets) == 16  # steps 3, 4, 9 and 10 once per hidden layer
    seen = set()
    for ws in sheets:
        where = board_of(ws, update)
        address = {v: k for k, v in where.items()}
        added = {name for name, *_ in where.values()} - seen
        seen |= added
        _go_to(browser, ws.title)
        for name in added:
            row, col = len(update[name]), len(update[name][0])
            cell = _cell(browser, ws.title, name, row, col)
            cell.click()
            formula = str(ws.cell(*address[(name, row, col)]).value or "")
            marked = _marked(browser, ws.title)
            assert {k for k, v in marked.items() if v == "input"} == {where[a] for a in formula_addresses(formula)}
            assert abs(float(cell.text.replace("−", "-")) - update[name][row - 1][col - 1]) <= 0.5e-3
    assert seen == {n for n in update if isinstance(update[n], list) and n != "samples"}


def test_notebook_speaks_the_articles_language(trace):
    """lang="zh": the step's title and texts in Chinese, the same cells and numbers."""
    en, zh = _Cells(), _Cells()
    en.feed(trace.show(step=3, focus=(2, 3))._repr_html_())
    page = trace.show(step=3, focus=(2, 3), lang="zh")._repr_html_()
    zh.feed(page)
    assert zh.steps == ["3 计算隐层输入"] and 'lang="zh"' in page
    assert zh.cells == en.cells
    assert zh.values == en.values
    assert trace.epoch(1).updates[0].step(3, (2, 3), lang="zh")._repr_html_() == page


def test_notebook_views_check_their_settings(trace):
    from mlptrace import MlptraceError
    with pytest.raises(MlptraceError, match="--lang"):
        trace.show(step=3, lang="fr")
    with pytest.raises(MlptraceError, match="--focus"):
        trace.show(step=3, focus=(0, 1))
    with pytest.raises(MlptraceError, match="--decimals"):
        trace.epoch(1).updates[0].step(3, decimals=-1)
    with pytest.raises(KeyError):
        trace.show(update=2)
    with pytest.raises(MlptraceError) as missing:  # a KeyError too, whose message reads as a sentence
        trace.show(epoch=7)
    assert isinstance(missing.value, KeyError) and str(missing.value) == "epoch 7 was not recorded (recorded: [1])"
