"""Query-type detection used for retrieval routing."""

from __future__ import annotations

import pytest

from knowledge.text import detect_query_type


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lam so do lan dau", "vi_unaccented"),
        ("đổi CCCD", "vi_accented"),
        ("how do I register my baby's birth", "other"),
        ("visa extension", "other"),
        ("passport", "other"),
        ("cccd", "vi_unaccented"),
        ("CT07", "vi_unaccented"),
        ("ho chieu", "vi_unaccented"),
        ("khai sinh", "vi_unaccented"),
        ("Thủ tục cấp hộ chiếu", "vi_accented"),
        ("xin visa", "vi_unaccented"),
        ("gia han visa", "vi_unaccented"),
        ("làm passport", "vi_accented"),
        ("cap lai gplx", "vi_unaccented"),
        ("thue TNCN", "vi_unaccented"),
        ("lam the can cuoc cho con duoi 14 tuoi", "vi_unaccented"),
        ("ket hon voi nguoi nuoc ngoai", "vi_unaccented"),
        ("Nguyeenx", "vi_accented"),  # Telex is repaired first
        ("bằng lái A1", "vi_accented"),
        ("I lost my passport", "other"),
        ("Where is the immigration office in Ho Chi Minh City?", "other"),
        ("how to get a visa in Hà Nội", "other"),
        ("temporary residence card renewal", "other"),
        ("what documents do I need for marriage registration", "other"),
        ("tax refund", "other"),
        ("护照", "other"),
        ("паспорт", "other"),
        ("", "other"),
        ("123 ...", "other"),
        ("😀", "other"),
    ],
)
def test_detect_query_type(query: str, expected: str) -> None:
    assert detect_query_type(query) == expected
