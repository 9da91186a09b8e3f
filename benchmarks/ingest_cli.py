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
from typing import Any

DEFAULT = (
    Path(__file__).resolve().parents[1].parent / "shared/data/portal-procedures/procedures.jsonl.gz"
)


def run_once(path: Path, data_dir: Path, *extra: str) -> tuple[float, float, dict[str, Any]]:
    command = [sys.executable, "-m", "assistant", "ingest", str(path), "--json"]
    start = time.perf_counter()
    proc = subprocess.run(
        [*command, "--data-dir", str(data_dir), *extra], capture_output=True, text=True, check=True
    )
    elapsed = time.perf_counter() - start
    # ru_maxrss of children is the maximum over all children so far: the largest run counts.
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, peak_kib / 1024, json.loads(proc.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    args = parser.parse_args()
    if not args.path.exists():
        sys.exit(f"not found: {args.path} (the shared portal records live in ../shared)")
    with tempfile.TemporaryDirectory() as tmp:
        cold, cold_mem, summary = run_once(args.path, Path(tmp) / "a", "--no-index")
        warm, _, again = run_once(args.path, Path(tmp) / "a", "--no-index")
        full, full_mem, indexed = run_once(args.path, Path(tmp) / "b")
    n = summary["procedures"]
    print(f"records: {n}  failed: {summary['failed']}  warnings: {summary['warnings']}")
    print(f"cold import: {cold:.1f} s ({n / cold:.0f} records/s), peak RSS {cold_mem:.0f} MiB")
    print(f"warm re-import (unchanged={again['unchanged']}): {warm:.1f} s")
    print(
        f"cold import + search index ({indexed['embedded']} vectors): {full:.1f} s, "
        f"peak RSS over all runs {full_mem:.0f} MiB"
    )


if __name__ == "__main__":
    main()
