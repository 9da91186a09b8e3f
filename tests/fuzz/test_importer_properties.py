"""Property tests of the importers: arbitrary records and files give a parsed record or the
importers' own clear error, never an unexpected exception.

`parse_record` documents ValueError (pydantic's ValidationError is one) for a bad record;
the file importers never raise and report problems in `ImportResult.problems`. Their
catch-all messages ("could not parse this record (TypeError: …)", "cannot read markdown
file: …") exist so that one bad record cannot stop an import, but reaching them on text
formats means a parser bug, so the tests below treat them as failures.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge.importers.documents import import_document
from knowledge.importers.portal import import_portal, parse_record
from knowledge.importers.structured import import_faq_csv, import_structured
from knowledge.schema import Procedure
from tests.fuzz.strategies import FUZZ, any_text, vi_text

PORTAL_KEYS = (
    "ma_thu_tuc",
    "ten_thu_tuc",
    "linh_vuc",
    "cap_thuc_hien",
    "loai_thu_tuc",
    "co_quan_co_tham_quyen",
    "co_quan_thuc_hien",
    "dia_chi_tiep_nhan",
    "co_quan_duoc_uy_quyen",
    "co_quan_phoi_hop",
    "doi_tuong_thuc_hien",
    "cach_thuc_thuc_hien",
    "thanh_phan_ho_so",
    "can_cu_phap_ly",
    "ket_qua_xu_ly",
    "trinh_tu_thuc_hien",
    "yeu_cau_dieu_kien",
    "thu_tuc_lien_quan",
    "detail_url",
    "so_quyet_dinh",
    "bo_nganh",
    "muc_do",
)
PORTAL_TEXT = (
    "Trực tiếp 15 Ngày làm việc Lệ phí : 20.000 Đồng (Miễn phí) Trực tuyến 5 Ngày Phí : 2,5 triệu"
    " Tên giấy tờ Mẫu đơn, tờ khai Số lượng Bản chính: 1 Bản sao: 0 Số ký hiệu Trích yếu"
    " Ngày ban hành Cơ quan ban hành 123/2020/NĐ-CP Nghị định 01/01/2020 Chính phủ"
    " Bước 1: nộp hồ sơ. Bước 2: nhận kết quả #Tên thủ tục1 Cấp lại CCCD Mức độ 4"
)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    vi_text,
    st.builds(lambda a, b: a + PORTAL_TEXT[: len(b) * 7] + a, vi_text, st.text(max_size=20)),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from(PORTAL_KEYS), st.text(max_size=8)), children, max_size=4
        ),
    ),
    max_leaves=12,
)
portal_records = st.dictionaries(
    st.sampled_from(PORTAL_KEYS), json_values, max_size=len(PORTAL_KEYS)
)
code_and_name = st.fixed_dictionaries(
    {"ma_thu_tuc": st.from_regex(r"[0-9]\.[0-9]{6}", fullmatch=True), "ten_thu_tuc": vi_text}
)


@FUZZ
@given(
    st.one_of(
        portal_records,
        st.builds(lambda a, b: {**b, **a}, code_and_name, portal_records),
        json_values,
    )
)
def test_parse_record_gives_a_procedure_or_value_error(raw: Any) -> None:
    try:
        procedure, warnings = parse_record(raw)
    except ValueError as exc:
        assert str(exc).strip()
        return
    assert isinstance(procedure, Procedure) and procedure.code and procedure.name
    assert all(isinstance(w, str) and w for w in warnings)


def _no_internal_errors(problems: list[Any]) -> None:
    for problem in problems:
        assert "could not parse this record (" not in problem.reason, problem
        assert problem.reason.strip()


_files = settings(
    FUZZ, suppress_health_check=[*FUZZ.suppress_health_check, HealthCheck.function_scoped_fixture]
)


@_files
@given(st.lists(st.one_of(portal_records, json_values), max_size=4), st.booleans())
def test_import_portal_reports_bad_records_clearly(
    tmp_path: Path, records: list[Any], lines: bool
) -> None:
    path = tmp_path / ("records.jsonl" if lines else "records.json")
    if lines:
        text = "\n".join(json.dumps(r, ensure_ascii=False) for r in records)
    else:
        text = json.dumps(records, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    _no_internal_errors(import_portal(path).problems)


@_files
@given(
    st.sampled_from(["a.json", "a.jsonl", "a.json.gz", "a.yaml", "a.yml", "a.csv"]),
    st.one_of(st.binary(max_size=300), any_text.map(lambda t: t.encode("utf-8", "surrogatepass"))),
)
def test_structured_and_portal_importers_accept_any_bytes(
    tmp_path: Path, name: str, data: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    if name.endswith(".csv"):
        result = import_faq_csv(path)
    elif name.endswith((".yaml", ".yml")):
        result = import_structured(path)
    else:
        result = import_portal(path)
        if name == "a.json":
            _no_internal_errors(import_structured(path).problems)
    _no_internal_errors(result.problems)


@_files
@given(json_values)
def test_import_structured_accepts_any_json_shape(tmp_path: Path, data: Any) -> None:
    path = tmp_path / "data.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = import_structured(path)
    _no_internal_errors(result.problems)


@_files
@given(
    st.sampled_from([".md", ".markdown", ".html", ".htm", ".txt"]),
    st.one_of(
        any_text.map(lambda t: t.encode("utf-8")),
        st.binary(max_size=300),
        st.builds(
            lambda a, b: (
                f"---\ntitle: {a}\n---\n# {b}\n\n<table><tr><td>{a}</td></tr></table>\n".encode()
            ),
            vi_text,
            vi_text,
        ),
        st.builds(
            lambda a: f"<html><body><nav>x</nav><main><h1>{a}</h1><p>{a}</p></main>".encode(),
            vi_text,
        ),
    ),
)
def test_text_documents_never_hit_the_catch_all(tmp_path: Path, suffix: str, data: bytes) -> None:
    path = tmp_path / f"guide{suffix}"
    path.write_bytes(data)
    result = import_document(path)
    for problem in result.problems:
        assert not problem.reason.startswith("cannot read"), problem
    assert len(result.documents) + result.failed >= 1
