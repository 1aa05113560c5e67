#!/usr/bin/env python
"""Execute chapter notebooks and measure their wall time and the kernel's peak memory.

Usage (from the repository root or from notebooks/)::

    .venv/bin/python tools/measure_notebook.py notebooks/01_introduction.ipynb [more.ipynb ...]
        [--cold] [--json results.json] [--timeout 600]

Each notebook runs in a fresh kernel with ``notebooks/`` as working directory, exactly as the
book build and nbval run it. ``--cold`` points ``EMBEDCOURSE_CACHE`` at an empty temporary
folder, so nothing cached by an earlier run helps (the figure the budgets are set against).
Peak memory is the kernel's maximum resident set size, read from ``getrusage`` after it exits
(and cross-checked by polling the process tree with psutil every 50 ms).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient


def _poll_peak(pid_holder: dict, stop: threading.Event, out: dict) -> None:
    peak = 0
    while not stop.is_set():
        pid = pid_holder.get("pid")
        if pid:
            try:
                proc = psutil.Process(pid)
                rss = proc.memory_info().rss + sum(
                    c.memory_info().rss for c in proc.children(recursive=True)
                )
                peak = max(peak, rss)
            except psutil.Error:
                pass
        stop.wait(0.05)
    out["polled_peak"] = peak


def measure(path: Path, timeout: int = 600, cold: bool = False) -> dict:
    nb = nbformat.read(path, as_version=4)
    env_backup = os.environ.get("EMBEDCOURSE_CACHE")
    tmp = None
    if cold:
        tmp = tempfile.TemporaryDirectory(prefix="embedcourse-cold-")
        os.environ["EMBEDCOURSE_CACHE"] = tmp.name
    os.environ.setdefault("PLOTLY_RENDERER", "notebook")
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3",
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    holder: dict = {}
    cell_times: list[tuple[float, int]] = []
    cell_rss: list[tuple[int, int]] = []  # kernel RSS after each cell
    stop = threading.Event()
    polled: dict = {}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    error = None
    try:
        with client.setup_kernel():
            km = client.km
            holder["pid"] = km.provisioner.process.pid if km.provisioner else None
            thread = threading.Thread(target=_poll_peak, args=(holder, stop, polled), daemon=True)
            thread.start()
            for index, cell in enumerate(nb.cells):
                start = time.perf_counter()
                client.execute_cell(cell, index)
                cell_times.append((time.perf_counter() - start, index))
                try:
                    cell_rss.append((psutil.Process(holder["pid"]).memory_info().rss, index))
                except (psutil.Error, KeyError, TypeError, ValueError):
                    pass
    except Exception as exc:  # report, don't hide
        error = f"{type(exc).__name__}: {str(exc)[:2000]}"
    finally:
        stop.set()
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if tmp is not None:
        tmp.cleanup()
        if env_backup is None:
            os.environ.pop("EMBEDCOURSE_CACHE", None)
        else:
            os.environ["EMBEDCOURSE_CACHE"] = env_backup
    peak_mb = max(after if after > before else 0, polled.get("polled_peak", 0) / 1024) / 1024
    return {
        "notebook": path.name,
        "wall_s": round(wall, 1),
        "peak_rss_mb": round(peak_mb, 0),
        "cold": cold,
        "cores": os.cpu_count(),
        "slowest_cells": [
            {"cell": i, "seconds": round(t, 1)} for t, i in sorted(cell_times, reverse=True)[:3]
        ],
        "largest_rss_after_cell": [
            {"cell": i, "mb": round(r / 2**20)} for r, i in sorted(cell_rss, reverse=True)[:3]
        ],
        "error": error,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--cold", action="store_true", help="use an empty cache folder")
    parser.add_argument("--timeout", type=int, default=600, help="per-cell timeout in seconds")
    parser.add_argument("--json", type=Path, help="write the results to this JSON file")
    args = parser.parse_args(argv)
    results = []
    for nb_path in args.notebooks:
        if not nb_path.exists() and (Path("notebooks") / nb_path).exists():
            nb_path = Path("notebooks") / nb_path
        if len(args.notebooks) > 1:
            # one process per notebook: getrusage(RUSAGE_CHILDREN) then sees only this kernel
            with tempfile.TemporaryDirectory() as tmpdir:
                out = Path(tmpdir) / "result.json"
                cmd = [sys.executable, __file__, str(nb_path), "--timeout", str(args.timeout),
                       "--json", str(out)] + (["--cold"] if args.cold else [])
                subprocess.run(cmd, stdout=subprocess.DEVNULL)
                res = json.loads(out.read_text())[0]
        else:
            res = measure(nb_path, timeout=args.timeout, cold=args.cold)
        results.append(res)
        status = "OK" if res["error"] is None else f"FAILED {res['error']}"
        slow = ", ".join(f"cell {c['cell']} {c['seconds']} s" for c in res["slowest_cells"])
        print(f"{res['notebook']}: {res['wall_s']} s wall, peak {res['peak_rss_mb']:.0f} MB RSS"
              f"{' (cold cache)' if args.cold else ''} - {status} (slowest: {slow})", flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))
    return 0 if all(r["error"] is None for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
