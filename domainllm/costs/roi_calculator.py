"""Lab 10's interactive ROI calculator: sliders for volume, prices and retraining, redrawing the cost curves.

``roi_calculator(model)`` shows the controls and draws the cumulative cost curves over the
chosen horizon and the total cost against monthly volume, with every break-even point marked
(closed forms from :mod:`domainllm.costs.model`, drawn by :mod:`domainllm.costs.cost_plots`).

Two ways to look at it:

* In the HTML book nothing runs, so the calculator also displays its first state as a plain
  image when it is created: that image is what the book shows.
* In a live kernel (Jupyter, Binder, Colab) moving a control redraws the figure in an
  ``Output`` widget above that first image, and the first image is blanked where the
  front end supports updating a display.

Every slider value passes through :func:`domainllm.costs.sensitivity.clamp_inputs` with the slider's own
range before it reaches the cost model, so no combination of controls gives a negative cost. If a
redraw fails all the same, the error is shown in the calculator (under the controls, in place of a
figure that no longer matches them) and logged, rather than reaching only JupyterLab's log.
"""

from __future__ import annotations

import html
import io
import itertools
import logging
from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as widgets
from IPython.display import HTML, DisplayHandle, Image, clear_output, display
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from domainllm.costs.break_even_tables import format_volume
from domainllm.costs.cost_plots import cumulative_cost_plot, volume_cost_plot
from domainllm.costs.model import Approach, break_even_volume, cheapest, total_cost
from domainllm.costs.roi import ASSUMPTIONS, RoiModel
from domainllm.costs.sensitivity import clamp_inputs

__all__ = ["CADENCES", "HORIZONS", "RoiCalculator", "roi_calculator"]

CADENCES: tuple[tuple[str, int], ...] = (("monthly", 1), ("quarterly", 3), ("half-yearly", 6), ("yearly", 12))
HORIZONS: tuple[int, ...] = (12, 24, 36)
VOLUME_EXPONENTS = (1.0, 9.0)  # the volume slider runs from 10 to 10^9 queries per month
_PRICE_HEADROOM = 4.0  # price sliders run from 0 to this multiple of the price in the table
logger = logging.getLogger(__name__)


def _default_prices(model: RoiModel) -> list[str]:
    """The prices that move the answer most: generation, people and the vector database."""
    setup = model.setup
    keys = [key for key in model.price_keys if key.startswith(("vector_db.", "people."))]
    if setup.serving == "api":
        keys = [f"llm_api.{setup.llm}.input", f"llm_api.{setup.fine_tuned_llm}.input", *keys]
    else:
        keys = [f"gpu.{setup.gpu}.hourly", *keys]
    return keys


def _price_label(model: RoiModel, key: str) -> str:
    price = model.pricing[key]
    return f"{key} ({price.currency} {price.unit})"


class RoiCalculator:
    """Controls for the inputs that decide the choice, and the figure they redraw.

    ``prices``: keys of the price table that get a slider (default: base and fine-tuned
    model input prices or the GPU price, the vector database and the engineer rate).
    ``hours``: assumptions that get a slider (default: data preparation hours).
    """

    def __init__(
        self,
        model: RoiModel,
        *,
        queries_per_month: float = 100_000,
        months: int = 24,
        prices: Sequence[str] | None = None,
        hours: Sequence[str] = ("data_prep_hours",),
    ) -> None:
        self.model = model
        base = model.inputs()
        style = {"description_width": "initial"}
        layout = widgets.Layout(width="560px")
        low, high = VOLUME_EXPONENTS
        cadence = max(1, round(base["retrain_every_months"]))
        cadences = list(CADENCES)
        if cadence not in dict(CADENCES).values():
            cadences.append((f"every {cadence} months", cadence))
        self.bounds: dict[str, tuple[float, float]] = {
            "queries_per_month": (10**low, 10**high),
            "months": (float(min(HORIZONS)), float(max(HORIZONS))),
            "retrain_every_months": (1.0, float(max(c for _, c in cadences))),
        }
        self.controls: dict[str, widgets.ValueWidget] = {
            "queries_per_month": widgets.FloatLogSlider(
                value=min(max(queries_per_month, 10**low), 10**high),
                base=10,
                min=low,
                max=high,
                step=0.05,
                description="queries per month",
                readout_format=",.0f",
                style=style,
                layout=layout,
            ),
            "months": widgets.Dropdown(
                options=[(f"{m} months", m) for m in HORIZONS],
                value=months if months in HORIZONS else HORIZONS[1],
                description="horizon",
                style=style,
            ),
            "retrain_every_months": widgets.Dropdown(
                options=cadences,
                value=cadence,
                description="documents change (retrain)",
                style=style,
            ),
        }
        for key in _default_prices(model) if prices is None else prices:
            top = _PRICE_HEADROOM * base[key] if base[key] > 0 else 1.0
            self.bounds[key] = (0.0, top)
            self.controls[key] = widgets.FloatSlider(
                value=base[key],
                min=0.0,
                max=top,
                step=top / 200,
                description=_price_label(model, key),
                readout_format=".4g",
                style=style,
                layout=layout,
            )
        for name in hours:
            top = 2 * ASSUMPTIONS[name].high
            self.bounds[name] = (0.0, top)
            self.controls[name] = widgets.FloatSlider(
                value=min(base[name], top),
                min=0.0,
                max=top,
                step=1.0,
                description=name.replace("_", " "),
                style=style,
                layout=layout,
            )
        self.output = widgets.Output()
        self.message = widgets.HTML()  # a redraw's error, if any
        self._static: list[DisplayHandle] = []
        for control in self.controls.values():
            control.observe(self._redraw, names="value")

    # ---------------------------------------------------------------- the numbers

    def clamped(self, raw: Mapping[str, float]) -> dict[str, float]:
        """``raw`` control values clamped into the calculator's ranges (never negative)."""
        return clamp_inputs({k: float(v) for k, v in raw.items()}, self.bounds)

    def values(self) -> dict[str, float]:
        """The current control values, clamped."""
        return self.clamped({name: control.value for name, control in self.controls.items()})

    def approaches(self, values: Mapping[str, float] | None = None) -> list[Approach]:
        """The approaches for the current (or given) control values."""
        values = self.values() if values is None else self.clamped(values)
        inputs = self.model.inputs()
        return list(self.model.approaches({k: v for k, v in values.items() if k in inputs}).values())

    def figure(self, values: Mapping[str, float] | None = None) -> Figure:
        """Cumulative cost over the horizon (left) and total cost against volume (right)."""
        values = self.values() if values is None else self.clamped(values)
        approaches = self.approaches(values)
        volume, months = values["queries_per_month"], int(values["months"])
        crossings = [break_even_volume(a, b, months) for a, b in itertools.combinations(approaches, 2)]
        finite = [v for v in crossings if v is not None and 0 < v < 10 * self.bounds["queries_per_month"][1]]
        max_volume = max([2 * volume, *(1.25 * v for v in finite)])
        figure = Figure(figsize=(12.0, 4.4))
        left, right = figure.subplots(1, 2)
        title = f"Cumulative cost at {format_volume(volume)} queries/month"
        cumulative_cost_plot(approaches, volume, months, title=title, ax=left)
        volume_cost_plot(approaches, max_volume, months, title=f"Total cost over {months} months", ax=right)
        right.axvline(volume, color="#000000", linestyle="--", linewidth=1, label="chosen volume")
        right.legend(frameon=False, fontsize=10)
        right.xaxis.set_major_formatter(FuncFormatter(lambda x, _: format_volume(x)))
        figure.tight_layout()
        return figure

    def summary(self, values: Mapping[str, float] | None = None) -> str:
        """An HTML sentence and table: the cheapest approach now, and every break-even volume."""
        values = self.values() if values is None else self.clamped(values)
        approaches = self.approaches(values)
        volume, months = values["queries_per_month"], int(values["months"])
        best = cheapest(approaches, volume, months)
        cost = total_cost(best, volume, months)
        rows = []
        for a, b in itertools.combinations(approaches, 2):
            crossing = break_even_volume(a, b, months)
            text = format_volume(crossing) if crossing is not None else "none at any volume"
            rows.append(f"<tr><td>{html.escape(a.name)} = {html.escape(b.name)}</td><td>{text}</td></tr>")
        return (
            f"<p>At {format_volume(volume)} queries per month over {months} months the cheapest is "
            f"<b>{html.escape(best.name)}</b> ({cost:,.0f} {best.currency}).</p>"
            f"<table><tr><th>break-even</th><th>queries per month ({months} months)</th></tr>"
            f"{''.join(rows)}</table>"
        )

    # ---------------------------------------------------------------- display

    def widget(self) -> widgets.VBox:
        """The controls and the live output area, as one widget."""
        return widgets.VBox([*self.controls.values(), self.message, self.output])

    def _render(self) -> tuple[Image, HTML]:
        figure = self.figure()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=100)
        return Image(data=buffer.getvalue(), format="png"), HTML(self.summary())

    def show(self) -> None:
        """Display the controls, then the first state as a plain image (what the HTML book shows)."""
        display(self.widget())
        image, summary = self._render()
        self._static = [display(image, display_id=True), display(summary, display_id=True)]

    def _redraw(self, change: Any = None) -> None:
        """Redraw in the live output area and blank the first, static state.

        An error is shown in :attr:`message` (and logged) instead of the figure, which no longer
        matches the controls; the next successful redraw clears it.
        """
        try:
            shown: tuple[Any, ...] = self._render()
            self.message.value = ""
        except Exception as error:
            logger.exception("The ROI calculator could not redraw")
            shown = ()
            self.message.value = (
                f"<p style='color:#b00020'><b>Error:</b> {html.escape(type(error).__name__)}: "
                f"{html.escape(str(error))}</p>"
            )
        with self.output:
            clear_output(wait=True)
            display(*shown)
        for handle in self._static:
            if handle is not None:
                handle.update(HTML(""))
        self._static = []


def roi_calculator(model: RoiModel, **options: Any) -> RoiCalculator:
    """Create a :class:`RoiCalculator` for ``model`` and show it (options as for the class)."""
    calculator = RoiCalculator(model, **options)
    calculator.show()
    return calculator
