"""Checks a curated corpus beyond schema validity: what `assistant corpus validate` runs.

A starter corpus is what the assistant answers from by default, so each procedure must carry
what a citizen needs (aliases they type, an English summary, channels with times and fees,
documents, legal basis, a source link) and its fee fields must agree with each other.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from knowledge.importers.base import ImportResult
from knowledge.schema import FAQ, Procedure

MIN_PROCEDURES = 60
MIN_FAQS = 30


@dataclass(frozen=True)
class Finding:
    record: str
    message: str
    severity: str = "error"  # "error" | "warning"


def check_procedure(p: Procedure) -> list[Finding]:
    found: list[Finding] = []

    def need(condition: bool, message: str) -> None:
        if not condition:
            found.append(Finding(p.code, message))

    need(bool(p.aliases), "no aliases (the everyday names citizens type)")
    need(bool(p.summary_en.strip()), "no summary_en")
    need(bool(p.channels), "no channels (how to file, time, fee)")
    need(bool(p.documents) and any(g.items for g in p.documents), "no documents")
    need(bool(p.legal_basis), "no legal_basis")
    need(all(ref.number for ref in p.legal_basis), "a legal_basis entry has no number")
    need(p.source_url.startswith("http"), "no source_url")
    need(bool(p.levels), "no levels")
    need(bool(p.steps), "no steps")
    need(bool(p.result), "no result")
    need(p.record_date is not None, "no record_date")
    for channel in p.channels:
        fee = channel.fee
        where = f"{channel.channel} fee"
        if fee.free and fee.amount_vnd:
            found.append(Finding(p.code, f"{where}: free but amount_vnd={fee.amount_vnd}"))
        if fee.amount_vnd is not None and fee.amounts:
            listed = {a.amount_vnd for a in fee.amounts}
            if fee.amount_vnd not in listed:
                found.append(Finding(p.code, f"{where}: amount_vnd not among amounts"))
        if fee.amount_vnd is None and not fee.free and not fee.set_locally and not fee.amount_text:
            found.append(Finding(p.code, f"{where}: no amount, not free, not set locally"))
        if channel.processing_time.value is None and not channel.processing_time.raw:
            found.append(Finding(p.code, f"{channel.channel}: no processing time", "warning"))
    kinds = Counter(c.channel for c in p.channels)
    for kind, n in kinds.items():
        if n > 1:
            found.append(Finding(p.code, f"channel {kind} listed {n} times", "warning"))
    return found


def check_faq(faq: FAQ, codes: set[str]) -> list[Finding]:
    found: list[Finding] = []
    for code in faq.procedure_codes:
        if code not in codes:
            found.append(Finding(faq.id, f"links to unknown procedure {code}"))
    if not faq.answer_en:
        found.append(Finding(faq.id, "no answer_en", "warning"))
    if len(faq.questions) < 2:
        found.append(Finding(faq.id, "only one question variant", "warning"))
    return found


def check_corpus(results: list[ImportResult], *, starter: bool = True) -> list[Finding]:
    """All findings for a corpus; `starter` adds the starter-corpus size minimums."""
    found: list[Finding] = []
    procedures = [p for r in results for p in r.procedures]
    faqs = [f for r in results for f in r.faqs]
    for r in results:
        for problem in r.problems:
            found.append(Finding(f"{r.source}: {problem.record}", problem.reason, problem.severity))
    for code, n in Counter(p.code for p in procedures).items():
        if n > 1:
            found.append(Finding(code, f"procedure code defined {n} times"))
    for faq_id, n in Counter(f.id for f in faqs).items():
        if n > 1:
            found.append(Finding(faq_id, f"FAQ id defined {n} times"))
    codes = {p.code for p in procedures}
    for p in procedures:
        found.extend(check_procedure(p))
    for faq in faqs:
        found.extend(check_faq(faq, codes))
    if starter and len(codes) < MIN_PROCEDURES:
        found.append(
            Finding("corpus", f"{len(codes)} procedures; a starter corpus needs ≥ {MIN_PROCEDURES}")
        )
    if starter and len(faqs) < MIN_FAQS:
        found.append(Finding("corpus", f"{len(faqs)} FAQs; a starter corpus needs ≥ {MIN_FAQS}"))
    return found
