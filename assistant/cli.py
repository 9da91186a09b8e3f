"""The `assistant` command line: ingest sources, inspect the catalogue, validate the corpus."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from assistant.cli_admin import db_app, staff_app, worker_command
from assistant.cli_common import (
    DataDirOption,
    JsonOption,
    err,
    fail,
    load_settings,
    open_assistant,
    open_index,
    open_store,
    out,
)
from assistant.reply import Reply
from assistant.service import Assistant, Message
from assistant.settings import Settings
from evals.answers_cli import answers_command
from evals.cli import eval_app
from knowledge.corpus import bundled_corpus_path
from knowledge.corpus_check import check_corpus
from knowledge.ingest import IngestError, IngestSummary, discover, import_file, ingest
from knowledge.render import format_procedure
from knowledge.search.searcher import Searcher, SearchResponse
from knowledge.store import CatalogueStore

app = typer.Typer(
    help="Trợ lý thủ tục hành chính / Public-service assistant for Vietnamese procedures.",
    no_args_is_help=True,
    add_completion=False,
)
procedures_app = typer.Typer(help="Xem thủ tục trong danh mục / Inspect catalogued procedures.")
corpus_app = typer.Typer(help="Kho dữ liệu mẫu đi kèm / The bundled starter corpus.")
app.add_typer(procedures_app, name="procedures", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
app.add_typer(staff_app, name="staff", no_args_is_help=True)
app.add_typer(db_app, name="db", no_args_is_help=True)
app.command("worker")(worker_command)
eval_app.command("answers")(answers_command)


def update_index(store: CatalogueStore, settings: Settings, summary: IngestSummary) -> int:
    """Bring the search index in step with the ingest's changes; returns vectors computed."""
    index = open_index(settings)
    return index.update(store, summary.changes)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def run_ingest(
    store: CatalogueStore,
    settings: Settings,
    paths: list[Path],
    *,
    quiet: bool,
    record_date: dt.date | None = None,
) -> IngestSummary:
    report_dir = settings.data_dir / "reports"
    show_progress = not quiet and err.is_terminal
    if not show_progress:
        return ingest(store, paths, record_date=record_date, report_dir=report_dir)
    columns = (
        TextColumn("[bold]Nhập dữ liệu / ingesting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("", total=None)

        def on_progress(path: str, done: int, total: int) -> None:
            progress.update(task, completed=done, total=total, description=Path(path).name)

        return ingest(
            store, paths, record_date=record_date, report_dir=report_dir, progress=on_progress
        )


def print_ingest_summary(summary: IngestSummary) -> None:
    data = summary.as_dict()
    out.print(
        f"Thủ tục / procedures: {data['procedures']}  FAQ: {data['faqs']}  "
        f"Tài liệu / documents: {data['documents']}  "
        f"Lỗi / failed: {data['failed']}  Cảnh báo / warnings: {data['warnings']}"
    )
    out.print(
        f"Thêm / added: {data['added']}  Cập nhật / updated: {data['updated']}  "
        f"Không đổi / unchanged: {data['unchanged']}  Xóa / removed: {data['removed']}"
    )
    errors = [p for p in summary.problems() if p["severity"] == "error"]
    for problem in errors[:10]:
        out.print(f"  ✗ {Path(problem['source']).name} · {problem['record']}: {problem['reason']}")
    if len(errors) > 10:
        out.print(f"  … và {len(errors) - 10} lỗi khác / and {len(errors) - 10} more")
    if summary.report_path:
        out.print(f"Báo cáo chi tiết / full report: {summary.report_path}")


@app.command("ingest")
def ingest_command(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to import.")],
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
    record_date: Annotated[
        str | None,
        typer.Option(help="Ngày của dữ liệu / date the records were published (YYYY-MM-DD)."),
    ] = None,
    strict: Annotated[
        bool, typer.Option(help="Exit with code 1 when any record failed to import.")
    ] = False,
    index: Annotated[
        bool, typer.Option(help="Update the search index (only changed records are re-embedded).")
    ] = True,
) -> None:
    """Nhập thủ tục, FAQ, tài liệu / import procedures, FAQs and guides (formats auto-detected).

    Portal records (.jsonl, .jsonl.gz, .json), curated procedures and FAQs (.yaml, .json, .csv)
    and guides (.md, .html, .pdf, .docx, .txt). Re-running is cheap: unchanged records are
    skipped, changed ones updated, and records gone from a source removed.
    """
    parsed_date = None
    if record_date:
        try:
            parsed_date = dt.date.fromisoformat(record_date)
        except ValueError as exc:
            raise fail(f"--record-date must be YYYY-MM-DD, got {record_date!r}") from exc
    settings = load_settings(data_dir)
    store = open_store(settings)
    try:
        summary = run_ingest(store, settings, paths, quiet=as_json, record_date=parsed_date)
        embedded = update_index(store, settings, summary) if index else None
    except IngestError as exc:
        raise fail(str(exc)) from exc
    finally:
        store.close()
    if as_json:
        print_json({**summary.as_dict(), "embedded": embedded})
    else:
        print_ingest_summary(summary)
        if embedded is not None:
            out.print(f"Chỉ mục tìm kiếm / search index: {embedded} vectors computed")
    if strict and summary.as_dict()["failed"]:
        raise typer.Exit(1)


@procedures_app.command("show")
def procedures_show(
    code: Annotated[str, typer.Argument(help="Mã thủ tục / procedure code, e.g. 1.001193.")],
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Xem một thủ tục / show one procedure."""
    store = open_store(load_settings(data_dir))
    try:
        procedure = store.get_procedure(code.strip())
    finally:
        store.close()
    if procedure is None:
        raise fail(
            f"Không có thủ tục mã {code!r} trong danh mục / no procedure with code {code!r}. "
            "Try `assistant procedures list`.",
            code=1,
        )
    if as_json:
        print_json(procedure.model_dump(mode="json"))
    else:
        out.print(format_procedure(procedure), markup=False)


@procedures_app.command("list")
def procedures_list(
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many.")] = 100,
) -> None:
    """Liệt kê thủ tục / list catalogued procedures (code and name)."""
    store = open_store(load_settings(data_dir))
    try:
        procedures = store.procedures()
    finally:
        store.close()
    rows = [{"code": p.code, "name": p.name, "field": p.field} for p in procedures[:limit]]
    if as_json:
        print_json({"total": len(procedures), "procedures": rows})
        return
    for row in rows:
        out.print(f"{row['code']:<14} {row['name']}", markup=False)
    out.print(f"({len(rows)}/{len(procedures)})")


@corpus_app.command("validate")
def corpus_validate(
    path: Annotated[
        Path | None, typer.Argument(help="Corpus folder (default: the bundled starter corpus).")
    ] = None,
    as_json: JsonOption = False,
    starter: Annotated[
        bool, typer.Option(help="Also require the starter-corpus minimum sizes.")
    ] = True,
) -> None:
    """Kiểm tra kho dữ liệu / check a curated corpus: schema, required facts, consistent fees."""
    root = path or bundled_corpus_path()
    try:
        files, _ = discover([root])
    except IngestError as exc:
        raise fail(str(exc)) from exc
    results = [import_file(file) for file in files]
    findings = check_corpus(results, starter=starter)
    errors = [f for f in findings if f.severity == "error"]
    counts = {
        "procedures": len({p.code for r in results for p in r.procedures}),
        "faqs": sum(len(r.faqs) for r in results),
        "files": len(files),
        "errors": len(errors),
        "warnings": len(findings) - len(errors),
    }
    if as_json:
        print_json({**counts, "findings": [f.__dict__ for f in findings], "ok": not errors})
    else:
        for f in findings:
            mark = "✗" if f.severity == "error" else "!"
            out.print(f"{mark} {f.record}: {f.message}", markup=False)
        verdict = "OK" if not errors else "CÓ LỖI / HAS ERRORS"
        out.print(
            f"{verdict}: {counts['procedures']} thủ tục / procedures, {counts['faqs']} FAQ, "
            f"{counts['errors']} lỗi / errors, {counts['warnings']} cảnh báo / warnings"
        )
    if errors:
        raise typer.Exit(1)


@app.command("start")
def start(data_dir: DataDirOption = None) -> None:
    """Chạy trên cấu hình mặc định / run on the embedded defaults (bundled corpus, SQLite)."""
    settings = load_settings(data_dir)
    store = open_store(settings)
    try:
        summary = run_ingest(store, settings, [bundled_corpus_path()], quiet=False)
        update_index(store, settings, summary)
        counts = store.counts()
    finally:
        store.close()
    data = summary.as_dict()
    out.print(
        f"Danh mục sẵn sàng / catalogue ready in {settings.data_dir}: "
        f"{counts['procedures']} thủ tục / procedures, {counts['faqs']} FAQ "
        f"({data['added']} added, {data['updated']} updated, {data['unchanged']} unchanged)."
    )
    out.print(
        'Thử / try: assistant ask "lam giay khai sinh can gi" · assistant ask (chat) · '
        "assistant serve (web + widget)",
        markup=False,
    )


def print_search(response: SearchResponse) -> None:
    if response.nothing_relevant:
        out.print(
            "Không tìm thấy thủ tục phù hợp / nothing relevant found. "
            "Hãy nói rõ tên giấy tờ hoặc việc cần làm / name the document or the task.",
            markup=False,
        )
        return
    out.print(
        f"Khía cạnh / aspect: {response.aspect}  ·  kiểu câu / query type: {response.query_type}"
    )
    for rank, hit in enumerate(response.results, start=1):
        out.print(f"{rank}. [{hit.score:.3f}] {hit.procedure_code}  {hit.name}", markup=False)
        for section in hit.sections[:1]:
            preview = section.text if len(section.text) < 400 else section.text[:400] + " …"
            out.print(f"   {section.name}: {preview}", markup=False)


@app.command("search")
def search_command(
    query: Annotated[str | None, typer.Argument(help="Câu hỏi / the question.")] = None,
    top: Annotated[int, typer.Option("--top", "-k", min=1, max=50, help="How many results.")] = 5,
    batch: Annotated[
        bool,
        typer.Option(help="Read one query a line on stdin; write one JSON object a line."),
    ] = False,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Tìm thủ tục / find the procedures a question is about (and the part it asks about)."""
    if not batch and not (query or "").strip():
        raise fail('give a question, e.g. assistant search "lam giay khai sinh", or use --batch')
    settings = load_settings(data_dir)
    store = open_store(settings)
    try:
        index = open_index(settings, serving=True)
        if index.is_empty:
            raise fail("the search index is empty: run `assistant start` or `assistant ingest`", 1)
        try:
            searcher = Searcher(index, store)
        except ValueError as exc:  # a staff-edited table (abbreviations, glossary) is broken
            raise fail(str(exc)) from exc
        if batch:
            for line in sys.stdin:
                if line.strip():
                    response = searcher.search(line.strip(), top)
                    sys.stdout.write(json.dumps(response.as_dict(), ensure_ascii=False) + "\n")
                    sys.stdout.flush()
            return
        response = searcher.search(query or "", top)
    finally:
        store.close()
    if as_json:
        print_json(response.as_dict())
    else:
        print_search(response)


def print_reply(reply: Reply) -> None:
    out.print(reply.text, markup=False)
    for citation in reply.citations:
        link = f" — {citation.url}" if citation.url else ""
        out.print(f"  [{citation.procedure_code}] {citation.name}{link}", markup=False)
    if reply.quick_replies:
        buttons = " · ".join(f"[{q.label}]" for q in reply.quick_replies)
        out.print(f"  {buttons}", markup=False, style="dim")


def ask_batch(assistant: Assistant, mode: str | None) -> int:
    """One JSON object a line in, one JSON reply a line out; bad lines get an error line."""
    bad = 0
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise ValueError("each line must be a JSON object")
            data.setdefault("channel", "cli")
            if mode and "mode" not in data:
                data["mode"] = mode
            message = Message.model_validate(data)
        except (ValueError, ValidationError) as exc:
            bad += 1
            error = {"line": number, "error": str(exc).splitlines()[0]}
            sys.stdout.write(json.dumps(error, ensure_ascii=False) + "\n")
            continue
        reply = assistant.reply(message)
        sys.stdout.write(json.dumps(reply.model_dump(mode="json"), ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return bad


def ask_interactive(assistant: Assistant, user: str, mode: str | None) -> None:
    out.print(
        "Trợ lý thủ tục hành chính — gõ câu hỏi, “bắt đầu lại” để hỏi lại từ đầu, "
        "Ctrl-D hoặc “thoát” để kết thúc. / Type a question; Ctrl-D or “exit” to quit.",
        markup=False,
    )
    interactive = sys.stdin.isatty()
    while True:
        try:
            text = input("Bạn / You: " if interactive else "")
        except (EOFError, KeyboardInterrupt):
            out.print("")
            return
        if text.strip().lower() in {"thoát", "thoat", "exit", "quit"}:
            return
        if not text.strip():
            continue
        reply = assistant.reply(Message(channel="cli", user=user, text=text, mode=mode))  # type: ignore[arg-type]
        print_reply(reply)


@app.command("ask")
def ask_command(
    text: Annotated[
        str | None, typer.Argument(help="Câu hỏi; bỏ trống để trò chuyện / question; omit to chat.")
    ] = None,
    user: Annotated[str, typer.Option(help="Người hỏi (giữ hội thoại) / user id.")] = "cli-user",
    mode: Annotated[
        str | None, typer.Option(help="grounded | llm (default: ASSISTANT_ANSWER_MODE).")
    ] = None,
    locale: Annotated[str | None, typer.Option(help="vi | en (default: detected).")] = None,
    batch: Annotated[
        bool,
        typer.Option(help='Read {"user": …, "text": …} JSON lines on stdin; write JSON replies.'),
    ] = False,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Hỏi trợ lý / ask the assistant (one question, an interactive chat, or a batch)."""
    if mode not in (None, "grounded", "llm"):
        raise fail(f"--mode must be grounded or llm, not {mode!r}")
    if locale not in (None, "vi", "en"):
        raise fail(f"--locale must be vi or en, not {locale!r}")
    settings = load_settings(data_dir)
    if (mode or settings.answer_mode) == "llm" and not (
        settings.llm_base_url or settings.llm_chat_model
    ):
        err.print(
            "Chưa cấu hình LLM / no LLM configured (ASSISTANT_LLM_BASE_URL or "
            "ASSISTANT_LLM_CHAT_MODEL): answers are grounded.",
            highlight=False,
        )
    assistant = open_assistant(settings)
    try:
        if batch:
            bad = ask_batch(assistant, mode)
            if bad:
                raise fail(f"{bad} input line(s) were not valid messages", 1)
            return
        if text is None:
            ask_interactive(assistant, user, mode)
            return
        try:
            message = Message(channel="cli", user=user, text=text, mode=mode, locale=locale)  # type: ignore[arg-type]
        except ValidationError as exc:
            raise fail(str(exc).splitlines()[0]) from exc
        reply = assistant.reply(message)
    finally:
        assistant.close()
    if as_json:
        print_json(reply.model_dump(mode="json"))
    else:
        print_reply(reply)


def _exit_on_sigterm(_signum: int, _frame: object) -> None:
    raise SystemExit(0)


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="Địa chỉ lắng nghe / address to listen on.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(min=1, max=65535, help="Cổng / port.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Số tiến trình / worker processes.")
    ] = 1,
    data_dir: DataDirOption = None,
) -> None:
    """Chạy API web và widget / serve the web API, the chat widget and a demo page at /."""
    import math
    import os
    import shutil
    import signal
    import tempfile

    import uvicorn

    from assistant.logs import uvicorn_log_config

    # One OpenMP thread per embedding call: requests run side by side in threads and
    # workers, and OpenMP's default (all cores, spin-waiting) is several times slower there.
    # Set before the model loads: OpenMP reads it once per process.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    settings = load_settings(data_dir)
    if open_index(settings).is_empty:
        raise fail("the search index is empty: run `assistant start` first.", 1)
    os.environ["ASSISTANT_DATA_DIR"] = str(settings.data_dir)  # each worker builds its app
    metrics_dir = None
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        metrics_dir = tempfile.mkdtemp(prefix="assistant-metrics-")  # /metrics sums workers
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    out.print(f"Trợ lý web / web assistant: http://{host}:{port}/  (API: /docs)", markup=False)
    # uvicorn re-raises SIGTERM once it has shut down gracefully: exit 0 (a stop that was
    # asked for and done) instead of dying by the signal.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        uvicorn.run(
            "bots.web.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            # Workers load the search index and model before they answer the supervisor's
            # health check; on a small, busy machine that takes longer than uvicorn's 5 s.
            timeout_worker_healthcheck=120,
            # SIGTERM: stop accepting, let requests in flight finish for this long; then the
            # app's shutdown drains webhook answers (bots.channels).
            timeout_graceful_shutdown=math.ceil(settings.shutdown_grace_s),
            log_config=uvicorn_log_config(settings),
            access_log=False,  # bots.web.requestid writes access lines without query strings
        )
    finally:
        if metrics_dir:
            shutil.rmtree(metrics_dir, ignore_errors=True)


@app.command("places")
def places_command(
    text: Annotated[str, typer.Argument(help="Địa danh hoặc câu hỏi / a place or a question.")],
    locale: Annotated[str, typer.Option(help="vi | en.")] = "vi",
    level: Annotated[
        str | None, typer.Option(help="commune | province: the procedure's level.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Địa giới mới (từ 1/7/2025) / the units a text names, what they became, where to file."""
    from knowledge.places import find_places, resolve, where_to_go

    if locale not in ("vi", "en"):
        raise fail(f"--locale must be vi or en, not {locale!r}")
    matches = find_places(text)
    if as_json:
        rows = []
        for m in matches:
            r = resolve(m)
            rows.append(
                {
                    "text": m.text,
                    "level": m.level,
                    "units": [u.name for u in m.units],
                    "era": m.units[0].era,
                    "province": r.province.name,
                    "communes": [c.name for c in r.communes],
                    "changed": r.changed,
                    "abolished": r.abolished,
                }
            )
        out.print_json(
            json.dumps({"places": rows, "where_to_go": where_to_go(text, locale, level)})
        )
        return
    lines = where_to_go(text, locale, level)
    if lines is None:
        raise fail("no administrative unit named / không thấy địa danh nào", 1)
    out.print(lines, markup=False)


@app.command("telegram")
def telegram_command(
    polling: Annotated[
        bool,
        typer.Option("--polling", help="Hỏi Telegram liên tục / long polling (no public URL)."),
    ] = False,
    set_webhook: Annotated[
        str | None,
        typer.Option(help="Đăng ký webhook / register https://…/webhooks/telegram and exit."),
    ] = None,
    delete_webhook: Annotated[
        bool, typer.Option(help="Gỡ webhook / remove the registered webhook and exit.")
    ] = False,
    data_dir: DataDirOption = None,
) -> None:
    """Bot Telegram / the Telegram bot: polling mode, or register its webhook (docs/telegram.md)."""
    from bots.telegram import polling as tg

    settings = load_settings(data_dir)
    if not settings.telegram_token:
        raise fail("ASSISTANT_TELEGRAM_TOKEN is not set (the token from @BotFather).")
    if set_webhook:
        if not settings.telegram_webhook_secret:
            raise fail("ASSISTANT_TELEGRAM_WEBHOOK_SECRET is not set: the webhook needs one.")
        ok = tg.run(tg.set_webhook(settings, set_webhook))
        out.print(f"setWebhook {set_webhook}: {'ok' if ok else 'refused'}", markup=False)
        raise typer.Exit(0 if ok else 1)
    if delete_webhook:
        ok = tg.run(tg.delete_webhook(settings))
        out.print(f"deleteWebhook: {'ok' if ok else 'refused'}", markup=False)
        raise typer.Exit(0 if ok else 1)
    if not polling:
        raise fail("choose --polling, --set-webhook URL or --delete-webhook (see --help).")
    assistant = open_assistant(settings)
    out.print("Telegram: long polling (Ctrl-C to stop)", markup=False)
    try:
        tg.run_polling(settings, assistant)
    finally:
        assistant.close()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
