"""examples/colossus.ipynb runs top to bottom in the `lease` kernel and shows
the schedule table, the charts and the run histograms."""

from __future__ import annotations

import os

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import REPO

NOTEBOOK = REPO / "examples" / "colossus.ipynb"


@pytest.fixture(scope="module")
def executed(lease_binary):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    os.environ["LEASE"] = lease_binary
    NotebookClient(nb, timeout=300, kernel_name="lease", resources={"metadata": {"path": str(REPO / "examples")}}).execute()
    return nb


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def cell_with(nb, text):
    matches = [c for c in code_cells(nb) if text in c.source]
    assert matches, f"no cell contains {text!r}"
    return matches[0]


def data(cell):
    bundles = [o["data"] for o in cell.outputs if o.output_type in ("execute_result", "display_data")]
    assert bundles, f"no output in {cell.source!r}"
    return bundles[-1]


def test_notebook_is_valid_and_uses_the_lease_kernel():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "lease"
    assert nb.metadata.language_info.name == "lease"
    assert all(not c.outputs for c in code_cells(nb)), "the example is kept without outputs"


def test_every_cell_runs_without_error(executed):
    for cell in code_cells(executed):
        assert not [o for o in cell.outputs if o.output_type == "error"], cell.source


def test_headline_numbers(executed):
    d = data(cell_with(executed, "months: months(anthropic)"))
    assert d["text/plain"] == "{months: 37, total: $45B, per_gpu_hour: $7.78/gpu/h, npv_at_8pct: $40.058B}"
    assert "<table" in d["text/html"]


def test_schedule_table(executed):
    d = data(cell_with(executed, "schedule(anthropic)"))
    assert d["text/html"].count("<tr>") == 1 + 37
    assert ">$45B<" in d["text/html"]


def test_exposure_by_notice_date(executed):
    assert data(cell_with(executed, "exposure(anthropic, at: dates)"))["text/plain"] == (
        "[$3.085B, $3.75B, $3.71B, $3.71B, $3.71B]"
    )
    d = data(cell_with(executed, "run by_notice"))
    assert d["text/plain"].startswith("n = 977  mean = $4.321B")


def test_monte_carlo_with_its_histogram(executed, machine):
    d = data(cell_with(executed, "scenario mc"))
    assert d["text/plain"].startswith("n = 1,000,000  mean = $22.498B")
    assert ">p95</th>" in d["text/html"]
    if machine.svg:
        assert "<svg" in d["image/svg+xml"]
        assert "<svg" in d["text/html"]
    else:
        assert "█" in d["text/html"]
    assert data(cell_with(executed, "percentile(r, 99%)"))["text/plain"].startswith("{p5: $6.019B")


def test_plot_cells_draw_svg_when_the_notebook_has_them(executed, machine):
    plots = [c for c in code_cells(executed) if "plot(" in c.source]
    if not plots:
        pytest.skip("the notebook has no plot(…) cell yet")
    if not machine.svg:
        pytest.skip("this lease build draws no SVG charts")
    for cell in plots:
        assert "<svg" in data(cell)["image/svg+xml"], cell.source
