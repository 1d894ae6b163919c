"""The built book as a reader sees it: every page opened in headless Chromium.

Marked ``book`` (and ``slow``): ``scripts/test.sh`` builds the quick book first and then runs
``pytest -m book``. Run alone, the fixture builds the quick book itself unless
``SPLITALLOC_BOOK_BUILT=1`` says that ``book/_build/html`` is fresh.

For every HTML page of the site, served from 127.0.0.1:

* every plotly figure has drawn its traces (``gd.data.length > 0`` and SVG trace groups),
  and the page holds as many figures as its notebook has plotly outputs (none dropped);
* math typeset by the local MathJax where the page has math;
* no console error, no page error, no failed local request;
* no request leaves the machine (every non-local request is recorded and aborted);
* the first page opens with a verdict for every claim of the paper, and every result page
  names the scale it was built with above its first figure, with its code folded away.

Screenshots land in ``artifacts/screenshots/``. Chromium is Debian's ``/usr/bin/chromium``
(``scripts/test.sh`` installs it when missing), driven by playwright's Python API.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import subprocess
import threading
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest

pytestmark = [pytest.mark.book, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "book" / "_build" / "html"
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("SPLITALLOC_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PLOTLY_MIME = "application/vnd.plotly.v1+json"


@pytest.fixture(scope="module")
def site() -> Path:
    if os.environ.get("SPLITALLOC_BOOK_BUILT") != "1":
        subprocess.run(["bash", str(ROOT / "scripts" / "build_book.sh"), "quick"], cwd=ROOT, check=True)
    if not (SITE / "index.html").is_file():
        pytest.fail(f"no built book at {SITE}; run `make book SCALE=quick`")
    return SITE


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output readable
        pass


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `apt-get install -y chromium` (scripts/test.sh does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


def _pages(site: Path) -> list[str]:
    return sorted(str(p.relative_to(site)) for p in site.glob("*.html"))


def _expected_figures(page: str) -> int:
    nb = ROOT / "book" / (Path(page).stem + ".ipynb")
    if not nb.is_file():
        return 0
    return sum(PLOTLY_MIME in out.get("data", {})
               for c in nbformat.read(nb, as_version=4).cells if c.cell_type == "code" for out in c.outputs)


def _visit(browser, url: str, shot: Path) -> dict:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    external, failed, console, errors = [], [], [], []

    def route(r):
        host = urlparse(r.request.url).hostname
        if r.request.url.startswith(("data:", "blob:", "about:")) or host in ("127.0.0.1", "localhost"):
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    ctx.route("**/*", route)
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda resp: failed.append(f"{resp.status} {resp.url}") if resp.status >= 400 else None)
    page.on("requestfailed", lambda req: None if req.url in external else failed.append(f"failed {req.url}"))
    page.goto(url, wait_until="load")
    try:  # networkidle can lag on a loaded machine; the figure check below is what counts
        page.wait_for_load_state("networkidle", timeout=10_000)
    except PlaywrightTimeout:
        pass
    try:
        page.wait_for_function("""() => Array.from(document.querySelectorAll('.plotly-graph-div'))
                                     .every(d => d._fullLayout !== undefined)""", timeout=20_000)
    except PlaywrightTimeout:
        pass  # reported below as a figure that drew no trace
    # let MathJax finish typesetting when the page loads it
    page.evaluate("() => (window.MathJax && MathJax.startup && MathJax.startup.promise) || null")
    info = page.evaluate("""() => {
        const divs = Array.from(document.querySelectorAll('.plotly-graph-div'));
        return {
          plotly: typeof window.Plotly !== 'undefined',
          figures: divs.map(d => ({id: d.id, traces: (d.data || []).length,
                                   drawn: d.querySelectorAll('.trace, .barlayer .point, .scatterlayer path, .heatmaplayer .hm').length,
                                   title: (d.layout && d.layout.title && d.layout.title.text) || ''})),
          math: document.querySelectorAll('.math').length,
          mjx: document.querySelectorAll('mjx-container').length,
        };
    }""")
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    ctx.close()
    return {**info, "external": external, "failed": failed, "console": console, "errors": errors}


def test_every_page_renders_offline_with_all_figures(site, server, browser):
    pages = _pages(site)
    assert "intro.html" in pages and len(pages) >= 3
    report, problems = {}, []
    for name in pages:
        r = _visit(browser, f"{server}/{name}", SHOTS / (Path(name).stem + ".png"))
        report[name] = {k: (len(v) if isinstance(v, list) and k != "figures" else v) for k, v in r.items()}
        want = _expected_figures(name)
        if want and not r["plotly"]:
            problems.append(f"{name}: plotly.js not loaded")
        if len(r["figures"]) != want:
            problems.append(f"{name}: {len(r['figures'])} plotly figures on the page, notebook has {want}")
        for f in r["figures"]:
            if f["traces"] == 0 or f["drawn"] == 0:
                problems.append(f"{name}: figure {f['id']} ({f['title']!r}) drew no trace")
        if r["math"] and r["mjx"] == 0:
            problems.append(f"{name}: {r['math']} math elements but MathJax typeset none")
        for key in ("external", "failed", "console", "errors"):
            for item in r[key]:
                problems.append(f"{name}: {key}: {item}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "report.json").write_text(json.dumps(report, indent=1, default=str))
    n_fig = sum(len(v["figures"]) for v in report.values())
    print(f"browser check: {len(pages)} pages, {n_fig} figures, screenshots in {SHOTS}")
    assert not problems, "\n".join(problems)
    assert n_fig >= 10, "the book should hold the figures of every paper artefact"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_jupyterlab_draws_the_stored_figures(browser, tmp_path):
    """`make lab`: JupyterLab shows a notebook's stored plotly output as an interactive figure
    (jupyterlab-plotly renders application/vnd.plotly.v1+json), with no external request."""
    import time
    import urllib.request

    port, token = _free_port(), "splitalloc-test"
    cmd = [str(ROOT / ".venv" / "bin" / "jupyter"), "lab", "--no-browser", "--allow-root",
           f"--port={port}", "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={ROOT / 'notebooks'}", f"--ServerApp.runtime_dir={tmp_path}",
           "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config")}
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start within 60 s")
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        external = []
        ctx.route("**/*", lambda r: r.continue_()
                  if urlparse(r.request.url).hostname in ("127.0.0.1", None) or r.request.url.startswith("data:")
                  else (external.append(r.request.url), r.abort()))
        page = ctx.new_page()
        page.goto(f"{base}/lab/tree/fig5_splitting.ipynb?token={token}")
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length > 0", timeout=90_000)
        traces = page.evaluate("() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(d => (d.data || []).length)")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "jupyterlab_fig5_splitting.png"))
        ctx.close()
        assert traces and all(n > 0 for n in traces), traces
        assert not external, external
    finally:
        proc.terminate()
        proc.wait(timeout=30)


#: The pages of the paper's §V artefacts: each draws the paper's reported values.
ARTEFACT_PAGES = ("fig5_splitting", "fig6_admitted", "fig7_prediction", "fig8_resource",
                  "fig9_deviation", "fig10_kaggle", "table4_utility")


def _reader_view(browser, url: str) -> dict:
    """What a reader sees at 1280 px: legend entries, code cells that overflow, the
    injected-parameters cell, provenance links to the source."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.route("**/*", lambda r: r.continue_() if urlparse(r.request.url).hostname in ("127.0.0.1", "localhost")
              else r.abort())
    page = ctx.new_page()
    page.goto(url, wait_until="load")
    try:
        page.wait_for_function("""() => Array.from(document.querySelectorAll('.plotly-graph-div'))
                                     .every(d => d._fullLayout !== undefined)""", timeout=20_000)
    except PlaywrightTimeout:
        pass
    info = page.evaluate("""() => {
        const code = Array.from(document.querySelectorAll('.cell_input pre, div.highlight pre'));
        return {
          legend: Array.from(document.querySelectorAll('.plotly-graph-div .legendtext')).map(e => e.textContent),
          overflowing: code.filter(p => p.scrollWidth > p.clientWidth + 1)
                           .map(p => p.textContent.split('\\n').sort((a, b) => b.length - a.length)[0]),
          n_code: code.length,
          injected: document.querySelectorAll('.tag_injected-parameters').length
                    + code.filter(p => /^# Parameters\\s*\\n/.test(p.textContent)).length,
          source_links: Array.from(document.querySelectorAll('.splitalloc-provenance a'))
                           .map(a => a.getAttribute('href')),
          page_scroll: document.documentElement.scrollWidth > document.documentElement.clientWidth + 1,
        };
    }""")
    ctx.close()
    return info


def _link_target_exists(site: Path, page: str, href: str) -> bool:
    path, _, anchor = href.partition("#")
    target = (site / Path(page).parent / path).resolve()
    return target.is_file() and (not anchor or f'id="{anchor}"' in target.read_text(encoding="utf-8"))


def test_reader_view_paper_traces_code_width_api_and_sources(site, server, browser):
    problems = []
    for name in ARTEFACT_PAGES:
        r = _reader_view(browser, f"{server}/{name}.html")
        if not any("paper" in t.lower() for t in r["legend"]):
            problems.append(f"{name}: no legend entry containing 'paper' (legend: {r['legend']})")
        modules = [h for h in r["source_links"] if h.startswith("_modules/")]
        if not modules:
            problems.append(f"{name}: the provenance block links to no source under _modules/")
        for href in r["source_links"]:
            if not _link_target_exists(site, f"{name}.html", href):
                problems.append(f"{name}: provenance link {href} has no target in the site")
    for name in _pages(site):
        r = _reader_view(browser, f"{server}/{name}")
        if r["injected"]:
            problems.append(f"{name}: papermill's injected-parameters cell is visible")
        for line in r["overflowing"]:
            problems.append(f"{name}: code cell scrolls horizontally at 1280 px: {line!r}")
        if r["page_scroll"]:
            problems.append(f"{name}: the page scrolls horizontally at 1280 px")
    api = SITE / "api" / "layer.html"
    assert api.is_file(), "no API page for splitalloc.layer"
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.goto(f"{server}/api/layer.html", wait_until="load")
    sig = page.locator('dt[id="splitalloc.layer.lp_solve"]')
    text = sig.inner_text() if sig.count() else ""
    source_href = page.locator('dt[id="splitalloc.layer.lp_solve"] a.reference.internal').first.get_attribute("href") \
        if sig.count() else None
    ctx.close()
    if not ("lp_solve(" in text and "return_dual" in text):
        problems.append(f"api/layer.html: lp_solve's signature not rendered ({text!r})")
    if not (source_href and _link_target_exists(site, "api/layer.html", source_href)):
        problems.append(f"api/layer.html: lp_solve has no [source] link to _modules/ ({source_href!r})")
    assert (site / "_modules" / "splitalloc" / "layer.html").is_file(), "no viewcode page for splitalloc.layer"
    assert not problems, "\n".join(problems)


#: Pages that show results at a scale: a banner names the scale, and the reader sees the
#: results before any code (the code is folded behind "Show code cell source").
RESULT_PAGES = (*ARTEFACT_PAGES, "paper_vs_ours", "robustness", "parameters")
FRONT_PAGE = "intro"


def _built_scale(page: str) -> str:
    """The ``scale`` a page of the built book ran with: papermill's injected value in
    ``book/<page>.ipynb`` when there is one, else the notebook's default (a page the book took
    from ``notebooks/`` with its stored outputs)."""
    import ast

    nb = nbformat.read(ROOT / "book" / f"{page}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    injected = [c for c in code if "injected-parameters" in c.metadata.get("tags", [])]
    cell = injected[0] if injected else next(c for c in code if "parameters" in c.metadata.get("tags", []))
    for node in ast.parse(cell.source).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "scale":
            return ast.literal_eval(node.value)
    raise AssertionError(f"{page}: no scale among its parameters")


def _page_order(browser, url: str) -> dict:
    """In document order: the first plotly figure, the first code input a reader sees
    (folded inputs are not visible), the run banner; and the front page's verdict table."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.route("**/*", lambda r: r.continue_() if urlparse(r.request.url).hostname in ("127.0.0.1", "localhost")
              else r.abort())
    page = ctx.new_page()
    page.goto(url, wait_until="load")
    info = page.evaluate("""() => {
        const nodes = Array.from(document.querySelectorAll('.plotly-graph-div, .cell_input, .cell_output'));
        const seen = e => e.checkVisibility();
        const first = pred => nodes.findIndex(pred);
        const isBanner = e => e.classList.contains('cell_output') && /^Scale: /.test(e.innerText.trim());
        const banner = nodes.find(isBanner);
        return {
          figure: first(e => e.classList.contains('plotly-graph-div')),
          code: first(e => e.classList.contains('cell_input') && seen(e)),
          banner_at: first(isBanner),
          banner: banner ? banner.innerText.trim() : null,
          folded: nodes.filter(e => e.classList.contains('cell_input') && !seen(e)).length,
          verdicts: Array.from(document.querySelectorAll('#T_verdict_summary tbody tr'))
                         .map(r => ({claim: r.cells[0].innerText.trim(), verdict: r.cells[1].innerText.trim(),
                                     ours: r.cells[5].innerText.trim()})),
        };
    }""")
    ctx.close()
    return info


def test_front_page_opens_with_the_verdict_of_every_claim(site, server, browser):
    """The first page shows, before its prose and before any code, every claim of the paper
    (per dataset: the headline rows of ``splitalloc.experiments.judge.headline``) with a verdict
    class of ``splitalloc.experiments.judge.VERDICTS`` and the dataset it was judged on; its
    banner names the scale the book was built with."""
    from splitalloc.experiments.judge import VERDICTS
    from splitalloc.plots.comparison import CLAIM_SHORT

    r = _page_order(browser, f"{server}/{FRONT_PAGE}.html")
    assert list(dict.fromkeys(v["claim"] for v in r["verdicts"])) == list(CLAIM_SHORT.values()), r["verdicts"]
    for row in r["verdicts"]:
        assert row["verdict"] in VERDICTS, row
        assert row["ours"], row
    assert r["code"] == -1, "the front page shows code unfolded"
    assert r["banner"] and r["banner"].startswith(f"Scale: {_built_scale(FRONT_PAGE)} — "), r["banner"]


def test_result_pages_show_the_scale_and_a_figure_before_any_code(site, server, browser):
    """Every result page: the banner names the scale the page was built with (the injected
    value; ``paper`` in a paper-scale book) and comes before the first figure; the first
    figure comes before any code a reader sees (code cells are folded)."""
    problems = []
    for name in RESULT_PAGES:
        r = _page_order(browser, f"{server}/{name}.html")
        scale = _built_scale(name)
        if not (r["banner"] and r["banner"].startswith(f"Scale: {scale} — ")):
            problems.append(f"{name}: banner {r['banner']!r} does not name the built scale {scale!r}")
        if r["figure"] < 0:
            problems.append(f"{name}: no plotly figure")
        elif not (0 <= r["banner_at"] < r["figure"]):
            problems.append(f"{name}: the banner is not above the first figure")
        if 0 <= r["code"] < r["figure"]:
            problems.append(f"{name}: a code cell is shown before the first figure")
        if r["folded"] == 0:
            problems.append(f"{name}: no folded code cell (hide-input not rendered?)")
    assert not problems, "\n".join(problems)
