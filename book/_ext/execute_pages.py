"""Execute the book's notebooks with papermill: step 2 of ``scripts/build_book.sh``.

Every page that ``book/_toc.yml`` names and that exists as ``notebooks/<page>.ipynb`` is run
with papermill into ``book/<page>.ipynb``; pages that are prose (``book/<page>.md``) are
skipped. Each notebook receives the offered parameters its ``parameters`` cell declares (today
``scale``) and no others, so a page without a ``scale`` runs on its own defaults.

    python book/_ext/execute_pages.py quick            # from the repository root
    python book/_ext/execute_pages.py paper --toc book/_toc.yml --notebooks notebooks --out book

The kernel talks to papermill over local IPC sockets, not TCP: over TCP ipykernel warns
("Kernel is running over TCP without encryption") once per notebook, on stderr, which the
build rejects. Once a notebook has run, its kernel is stopped at once: the graceful shutdown
request was answered on this machine by "[IPKernelApp] ERROR | KeyboardInterrupt caught in
kernel." after the robustness page (outputs complete; nothing a reader can act on).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import papermill as pm
from traitlets.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent))
from splitalloc_book import toc_pages  # noqa: E402  (the book extension's reading of _toc.yml)

#: The scales a book can be built at (``splitalloc.experiments.SCALES``; not imported here so
#: that a wrong argument fails before the package loads).
BOOK_SCALES = ("quick", "paper")


def notebook_pages(toc: Path, notebooks: Path) -> list[str]:
    """The pages of ``toc`` (reading order) that are notebooks in ``notebooks``."""
    return [page for page in toc_pages(toc) if page and (notebooks / f"{page}.ipynb").is_file()]


def kernel_config() -> Config:
    """papermill's kernel over IPC sockets in a fresh temporary directory (see module docstring)."""
    config = Config()
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = str(Path(tempfile.mkdtemp(prefix="splitalloc-kernel-")) / "kernel")
    return config


def execute_pages(pages: list[str], notebooks: Path, out: Path, offered: dict, *,
                  cwd: str | Path = ".", kernel_name: str = "python3") -> dict[str, dict]:
    """Run each page ``notebooks/<page>.ipynb`` into ``out/<page>.ipynb`` with the entries of
    ``offered`` that its ``parameters`` cell declares; returns ``{page: parameters used}``."""
    config = kernel_config()
    used = {}
    for page in pages:
        src, dst = notebooks / f"{page}.ipynb", out / f"{page}.ipynb"
        declared = pm.inspect_notebook(str(src))
        params = {k: v for k, v in offered.items() if k in declared}
        t = time.perf_counter()
        pm.execute_notebook(str(src), str(dst), parameters=params, kernel_name=kernel_name, cwd=str(cwd),
                            progress_bar=False, log_output=False, config=config,
                            shutdown_kernel="immediate")
        print(f"   {page}: {time.perf_counter() - t:.1f} s  {params}", flush=True)
        used[page] = params
    return used


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Execute the book's notebooks with papermill.")
    parser.add_argument("scale", choices=BOOK_SCALES, help="the scale injected into every page that declares one")
    parser.add_argument("--toc", type=Path, default=Path("book/_toc.yml"), help="Jupyter Book table of contents")
    parser.add_argument("--notebooks", type=Path, default=Path("notebooks"), help="folder of the source notebooks")
    parser.add_argument("--out", type=Path, default=Path("book"), help="folder of the executed notebooks")
    parser.add_argument("--cwd", type=Path, default=Path("."), help="working directory of the kernels")
    args = parser.parse_args(argv)
    pages = notebook_pages(args.toc, args.notebooks)
    if not pages:
        print(f"execute_pages: {args.toc} names no notebook from {args.notebooks}/", file=sys.stderr)
        return 1
    execute_pages(pages, args.notebooks, args.out, {"scale": args.scale}, cwd=args.cwd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
