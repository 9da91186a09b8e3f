"""Render an evaluation result: aligned text tables, a Markdown report and a bar chart (PNG).

matplotlib is imported lazily (Agg backend) so the eval runs without it unless a report
with a chart is asked for.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evals.retrieval import OVERALL, REPO_ROOT, STYLES

METRICS: tuple[tuple[str, str], ...] = (("hit1", "hit@1"), ("hit5", "hit@5"), ("mrr", "MRR@10"))
MAX_MISSES = 80
NAME_CHARS = 110  # procedure names in the misses table (some run to 500 characters)


def columns(systems: dict[str, dict[str, Any]]) -> list[str]:
    """Styles present in any system, in STYLES order, then `overall`."""
    seen = {style for metrics in systems.values() for style in metrics}
    extra = sorted(s for s in seen if s not in STYLES and s != OVERALL)
    return [s for s in STYLES if s in seen] + extra + ([OVERALL] if OVERALL in seen else [])


def metric_rows(
    systems: dict[str, dict[str, Any]], metric: str
) -> tuple[list[str], list[list[str]]]:
    """Header and rows of one metric's table: one row per system, one column per style."""
    cols = columns(systems)
    first = next(iter(systems.values()), {})
    header = ["system"] + [f"{c} (n={first.get(c, {}).get('n', 0)})" for c in cols]
    rows = []
    for name, metrics in systems.items():
        cells = [f"{metrics[c][metric]:.3f}" if c in metrics else "–" for c in cols]
        rows.append([name, *cells])
    return header, rows


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(cell).ljust(w) for cell, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)))
    return "\n".join(line.rstrip() for line in lines)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    separator = "|" + "|".join("---" for _ in header) + "|"
    return "\n".join([line(header), separator, *(line(r) for r in rows)])


def hybrid_lines(hybrid: dict[str, Any]) -> list[str]:
    aspects = hybrid["aspects"]
    return [
        f"off-topic refused (nothing relevant): {hybrid['offtopic_nothing_relevant']:.3f} "
        f"(n={hybrid['offtopic_n']})",
        f"dev questions wrongly refused: {hybrid['false_nothing_relevant']:.3f}",
        f"warm latency of search: p50 {hybrid['latency_ms_p50']:.1f} ms, "
        f"p95 {hybrid['latency_ms_p95']:.1f} ms",
        f"aspect detection, exact match: {aspects['accuracy']:.3f} (n={aspects['n']})",
    ]


def text_report(result: dict[str, Any]) -> str:
    """What the CLI prints: one systems × styles table per metric and the hybrid's extras."""
    corpus = result["corpus"]
    questions = result["questions"]
    parts = [
        f"Corpus: {corpus['label']} ({corpus['procedures']} procedures; "
        f"cache {'reused' if corpus['reused'] else 'built'}, {corpus['embedded']} vectors "
        f"embedded, naive RAG {corpus.get('naive_embedded', 0)} chunks embedded)",
        f"Questions: {questions['used']} of {questions['total']} "
        f"(kept {questions['kept']} present in the corpus)",
    ]
    for metric, title in METRICS:
        header, rows = metric_rows(result["systems"], metric)
        parts += ["", f"{title}:", text_table(header, rows)]
    if result.get("hybrid"):
        parts += ["", "hybrid:", *("  " + line for line in hybrid_lines(result["hybrid"]))]
    return "\n".join(parts)


def git_commit(root: Path = REPO_ROOT) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def aspect_section(aspects: dict[str, Any]) -> list[str]:
    per_label = [
        [label, str(int(v["n"])), f"{v['accuracy']:.3f}"]
        for label, v in aspects["per_label"].items()
    ]
    confusions = [[c["label"], c["detected"], str(c["count"])] for c in aspects["confusions"][:15]]
    lines = [
        "### Aspect detection",
        "",
        f"Exact match of `PreparedQuery.aspect` against the `aspect` label: "
        f"**{aspects['accuracy']:.3f}** (n={aspects['n']}).",
        "",
        markdown_table(["label", "n", "accuracy"], per_label),
    ]
    if confusions:
        lines += [
            "",
            "Most frequent confusions:",
            "",
            markdown_table(["label", "detected", "count"], confusions),
        ]
    return lines


def shorten(text: str, limit: int = NAME_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def misses_section(misses: Sequence[dict[str, Any]]) -> list[str]:
    def names(items: Sequence[dict[str, str]]) -> str:
        return "<br>".join(f"`{i['code']}` {shorten(i['name'])}" for i in items) or "(nothing)"

    rows = [
        [m["id"], m["style"], m["query"], names(m["expected"]), names(m["got"][:1])]
        for m in misses[:MAX_MISSES]
    ]
    lines = [
        f"## Hybrid misses at rank 1 ({len(misses)})",
        "",
        markdown_table(["id", "style", "query", "expected", "got"], rows) if rows else "None.",
    ]
    if len(misses) > MAX_MISSES:
        lines += ["", f"… and {len(misses) - MAX_MISSES} more (see `--json`)."]
    return lines


def markdown_report(result: dict[str, Any], chart: str | None = "retrieval.png") -> str:
    corpus = result["corpus"]
    settings = result["settings"]
    questions = result["questions"]
    commit = git_commit()
    lines = [
        "# Retrieval evaluation",
        "",
        f"- Date: {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- Commit: `{commit}`" if commit else "- Commit: (not a git checkout)",
        f"- Corpus: **{corpus['label']}** — {corpus['procedures']} procedures "
        f"({', '.join(corpus['paths'])})",
        f"- Questions: {questions['used']} used of {questions['total']} "
        f"({questions['kept']} have an expected procedure in the corpus); "
        f"off-topic: {questions['offtopic']}",
        "- Settings: " + ", ".join(f"{k}={v}" for k, v in settings.items()),
        "",
        "Metrics: hit@k — an expected procedure is among the first k; MRR@10 — mean of "
        "1/rank of the first expected procedure within the first 10 (0 when absent).",
    ]
    for metric, title in METRICS:
        header, rows = metric_rows(result["systems"], metric)
        lines += ["", f"## {title}", "", markdown_table(header, rows)]
    if chart:
        lines += ["", f"![hit@1 per style and system]({chart})"]
    hybrid = result.get("hybrid")
    if hybrid:
        lines += ["", "## Hybrid search: refusals, latency, aspects", ""]
        lines += [f"- {line}" for line in hybrid_lines(hybrid)]
        lines += ["", *aspect_section(hybrid["aspects"])]
    if result.get("timings_s"):
        timings = ", ".join(f"{k} {v:.1f} s" for k, v in result["timings_s"].items())
        lines += ["", f"Run time: {timings}."]
    lines += ["", *misses_section(result.get("misses", []))]
    return "\n".join(lines) + "\n"


def write_chart(result: dict[str, Any], path: Path) -> None:
    """Grouped bar chart of hit@1: one group per style, one bar per system."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    systems = result["systems"]
    cols = columns(systems)
    width = 0.8 / max(len(systems), 1)
    fig, ax = plt.subplots(figsize=(max(6.0, 1.3 * len(cols) + 2), 4.2), dpi=120)
    for i, (name, metrics) in enumerate(systems.items()):
        xs = [c + (i - (len(systems) - 1) / 2) * width for c in range(len(cols))]
        values = [metrics.get(col, {}).get("hit1", 0.0) for col in cols]
        bars = ax.bar(xs, values, width, label=name)
        ax.bar_label(bars, labels=[f"{v:.2f}" for v in values], fontsize=6, padding=1)
    ax.set_xticks(range(len(cols)))
    ax.set_xticklabels(cols, rotation=15)
    ax.set_ylim(0, 1.2)
    ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    ax.set_ylabel("hit@1")
    ax.set_title(f"hit@1 per query style — corpus: {result['corpus']['label']}")
    ax.legend(fontsize=8, ncols=min(len(systems), 4), loc="upper center")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def write_report(result: dict[str, Any], directory: Path) -> tuple[Path, Path]:
    """Write `retrieval.md` and `retrieval.png` into `directory`; returns both paths."""
    directory.mkdir(parents=True, exist_ok=True)
    png = directory / "retrieval.png"
    write_chart(result, png)
    md = directory / "retrieval.md"
    md.write_text(markdown_report(result, chart=png.name), encoding="utf-8")
    return md, png
