"""Display helpers for the notebooks and the book (presentation only, no science).

Two pieces, both about how plotly figures travel from a notebook to a reader:

1. :func:`setup_notebook` registers and selects the ``splitalloc`` plotly renderer. It
   stores each figure as ``application/vnd.plotly.v1+json`` only (no inlined plotly.js, no
   random trace uids), with numeric arrays written as plain JSON lists rounded to
   ``digits`` significant digits (plotly 6+ would otherwise store them as base64 binary).
   JupyterLab draws that mime type interactively with the bundled ``jupyterlab-plotly``
   extension, and stored outputs stay stable and readable for nbval.
2. :class:`PlotlyMimeRenderer`, a myst-nb mime renderer registered through the
   ``myst_nb.mime_renderers`` entry point in ``pyproject.toml``. myst-nb does not know the
   plotly mime type and would drop the figure with a ``mystnb.unknown_mime_type`` warning;
   this plugin renders it for HTML as a ``<div>`` plus ``Plotly.newPlot(...)``. plotly.js
   itself is loaded once per page from ``_static/plotly.min.js`` by the book's Sphinx
   extension (``book/_ext/splitalloc_book.py``), so no page inlines the library and no page
   needs a network. For non-HTML builders the figure is not rendered, and myst-nb's warning
   (an error under ``-W``) says so rather than dropping it silently.
"""

from __future__ import annotations

import base64
import json
import math
import warnings
from typing import Any, ClassVar, Sequence

import numpy as np
import pandas as pd
import plotly.io as pio
from plotly.io._base_renderers import MimetypeRenderer

PLOTLY_MIME = "application/vnd.plotly.v1+json"
#: Figure height used when the figure's layout does not set one.
DEFAULT_HEIGHT_PX = 480
#: Name under which :func:`setup_notebook` registers the renderer in ``plotly.io.renderers``.
RENDERER_NAME = "splitalloc"

# Notebooks pass progress=False to every long call; tqdm.auto's complaint that ipywidgets is
# missing would otherwise be stored as stderr noise in every notebook that imports it.
warnings.filterwarnings("ignore", message="IProgress not found")


def plain_json(obj: Any, digits: int = 6) -> Any:
    """Plotly JSON with base64 typed arrays decoded to lists and floats rounded to ``digits``
    significant digits; NaN and infinities become ``None`` (plotly draws a gap)."""
    if isinstance(obj, dict):
        if "bdata" in obj and "dtype" in obj:
            arr = np.frombuffer(base64.b64decode(obj["bdata"]), dtype=np.dtype(obj["dtype"]))
            if "shape" in obj:
                shape = obj["shape"]
                if isinstance(shape, str):
                    shape = [int(n) for n in shape.split(",")]
                arr = arr.reshape(shape)
            return plain_json(arr.tolist(), digits)
        return {k: plain_json(v, digits) for k, v in obj.items()}
    if isinstance(obj, list):
        return [plain_json(v, digits) for v in obj]
    if isinstance(obj, float):
        if not math.isfinite(obj):
            return None
        return float(f"{obj:.{digits}g}")
    return obj


class RoundedPlotlyRenderer(MimetypeRenderer):
    """plotly renderer: the plotly mime type only, plain rounded JSON, no trace uids."""

    def __init__(self, digits: int = 6):
        self.digits = digits

    def to_mimebundle(self, fig_dict):
        fig = json.loads(pio.to_json(fig_dict, validate=False, remove_uids=True))
        return {PLOTLY_MIME: plain_json(fig, self.digits)}


def setup_notebook(digits: int = 6) -> None:
    """Make ``splitalloc`` the default plotly renderer of this kernel (see module docstring)
    and show pandas floats rounded; call once at the top of a notebook."""
    if digits < 1:
        raise ValueError(f"setup_notebook: digits must be >= 1, got {digits}")
    pio.renderers[RENDERER_NAME] = RoundedPlotlyRenderer(digits=digits)
    pio.renderers.default = RENDERER_NAME
    pd.set_option("display.precision", 3)


def figure_html(figure: dict[str, Any], div_id: str) -> str:
    """HTML snippet that draws ``figure`` (a plotly JSON dict) with a global ``Plotly``.

    ``div_id`` is deterministic (derived from the cell and output index) so rebuilding a page
    gives the same HTML.
    """
    height = (figure.get("layout") or {}).get("height") or DEFAULT_HEIGHT_PX
    config = dict(figure.get("config") or {})
    config.setdefault("responsive", True)
    config.setdefault("displaylogo", False)
    fig = {"data": figure.get("data", []), "layout": figure.get("layout", {})}
    return pio.to_html(
        fig,
        config=config,
        include_plotlyjs=False,
        include_mathjax=False,
        full_html=False,
        div_id=div_id,
        default_height=f"{int(height)}px",
        default_width="100%",
        validate=False,
    )


class PlotlyMimeRenderer:
    """myst-nb ``MimeRenderPlugin`` for ``application/vnd.plotly.v1+json``."""

    # Prefer the plotly JSON over any text/html or text/plain fallback on HTML builders.
    mime_priority_overrides: ClassVar[Sequence[tuple[str, str, int | None]]] = (
        ("html", PLOTLY_MIME, 5),
        ("dirhtml", PLOTLY_MIME, 5),
        ("singlehtml", PLOTLY_MIME, 5),
    )

    @staticmethod
    def handle_mime(renderer, data, inline: bool):
        if inline or data.mime_type != PLOTLY_MIME:
            return None
        # docutils comes with Sphinx (the book's dependencies), not with the package
        from docutils import nodes

        figure = data.content
        if isinstance(figure, (str, bytes)):
            figure = json.loads(figure)
        div_id = f"plotly-fig-c{data.cell_index}-o{data.output_index}"
        html = figure_html(figure, div_id)
        node = nodes.raw("", html, format="html")
        node["classes"] += ["output", "plotly-figure"]
        return [node]
