"""Retrieval evaluation: dev questions, the corpus under test, metrics and the systems compared.

Everything here is plain functions over plain data so the metrics can be checked on
hand-made rankings. The CLI (`evals.cli`) wires them together:

1. resolve the corpus (shared portal file, bundled starter corpus, or any ingestable path);
2. build — or reuse — a store and search index for it in a cache folder keyed by the
   source content and the embedding model;
3. rank every question with each system and score hit@1, hit@5 and MRR per query style.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.route import COMPETING_MARGIN
from knowledge.corpus import bundled_corpus_path
from knowledge.ingest import discover, ingest
from knowledge.search.embeddings import embedding_spec
from knowledge.search.index import FORMAT_VERSION, SearchIndex
from knowledge.search.searcher import Route, Searcher
from knowledge.store import CatalogueStore

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = Path(__file__).resolve().parent / "data"
DEV_QUESTIONS = DATA_DIR / "retrieval_dev.jsonl"
# Written from records picked across the corpus before the dev-set misses were looked at;
# a check that search changes generalise beyond the dev questions (see evals/README.md).
HOLDOUT_QUESTIONS = DATA_DIR / "retrieval_holdout.jsonl"
QUESTION_SETS: dict[str, Path] = {"dev": DEV_QUESTIONS, "holdout": HOLDOUT_QUESTIONS}
OFFTOPIC_QUESTIONS = DATA_DIR / "retrieval_dev_offtopic.jsonl"
DEFAULT_CACHE_DIR = Path(__file__).resolve().parent / "cache"
SHARED_CORPUS = REPO_ROOT.parent / "shared" / "data" / "portal-procedures" / "procedures.jsonl.gz"

STYLES: tuple[str, ...] = ("vi_accented", "vi_unaccented", "en", "slang", "abbrev")
OVERALL = "overall"
DEPTH = 10  # ranks kept per query; MRR is MRR@10
CACHE_FORMAT = 1  # bump when the cached store layout or the importers' output changes
READY_FILE = "ready.json"


class EvalError(ValueError):
    """A problem with the request (missing corpus, unreadable questions…)."""


# -- questions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    id: str
    query: str
    style: str
    expected: tuple[str, ...]
    aspect: str = "general"
    topic: str = ""


def resolve_questions(spec: str | Path | None) -> Path:
    """A question file: a named set (`dev`, `holdout`), a path, or the dev set by default."""
    if spec is None:
        return DEV_QUESTIONS
    named = QUESTION_SETS.get(str(spec))
    if named is not None and not Path(spec).exists():
        return named
    return Path(spec).expanduser()


def parse_question(data: dict[str, Any]) -> Question:
    return Question(
        id=str(data["id"]),
        query=str(data["query"]),
        style=str(data.get("style", "")),
        expected=tuple(str(c) for c in data.get("expected", [])),
        aspect=str(data.get("aspect", "general")),
        topic=str(data.get("topic", "")),
    )


def load_questions(path: Path) -> list[Question]:
    """One question per non-empty line of a JSONL file."""
    if not path.exists():
        raise EvalError(f"Không tìm thấy / not found: {path}")
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            questions.append(parse_question(json.loads(line)))
        except (ValueError, KeyError, TypeError) as exc:
            raise EvalError(f"{path}:{number}: not a question ({exc})") from exc
    return questions


def filter_by_corpus(questions: Iterable[Question], codes: set[str]) -> list[Question]:
    """Questions that at least one of their expected procedures in `codes` can answer."""
    return [q for q in questions if any(code in codes for code in q.expected)]


# -- metrics --------------------------------------------------------------------------------


def distinct(codes: Iterable[str]) -> list[str]:
    """The codes in first-seen order, repeats dropped (chunks of one procedure count once)."""
    return list(dict.fromkeys(codes))


def first_hit_rank(ranking: Sequence[str], expected: Iterable[str]) -> int | None:
    """1-based rank of the first expected code in the ranking (repeats ignored), or None."""
    wanted = set(expected)
    for rank, code in enumerate(distinct(ranking), start=1):
        if code in wanted:
            return rank
    return None


def hit_at(ranking: Sequence[str], expected: Iterable[str], k: int) -> bool:
    rank = first_hit_rank(ranking, expected)
    return rank is not None and rank <= k


def reciprocal_rank(ranking: Sequence[str], expected: Iterable[str], depth: int = DEPTH) -> float:
    rank = first_hit_rank(ranking, expected)
    return 1.0 / rank if rank is not None and rank <= depth else 0.0


@dataclass
class StyleMetrics:
    n: int = 0
    hit1: float = 0.0
    hit5: float = 0.0
    mrr: float = 0.0


@dataclass(frozen=True)
class Ranked:
    question: Question
    ranking: tuple[str, ...]


def aggregate(ranked: Sequence[Ranked]) -> StyleMetrics:
    n = len(ranked)
    if n == 0:
        return StyleMetrics()
    return StyleMetrics(
        n=n,
        hit1=sum(hit_at(r.ranking, r.question.expected, 1) for r in ranked) / n,
        hit5=sum(hit_at(r.ranking, r.question.expected, 5) for r in ranked) / n,
        mrr=sum(reciprocal_rank(r.ranking, r.question.expected) for r in ranked) / n,
    )


def metrics_by_style(ranked: Sequence[Ranked]) -> dict[str, StyleMetrics]:
    """Metrics for each style in STYLES order (others after them), then `overall`."""
    groups: dict[str, list[Ranked]] = defaultdict(list)
    for r in ranked:
        groups[r.question.style].append(r)
    order = [s for s in STYLES if s in groups] + sorted(s for s in groups if s not in STYLES)
    result = {style: aggregate(groups[style]) for style in order}
    result[OVERALL] = aggregate(ranked)
    return result


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# -- aspects --------------------------------------------------------------------------------


@dataclass
class AspectReport:
    n: int
    accuracy: float
    per_label: dict[str, dict[str, float]]  # label -> {"n", "accuracy"}
    confusions: list[dict[str, Any]]  # {"label", "detected", "count"}, most frequent first


def aspect_report(pairs: Sequence[tuple[str, str]]) -> AspectReport:
    """Exact-match accuracy of detected aspects against (label, detected) pairs."""
    by_label: dict[str, list[bool]] = defaultdict(list)
    confusions: Counter[tuple[str, str]] = Counter()
    for label, detected in pairs:
        by_label[label].append(label == detected)
        if label != detected:
            confusions[(label, detected)] += 1
    correct = sum(label == detected for label, detected in pairs)
    return AspectReport(
        n=len(pairs),
        accuracy=correct / len(pairs) if pairs else 0.0,
        per_label={
            label: {"n": len(hits), "accuracy": sum(hits) / len(hits)}
            for label, hits in sorted(by_label.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        },
        confusions=[
            {"label": label, "detected": detected, "count": count}
            for (label, detected), count in sorted(
                confusions.items(), key=lambda kv: (-kv[1], kv[0])
            )
        ],
    )


# -- the corpus under test ------------------------------------------------------------------


@dataclass(frozen=True)
class CorpusSource:
    label: str  # "shared", "starter" or the path's name
    paths: tuple[Path, ...]
    files: tuple[Path, ...]

    @property
    def filters_questions(self) -> bool:
        """The dev set was written against the shared corpus; any other gets filtered."""
        return self.label != "shared"


def resolve_corpus(spec: str, shared_path: Path | None = None) -> CorpusSource:
    """`shared`, `starter` or a path `assistant ingest` accepts."""
    if spec == "shared":
        shared_path = shared_path or SHARED_CORPUS
        if not shared_path.exists():
            raise EvalError(
                f"Không tìm thấy dữ liệu cổng dịch vụ công / shared portal data not found at "
                f"{shared_path} (expected ../shared beside the repository)"
            )
        paths: tuple[Path, ...] = (shared_path.resolve(),)
        label = "shared"
    elif spec == "starter":
        paths = (bundled_corpus_path(),)
        label = "starter"
    else:
        path = Path(spec).expanduser()
        if not path.exists():
            raise EvalError(f"Không tìm thấy / not found: {spec}")
        paths = (path.resolve(),)
        label = re.sub(r"[^A-Za-z0-9_-]+", "-", path.resolve().name).strip("-") or "corpus"
    files, _ = discover(paths)
    if not files:
        raise EvalError(f"no importable files under {spec}")
    return CorpusSource(label, paths, tuple(files))


def corpus_key(source: CorpusSource, embedding: str) -> str:
    """Cache folder name: the label plus a hash of the sources' content and the model.

    The search index's own format version is not part of the key: a new version rebuilds
    the lexical index in place (vectors are reused by their text hashes), and the slow
    naive-RAG collection in the same folder survives it.
    """
    digest = hashlib.sha256()
    digest.update(f"cache={CACHE_FORMAT};emb={embedding}\n".encode())
    for file in sorted(source.files):
        digest.update(f"{file}\n".encode())
        with file.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return f"{source.label}-{digest.hexdigest()[:16]}"


@dataclass
class EvalCorpus:
    directory: Path
    store: CatalogueStore
    index: SearchIndex
    embedded: int  # dense vectors computed by this run (0 when the cache was reused)
    reused: bool
    procedures: int

    def close(self) -> None:
        self.store.close()


def read_marker(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def open_corpus(
    source: CorpusSource, cache_root: Path, embeddings: Any, *, embedding_name: str | None = None
) -> EvalCorpus:
    """Build (first run) or reopen (later runs) the store and index for a corpus."""
    name = embedding_name or embedding_spec(embeddings)
    directory = cache_root / corpus_key(source, name)
    directory.mkdir(parents=True, exist_ok=True)
    store = CatalogueStore(f"sqlite:///{(directory / 'store.sqlite3').as_posix()}")
    try:
        index = SearchIndex(directory / "index", embeddings)
        ready = directory / READY_FILE
        marker = {"cache": CACHE_FORMAT, "index_format": FORMAT_VERSION, "embedding": name}
        reused = read_marker(ready) == marker and not index.is_empty
        embedded = 0
        if not reused:
            # The real incremental path: unchanged records cost nothing, and vectors whose
            # text did not change are kept.
            summary = ingest(store, list(source.paths))
            embedded = index.update(store, summary.changes)
            ready.write_text(json.dumps(marker), encoding="utf-8")
    except Exception:
        store.close()
        raise
    return EvalCorpus(directory, store, index, embedded, reused, len(index.lexical))


# -- systems --------------------------------------------------------------------------------

Ranker = Callable[[str], list[str]]

BM25_ROUTE = Route(lexical=1.0, dense=0.0)
DENSE_ROUTE = Route(lexical=0.0, dense=1.0)


def searcher_systems(searcher: Searcher) -> dict[str, Ranker]:
    """Our hybrid search, the same as served (no embedding when the lexical evidence decides;
    only its best answer is used there), and the two single-signal ablations."""
    return {
        "hybrid": lambda q: searcher.ranked_codes(q, DEPTH),
        "served": lambda q: searcher.ranked_codes(q, DEPTH, skip_dense_margin=COMPETING_MARGIN),
        "bm25": lambda q: searcher.ranked_codes(q, DEPTH, route=BM25_ROUTE, rerank=False),
        "dense": lambda q: searcher.ranked_codes(q, DEPTH, route=DENSE_ROUTE, rerank=False),
    }


def rank_all(ranker: Ranker, questions: Sequence[Question]) -> list[Ranked]:
    return [Ranked(q, tuple(distinct(ranker(q.query))[:DEPTH])) for q in questions]


@dataclass
class HybridExtras:
    offtopic_n: int
    offtopic_nothing_relevant: float  # share of off-topic questions refused (higher is better)
    false_nothing_relevant: float  # share of dev questions refused (lower is better)
    latency_ms_p50: float
    latency_ms_p95: float
    aspects: AspectReport


def hybrid_extras(
    searcher: Searcher, questions: Sequence[Question], offtopic: Sequence[Question]
) -> HybridExtras:
    """Refusals, warm latency and aspect detection of the full `Searcher.search` pipeline."""
    latencies: list[float] = []
    refused = 0
    for question in questions:
        start = time.perf_counter()
        response = searcher.search(question.query)
        latencies.append((time.perf_counter() - start) * 1000)
        refused += response.nothing_relevant
    warm = latencies[1:] if len(latencies) > 1 else latencies
    offtopic_refused = sum(searcher.search(q.query).nothing_relevant for q in offtopic)
    pairs = [(q.aspect, searcher.prepare(q.query).aspect) for q in questions]
    return HybridExtras(
        offtopic_n=len(offtopic),
        offtopic_nothing_relevant=offtopic_refused / len(offtopic) if offtopic else 0.0,
        false_nothing_relevant=refused / len(questions) if questions else 0.0,
        latency_ms_p50=round(percentile(warm, 50), 1),
        latency_ms_p95=round(percentile(warm, 95), 1),
        aspects=aspect_report(pairs),
    )


@dataclass
class Miss:
    id: str
    query: str
    style: str
    expected: list[dict[str, str]]  # {"code", "name"}
    got: list[dict[str, str]]  # top results, {"code", "name"}


def hybrid_misses(ranked: Sequence[Ranked], names: dict[str, str], *, show: int = 3) -> list[Miss]:
    """Questions whose first hybrid result is not an expected procedure."""
    misses = []
    for r in ranked:
        if hit_at(r.ranking, r.question.expected, 1):
            continue
        misses.append(
            Miss(
                id=r.question.id,
                query=r.question.query,
                style=r.question.style,
                expected=[{"code": c, "name": names.get(c, "")} for c in r.question.expected],
                got=[{"code": c, "name": names.get(c, "")} for c in r.ranking[:show]],
            )
        )
    return misses


@dataclass
class EvalResult:
    corpus: dict[str, Any]
    settings: dict[str, Any]
    questions: dict[str, int]
    systems: dict[str, dict[str, StyleMetrics]]
    hybrid: HybridExtras | None = None
    misses: list[Miss] = field(default_factory=list)
    timings_s: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for system in data["systems"].values():
            for metrics in system.values():
                for key in ("hit1", "hit5", "mrr"):
                    metrics[key] = round(metrics[key], 4)
        return data
