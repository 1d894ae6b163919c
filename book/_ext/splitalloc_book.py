"""Sphinx extension for the splitalloc book: offline plotly.js and MathJax.

Nothing here is fetched from a network. Both libraries come from Python packages that are
pinned in ``constraints.txt`` and installed in the project venv:

* ``plotly.min.js`` from the installed ``plotly`` package (``plotly/package_data``), copied
  once into ``_build/html/_static/`` and loaded once per page with ``add_js_file``. Figures are
  drawn by :mod:`splitalloc.bookdisplay` (a myst-nb mime renderer) as a ``<div>`` plus a
  ``Plotly.newPlot`` call that uses this single copy: no megabytes of plotly.js per page.
* MathJax 3 (CommonHTML output, TeX input and its on-demand extensions, fonts) from the
  ``sphinx-mathjax-offline`` package. ``mathjax_path`` in ``_config.yml`` points at it. We copy
  only what TeX -> CHTML needs (about 2.5 MB), not the speech-rule engine or SVG fonts.

The copies are made at ``build-finished`` so ``jupyter-book build book`` works verbatim from a
clean checkout; a missing package is a build error that names the package to install.
"""

from __future__ import annotations

import shutil
from importlib import metadata
from pathlib import Path

# MathJax files needed for TeX input and CommonHTML output (paths relative to .../mathjax/).
_MATHJAX_PARTS = (
    "tex-chtml.js",
    "input",
    "output/chtml",
    "output/chtml.js",
    "ui",
    "a11y/assistive-mml.js",
    "adaptors",
)


def plotly_js_path() -> Path:
    """Path of ``plotly.min.js`` inside the installed plotly package."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise FileNotFoundError(
            f"plotly.min.js not found at {path}; the installed plotly package is incomplete. "
            "Reinstall it with `pip install -c constraints.txt plotly`."
        )
    return path


def mathjax_dir() -> Path:
    """Folder of the MathJax 3 distribution shipped by ``sphinx-mathjax-offline``."""
    try:
        dist = metadata.distribution("sphinx-mathjax-offline")
    except metadata.PackageNotFoundError:
        raise ModuleNotFoundError(
            "The book renders math offline with MathJax from the 'sphinx-mathjax-offline' "
            "package, which is not installed. Run `make venv` (or "
            "`pip install -c constraints.txt sphinx-mathjax-offline`)."
        ) from None
    path = Path(dist.locate_file("sphinx-mathjax-offline/static/mathjax"))
    if not (path / "tex-chtml.js").is_file():
        raise FileNotFoundError(f"MathJax files missing under {path}; reinstall sphinx-mathjax-offline.")
    return path


def _copy_assets(app, exc) -> None:
    if exc is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    shutil.copy2(plotly_js_path(), static / "plotly.min.js")
    src = mathjax_dir()
    dst = static / "mathjax"
    for part in _MATHJAX_PARTS:
        s, d = src / part, dst / part
        if s.is_dir():
            shutil.copytree(s, d, dirs_exist_ok=True)
        else:
            d.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(s, d)


def _check_assets(app) -> None:
    # Fail early (before the long build) when either library is missing.
    plotly_js_path()
    mathjax_dir()


def _toc_files(node):
    if isinstance(node, dict):
        if "file" in node:
            yield node["file"]
        for v in node.values():
            yield from _toc_files(v)
    elif isinstance(node, list):
        for v in node:
            yield from _toc_files(v)


def toc_pages(toc_path: Path) -> list[str]:
    """Every page named in a Jupyter Book ``_toc.yml``, root first, in reading order.

    Used by this extension and by ``scripts/build_book.sh`` (which pages to execute).
    """
    import yaml

    toc = yaml.safe_load(Path(toc_path).read_text())
    return [toc.get("root", ""), *_toc_files(toc.get("parts", toc.get("chapters", [])))]


def _fallback_pages(app) -> None:
    """Make a bare ``jupyter-book build book`` work on a fresh clone.

    ``scripts/build_book.sh`` (``make book``) executes every notebook with papermill into
    ``book/``. When a page listed in ``_toc.yml`` has not been executed yet, copy the notebook
    from ``notebooks/`` with its stored outputs (the quick scale; its provenance block says
    so) instead of leaving a hole in the book. Executed pages are never overwritten.
    """
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    book = Path(app.srcdir)
    toc_path = book / "_toc.yml"
    if not toc_path.is_file():
        return
    for page in toc_pages(toc_path):
        target, stored = book / f"{page}.ipynb", book.parent / "notebooks" / f"{page}.ipynb"
        if page and stored.is_file() and not target.exists() and not (book / f"{page}.md").exists():
            shutil.copy2(stored, target)
            logger.info(f"[splitalloc] {target.name} was not executed (run `make book`): "
                        f"using the outputs stored in notebooks/{stored.name}")


#: Tag papermill puts on the cell it injects with the values a page was run with.
INJECTED_TAG = "injected-parameters"


def hide_injected_parameters(notebook: Path) -> bool:
    """Tag papermill's injected ``# Parameters`` cell of ``notebook`` ``remove-cell`` so that
    myst-nb leaves it out of the page. The cell stays in the executed notebook (the values
    are also listed in the page's provenance block). Returns True when the file changed."""
    import json

    nb = json.loads(notebook.read_text(encoding="utf-8"))
    changed = False
    for cell in nb.get("cells", []):
        tags = cell.setdefault("metadata", {}).setdefault("tags", [])
        if INJECTED_TAG in tags and "remove-cell" not in tags:
            tags.append("remove-cell")
            changed = True
    if changed:
        notebook.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return changed


def _hide_injected_parameters(app) -> None:
    book = Path(app.srcdir)
    toc_path = book / "_toc.yml"
    if not toc_path.is_file():
        return
    for page in toc_pages(toc_path):
        notebook = book / f"{page}.ipynb"
        if page and notebook.is_file():
            hide_injected_parameters(notebook)


def _dedupe_scripts(app, pagename, templatename, context, doctree) -> None:
    """Drop repeated ``<script>`` entries. sphinx-thebe 0.3.1 registers its inline config
    (``const THEBE_JS_URL = ...``) once per environment read, and a second copy is a
    JavaScript error ("Identifier 'THEBE_JS_URL' has already been declared") on every page."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for js in scripts:
        attrs = getattr(js, "attributes", {}) or {}
        key = (getattr(js, "filename", str(js)) or "", tuple(sorted((k, str(v)) for k, v in attrs.items())))
        if key in seen:
            continue
        seen.add(key)
        kept.append(js)
    scripts[:] = kept  # in place: other handlers may still append to this list


def setup(app):
    app.add_js_file("plotly.min.js", priority=200)
    app.connect("builder-inited", _check_assets)
    app.connect("builder-inited", _fallback_pages)
    app.connect("builder-inited", _hide_injected_parameters)  # after the fallback copies
    app.connect("html-page-context", _dedupe_scripts, priority=900)  # after the themes
    app.connect("build-finished", _copy_assets)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
