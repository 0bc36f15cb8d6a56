"""Lab 10's ROI calculator as a widget: an error while redrawing is shown in the calculator."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from domainllm.costs import RoiModel, load_pricing  # noqa: E402
from domainllm.costs.roi_calculator import RoiCalculator  # noqa: E402
from tests.costs.price_table import PRICES  # noqa: E402
from tests.costs.test_roi import SETUP, make_measured  # noqa: E402


@pytest.fixture
def calculator(tmp_path: Path) -> RoiCalculator:
    path = tmp_path / "pricing.yml"
    path.write_text(PRICES, encoding="utf-8")
    return RoiCalculator(RoiModel(load_pricing(path), make_measured(), SETUP), prices=["llm_api.base.input"])


def test_the_message_area_is_part_of_the_widget_and_empty(calculator: RoiCalculator) -> None:
    assert calculator.message in calculator.widget().children
    calculator.controls["data_prep_hours"].value = 10.0
    assert calculator.message.value == ""


def test_an_error_while_redrawing_is_shown_in_the_calculator(
    calculator: RoiCalculator, monkeypatch: pytest.MonkeyPatch
) -> None:
    calculator.show()
    healthy = calculator.figure

    def broken(values=None):
        raise ZeroDivisionError("a <zero> horizon")

    monkeypatch.setattr(calculator, "figure", broken)
    calculator.controls["data_prep_hours"].value = 10.0  # the observer must not raise
    assert "ZeroDivisionError" in calculator.message.value
    assert "a &lt;zero&gt; horizon" in calculator.message.value  # escaped
    assert calculator._static == []  # the first image, which no longer matches, was blanked
    monkeypatch.setattr(calculator, "figure", healthy)
    calculator.controls["data_prep_hours"].value = 20.0
    assert calculator.message.value == ""  # the next good redraw clears it
