"""`assistant ingest` / `procedures show` / `corpus validate` end to end, through the real CLI."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from knowledge.schema import Procedure

runner = CliRunner()

CHANNELS = (
    "Hình thức nộpThời gianPhí, lệ phíMô tả"
    "Trực tiếp5 Ngày làm việc70,000 VNĐ(70.000 đồng/Giấy chứng nhận)"
    "Trực tuyến5 Ngày làm việc35,000 VNĐ(Giảm 50% khi nộp trực tuyến)"
)


def portal_record(code: str, name: str, **extra: str) -> dict[str, str]:
    record = {
        "ma_thu_tuc": code,
        "ten_thu_tuc": name,
        "detail_url": f"https://dichvucong.gov.vn/thu-tuc/{code}",
        "so_quyet_dinh": "123/QĐ-BTP",
        "cap_thuc_hien": "Cấp xã",
        "linh_vuc": "Hộ tịch",
        "doi_tuong_thuc_hien": "Công dân Việt Nam",
        "co_quan_co_tham_quyen": "Ủy ban nhân dân cấp xã",
        "trinh_tu_thuc_hien": "Bước 1: Nộp hồ sơ.\nBước 2: Nhận kết quả.",
        "cach_thuc_thuc_hien": CHANNELS,
        "thanh_phan_ho_so": "Tên giấy tờMẫu đơn, tờ khaiSố lượngTờ khai theo mẫu1 bản chính",
        "can_cu_phap_ly": "Tên văn bản pháp lýMã văn bảnLuật Hộ tịch60/2014/QH13",
        "yeu_cau_dieu_kien": "Không có thông tin",
        "ket_qua_xu_ly": "Giấy chứng nhận",
        "raw_text": name,
        "bo_nganh": "bo-tu-phap",
    }
    record.update(extra)
    return record


def write_jsonl(path: Path, records: list[dict[str, str]]) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


def ingest_json(data_dir: Path, *paths: Path) -> dict[str, Any]:
    result = invoke("ingest", *map(str, paths), "--data-dir", str(data_dir), "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture()
def sources(tmp_path: Path) -> Path:
    folder = tmp_path / "sources"
    folder.mkdir()
    write_jsonl(
        folder / "portal.jsonl.gz",
        [portal_record("1.000001", "Thủ tục một"), portal_record("1.000002", "Thủ tục hai")],
    )
    (folder / "bad.jsonl").write_text('{"ma_thu_tuc": "x"\nnot json\n', encoding="utf-8")
    (folder / "curated.yaml").write_text(
        'code: "1.000001"\nname: Thủ tục một (biên tập)\naliases: [thu tuc mot]\n',
        encoding="utf-8",
    )
    (folder / "faqs.csv").write_text(
        'id,questions,answer_vi\nf1,"Hỏi một?|hoi mot","Đáp một."\n', encoding="utf-8"
    )
    (folder / "guide.md").write_text(
        "# Hướng dẫn nộp hồ sơ\n\n## Bước 1\n\nChuẩn bị giấy tờ.\n", encoding="utf-8"
    )
    (folder / "notes.bin").write_bytes(b"\x00\x01")  # not a known format: ignored
    return folder


def test_ingest_folder_is_idempotent_and_tracks_changes(sources: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = ingest_json(data_dir, sources)
    assert (first["procedures"], first["faqs"], first["documents"]) == (3, 1, 1)
    assert first["failed"] == 2  # the two bad lines of bad.jsonl
    assert first["added"] == 5
    assert {Path(s["path"]).name for s in first["sources"]} == {
        "portal.jsonl.gz",
        "bad.jsonl",
        "curated.yaml",
        "faqs.csv",
        "guide.md",
    }
    report = json.loads(Path(first["report"]).read_text(encoding="utf-8"))
    assert len([p for p in report["problems"] if p["severity"] == "error"]) == 2

    again = ingest_json(data_dir, sources)
    assert (again["added"], again["updated"], again["removed"]) == (0, 0, 0)
    assert again["unchanged"] == 5

    # One record changes, one disappears, one file is deleted from the folder.
    write_jsonl(sources / "portal.jsonl.gz", [portal_record("1.000001", "Thủ tục một, sửa")])
    (sources / "faqs.csv").unlink()
    third = ingest_json(data_dir, sources)
    assert (third["added"], third["updated"], third["removed"]) == (0, 1, 2)
    assert [Path(p).name for p in third["forgotten_sources"]] == ["faqs.csv"]


def test_procedures_show_prefers_curated_and_prints_schema(sources: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    ingest_json(data_dir, sources)
    shown = invoke("procedures", "show", "1.000001", "--data-dir", str(data_dir), "--json")
    assert shown.exit_code == 0
    data = json.loads(shown.stdout)
    assert data["name"] == "Thủ tục một (biên tập)"
    assert set(data) == set(Procedure.model_fields)

    portal = invoke("procedures", "show", "1.000002", "--data-dir", str(data_dir), "--json")
    fee = json.loads(portal.stdout)["channels"][0]["fee"]
    assert fee["amount_vnd"] == 70000

    text = invoke("procedures", "show", "1.000002", "--data-dir", str(data_dir))
    assert "70.000 đồng" in text.stdout and "Luật Hộ tịch (60/2014/QH13)" in text.stdout

    missing = invoke("procedures", "show", "9.999999", "--data-dir", str(data_dir))
    assert missing.exit_code == 1
    assert "9.999999" in missing.stderr


def test_bad_requests_get_a_sentence_not_a_traceback(tmp_path: Path) -> None:
    result = invoke("ingest", str(tmp_path / "nope.jsonl"), "--data-dir", str(tmp_path / "d"))
    assert result.exit_code == 2
    assert "not found" in result.stderr and "Traceback" not in result.output
    result = invoke("ingest", str(tmp_path), "--record-date", "July", "--data-dir", str(tmp_path))
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.stderr


def test_every_command_has_help() -> None:
    for args in (
        [],
        ["ingest"],
        ["start"],
        ["procedures"],
        ["procedures", "show"],
        ["procedures", "list"],
        ["corpus"],
        ["corpus", "validate"],
    ):
        result = invoke(*args, "--help")
        assert result.exit_code == 0, args
        assert "Usage" in result.stdout


def test_console_script_runs_as_a_real_process(sources: Path, tmp_path: Path) -> None:
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(tmp_path / "env-data")}
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", "ingest", str(sources), "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["procedures"] == 3
    assert proc.stderr == ""  # piped: no progress bar
    assert (tmp_path / "env-data" / "assistant.sqlite3").exists()


def test_bundled_corpus_validates_and_starts(tmp_path: Path) -> None:
    result = invoke("corpus", "validate", "--json")
    data = json.loads(result.stdout)
    assert data["errors"] == 0, data["findings"]
    assert data["procedures"] >= 60 and data["faqs"] >= 30
    started = invoke("start", "--data-dir", str(tmp_path / "d"))
    assert started.exit_code == 0
    assert f"{data['procedures']} thủ tục" in started.stdout


def test_corpus_validate_flags_broken_corpus(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(
        'code: "1.1"\nname: Một\nchannels:\n  - channel: online\n'
        "    fee: {free: true, amount_vnd: 5000}\n",
        encoding="utf-8",
    )
    result = invoke("corpus", "validate", str(tmp_path))
    assert result.exit_code == 1
    assert "free but amount_vnd=5000" in result.stdout
    assert "no aliases" in result.stdout
    assert "a starter corpus needs" in result.stdout


@pytest.mark.shared
def test_ingest_all_shared_records(portal_records_path: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = ingest_json(data_dir, portal_records_path)
    assert first["procedures"] == 2642
    assert first["failed"] == 0
    assert first["added"] == 2642
    again = ingest_json(data_dir, portal_records_path)
    assert again["unchanged"] == 2642 and again["added"] == again["updated"] == 0


@pytest.mark.postgres
def test_ingest_and_show_on_postgres(sources: Path, tmp_path: Path, postgres_url: str) -> None:
    env = {"ASSISTANT_DATABASE_URL": postgres_url}
    first = runner.invoke(
        app, ["ingest", str(sources), "--data-dir", str(tmp_path), "--json"], env=env
    )
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["added"] == 5
    again = runner.invoke(
        app, ["ingest", str(sources), "--data-dir", str(tmp_path), "--json"], env=env
    )
    assert json.loads(again.stdout)["unchanged"] == 5
    shown = runner.invoke(app, ["procedures", "show", "1.000002", "--json"], env=env)
    assert json.loads(shown.stdout)["legal_basis"][0]["number"] == "60/2014/QH13"
    assert not (tmp_path / "assistant.sqlite3").exists()  # the URL really switched stores
