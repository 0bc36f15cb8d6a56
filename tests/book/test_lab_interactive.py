"""The labs' widgets, operated as a reader would: in real JupyterLab, in headless Chromium.

A small notebook in a temporary folder builds the three widgets the labs show (lab 3's RAG
explorer with the real models, over the few contracts its questions are about; lab 8's feedback
widget; lab 10's ROI calculator) with the labs' own calls. JupyterLab (the one ``make lab`` starts) serves it on a free loopback port with a token;
the test opens it in Chromium, runs it from the *Run* menu, then types, clicks and drags:

* the explorer answers a newly typed question with its passages;
* a label recorded in the feedback widget lands in the label log (a temporary file), and a log
  that cannot be written shows its error in the widget;
* moving the data-preparation slider of the ROI calculator changes the break-even volume.

The label log and the lab folder are temporary; the models and the answer cache are the warm ones.
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from domainllm.corpus import load_questions
from tests.book.book_site import REPO_ROOT
from tests.book.jupyterlab_session import JupyterLabServer, chromium_driver, wait_for
from tests.costs.test_roi import make_results

slow = pytest.mark.slow  # the browser tests; the checks of `make lab` itself are quick

NOTEBOOK = "widgets.ipynb"
N_QUESTIONS = 4  # the explorer indexes only the contracts these questions are about
RUN_TIMEOUT = 600  # seconds for the whole notebook: index, models and a first answer (much less when idle)
ANSWER_TIMEOUT = 300  # seconds for one question asked in the explorer (seconds on an idle 2-core CPU)

EXPLORER = f"""\
import atexit
import sys

from domainllm.corpus import load_corpus, load_questions
from domainllm.rag import SECTION_INDEX, build_index, rag_explorer
from domainllm.runtime import load_generator

questions = load_questions("test_paraphrase")[:{N_QUESTIONS}]
contracts = {{e.doc_id for q in questions for e in q.evidence}}
index = build_index(SECTION_INDEX, [d for d in load_corpus() if d.id in contracts])
atexit.register(index.close)
print("kernel prefix:", sys.prefix)
rag_explorer({{"sections + headers": index}}, load_generator(), questions=questions)"""

FEEDBACK = """\
from domainllm.finetune.feedback import CandidatePair, FeedbackWidget, LabelLog

pairs = [
    CandidatePair(q.id, q.question, q.answer, ({{"role": "user", "content": q.question}},), q.answer, "not stated")
    for q in questions[:2]
]
FeedbackWidget(pairs, LabelLog({path!r}))"""

ROI = """\
import json

from domainllm.costs import RoiModel, load_pricing, measured_inputs, roi_calculator

results = json.loads(open("results.json", encoding="utf-8").read())  # lab 9's schema
measured = measured_inputs(results, query_tokens=20, corpus_tokens=1e6)
calculator = roi_calculator(RoiModel(load_pricing(), measured), queries_per_month=100_000, months=24)"""


def write_notebook(folder: Path, labels: Path, unwritable: Path) -> None:
    cells = [
        nbformat.v4.new_markdown_cell("# The labs' widgets"),
        nbformat.v4.new_code_cell(EXPLORER),
        nbformat.v4.new_code_cell(FEEDBACK.format(path=str(labels))),
        nbformat.v4.new_code_cell(FEEDBACK.format(path=str(unwritable))),
        nbformat.v4.new_code_cell(ROI),
    ]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, folder / NOTEBOOK)
    (folder / "results.json").write_text(json.dumps(make_results()), encoding="utf-8")


class Lab:
    """The notebook open in the browser, with the paths the test checks."""

    def __init__(self, driver: Any, server: JupyterLabServer, labels: Path) -> None:
        self.driver = driver
        self.server = server
        self.labels = labels

    def cells(self) -> list[Any]:
        from selenium.webdriver.common.by import By

        return self.driver.find_elements(By.CSS_SELECTOR, ".jp-Notebook .jp-CodeCell")

    def cell(self, number: int) -> Any:
        """The ``number``-th code cell (from 0)."""
        return self.cells()[number]

    def find(self, within: Any, css: str) -> list[Any]:
        from selenium.webdriver.common.by import By

        return within.find_elements(By.CSS_SELECTOR, css)

    def button(self, within: Any, text: str) -> Any:
        found = [b for b in self.find(within, "button") if b.text.strip() == text]
        assert found, f"no button {text!r}"
        return found[0]

    def outputs_text(self, cell: Any) -> str:
        return " ".join(o.text for o in self.find(cell, ".jp-OutputArea"))

    def kernel_idle(self) -> bool:
        from selenium.webdriver.common.by import By

        return "| Idle" in self.driver.find_element(By.ID, "jp-main-statusbar").text

    def type_into(self, field: Any, text: str, quiet: float = 1.5) -> None:
        """Type ``text``, then pause as a person would until the kernel has had it.

        A widget sends typed text to the kernel in the background; a click sent right after fast
        typing can overtake the last of it. So wait until the kernel has been idle for ``quiet``
        seconds (the status bar says so) before the next click.
        """
        field.send_keys(text)
        deadline = time.monotonic() + 60
        idle_since = None
        while time.monotonic() < deadline:
            if not self.kernel_idle():
                idle_since = None
            elif idle_since is None:
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since >= quiet:
                return
            time.sleep(0.1)
        raise TimeoutError("the kernel stayed busy for a minute after typing")


def run_all_cells(lab: Lab) -> None:
    """Run the notebook from JupyterLab's Run menu and wait until every cell has finished."""
    from selenium.webdriver.common.by import By

    driver = lab.driver
    wait_for(lambda: len(lab.cells()) == 4, 90, "the notebook to open")
    # the status bar says "Python 3 (ipykernel) | Idle" once the notebook's kernel is ready
    wait_for(lab.kernel_idle, 120, "the kernel")
    menu = wait_for(
        lambda: [
            m
            for m in driver.find_elements(By.CSS_SELECTOR, "#jp-MainMenu .lm-MenuBar-item")
            if m.text == "Run"
        ],
        30,
        "the Run menu",
    )
    menu[0].click()
    item = wait_for(
        lambda: [
            i
            for i in driver.find_elements(By.CSS_SELECTOR, ".lm-Menu-item")
            if i.text.startswith("Run All Cells")
        ],
        10,
        "Run All Cells in the menu",
    )
    item[0].click()
    with contextlib.suppress(TimeoutError):  # JupyterLab asks for a kernel if it was not settled yet
        wait_for(lambda: select_kernel_button(driver), 3, "a kernel dialog")[0].click()

    def finished() -> bool:
        prompts = [lab.find(cell, ".jp-InputPrompt")[0].text for cell in lab.cells()]
        return all(re.fullmatch(r"\[\d+\]:", p.strip()) for p in prompts)

    try:
        wait_for(finished, RUN_TIMEOUT, "every cell to run")
    except TimeoutError as error:
        raise AssertionError(f"{error}\n{page_outputs(lab)}\nserver log:\n{lab.server.log_tail()}") from None
    for number, cell in enumerate(lab.cells()):
        text = lab.outputs_text(cell)
        assert "Traceback" not in text, f"cell {number} failed:\n{text}"


def select_kernel_button(driver: Any) -> list[Any]:
    """The Select button of JupyterLab's Select Kernel dialog, when it is open."""
    from selenium.webdriver.common.by import By

    dialogs = [d for d in driver.find_elements(By.CSS_SELECTOR, ".jp-Dialog") if "Select Kernel" in d.text]
    return [b for d in dialogs for b in d.find_elements(By.CSS_SELECTOR, "button") if b.text == "Select"]


def lab_output_line(lab: Lab, number: int, start: str) -> str:
    """The line of cell ``number``'s outputs that starts with ``start`` ("" if none)."""
    lines = lab.outputs_text(lab.cell(number)).splitlines()
    return next((line.strip() for line in lines if line.strip().startswith(start)), "")


def page_outputs(lab: Lab) -> str:
    """Each cell's prompt and the end of its outputs (for failure messages)."""
    return "\n".join(
        f"cell {n} {lab.find(cell, '.jp-InputPrompt')[0].text.strip()} {lab.outputs_text(cell)[-1500:]}"
        for n, cell in enumerate(lab.cells())
    )


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    base = tmp_path_factory.mktemp("interactive-lab")
    folder, home = base / "lab", base / "jupyter"
    folder.mkdir()
    home.mkdir()
    labels = base / "labels" / "my-labels.jsonl"
    in_the_way = base / "a-file"  # a file where the broken log's folder should be: every save fails
    in_the_way.write_text("", encoding="utf-8")
    write_notebook(folder, labels, in_the_way / "my-labels.jsonl")
    server = JupyterLabServer(folder, home)
    started = time.monotonic()
    with server, chromium_driver() as driver:
        driver.get(server.lab_url(NOTEBOOK))
        page = Lab(driver, server, labels)
        run_all_cells(page)
        kernel = lab_output_line(page, 0, "kernel prefix:")
        assert kernel == f"kernel prefix: {sys.prefix}", f"not the book's kernel (.venv): {kernel}"
        print(f"notebook ran in JupyterLab in {time.monotonic() - started:.0f} s")
        yield page
    assert server.process is None  # stopped; stop() also killed any kernel left behind


@slow
def test_explorer_answers_a_typed_question_with_its_passages(lab: Lab) -> None:
    cell = lab.cell(0)
    question = load_questions("test_paraphrase")[1]
    first = lab.find(cell, ".widget-html-content")[-1].text
    assert "Model's answer" in first and "[1]" in first, f"the explorer shows no first result: {first!r}"
    assert question.question not in first
    box = lab.find(cell, ".widget-text input")[0]
    box.clear()
    lab.type_into(box, question.question)
    lab.button(cell, "Ask").click()

    def answered() -> str | None:
        text = lab.find(cell, ".widget-html-content")[-1].text
        return text if f"Question: {question.question}" in text and "Model's answer" in text else None

    try:
        shown = wait_for(answered, ANSWER_TIMEOUT, "the explorer's answer")
    except TimeoutError as error:
        buttons = [b.text for b in lab.find(cell, "button")]
        typed = box.get_attribute("value")
        raise AssertionError(f"{error}; typed {typed!r}; buttons {buttons}\n{page_outputs(lab)}") from None
    assert "[1]" in shown and f"Gold answer: {question.answer}" in shown
    assert not shown.startswith("Error:")
    wait_for(lambda: lab.button(cell, "Ask").is_enabled(), 10, "the Ask button to be ready again")


@slow
def test_a_label_recorded_in_the_widget_lands_in_the_label_log(lab: Lab) -> None:
    cell = lab.cell(1)
    assert "0 of 2 pairs labelled" in lab.outputs_text(cell)
    assert not lab.labels.exists()
    correction = lab.find(cell, ".widget-text input")[0]
    lab.type_into(correction, "thirty days")
    lab.button(cell, "B is better").click()
    wait_for(lambda: "1 of 2 pairs labelled" in lab.outputs_text(cell), 30, "the widget to count the label")
    rows = [json.loads(line) for line in lab.labels.read_text(encoding="utf-8").splitlines()]
    assert [(r["label"], r["corrected"], r["labeller"]) for r in rows] == [("B", "thirty days", "human")]
    assert rows[0]["pair"]["question"] == load_questions("test_paraphrase")[0].question
    assert correction.get_attribute("value") == ""  # cleared for the next pair


@slow
def test_a_label_that_cannot_be_saved_shows_the_error_in_the_widget(lab: Lab) -> None:
    cell = lab.cell(2)
    lab.button(cell, "Tie").click()

    def error_shown() -> str | None:
        text = lab.outputs_text(cell)
        return text if "Error" in text else None

    shown = wait_for(error_shown, 30, "the error in the widget")
    assert re.search(r"Error: \w+Error: ", shown), shown  # the exception's type and message
    assert "The label was not saved" in shown and "0 of 2" not in shown


def break_even_tables(lab: Lab, cell: Any) -> list[str]:
    return [t.text for t in lab.find(cell, "table") if "break-even" in t.text]


@slow
def test_moving_a_slider_changes_the_break_even_volume(lab: Lab) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    cell = lab.cell(3)
    before = break_even_tables(lab, cell)
    assert len(before) == 1, f"expected the calculator's first state (one table): {before}"
    sliders = [s for s in lab.find(cell, ".widget-slider") if "data prep hours" in s.text]
    assert sliders, "no data-preparation slider"
    readout = lab.find(sliders[0], ".widget-readout")[0]
    hours = readout.text
    handle = lab.find(sliders[0], ".noUi-handle")[0]
    ActionChains(lab.driver).click_and_hold(handle).move_by_offset(60, 0).pause(0.2).release().perform()
    wait_for(lambda: readout.text != hours, 10, "the slider's readout to move")

    def redrawn() -> list[str] | None:
        tables = break_even_tables(lab, cell)
        return tables if len(tables) == 1 and tables[0] != before[0] else None

    after = wait_for(redrawn, 60, "the break-even table to change")
    assert float(readout.text) > float(hours)
    volumes = [re.findall(r"RAG = Fine-tuned (\S+)", text) for text in (before[0], after[0])]
    assert volumes[0] and volumes[1] and volumes[0] != volumes[1], (before, after)
    assert not [m.text for m in lab.find(cell, ".widget-html-content") if m.text.startswith("Error:")]


def test_make_lab_runs_the_venv_jupyterlab_on_the_labs_with_the_book_kernel() -> None:
    planned = subprocess.run(
        ["make", "-n", "lab"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=True
    ).stdout
    command = " ".join(planned.replace("\\\n", " ").split())
    assert ".venv/bin/jupyter lab labs --MappingKernelManager.default_kernel_name=python3" in command
    pins = {
        name: re.search(r"^jupyterlab==(\S+)$", (REPO_ROOT / name).read_text(), re.M)
        for name in ("requirements.txt", "binder/requirements.txt")
    }
    assert all(pins.values()), "JupyterLab must be pinned in requirements.txt and binder/requirements.txt"
    assert len({m.group(1) for m in pins.values() if m}) == 1, "JupyterLab differs from the one Binder uses"
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert "make lab" in readme and "jupyter lab" in readme
