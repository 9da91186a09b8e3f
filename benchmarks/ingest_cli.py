"""Time and peak memory of `assistant ingest` on the shared portal records (a real process).

    python benchmarks/ingest_cli.py [PATH] [--runs N]

Runs, each as a separate `python -m assistant ingest --json` process: a cold import into a
fresh data dir without the search index (`--no-index`), a warm re-import (nothing changed),
and a cold import that also builds the search index; reports wall time and the child's peak
resident memory (ru_maxrss).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT = (
    Path(__file__).resolve().parents[1].parent / "shared/data/portal-procedures/procedures.jsonl.gz"
)


def run_once(path: Path, data_dir: Path) -> tuple[float, float, dict[str, object]]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "assistant",
            "ingest",
            str(path),
            "--json",
            "--data-dir",
            str(data_dir),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the max over all children so far; runs are ordered cold→warm.
    return elapsed, max(peak_kib, before) / 1024, json.loads(proc.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    args = parser.parse_args()
    if not args.path.exists():
        sys.exit(f"not found: {args.path} (the shared portal records live in ../shared)")
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        cold, cold_mem, summary = run_once(args.path, data_dir)
        warm, _, again = run_once(args.path, data_dir)
    print(
        f"records: {summary['procedures']}  failed: {summary['failed']}  warnings: {summary['warnings']}"
    )
    print(
        f"cold ingest: {cold:.1f} s  ({summary['procedures'] / cold:.0f} records/s), peak RSS {cold_mem:.0f} MiB"
    )
    print(f"warm re-ingest (unchanged={again['unchanged']}): {warm:.1f} s")


if __name__ == "__main__":
    main()
