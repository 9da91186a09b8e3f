"""The grounded composer on real starter records: every figure pinned from the YAML files."""

from __future__ import annotations

import datetime as dt
import re
import statistics

import pytest

from assistant.compose import Composed, compose_answer
from assistant.compose import templates as T
from assistant.compose.documents import find_case_group
from assistant.compose.text import clip
from assistant.reply import Citation, Language
from knowledge.schema import (
    Channel,
    DocumentGroup,
    DocumentItem,
    Fee,
    Procedure,
    ProcessingTime,
)
from knowledge.search.aspects import ASPECTS, Aspect, detect_aspect
from knowledge.text import fold
from knowledge.text.glossary import english_gloss

Starter = dict[str, Procedure]


def body(composed: Composed) -> str:
    """The answer without its header line and source lines."""
    return composed.text.split("\n\n")[0]


def item_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("- ")]


# ---------------------------------------------------------------------------------------------
# Fee


def test_fee_merges_identical_channels_and_keeps_the_condition(starter: Starter) -> None:
    text = compose_answer(starter["1.014064"], "fee", "vi").text
    assert (
        "- Trực tiếp, Trực tuyến: 35.000 đồng/thẻ "
        "(giảm 50% đến hết 31/12/2026; mức đầy đủ 70.000 đồng)"
    ) in text
    assert "- Bưu chính: Cước dịch vụ bưu chính" in text
    assert text.count("35.000 đồng/thẻ (giảm") == 1


def test_fee_per_channel_when_amounts_differ(starter: Starter) -> None:
    text = compose_answer(starter["1.001612"], "fee", "vi").text
    assert "- Trực tuyến, Bưu chính: 150.000 đồng (mức do HĐND cấp tỉnh quy định)" in text
    assert "- Trực tiếp: 50.000 đồng (mức do HĐND cấp tỉnh quy định)" in text


def test_fee_set_locally_without_amount(starter: Starter) -> None:
    vi = compose_answer(starter["1.012783"], "fee", "vi").text
    assert "- Trực tuyến, Bưu chính, Trực tiếp: Mức thu do HĐND cấp tỉnh quy định" in vi
    assert T.PHRASES["fee_local_hint"]["vi"] in vi
    assert "đồng" not in body(compose_answer(starter["1.012783"], "fee", "vi")).split("\n")[1]
    en = compose_answer(starter["1.012783"], "fee", "en").text
    assert "set by the provincial People's Council (do HĐND cấp tỉnh quy định)" in en


def test_fee_valid_until_is_stated(starter: Starter) -> None:
    text = compose_answer(starter["2.001583"], "fee", "vi").text
    assert (
        "- Trực tiếp: 125.000 đồng (lệ phí đăng ký 25.000 đồng + phí công bố 100.000 đồng)"
        " — áp dụng đến hết ngày 31/12/2026"
    ) in text
    assert "- Trực tuyến: 100.000 đồng (phí công bố nội dung đăng ký doanh nghiệp)" in text


def test_fee_valid_until_not_repeated_when_the_text_has_it(starter: Starter) -> None:
    text = compose_answer(starter["1.014064"], "fee", "vi").text
    assert "áp dụng đến hết ngày" not in text


def test_fee_in_another_currency_as_written(starter: Starter) -> None:
    text = compose_answer(starter["1.003460"], "fee", "vi").text
    assert "- Trực tuyến, Trực tiếp, Bưu chính: 145 USD/thẻ (thời hạn không quá 02 năm)" in text


def test_fee_free_with_its_condition(starter: Starter) -> None:
    vi = compose_answer(starter["1.001193"], "fee", "vi").text
    assert "Trực tiếp, Trực tuyến, Bưu chính: Miễn lệ phí khi đăng ký khai sinh đúng hạn" in vi
    en = compose_answer(starter["1.001193"], "fee", "en").text
    assert "free (miễn phí) — «Miễn lệ phí khi đăng ký khai sinh đúng hạn»" in en


def _procedure(**fields: object) -> Procedure:
    base: dict[str, object] = {"code": "9.999999", "name": "Thủ tục thử", "source_url": ""}
    base.update(fields)
    return Procedure.model_validate(base)


def test_fee_unknown_says_so_and_points_to_the_record() -> None:
    p = _procedure(channels=[Channel(channel="in_person", fee=Fee(label="Không có thông tin"))])
    vi = compose_answer(p, "fee", "vi").text
    assert "Hồ sơ không ghi phí, lệ phí" in vi
    assert "đồng" not in vi
    en = compose_answer(p, "fee", "en").text
    assert "does not state a fee" in en
    assert "không ghi phí" in compose_answer(_procedure(), "fee", "vi").text


def test_fee_free_label_only() -> None:
    p = _procedure(channels=[Channel(channel="online", fee=Fee(free=True, label="Miễn phí"))])
    assert "- Trực tuyến: Miễn phí" in compose_answer(p, "fee", "vi").text
    assert "- Online (trực tuyến): Free (miễn phí)" in compose_answer(p, "fee", "en").text


def test_fee_portal_amount_with_a_unit_note() -> None:
    fee = Fee(amount_vnd=3_500_000, amount_text="3,500,000 Việt Nam Đồng", note="/hồ sơ")
    p = _procedure(channels=[Channel(channel="online", fee=fee)])
    text = compose_answer(p, "fee", "vi").text
    assert "- Trực tuyến: 3.500.000 đồng/hồ sơ" in text
    assert "Ghi chú" not in text


def test_fee_valid_until_from_the_record_only() -> None:
    fee = Fee(amount_vnd=25_000, amount_text="25.000 đồng", valid_until=dt.date(2026, 12, 31))
    p = _procedure(channels=[Channel(channel="in_person", fee=fee)])
    assert "25.000 đồng — áp dụng đến hết ngày 31/12/2026" in compose_answer(p, "fee", "vi").text
    assert "applies until 31/12/2026" in compose_answer(p, "fee", "en").text


# ---------------------------------------------------------------------------------------------
# Processing time


def test_processing_time_with_units(starter: Starter) -> None:
    vi = compose_answer(starter["1.001456"], "processing_time", "vi").text
    assert "- Trực tiếp: 8 ngày làm việc\n  Ghi chú: Tiếp nhận thứ 2 đến thứ 6" in vi
    assert "- Trực tuyến, Bưu chính: 8 ngày làm việc" in vi
    en = compose_answer(starter["1.001456"], "processing_time", "en").text
    assert "8 working days (ngày làm việc)" in en


def test_processing_time_rows_of_one_channel_keep_their_notes(starter: Starter) -> None:
    text = compose_answer(starter["1.013067"], "processing_time", "en").text
    assert "- In person (trực tiếp): 1 hour (giờ)" in text
    assert "- In person (trực tiếp): 2 working days (ngày làm việc)" in text
    assert "Cấp chứng nhận đăng ký xe (cà vẹt): không quá 02 ngày làm việc." in text


def test_processing_time_not_stated(starter: Starter) -> None:
    text = compose_answer(starter["2.000635"], "processing_time", "vi").text
    assert "Hồ sơ không ghi thời hạn giải quyết" in text
    assert "ngày làm việc" not in text


@pytest.mark.parametrize("language", ["vi", "en"])
def test_unknown_unit_time_is_shown_as_written(language: Language) -> None:
    rows = [
        Channel(channel="in_person", processing_time=ProcessingTime(value=1, raw="1")),
        Channel(channel="online", processing_time=ProcessingTime(value=4, raw="4 Tháng")),
    ]
    text = compose_answer(_procedure(channels=rows), "processing_time", language).text
    assert "ngày làm việc" not in text and "working day" not in text
    assert "4 Tháng" in text
    unit_note = T.PHRASES["time_unit_not_stated"][language]
    assert re.search(rf"\b1\b.*{re.escape(unit_note)}", text)


# ---------------------------------------------------------------------------------------------
# Documents and cases


def test_documents_general_case_in_full(starter: Starter) -> None:
    composed = compose_answer(starter["1.001193"], "documents", "vi")
    text = composed.text
    assert "Giấy tờ phải nộp:" in text and "Giấy tờ phải xuất trình:" in text
    assert (
        "- Tờ khai đăng ký khai sinh (nộp trực tiếp hoặc qua bưu chính); nộp trực tuyến thì"
        " khai mẫu hộ tịch điện tử tương tác (1 bản chính)"
    ) in text
    assert "Giấy chứng sinh" in text
    assert "Biên bản về việc trẻ bị bỏ rơi" not in text  # another case: offered, not shown
    assert "Trẻ bị bỏ rơi; Trẻ sinh ra do mang thai hộ" in text
    labels = [q.label for q in composed.quick_replies]
    assert labels[:2] == ["Trẻ bị bỏ rơi", "Trẻ sinh ra do mang thai hộ"]
    assert composed.quick_replies[0].text == "Giấy tờ trường hợp Trẻ bị bỏ rơi"


def test_documents_case_chosen_through_its_quick_reply(starter: Starter) -> None:
    p = starter["1.001193"]
    languages: tuple[Language, ...] = ("vi", "en")
    for language in languages:
        buttons = compose_answer(p, "documents", language).quick_replies
        case_button = next(q for q in buttons if "mang thai hộ" in q.text)
        text = compose_answer(p, "documents", language, case=case_button.text).text
        assert "Văn bản xác nhận của cơ sở y tế đã thực hiện kỹ thuật hỗ trợ sinh sản" in text
        assert "Biên bản về việc trẻ bị bỏ rơi" not in text
        assert "Tờ khai đăng ký khai sinh" in text  # the general documents still apply
        assert detect_aspect(case_button.text) == "documents"


@pytest.mark.parametrize("request_text", ["tre bi bo roi", "Trẻ bị bỏ rơi", "trường hợp bỏ rơi"])
def test_documents_case_matching_is_loose(starter: Starter, request_text: str) -> None:
    text = compose_answer(starter["1.001193"], "documents", "vi", case=request_text).text
    assert "Biên bản về việc trẻ bị bỏ rơi do cơ quan có thẩm quyền lập" in text


def test_documents_unknown_case_falls_back_to_the_general_documents(starter: Starter) -> None:
    text = compose_answer(starter["1.001193"], "documents", "vi", case="du học sinh").text
    assert T.PHRASES["docs_case_not_found"]["vi"] in text
    assert "Tờ khai đăng ký khai sinh" in text
    assert "du học" not in text  # the request is never echoed


def test_documents_every_case_button_finds_its_own_case(starter: Starter) -> None:
    for p in starter.values():
        for language in ("vi", "en"):
            composed = compose_answer(p, "documents", language)
            for button in composed.quick_replies:
                if detect_aspect(button.text) != "documents":
                    continue
                group = find_case_group(p, button.text)
                assert group is not None, (p.code, button.text)
                prefix = T.CASE_QUICK_REPLY_TEXT[language].format(case="")
                asked = fold(button.text.removeprefix(prefix))
                assert asked in fold(group.case), (p.code, button.text, group.case)


def test_documents_without_a_general_group(starter: Starter) -> None:
    p = starter["1.004222"]
    text = compose_answer(p, "documents", "vi").text
    assert "Trường hợp: Đăng ký thường trú vào chỗ ở hợp pháp thuộc sở hữu của mình" in text
    other = compose_answer(p, "documents", "vi", case="thuê, mượn, ở nhờ").text
    assert "thuê, mượn, ở nhờ" in other
    assert "thuộc sở hữu của mình\n- Tờ khai" not in other  # the first case is not "general"


def test_documents_long_list_is_capped(starter: Starter) -> None:
    text = compose_answer(starter["1.013978"], "documents", "vi").text
    items = item_lines(text)
    assert 3 <= len(items) <= 8
    hidden = len(starter["1.013978"].documents[0].items) - len(items)
    assert f"… và {hidden} mục khác" in text
    en = compose_answer(starter["1.013978"], "documents", "en").text
    assert "… and " in en and " more" in en


def test_documents_form_and_quantity(starter: Starter) -> None:
    text = compose_answer(starter["3.000347"], "documents", "vi").text
    assert (
        "- Đề nghị đổi giấy phép lái xe (1 bản chính; mẫu: Mẫu tại Phụ lục XII Thông tư"
        " 12/2025/TT-BCA)"
    ) in text


def test_documents_zero_counts_are_dropped() -> None:
    group = DocumentGroup(
        items=[DocumentItem(name="Bản sao sổ", quantity="0 bản chính, 1 bản sao")]
    )
    text = compose_answer(_procedure(documents=[group]), "documents", "vi").text
    assert "- Bản sao sổ (1 bản sao)" in text


def test_documents_none() -> None:
    assert "không ghi thành phần hồ sơ" in compose_answer(_procedure(), "documents", "vi").text


# ---------------------------------------------------------------------------------------------
# Steps, where, online, conditions, legal basis, result


def test_steps_numbered(starter: Starter) -> None:
    text = compose_answer(starter["1.001193"], "steps", "vi").text
    assert "1. Chuẩn bị Tờ khai đăng ký khai sinh và Giấy chứng sinh" in text
    numbers = re.findall(r"(?m)^(\d+)\. ", text)
    assert numbers == ["1", "2", "3", "4", "5"]


def test_steps_capped_and_trimmed() -> None:
    long_step = "Cơ quan tiếp nhận kiểm tra hồ sơ và hướng dẫn bổ sung. " * 12
    steps = [f"Bước {n}: làm việc số {n}" for n in range(1, 13)]
    steps[0] = long_step
    text = compose_answer(_procedure(steps=steps), "steps", "vi").text
    numbered = re.findall(r"(?m)^\d+\. (.*)$", text)
    assert 3 <= len(numbered) <= 8
    assert f"… và {12 - len(numbered)} mục khác" in text
    assert numbered[0].endswith("…") and len(numbered[0]) <= 225
    assert not any(line.startswith("Bước") for line in numbered)


def test_where_levels_and_agencies(starter: Starter) -> None:
    vi = compose_answer(starter["1.000253"], "where", "vi").text
    assert "Cấp thực hiện: Cấp xã" in vi
    assert "Cơ quan có thẩm quyền: Công an cấp xã" in vi
    assert (
        "Nơi tiếp nhận hồ sơ: Trực ban Công an cấp xã hoặc đồn, trạm Công an nơi có cơ sở lưu trú"
    ) in vi
    en = compose_answer(starter["1.000253"], "where", "en").text
    assert "Level (cấp thực hiện): Cấp xã (commune level)" in en


def test_online_full_with_time_fee_and_portal(starter: Starter) -> None:
    p = starter["1.001437"]
    text = compose_answer(p, "online", "vi").text
    assert "toàn trình" in text
    assert "Thời hạn khi nộp trực tuyến: 7 ngày" in text
    assert f"Nộp trực tuyến trên Cổng Dịch vụ công quốc gia: {p.source_url}" in text


def test_online_none(starter: Starter) -> None:
    text = compose_answer(starter["1.000253"], "online", "vi").text
    assert "Không. Hồ sơ không có cách nộp trực tuyến." in text
    assert "Có thể nộp: Trực tiếp" in text
    assert "Nộp trực tuyến trên" not in text


def test_online_mentions_vneid_only_when_the_record_does(starter: Starter) -> None:
    seen = {True: 0, False: 0}
    for p in starter.values():
        mentions = "vneid" in fold(p.model_dump_json())
        for language in ("vi", "en"):
            text = compose_answer(p, "online", language).text
            assert ("VNeID" in text) == mentions, p.code
        seen[mentions] += 1
    assert seen[True] and seen[False]


def test_conditions(starter: Starter) -> None:
    text = compose_answer(starter["1.001193"], "conditions", "vi").text
    assert "Trong 60 ngày kể từ ngày sinh" in text
    empty = compose_answer(starter["1.001612"], "conditions", "vi").text
    assert "Hồ sơ không ghi yêu cầu, điều kiện" in empty


def test_legal_basis(starter: Starter) -> None:
    text = compose_answer(starter["1.000253"], "legal_basis", "vi").text
    assert (
        "- Luật Nhập cảnh, xuất cảnh, quá cảnh, cư trú của người nước ngoài tại Việt Nam"
        " (47/2014/QH13)"
    ) in text
    assert "(53/2016/TT-BCA)" in text


def test_result(starter: Starter) -> None:
    text = compose_answer(starter["1.000656"], "result", "vi").text
    assert "Trích lục khai tử (bản chính); bản sao Trích lục khai tử nếu có yêu cầu." in text


def test_general_overview(starter: Starter) -> None:
    p = starter["1.001456"]
    composed = compose_answer(p, "general", "vi")
    text = composed.text
    assert "Cấp thực hiện: Cấp tỉnh" in text
    assert "Phí, lệ phí: 200.000 đồng/hộ chiếu (cấp lại do hỏng, mất: 400.000 đồng)" in text
    assert "Thời hạn: 8 ngày làm việc" in text
    count = sum(len(g.items) for g in p.documents if not g.case)
    assert f"Hồ sơ: {count} giấy tờ (trường hợp chung)" in text
    assert "Làm trực tuyến: một phần" in text
    aspects = [detect_aspect(q.text) for q in composed.quick_replies]
    assert aspects == ["documents", "fee", "processing_time", "where"]


def test_general_overview_names_what_the_citizen_receives_not_the_refusal() -> None:
    result = (
        "Phiếu từ chối tiếp nhận, giải quyết hồ sơ (lĩnh vực cư trú)\n"
        "Xác nhận thông tin về cư trú (CT07)\n"
        "Văn bản không chấp thuận."
    )
    p = _procedure(result=result)
    assert (
        "Kết quả: Xác nhận thông tin về cư trú (CT07)\n" in compose_answer(p, "general", "vi").text
    )
    en = compose_answer(p, "general", "en").text
    assert "Result (kết quả): Xác nhận thông tin về cư trú (CT07)\n" in en
    for empty in ("", "Không có thông tin"):
        assert "Kết quả" not in compose_answer(_procedure(result=empty), "general", "vi").text


def test_general_in_english_uses_the_english_summary(starter: Starter) -> None:
    p = starter["1.001456"]
    text = compose_answer(p, "general", "en").text
    assert p.summary_en[:60] in text
    assert "Fee (lệ phí): 200.000 đồng/hộ chiếu" in text
    assert "Processing time (thời hạn): 8 working days (ngày làm việc)" in text


# ---------------------------------------------------------------------------------------------
# Framing common to every answer


@pytest.mark.parametrize("aspect", ASPECTS)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_answer_cites_its_source(
    starter: Starter, aspect: Aspect, language: Language
) -> None:
    p = starter["1.001193"]
    composed = compose_answer(p, aspect, language)
    assert composed.section == aspect
    assert composed.citations == [
        Citation(procedure_code=p.code, name=p.name, section=aspect, url=p.source_url)
    ]
    if language == "vi":
        source = f"Nguồn: {p.name} (mã {p.code}), dữ liệu ngày 01/07/2026\n{p.source_url}"
    else:
        source = f"Source: {p.name} (code {p.code}), record dated 01/07/2026\n{p.source_url}"
    assert composed.text.endswith("\n\n" + source)
    gloss = f" ({english_gloss(p.name)})" if language == "en" else ""  # English: glossed
    assert composed.text.splitlines()[0].endswith(p.name + gloss)
    own = [q for q in composed.quick_replies if detect_aspect(q.text) == aspect]
    assert not own or aspect == "documents"  # never offer the aspect just answered
    offered = [q for q in composed.quick_replies if q.text in _aspect_texts(language)]
    assert 2 <= len(offered) <= 4
    assert len(composed.quick_replies) <= 5


def _aspect_texts(language: Language) -> set[str]:
    return {texts[language][1] for texts in T.QUICK_REPLY.values()}


def test_source_without_date_or_url() -> None:
    p = _procedure(code="1.001193", source_url="")
    text = compose_answer(p, "fee", "vi").text
    assert "hồ sơ không ghi ngày cập nhật" in text
    assert T.PORTAL_LOOKUP_URL.format(code="1.001193") in text
    local = _procedure(code="1.001193.H19", source_url="")
    composed = compose_answer(local, "fee", "en")
    assert "record date not stated" in composed.text
    assert "http" not in composed.text
    assert composed.citations[0].url == ""


def test_quick_reply_texts_are_detected_as_their_aspect() -> None:
    for aspect, texts in T.QUICK_REPLY.items():
        for label, text in texts.values():
            assert label and detect_aspect(text) == aspect, text


def test_english_keeps_official_terms(starter: Starter) -> None:
    text = compose_answer(starter["1.014064"], "fee", "en").text
    assert text.startswith("Fee (lệ phí) — Cấp lại thẻ căn cước")
    assert "- In person (trực tiếp), online (trực tuyến): 35.000 đồng/thẻ" in text
    docs = compose_answer(starter["1.001193"], "documents", "en").text
    assert "Tờ khai đăng ký khai sinh" in docs  # document names stay Vietnamese
    assert "Giấy tờ cần chuẩn bị" not in docs and "Nguồn:" not in docs


def test_templates_hold_no_numbers() -> None:
    strings = [text for texts in T.PHRASES.values() for text in texts.values()]
    for table in (T.ASPECT_TITLE, T.CHANNEL, T.UNIT, T.UNIT_ONE, T.ONLINE_LEVEL, T.ONLINE_SHORT):
        strings += [text for texts in table.values() for text in texts.values()]
    strings += [s for texts in T.QUICK_REPLY.values() for pair in texts.values() for s in pair]
    strings += list(T.LEVEL_EN.values()) + list(T.CASE_QUICK_REPLY_TEXT.values())
    assert not [s for s in strings if re.search(r"\d", s)]


def test_clip_never_ends_inside_a_date() -> None:
    text = "Theo Thông tư số 47/2024/TT-BTC ngày 10 tháng 7 năm 2024 của Bộ trưởng Bộ Tài chính"
    for limit in range(20, len(text)):
        cut = clip(text, limit)
        assert len(cut) <= limit + 2
        assert not re.search(r"\d\S*(?: \S+)?…$", cut), cut


# ---------------------------------------------------------------------------------------------
# Length


def test_answers_fit_a_phone(starter: Starter) -> None:
    lengths = []
    for p in starter.values():
        for aspect in ASPECTS:
            for language in ("vi", "en"):
                text = compose_answer(p, aspect, language).text
                assert len(text) <= 1800, (p.code, aspect, language, len(text))
                lengths.append(len(text))
    assert statistics.median(lengths) <= 1000


def test_portal_answers_fit_a_zalo_message(portal_sample: list[Procedure]) -> None:
    for p in portal_sample:
        for aspect in ASPECTS:
            for language in ("vi", "en"):
                text = compose_answer(p, aspect, language).text
                assert len(text) <= 2000, (p.code, aspect, language, len(text))
