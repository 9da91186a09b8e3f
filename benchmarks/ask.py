"""Warm latency of a grounded `ask` (the whole pipeline, SQLite conversation writes included).

    python benchmarks/ask.py [--corpus starter|shared] [--rounds N] [--questions FILE]

Builds (or reuses, from `assistant eval`'s cache) the catalogue and search index, then
sends every question of the facts set as a new user plus one follow-up ("phí bao nhiêu?")
per user, through `Assistant.reply` in grounded mode: one warm-up pass, then N timed rounds
(the query-embedding cache is emptied before each round).
Prints p50/p95/max per reply and peak RSS as JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.dialogue import ConversationStore  # noqa: E402
from assistant.service import Assistant, Message  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from evals.answers import FACTS  # noqa: E402
from evals.retrieval import DEFAULT_CACHE_DIR, open_corpus, percentile, resolve_corpus  # noqa: E402
from knowledge.search.embeddings import load_embeddings  # noqa: E402
from knowledge.search.searcher import Searcher  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--corpus", default="starter")
    parser.add_argument("--questions", type=Path, default=FACTS)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.questions.open(encoding="utf-8") if line.strip()]
    questions = [row.get("question") or row["query"] for row in rows]
    settings = Settings(answer_mode="grounded")
    built = open_corpus(
        resolve_corpus(args.corpus),
        DEFAULT_CACHE_DIR,
        load_embeddings(settings.embedding, threads=settings.embedding_threads),
    )
    with tempfile.TemporaryDirectory() as tmp:
        conversations = ConversationStore(
            f"sqlite:///{Path(tmp) / 'conversations.sqlite3'}", ttl=dt.timedelta(hours=1)
        )
        assistant = Assistant(
            Searcher(built.index, built.store), built.store, conversations, settings
        )

        def one_pass(timings: list[float] | None) -> None:
            for question in questions:
                user = uuid.uuid4().hex
                for text in (question, "phí bao nhiêu?"):
                    start = time.perf_counter()
                    assistant.reply(Message(channel="bench", user=user, text=text))
                    if timings is not None:
                        timings.append((time.perf_counter() - start) * 1000)

        one_pass(None)  # warm-up: models, caches, SQLite pages
        timings: list[float] = []
        for _ in range(args.rounds):
            # Every question is embedded afresh each round; only repeats within a round
            # (the follow-up "phí bao nhiêu?") come from the query-embedding cache.
            assistant.searcher.index.vectors.clear_query_cache()
            one_pass(timings)
        conversations.close()
    built.close()
    print(
        json.dumps(
            {
                "corpus": args.corpus,
                "replies": len(timings),
                "p50_ms": round(percentile(timings, 50), 1),
                "p95_ms": round(percentile(timings, 95), 1),
                "max_ms": round(max(timings), 1),
                "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
