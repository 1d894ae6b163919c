"""Page provenance for the book (in the spirit of showyourwork!): what produced this page.

Every generated book page ends with a small block that states

* the parameters the page ran with (the notebook's ``parameters`` cell after papermill's
  injection),
* the package version and the git commit of the working tree (with a flag for uncommitted
  changes),
* the sha256 of each data file the page's results depend on,
* the page's wall time,
* the package functions that computed and drew the page, each linked to its highlighted
  source (the book's ``_modules/`` pages written by ``sphinx.ext.viewcode``) and to its entry
  in the API reference (``api/``), and
* the one command that regenerates exactly that page.

Usage in a notebook (no science, only bookkeeping)::

    from splitalloc import provenance
    prov = provenance.start("fig5_splitting", {"scale": scale, "seeds": seeds})
    ...                                   # compute, plot
    prov.add_frames(df)                   # files recorded in df.attrs["files"], if any
    prov.add_datasets(["geant"])          # files read by the dataset loaders
    prov.add_code(experiments.fig5_splitting, plots.fig5_splitting_figure)
    prov.finish()                         # displays the block (HTML + plain text)

This module imports nothing above :mod:`splitalloc.config` at import time; the dataset
loaders are imported only when :meth:`PageProvenance.add_datasets` is called.
"""

from __future__ import annotations

import hashlib
import html
import json
import shlex
import subprocess
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping

from . import __version__

#: Repository root (src/splitalloc/provenance.py -> ../../).
REPO_ROOT = Path(__file__).resolve().parents[2]


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file; a missing file raises ``FileNotFoundError`` naming it."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"provenance: cannot hash {path}: no such file")
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def git_commit(repo: str | Path = REPO_ROOT) -> tuple[str, bool]:
    """``(commit, dirty)`` of the git work tree at ``repo``; ``("unknown", False)`` outside git.

    ``dirty`` is True when tracked files differ from the commit (untracked files and the
    papermill outputs under ``book/`` do not count).
    """
    try:
        commit = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "HEAD"],
            capture_output=True, text=True, check=True, timeout=10,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, check=True, timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown", False
    return commit, bool(status.strip())


def regenerate_command(page: str, parameters: Mapping[str, Any]) -> str:
    """The one shell command that re-executes ``notebooks/<page>.ipynb`` into ``book/`` with
    exactly ``parameters`` and rebuilds the book (run from the repository root)."""
    if not page or "/" in page or page.endswith(".ipynb"):
        raise ValueError(f"provenance: page must be a bare notebook name like 'fig5_splitting', got {page!r}")
    params = json.dumps(dict(parameters), sort_keys=True, default=_jsonable)
    return (
        f".venv/bin/papermill notebooks/{page}.ipynb book/{page}.ipynb "
        f"-y {shlex.quote(params)} && .venv/bin/jupyter-book build book"
    )


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    if isinstance(obj, Path):
        return str(obj)
    try:  # numpy scalars
        return obj.item()
    except AttributeError:
        return str(obj)


def _display_path(path: str | Path) -> str:
    """Path relative to the repo or the data directory, so pages do not leak local paths."""
    p = Path(path).resolve()
    from .config import data_dir_from_env

    for root, label in ((data_dir_from_env(), "$SPLITALLOC_DATA_DIR"), (REPO_ROOT, ".")):
        if root is None:
            continue
        try:
            return f"{label}/{p.relative_to(root)}"
        except ValueError:
            continue
    return p.name


@dataclass(frozen=True)
class CodeReference:
    """A package function (or class) that a page used, as the book links to it.

    ``module`` is where it is defined (``splitalloc.experiments.splitting``), ``public`` the
    name readers import it by (``splitalloc.experiments.fig5_splitting``: the API reference
    documents re-exported names under their package).
    """

    module: str
    qualname: str
    public: str

    @classmethod
    def of(cls, obj: Any) -> "CodeReference":
        module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
        if not (module and qualname) or not module.startswith("splitalloc."):
            raise ValueError(f"provenance: {obj!r} is not a function or class of the splitalloc package")
        api_module = ".".join(module.split(".")[:2])  # splitalloc.<module>: one API page each
        return cls(module, qualname, f"{api_module}.{qualname}")

    def source_href(self, root: str = "") -> str:
        """Link to the highlighted source (sphinx.ext.viewcode), relative to a top-level page."""
        return f"{root}_modules/{self.module.replace('.', '/')}.html#{self.qualname}"

    def api_href(self, root: str = "") -> str:
        """Link to the entry in the book's API reference (book/api/<module>.md)."""
        page = self.public.split(".")[1]
        return f"{root}api/{page}.html#{self.public}"


@dataclass
class PageProvenance:
    """Provenance of one book page; create with :func:`start`, show with :meth:`finish`."""

    page: str
    parameters: dict[str, Any]
    started: float = field(default_factory=time.perf_counter)
    started_utc: str = field(default_factory=lambda: datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"))
    files: dict[str, str] = field(default_factory=dict)
    code: list[CodeReference] = field(default_factory=list)
    wall_seconds: float | None = None

    def add_files(self, files: Mapping[str, str] | Iterable[str | Path]) -> "PageProvenance":
        """Record data files: a ``{path: sha256}`` mapping, or paths to hash here."""
        if isinstance(files, Mapping):
            for path, digest in files.items():
                if not (isinstance(digest, str) and len(digest) == 64):
                    raise ValueError(f"provenance: sha256 of {path} must be 64 hex characters, got {digest!r}")
                self.files[_display_path(path)] = digest
        else:
            for path in files:
                self.files[_display_path(path)] = sha256_file(path)
        return self

    def add_frames(self, *frames: Any) -> "PageProvenance":
        """Record the files listed in each frame's ``attrs["files"]`` (as the data loaders set)."""
        for frame in frames:
            attrs = getattr(frame, "attrs", None) or {}
            if attrs.get("files"):
                self.add_files(attrs["files"])
        return self

    def add_datasets(self, datasets: Iterable[str], *, topology: bool = True) -> "PageProvenance":
        """Record the files the dataset loaders read for ``datasets`` (``"geant"``, ``"kaggle"``)
        and, with ``topology``, the GEANT topology file used to build the network."""
        from . import data  # imported lazily: provenance sits beside config in the module order

        for name in datasets:
            self.add_frames(data.service_arrivals(name))
        if topology:
            topo = data.load_geant_topology()
            self.add_files([topo.source_file])
        return self

    def add_code(self, *objects: Any) -> "PageProvenance":
        """Record the package functions or classes that computed and drew this page; the
        block links each to its source and its API entry."""
        for obj in objects:
            ref = CodeReference.of(obj)
            if ref not in self.code:
                self.code.append(ref)
        return self

    def finish(self, *, display: bool = True) -> None:
        """Stop the clock and (in a notebook) display the provenance block."""
        self.wall_seconds = time.perf_counter() - self.started
        if display:
            try:
                from IPython.display import display as _display

                _display(self)
            except ImportError:  # pragma: no cover - outside IPython
                print(self._repr_markdown_())

    # ------------------------------------------------------------------ rendering
    def as_dict(self) -> dict[str, Any]:
        commit, dirty = git_commit()
        return {
            "page": self.page,
            "parameters": self.parameters,
            "package": f"splitalloc {__version__}",
            "commit": commit + (" (with uncommitted changes)" if dirty else ""),
            "started": self.started_utc,
            "wall_time_s": None if self.wall_seconds is None else round(self.wall_seconds, 1),
            "data_files": dict(sorted(self.files.items())),
            "code": [ref.public for ref in self.code],
            "command": regenerate_command(self.page, self.parameters),
        }

    def _repr_html_(self) -> str:
        d = self.as_dict()
        e = html.escape
        params = ", ".join(f"<code>{e(k)}={e(json.dumps(v, default=_jsonable))}</code>" for k, v in d["parameters"].items())
        files = "".join(
            f"<li><code>{e(p)}</code><br><small>sha256 <code>{e(h)}</code></small></li>"
            for p, h in d["data_files"].items()
        ) or "<li>none (this page reads no data file)</li>"
        wall = "not finished" if d["wall_time_s"] is None else f"{d['wall_time_s']} s"
        code = "".join(
            f'<li><a class="splitalloc-source" href="{e(ref.source_href())}"><code>{e(ref.public)}</code></a>'
            f' (<a href="{e(ref.api_href())}">API</a>)</li>'
            for ref in self.code
        )
        code_item = f"<li>Computed and drawn by:<ul>{code}</ul></li>" if code else ""
        return (
            '<div class="splitalloc-provenance" style="font-size:0.85em;border-top:1px solid #ccc;'
            'margin-top:2em;padding-top:0.5em">'
            "<p><strong>Provenance of this page</strong></p><ul>"
            f"<li>Parameters: {params}</li>"
            f"<li>Package: <code>{e(d['package'])}</code>, git commit <code>{e(d['commit'])}</code></li>"
            f"<li>Executed: {e(d['started'])}, wall time {e(wall)}</li>"
            f"<li>Data files read:<ul>{files}</ul></li>"
            f"{code_item}"
            f"<li>Regenerate exactly this page:<br><code>{e(d['command'])}</code></li>"
            "</ul></div>"
        )

    def _repr_markdown_(self) -> str:
        d = self.as_dict()
        lines = ["**Provenance of this page**", ""]
        lines.append("- Parameters: " + ", ".join(f"`{k}={json.dumps(v, default=_jsonable)}`" for k, v in d["parameters"].items()))
        lines.append(f"- Package: `{d['package']}`, git commit `{d['commit']}`")
        lines.append(f"- Executed: {d['started']}, wall time {d['wall_time_s']} s")
        lines.append("- Data files read:" + ("" if d["data_files"] else " none"))
        lines += [f"  - `{p}` sha256 `{h}`" for p, h in d["data_files"].items()]
        if d["code"]:
            lines.append("- Computed and drawn by: " + ", ".join(f"`{name}`" for name in d["code"]))
        lines.append(f"- Regenerate exactly this page: `{d['command']}`")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self._repr_markdown_()


def start(page: str, parameters: Mapping[str, Any]) -> PageProvenance:
    """Start recording provenance for book page ``page`` run with ``parameters``."""
    regenerate_command(page, parameters)  # validates the page name early
    return PageProvenance(page=page, parameters=dict(parameters))
