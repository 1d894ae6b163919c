"""myst-nb mime renderer for plotly figures in the book (a build plugin, no science).

Notebooks store each plotly figure as ``application/vnd.plotly.v1+json`` (plotly's
``plotly_mimetype`` renderer), which JupyterLab draws interactively with the bundled
``jupyterlab-plotly`` extension. myst-nb does not know this mime type and would drop the
figure with a ``mystnb.unknown_mime_type`` warning. This plugin, registered through the
``myst_nb.mime_renderers`` entry point in ``pyproject.toml``, renders it for HTML as a
``<div>`` and a ``Plotly.newPlot(...)`` call. plotly.js itself is loaded once per page from
``_static/plotly.min.js`` by the book's Sphinx extension (``book/_ext/splitalloc_book.py``),
so no page inlines the library and no page needs a network.

For builders other than HTML the figure is not rendered (it falls through to myst-nb's
warning, which ``-W`` turns into an error) rather than being dropped silently.
"""

from __future__ import annotations

from typing import Any, ClassVar, Sequence

PLOTLY_MIME = "application/vnd.plotly.v1+json"
#: Figure height used when the figure's layout does not set one.
DEFAULT_HEIGHT_PX = 480


def figure_html(figure: dict[str, Any], div_id: str) -> str:
    """HTML snippet that draws ``figure`` (a plotly JSON dict) with a global ``Plotly``.

    ``div_id`` is deterministic (derived from the cell and output index) so rebuilding a page
    gives the same HTML.
    """
    import plotly.io as pio

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
        from docutils import nodes

        figure = data.content
        if isinstance(figure, str):
            import json

            figure = json.loads(figure)
        div_id = f"plotly-fig-c{data.cell_index}-o{data.output_index}"
        html = figure_html(figure, div_id)
        node = nodes.raw("", html, format="html")
        node["classes"] += ["output", "plotly-figure"]
        return [node]
