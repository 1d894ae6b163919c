"""Fast checks of the book machinery: provenance, the plotly renderer and myst-nb plugin, the
book configuration, and the stored notebooks (structure and outputs). The full build and the
browser check are in test_browser.py (marker ``book``)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest
import yaml

from splitalloc import bookdisplay, provenance

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
FIGURE_PAGES = {"fig5_splitting", "fig6_admitted", "fig7_prediction", "fig8_resource",
                "fig9_deviation", "fig10_kaggle", "table4_utility", "paper_vs_ours"}
#: Pages that show results at a scale: their code is folded away and a banner names the scale
#: and seeds above the first figure. The book's first page (``intro``) is one of them.
RESULT_PAGES = FIGURE_PAGES | {"robustness", "parameters", "intro", "calibration"}
ROOT_PAGE = yaml.safe_load((ROOT / "book" / "_toc.yml").read_text())["root"]


def _load(path: Path):
    """A module loaded from its file (``book/_ext`` and ``scripts/`` are not packages), with
    ``book/_ext`` on ``sys.path`` while it loads (for the book extension's sibling imports)."""
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    try:
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.pop(0)
    return module


def _ext(name: str):
    return _load(ROOT / "book" / "_ext" / f"{name}.py")


def _script(name: str):
    return _load(ROOT / "scripts" / f"{name}.py")


# --------------------------------------------------------------------------- provenance
def test_sha256_file_matches_hashlib(tmp_path):
    f = tmp_path / "x.bin"
    f.write_bytes(b"split inference" * 1000)
    assert provenance.sha256_file(f) == hashlib.sha256(f.read_bytes()).hexdigest()


def test_sha256_file_missing_names_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        provenance.sha256_file(tmp_path / "nope.csv")


def test_regenerate_command_is_exact_and_validated():
    cmd = provenance.regenerate_command("fig9_deviation", {"scale": "quick", "seeds": [0, 1]})
    assert cmd.startswith(".venv/bin/papermill notebooks/fig9_deviation.ipynb book/fig9_deviation.ipynb")
    assert '"seeds": [0, 1]' in cmd and '"scale": "quick"' in cmd
    assert cmd.endswith("jupyter-book build book")
    for bad in ("", "notebooks/fig5", "fig5.ipynb"):
        with pytest.raises(ValueError, match="bare notebook name"):
            provenance.regenerate_command(bad, {})


def test_page_provenance_records_files_params_and_wall_time(tmp_path):
    f = tmp_path / "data.csv"
    f.write_text("a,b\n1,2\n")
    frame = pd.DataFrame({"a": [1]})
    frame.attrs["files"] = {str(tmp_path / "other.xml"): "ab" * 32}
    prov = provenance.start("fig5_splitting", {"scale": "quick", "seeds": (0, 1)})
    prov.add_files([f]).add_frames(frame, pd.DataFrame())
    assert prov.wall_seconds is None
    prov.finish(display=False)
    assert prov.wall_seconds is not None and prov.wall_seconds >= 0
    d = prov.as_dict()
    assert d["parameters"] == {"scale": "quick", "seeds": (0, 1)}
    assert hashlib.sha256(f.read_bytes()).hexdigest() in d["data_files"].values()
    assert "ab" * 32 in d["data_files"].values()
    assert d["package"].startswith("splitalloc ")
    html = prov._repr_html_()
    for needle in ("Provenance of this page", "scale=", "sha256", "papermill notebooks/fig5_splitting.ipynb",
                   "wall time"):
        assert needle in html
    assert "ab" * 32 in prov._repr_markdown_()


def test_page_provenance_rejects_bad_digest():
    prov = provenance.start("method", {})
    with pytest.raises(ValueError, match="64 hex"):
        prov.add_files({"a.csv": "123"})


def test_git_commit_reports_the_checkout():
    commit, dirty = provenance.git_commit()
    assert commit == "unknown" or len(commit) == 40
    assert isinstance(dirty, bool)


# --------------------------------------------------------------------------- plotly display
def test_plain_json_decodes_binary_arrays_and_rounds():
    fig = go.Figure(go.Scatter(x=np.arange(3), y=np.array([0.1, np.nan, 1 / 3])))
    raw = json.loads(pio.to_json(fig))
    assert "bdata" in json.dumps(raw)  # plotly >= 6 stores numpy arrays as base64
    plain = bookdisplay.plain_json(raw, digits=4)
    assert plain["data"][0]["x"] == [0, 1, 2]
    assert plain["data"][0]["y"] == [0.1, None, 0.3333]


def test_renderer_emits_plotly_mimetype_only_without_uids():
    bookdisplay.setup_notebook()
    assert pio.renderers.default == bookdisplay.RENDERER_NAME
    fig = go.Figure(go.Bar(x=["a", "b"], y=np.array([1.23456789, 2.0]), uid="random-uid"))
    bundle = pio.renderers[bookdisplay.RENDERER_NAME].to_mimebundle(fig.to_dict())
    assert list(bundle) == [bookdisplay.PLOTLY_MIME]
    text = json.dumps(bundle)
    assert "random-uid" not in text and "bdata" not in text
    assert bundle[bookdisplay.PLOTLY_MIME]["data"][0]["y"] == [1.23457, 2.0]


def test_setup_notebook_rejects_bad_digits():
    with pytest.raises(ValueError, match="digits"):
        bookdisplay.setup_notebook(digits=0)


class _Data:
    def __init__(self, mime_type, content):
        self.mime_type, self.content = mime_type, content
        self.cell_index, self.output_index = 3, 1


def test_myst_nb_plugin_renders_plotly_json_as_html_div():
    fig = {"data": [{"type": "scatter", "x": [1, 2], "y": [3, 4]}], "layout": {"title": {"text": "t</script>"}}}
    nodes = bookdisplay.PlotlyMimeRenderer.handle_mime(None, _Data(bookdisplay.PLOTLY_MIME, fig), False)
    assert len(nodes) == 1 and nodes[0]["format"] == "html"
    html = nodes[0].astext()
    assert 'id="plotly-fig-c3-o1"' in html and "Plotly.newPlot" in html
    assert "</script>\"" not in html  # closing tags inside JSON are escaped
    assert "cdn.plot.ly" not in html and len(html) < 20_000  # plotly.js is not inlined
    # other mime types and inline rendering are left to myst-nb
    assert bookdisplay.PlotlyMimeRenderer.handle_mime(None, _Data("text/plain", "x"), False) is None
    assert bookdisplay.PlotlyMimeRenderer.handle_mime(None, _Data(bookdisplay.PLOTLY_MIME, fig), True) is None


def test_plugin_is_registered_for_myst_nb():
    eps = entry_points().select(group="myst_nb.mime_renderers")
    assert any(ep.value == "splitalloc.bookdisplay:PlotlyMimeRenderer" for ep in eps)


# --------------------------------------------------------------------------- configuration
def test_book_config_is_the_top_level_one_and_offline():
    link = ROOT / "book" / "_config.yml"
    assert link.is_symlink() and link.resolve() == (ROOT / "_config.yml").resolve()
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert cfg["execute"]["execute_notebooks"] == "off"
    sphinx_cfg = cfg["sphinx"]["config"]
    assert not sphinx_cfg["mathjax_path"].startswith(("http:", "https:", "//"))
    assert "mystnb.unknown_mime_type" not in sphinx_cfg.get("suppress_warnings", [])
    assert "splitalloc_book" in cfg["sphinx"]["local_extensions"]


def test_offline_assets_exist_in_the_venv():
    ext = _ext("splitalloc_book")
    assert ext.plotly_js_path().stat().st_size > 1_000_000
    assert (ext.mathjax_dir() / "tex-chtml.js").is_file()


def _toc_files():
    toc = yaml.safe_load((ROOT / "book" / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc["parts"]:
        files += [c["file"] for c in part["chapters"]]
    return files


def test_every_notebook_is_in_the_toc_and_every_toc_page_exists():
    files = _toc_files()
    assert len(files) == len(set(files))
    for nb in NOTEBOOKS:
        assert nb.stem in files, f"{nb.name} is not listed in book/_toc.yml"
    for f in files:
        assert (ROOT / "notebooks" / f"{f}.ipynb").is_file() or (ROOT / "book" / f"{f}.md").is_file(), f


# --------------------------------------------------------------------------- notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_structure_and_stored_outputs(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, path.name
    first = code[0]
    assert "parameters" in first.metadata.get("tags", []), f"{path.name}: first code cell must be tagged parameters"
    if path.stem in FIGURE_PAGES:
        assert 'scale = "quick"' in first.source and "seeds = None" in first.source
    assert "provenance.start(" in "".join(c.source for c in code), f"{path.name} records no provenance"
    last = code[-1]
    assert "prov.finish()" in last.source and "nbval-ignore-output" in last.metadata.get("tags", [])
    n_figures = 0
    for c in code:
        assert c.execution_count is not None, f"{path.name}: stored without outputs (run scripts/store_notebook_outputs.sh)"
        for out in c.outputs:
            assert out.output_type != "error", f"{path.name}: stored error {out.get('ename')}"
            if out.output_type == "stream":
                assert out.name == "stdout" or "Warning" not in out.text, f"{path.name}: warning stored: {out.text[:200]}"
            data = out.get("data", {})
            if bookdisplay.PLOTLY_MIME in data:
                n_figures += 1
                text = json.dumps(data[bookdisplay.PLOTLY_MIME])
                assert "bdata" not in text, f"{path.name}: binary plotly arrays (renderer not set up)"
                layout = data[bookdisplay.PLOTLY_MIME]["layout"]
                assert layout.get("title"), f"{path.name}: a figure without title"
            assert "text/html" not in data or "plotly.js" not in data["text/html"][:5000], \
                f"{path.name}: plotly.js inlined in an output"
    if path.stem != ROOT_PAGE:  # the first page opens with the verdict table
        assert n_figures >= 1, f"{path.name}: no interactive plotly figure stored"


@pytest.mark.parametrize("name", sorted(RESULT_PAGES))
def test_result_pages_fold_their_code_and_name_their_scale_first(name):
    """A reader sees the banner (scale and seeds, from the injected parameters) and the
    results before any code: the parameters cell is removed from the page, every other code
    cell is folded (``hide-input``) or removed, and the banner cell comes before any figure."""
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    tags = [set(c.metadata.get("tags", [])) for c in code]
    assert {"parameters", "remove-input"} <= tags[0], name
    for c, t in zip(code[1:], tags[1:]):
        assert t & {"hide-input", "remove-input"}, f"{name}: code shown unfolded: {c.source[:60]!r}"
    banner = next(i for i, c in enumerate(code) if "plots.run_banner(" in c.source)
    assert "remove-input" in tags[banner] and banner == 2, name
    assert "Scale: **quick**" in code[banner].outputs[0]["data"]["text/markdown"]
    first_figure = min((i for i, c in enumerate(code) for o in c.outputs
                        if bookdisplay.PLOTLY_MIME in o.get("data", {})), default=len(code))
    assert banner < first_figure


def test_build_script_rejects_an_unknown_scale():
    r = subprocess.run(["bash", str(ROOT / "scripts" / "build_book.sh"), "huge"], capture_output=True, text=True)
    assert r.returncode == 2 and "SCALE must be 'quick' or 'paper', got 'huge'" in r.stderr


# --------------------------------------------------------------------------- reader's view
def test_provenance_links_each_function_to_its_source_and_api_entry():
    from splitalloc import experiments, plots

    prov = provenance.start("fig5_splitting", {"scale": "quick"})
    prov.add_code(experiments.fig5_splitting, plots.fig5_splitting_figure, plots.fig5_splitting_figure)
    assert [r.public for r in prov.code] == ["splitalloc.experiments.fig5_splitting",
                                             "splitalloc.plots.fig5_splitting_figure"]
    ref = prov.code[0]
    module_file = ref.module.replace(".", "/")
    assert ref.source_href() == f"_modules/{module_file}.html#fig5_splitting"
    assert (ROOT / "src" / f"{module_file}.py").is_file() or (ROOT / "src" / module_file / "__init__.py").is_file()
    assert ref.api_href() == "api/experiments.html#splitalloc.experiments.fig5_splitting"
    html = prov._repr_html_()
    assert 'href="_modules/splitalloc/plots/results.html#fig5_splitting_figure"' in html
    assert 'href="api/plots.html#splitalloc.plots.fig5_splitting_figure"' in html
    with pytest.raises(ValueError, match="not a function or class of the splitalloc package"):
        prov.add_code(np.mean)


def test_every_package_module_has_an_api_page_in_the_toc():
    toc = (ROOT / "book" / "_toc.yml").read_text()
    for page in sorted((ROOT / "book" / "api").glob("*.md")):
        assert f"file: api/{page.stem}" in toc, page.name
        if page.stem != "index":
            assert f".. automodule:: splitalloc.{page.stem}" in page.read_text(), page.name
    modules = {p.stem for p in (ROOT / "src" / "splitalloc").glob("*.py")} | {
        p.name for p in (ROOT / "src" / "splitalloc").iterdir() if (p / "__init__.py").is_file()}
    internal = {"__init__", "__main__", "bookdisplay", "cli"} | {m for m in modules if m.startswith("_")}
    missing = sorted(modules - internal - {p.stem for p in (ROOT / "book" / "api").glob("*.md")})
    assert not missing, f"modules without an API page: {missing}"
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert {"sphinx.ext.autodoc", "sphinx.ext.napoleon", "sphinx.ext.viewcode"} <= set(
        cfg["sphinx"]["extra_extensions"])


def test_injected_parameters_cell_is_removed_from_the_page_but_kept(tmp_path):
    ext = _ext("splitalloc_book")
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("scale = 'quick'", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("# Parameters\nscale = 'paper'", metadata={"tags": ["injected-parameters"]}),
    ])
    path = tmp_path / "page.ipynb"
    nbformat.write(nb, path)
    assert ext.hide_injected_parameters(path) is True
    cells = nbformat.read(path, as_version=4).cells
    assert len(cells) == 2 and "remove-cell" in cells[1].metadata.tags
    assert "remove-cell" not in cells[0].metadata.tags
    assert ext.hide_injected_parameters(path) is False  # idempotent


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_code_lines_fit_the_page(path):
    nb = nbformat.read(path, as_version=4)
    long = [(i, line) for i, c in enumerate(nb.cells) if c.cell_type == "code"
            for line in c.source.splitlines() if len(line) > 88]
    assert not long, f"{path.name}: code lines over 88 characters: {long}"


def test_output_check_flags_lines_outside_the_allowlist(tmp_path):
    check = _script("check_output")
    patterns = check.read_allowlist(ROOT / "scripts" / "book_output_allowlist.txt")
    progress = "runs:   0%|          | 0/147 [00:00<?, ?run/s]\rruns:  50%|#    | 73/147 [00:30<00:30]\n"
    assert check.unexpected_lines(progress, patterns) == []
    tcp = ("[IPKernelApp] WARNING | Kernel is running over TCP without encryption. All "
           "communication (including code and outputs) is sent in plain text")
    sphinx = "\x1b[91m/work/main/book/x.md:3: WARNING: Inline literal start-string without end-string.\x1b[39;49;00m"
    bad = check.unexpected_lines(progress + tcp + "\n" + sphinx + "\n" + tcp + "\n", patterns)
    assert bad == [tcp, "/work/main/book/x.md:3: WARNING: Inline literal start-string without end-string."]
    log = tmp_path / "stderr.log"
    log.write_text(progress)
    assert check.main(["check_output.py", str(log), str(ROOT / "scripts" / "book_output_allowlist.txt")]) == 0
    log.write_text(progress + tcp + "\n")
    assert check.main(["check_output.py", str(log), str(ROOT / "scripts" / "book_output_allowlist.txt")]) == 1


def _tiny_book(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A table of contents with a prose root, a prose chapter, a notebook that declares
    ``scale`` and prints the run banner, and a notebook that declares no ``scale``."""
    book, notebooks = tmp_path / "book", tmp_path / "notebooks"
    book.mkdir()
    notebooks.mkdir()
    (book / "intro.md").write_text("# intro\n")
    (book / "prose.md").write_text("# prose\n")
    toc = book / "_toc.yml"
    toc.write_text("format: jb-book\nroot: intro\nparts:\n  - caption: c\n    chapters:\n"
                   "      - file: scaled\n      - file: prose\n      - file: unscaled\n")
    cell, tags = nbformat.v4.new_code_cell, {"tags": ["parameters"]}
    kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    nbformat.write(nbformat.v4.new_notebook(metadata=kernel, cells=[
        cell('scale = "quick"\nseeds = None', metadata=tags),
        cell("from splitalloc import plots\nprint(f'scale={scale}')\n"
             "plots.run_banner(scale, seeds, artefacts=['fig5'])"),
    ]), notebooks / "scaled.ipynb")
    nbformat.write(nbformat.v4.new_notebook(metadata=kernel, cells=[cell("seed = 0", metadata=tags),
                                                                    cell("print(seed)")]),
                   notebooks / "unscaled.ipynb")
    return toc, notebooks, tmp_path / "out"


def test_execute_pages_injects_the_scale_and_skips_prose(tmp_path):
    """The papermill step of the build, run for real on a tiny book at the paper scale: the
    injected ``scale`` reaches the page (its banner names "paper"), a page that declares no
    ``scale`` gets none, prose pages are not executed, and nothing reaches stderr that the
    build's allowlist rejects (e.g. ipykernel's TCP warning)."""
    toc, notebooks, out = _tiny_book(tmp_path)
    out.mkdir()
    ext = _ext("execute_pages")
    assert ext.notebook_pages(toc, notebooks) == ["scaled", "unscaled"]
    r = subprocess.run([sys.executable, str(ROOT / "book" / "_ext" / "execute_pages.py"), "paper",
                        "--toc", str(toc), "--notebooks", str(notebooks), "--out", str(out),
                        "--cwd", str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in out.iterdir()) == ["scaled.ipynb", "unscaled.ipynb"]
    scaled = nbformat.read(out / "scaled.ipynb", as_version=4)
    injected = [c for c in scaled.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and 'scale = "paper"' in injected[0].source
    outputs = scaled.cells[-1].outputs
    assert outputs[0].text == "scale=paper\n"
    banner = outputs[1].data["text/markdown"]
    assert banner.startswith("Scale: **paper** — ") and "quick" not in banner
    unscaled = nbformat.read(out / "unscaled.ipynb", as_version=4)
    assert not any("injected-parameters" in c.metadata.get("tags", []) for c in unscaled.cells)
    assert unscaled.cells[-1].outputs[0].text == "0\n"
    check = _script("check_output")
    patterns = check.read_allowlist(ROOT / "scripts" / "book_output_allowlist.txt")
    assert check.unexpected_lines(r.stderr, patterns) == []
    assert "scaled:" in r.stdout and "{'scale': 'paper'}" in r.stdout


def test_execute_pages_rejects_a_toc_without_notebooks_and_an_unknown_scale(tmp_path, capsys):
    toc, notebooks, out = _tiny_book(tmp_path)
    ext = _ext("execute_pages")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert ext.main(["quick", "--toc", str(toc), "--notebooks", str(empty), "--out", str(out)]) == 1
    assert "names no notebook" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        ext.main(["huge", "--toc", str(toc)])
    cfg = ext.kernel_config()
    assert cfg.KernelManager.transport == "ipc"
