"""Speed, peak memory and coverage of the portal importer on the shared portal records.

    python benchmarks/import_portal.py [PATH] [--runs N]

Parses every record of PATH (default: ../shared/data/portal-procedures/procedures.jsonl.gz)
with `knowledge.importers.portal.import_portal` and prints records/s, total seconds, peak
Python heap (tracemalloc, measured on a separate run because tracing slows parsing down),
the process's peak resident memory (resource.getrusage ru_maxrss) and the coverage figures
the importer is held to: records with channel rows, records whose channels table writes an
amount vs records with a parsed amount, records whose documents table yields items, records
whose legal basis yields a document number.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import resource
import sys
import time
import tracemalloc
import unicodedata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from knowledge.importers.base import ImportResult  # noqa: E402
from knowledge.importers.portal import import_portal  # noqa: E402

DEFAULT = REPO.parent / "shared" / "data" / "portal-procedures" / "procedures.jsonl.gz"
AMOUNT_WRITTEN = re.compile(
    r"\d[\d.,]*\s*(?:/\s?[^\W\d_]+\s*)?(?:nghìn|ngàn|triệu|tỷ)?\s*"
    r"(?:Việt Nam Đồng|VNĐ|VND|vnđ|đồng|Đồng|USD)(?![^\W\d_])"
    r"|\d{1,3}(?:\.\d{3})+\s?đ(?![^\W\d_])"
)
LEGAL_NUMBER_WRITTEN = re.compile(r"\d+(?:\.\d+)?/\d{4}/[A-ZĐ]")
DOCUMENT_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"


def load_raw(path: Path) -> list[dict[str, str]]:
    opener: Any = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    return [{k: unicodedata.normalize("NFC", str(v)) for k, v in r.items()} for r in records]


def percent(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.1f}%)" if whole else "0/0"


def coverage(raw: list[dict[str, str]], result: ImportResult) -> list[str]:
    procedures = {p.code: p for p in result.procedures}
    total = len(procedures)
    with_channels = sum(1 for p in procedures.values() if p.channels)
    amount_codes = [r["ma_thu_tuc"] for r in raw if AMOUNT_WRITTEN.search(r["cach_thuc_thuc_hien"])]
    amount_parsed = sum(
        1
        for code in amount_codes
        if code in procedures and any(c.fee.amounts for c in procedures[code].channels)
    )
    doc_codes = [
        r["ma_thu_tuc"]
        for r in raw
        if DOCUMENT_HEADER in r["thanh_phan_ho_so"]
        and r["thanh_phan_ho_so"].split(DOCUMENT_HEADER, 1)[1].strip()
    ]
    docs_parsed = sum(
        1
        for code in doc_codes
        if code in procedures and any(g.items for g in procedures[code].documents)
    )
    legal_codes = [r["ma_thu_tuc"] for r in raw if LEGAL_NUMBER_WRITTEN.search(r["can_cu_phap_ly"])]
    legal_parsed = sum(
        1
        for code in legal_codes
        if code in procedures and any(ref.number for ref in procedures[code].legal_basis)
    )
    rows = [c for p in procedures.values() for c in p.channels]
    return [
        f"records with >=1 channel row: {percent(with_channels, total)}",
        f"channel rows: {len(rows)}; with a parsed amount: "
        f"{sum(1 for c in rows if c.fee.amounts)}; free: {sum(1 for c in rows if c.fee.free)}; "
        f"set locally: {sum(1 for c in rows if c.fee.set_locally)}; "
        f"valid_until: {sum(1 for c in rows if c.fee.valid_until)}",
        f"records writing an amount -> with a parsed amount: {percent(amount_parsed, len(amount_codes))}",
        f"records with a documents table -> with items: {percent(docs_parsed, len(doc_codes))}",
        f"document items: {sum(len(g.items) for p in procedures.values() for g in p.documents)}",
        f"records with legal numbers -> with a parsed number: {percent(legal_parsed, len(legal_codes))}",
        f"legal refs: {sum(len(p.legal_basis) for p in procedures.values())}",
        "online levels: "
        + ", ".join(
            f"{level} {sum(1 for p in procedures.values() if p.online_level == level)}"
            for level in ("full", "partial", "none", "unknown")
        ),
        f"errors: {result.failed}; warnings: {result.warnings}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--runs", type=int, default=3, help="timed runs (the best is reported)")
    args = parser.parse_args()
    if not args.path.exists():
        sys.exit(f"not found: {args.path} (the shared portal records live in ../shared)")

    timings: list[float] = []
    result = ImportResult(source=str(args.path), format="portal")
    for _ in range(max(1, args.runs)):
        start = time.perf_counter()
        result = import_portal(args.path)
        timings.append(time.perf_counter() - start)
    best = min(timings)
    count = len(result.procedures) + result.failed

    tracemalloc.start()
    import_portal(args.path)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    max_rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux

    print(f"source: {args.path}")
    print(
        f"records: {count}  best of {len(timings)}: {best:.2f} s  "
        f"({count / best:.0f} records/s; runs: {', '.join(f'{t:.2f}' for t in timings)} s)"
    )
    print(f"peak traced heap (tracemalloc): {traced_peak / 2**20:.1f} MiB")
    print(f"peak RSS of this process (ru_maxrss): {max_rss_kib / 1024:.1f} MiB")
    for line in coverage(load_raw(args.path), result):
        print(line)


if __name__ == "__main__":
    main()
