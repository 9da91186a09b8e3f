"""The catalogue store on SQLite and PostgreSQL: sync semantics, priorities, persistence."""

from __future__ import annotations

import threading

from knowledge.schema import FAQ, Procedure
from knowledge.store import CatalogueStore


def proc(code: str, name: str = "Thủ tục", **extra: object) -> Procedure:
    return Procedure.model_validate({"code": code, "name": name, **extra})


def test_sync_adds_updates_skips_and_removes(database_url: str) -> None:
    store = CatalogueStore(database_url)
    counts, changes = store.sync_source(
        "a.jsonl", "portal", procedures=[proc("1.1", "Một"), proc("1.2", "Hai")]
    )
    assert (counts.added, counts.updated, counts.unchanged, counts.removed) == (2, 0, 0, 0)
    assert {c.key for c in changes} == {"1.1", "1.2"}

    counts, changes = store.sync_source(
        "a.jsonl", "portal", procedures=[proc("1.1", "Một"), proc("1.2", "Hai")]
    )
    assert (counts.added, counts.updated, counts.unchanged, counts.removed) == (0, 0, 2, 0)
    assert changes == []

    counts, changes = store.sync_source("a.jsonl", "portal", procedures=[proc("1.1", "Một (sửa)")])
    assert (counts.added, counts.updated, counts.unchanged, counts.removed) == (0, 1, 0, 1)
    assert {(c.key, c.action) for c in changes} == {("1.1", "upsert"), ("1.2", "delete")}
    assert store.get_procedure("1.1").name == "Một (sửa)"  # type: ignore[union-attr]
    assert store.get_procedure("1.2") is None
    store.close()


def test_curated_outranks_portal_and_survives_reopen(database_url: str) -> None:
    store = CatalogueStore(database_url)
    store.sync_source("portal.jsonl", "portal", procedures=[proc("1.001193", "Tên cổng")])
    store.sync_source("curated.yaml", "curated", procedures=[proc("1.001193", "Tên biên tập")])
    store.sync_source(
        "faq.yaml",
        "curated",
        faqs=[FAQ(id="f1", questions=["Hỏi?"], answer_vi="Đáp.", procedure_codes=["1.001193"])],
    )
    store.close()

    reopened = CatalogueStore(database_url)
    assert reopened.get_procedure("1.001193").name == "Tên biên tập"  # type: ignore[union-attr]
    assert [p.name for p in reopened.procedures()] == ["Tên biên tập"]
    assert reopened.counts() == {"procedures": 1, "faqs": 1, "documents": 0}
    reopened.remove_source("curated.yaml")
    assert reopened.get_procedure("1.001193").name == "Tên cổng"  # type: ignore[union-attr]
    assert [s[0] for s in reopened.sources()] == ["faq.yaml", "portal.jsonl"]
    reopened.close()


def test_concurrent_writers_lose_nothing(database_url: str) -> None:
    store = CatalogueStore(database_url)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            store.sync_source(
                f"src-{n}.yaml", "curated", procedures=[proc(f"9.{n}.{i}") for i in range(20)]
            )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert store.counts()["procedures"] == 120
    store.close()
