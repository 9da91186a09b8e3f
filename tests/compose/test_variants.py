"""The variant line and side-by-side facts under an answer."""

from __future__ import annotations

from assistant.compose.variants import side_by_side, variant_line
from knowledge.schema import Channel, Fee, Procedure, ProcessingTime


def passport(code: str, level: str, qualifier: str, fee: int, days: int) -> Procedure:
    return Procedure(
        code=code,
        name=f"Cấp hộ chiếu phổ thông ở trong nước (thực hiện tại cấp {qualifier})",
        levels=[level],
        source_url=f"https://example.test/{code}",
        channels=[
            Channel(
                channel="in_person",
                fee=Fee(amount_vnd=fee, amount_text=f"{fee:,} đồng".replace(",", ".")),
                processing_time=ProcessingTime(value=days, unit="working_days"),
            )
        ],
    )


PROVINCE = passport("1.001456", "Cấp tỉnh", "tỉnh", 200_000, 8)
CENTRAL = passport("1.001471", "Cấp bộ", "trung ương", 200_000, 12)


def test_variant_line_names_each_other_member_with_a_button() -> None:
    line, buttons = variant_line(PROVINCE, [PROVINCE, CENTRAL], "vi")
    assert line == "Các trường hợp khác: Nếu nộp tại cấp trung ương (Bộ) → 1.001471."
    assert [b.text for b in buttons] == [f"{CENTRAL.name} (1.001471)"]
    line_en, buttons_en = variant_line(PROVINCE, [CENTRAL], "en")
    assert line_en.startswith("Other variants: If filed with the ministry")
    assert buttons_en[0].label.startswith("Filed with the ministry")
    assert variant_line(PROVINCE, [PROVINCE], "vi") == ("", [])


def test_side_by_side_shows_only_values_that_differ_each_cited() -> None:
    same_fee, cited = side_by_side(PROVINCE, [CENTRAL], "fee", "vi")
    assert (same_fee, cited) == ("", [])  # the fee is the same: nothing to add
    times, cited = side_by_side(PROVINCE, [CENTRAL], "processing_time", "vi")
    assert times.startswith("Thời gian ở các trường hợp khác:")
    assert "(1.001471): 12 ngày làm việc" in times
    assert [c.procedure_code for c in cited] == ["1.001471"]
    assert side_by_side(PROVINCE, [CENTRAL], "documents", "vi") == ("", [])
