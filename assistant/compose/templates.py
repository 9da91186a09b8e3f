"""Every fixed string of a grounded answer, in Vietnamese and English.

Nothing here states a fee, a duration or a requirement: those come from the record only.
No template contains a digit, so every number in an answer comes from the record (or is a
list enumerator or an item count computed by the composer).
"""

from __future__ import annotations

from typing import Final

from assistant.reply import Language
from knowledge.schema import ChannelKind, OnlineLevel, TimeUnit
from knowledge.search.aspects import Aspect

Texts = dict[Language, str]

# Used only when a portal-coded record carries no source URL of its own (every record of the
# shared export and of the starter corpus has one).
PORTAL_LOOKUP_URL: Final = (
    "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc={code}"
)

ASPECT_TITLE: Final[dict[Aspect, Texts]] = {
    "documents": {"vi": "Giấy tờ cần chuẩn bị", "en": "Documents (thành phần hồ sơ)"},
    "fee": {"vi": "Phí, lệ phí", "en": "Fee (lệ phí)"},
    "processing_time": {
        "vi": "Thời hạn giải quyết",
        "en": "Processing time (thời hạn giải quyết)",
    },
    "steps": {"vi": "Các bước thực hiện", "en": "Steps (trình tự thực hiện)"},
    "where": {"vi": "Nơi làm thủ tục", "en": "Where to apply (nơi thực hiện)"},
    "conditions": {
        "vi": "Yêu cầu, điều kiện",
        "en": "Requirements and conditions (yêu cầu, điều kiện)",
    },
    "legal_basis": {"vi": "Căn cứ pháp lý", "en": "Legal basis (căn cứ pháp lý)"},
    "result": {"vi": "Kết quả nhận được", "en": "What you receive (kết quả)"},
    "online": {"vi": "Làm trực tuyến", "en": "Applying online (trực tuyến)"},
    "general": {"vi": "Thông tin chung", "en": "Overview"},
}

CHANNEL: Final[dict[ChannelKind, Texts]] = {
    "in_person": {"vi": "Trực tiếp", "en": "In person (trực tiếp)"},
    "online": {"vi": "Trực tuyến", "en": "Online (trực tuyến)"},
    "post": {"vi": "Bưu chính", "en": "By post (bưu chính)"},
}

UNIT: Final[dict[TimeUnit, Texts]] = {
    "working_days": {"vi": "ngày làm việc", "en": "working days (ngày làm việc)"},
    "days": {"vi": "ngày", "en": "days (ngày)"},
    "hours": {"vi": "giờ", "en": "hours (giờ)"},
    "unknown": {"vi": "", "en": ""},
}

UNIT_ONE: Final[dict[TimeUnit, Texts]] = {  # for a value of exactly one
    "working_days": {"vi": "ngày làm việc", "en": "working day (ngày làm việc)"},
    "days": {"vi": "ngày", "en": "day (ngày)"},
    "hours": {"vi": "giờ", "en": "hour (giờ)"},
    "unknown": {"vi": "", "en": ""},
}

ONLINE_LEVEL: Final[dict[OnlineLevel, Texts]] = {
    "full": {
        "vi": "Có. Đây là dịch vụ công trực tuyến toàn trình: "
        "có thể làm trực tuyến toàn bộ các bước.",
        "en": "Yes. It is a full online public service (dịch vụ công trực tuyến toàn trình): "
        "every step can be done online.",
    },
    "partial": {
        "vi": "Được một phần. Đây là dịch vụ công trực tuyến một phần: "
        "nộp hồ sơ trực tuyến được, một số bước vẫn làm trực tiếp.",
        "en": "Partly. It is a partial online public service (dịch vụ công trực tuyến một phần): "
        "you can file online, some steps are still done in person.",
    },
    "none": {
        "vi": "Không. Hồ sơ không có cách nộp trực tuyến.",
        "en": "No. The record lists no online channel (không nộp trực tuyến).",
    },
    "unknown": {"vi": "", "en": ""},
}

ONLINE_SHORT: Final[dict[OnlineLevel, Texts]] = {
    "full": {"vi": "toàn trình", "en": "fully online (toàn trình)"},
    "partial": {"vi": "một phần", "en": "partly online (một phần)"},
    "none": {"vi": "không", "en": "not online (không)"},
    "unknown": {"vi": "", "en": ""},
}

LEVEL_EN: Final[dict[str, str]] = {
    "cap bo": "ministry level",
    "cap trung uong": "central level",
    "cap tinh": "provincial level",
    "cap huyen": "district level",
    "cap xa": "commune level",
}

# (label shown on the button, text sent back when tapped): each text is detected as its aspect.
QUICK_REPLY: Final[dict[Aspect, dict[Language, tuple[str, str]]]] = {
    "documents": {
        "vi": ("Cần giấy tờ gì?", "Cần giấy tờ gì?"),
        "en": ("Documents?", "What documents do I need?"),
    },
    "fee": {"vi": ("Phí bao nhiêu?", "Phí bao nhiêu?"), "en": ("Fee?", "How much is the fee?")},
    "processing_time": {
        "vi": ("Mất bao lâu?", "Mất bao lâu?"),
        "en": ("How long?", "How long does it take?"),
    },
    "where": {"vi": ("Nộp ở đâu?", "Nộp ở đâu?"), "en": ("Where?", "Where do I apply?")},
    "online": {
        "vi": ("Làm online được không?", "Làm online được không?"),
        "en": ("Online?", "Can I do it online?"),
    },
    "steps": {
        "vi": ("Các bước làm?", "Các bước làm thế nào?"),
        "en": ("Steps?", "What are the steps?"),
    },
    "conditions": {
        "vi": ("Điều kiện?", "Cần điều kiện gì?"),
        "en": ("Conditions?", "What are the conditions?"),
    },
    "legal_basis": {
        "vi": ("Căn cứ pháp lý?", "Căn cứ pháp lý là gì?"),
        "en": ("Legal basis?", "What is the legal basis?"),
    },
    "result": {
        "vi": ("Nhận được gì?", "Kết quả nhận được là gì?"),
        "en": ("Result?", "What do I receive at the end?"),
    },
    "general": {
        "vi": ("Thông tin chung", "Cho tôi thông tin chung về thủ tục này"),
        "en": ("Overview", "Give me an overview"),
    },
}

CASE_QUICK_REPLY_TEXT: Final[Texts] = {
    "vi": "Giấy tờ trường hợp {case}",
    "en": "Documents for the case: {case}",
}

# Prefixes a case heading or a case request may carry; stripped before matching and labelling.
CASE_PREFIXES: Final = (
    "giay to truong hop",
    "documents for the case",
    "documents for case",
    "documents for",
    "truong hop",
    "doi voi",
    "case",
)

PHRASES: Final[dict[str, Texts]] = {
    "header": {"vi": "{title} — {name}", "en": "{title} — {name}"},
    "source": {
        "vi": "Nguồn: {name} (mã {code}), {dated}",
        "en": "Source: {name} (code {code}), {dated}",
    },
    "dated": {"vi": "dữ liệu ngày {date}", "en": "record dated {date}"},
    "undated": {
        "vi": "hồ sơ không ghi ngày cập nhật",
        "en": "record date not stated (hồ sơ không ghi ngày cập nhật)",
    },
    "more_items": {"vi": "… và {n} mục khác", "en": "… and {n} more"},
    "not_stated": {"vi": "hồ sơ không ghi", "en": "not stated in the record"},
    "note": {"vi": "Ghi chú: {text}", "en": "Note (ghi chú): {text}"},
    # fee
    "fee_free": {"vi": "Miễn phí", "en": "Free (miễn phí)"},
    "fee_free_as_written": {"vi": "{text}", "en": "free (miễn phí) — «{text}»"},
    "fee_set_locally": {
        "vi": "Mức thu do HĐND cấp tỉnh quy định",
        "en": "set by the provincial People's Council (do HĐND cấp tỉnh quy định)",
    },
    "fee_set_locally_suffix": {
        "vi": "(mức do HĐND cấp tỉnh quy định)",
        "en": "(amount set by the provincial People's Council — do HĐND cấp tỉnh quy định)",
    },
    "fee_valid_until": {
        "vi": "áp dụng đến hết ngày {date}",
        "en": "applies until {date} (áp dụng đến hết ngày {date})",
    },
    "fee_unknown": {
        "vi": "Hồ sơ không ghi phí, lệ phí của thủ tục này. "
        "Vui lòng xem hồ sơ gốc bên dưới hoặc hỏi nơi tiếp nhận hồ sơ.",
        "en": "The record does not state a fee for this procedure. "
        "Please check the official record below or ask the receiving office.",
    },
    "fee_local_hint": {
        "vi": "Mức cụ thể tùy tỉnh, thành: hỏi nơi tiếp nhận hồ sơ nơi bạn làm thủ tục.",
        "en": "The exact amount depends on the province: ask the office where you apply.",
    },
    # processing time
    "time_unit_not_stated": {"vi": "(hồ sơ không ghi đơn vị)", "en": "(unit not stated)"},
    "time_as_written": {"vi": "{text}", "en": "«{text}» (as written)"},
    "time_unknown": {
        "vi": "Hồ sơ không ghi thời hạn giải quyết của thủ tục này. "
        "Vui lòng xem hồ sơ gốc bên dưới hoặc hỏi nơi tiếp nhận hồ sơ.",
        "en": "The record does not state a processing time for this procedure. "
        "Please check the official record below or ask the receiving office.",
    },
    # documents
    "docs_general": {"vi": "Trường hợp chung:", "en": "General case:"},
    "docs_case": {"vi": "Trường hợp: {case}", "en": "Case (trường hợp): {case}"},
    "docs_none": {
        "vi": "Hồ sơ không ghi thành phần hồ sơ của thủ tục này. "
        "Vui lòng xem hồ sơ gốc bên dưới hoặc hỏi nơi tiếp nhận hồ sơ.",
        "en": "The record lists no documents for this procedure. "
        "Please check the official record below or ask the receiving office.",
    },
    "docs_case_not_found": {
        "vi": "Hồ sơ không có trường hợp riêng khớp với yêu cầu; dưới đây là giấy tờ chung.",
        "en": "The record has no separate case matching that request; "
        "here are the general documents.",
    },
    "docs_other_cases": {
        "vi": "Có giấy tờ riêng cho các trường hợp: {cases}.",
        "en": "Separate documents apply to these cases (trường hợp): {cases}.",
    },
    "docs_other_cases_hint": {
        "vi": "Bấm nút bên dưới hoặc hỏi «Giấy tờ trường hợp …».",
        "en": "Tap a button below or ask «Documents for the case: …».",
    },
    "docs_form": {"vi": "mẫu: {form}", "en": "form (mẫu): {form}"},
    # steps
    "steps_none": {
        "vi": "Hồ sơ không ghi trình tự thực hiện của thủ tục này.",
        "en": "The record does not describe the steps of this procedure.",
    },
    # where
    "where_level": {"vi": "Cấp thực hiện: {value}", "en": "Level (cấp thực hiện): {value}"},
    "where_competent": {
        "vi": "Cơ quan có thẩm quyền: {value}",
        "en": "Competent agency (cơ quan có thẩm quyền): {value}",
    },
    "where_implementing": {
        "vi": "Cơ quan thực hiện: {value}",
        "en": "Implementing agency (cơ quan thực hiện): {value}",
    },
    "where_receiving": {
        "vi": "Nơi tiếp nhận hồ sơ: {value}",
        "en": "Where to file (nơi tiếp nhận hồ sơ): {value}",
    },
    "where_channels": {"vi": "Cách nộp: {value}", "en": "Ways to file (cách nộp): {value}"},
    "where_none": {
        "vi": "Hồ sơ không ghi cơ quan, nơi tiếp nhận của thủ tục này. "
        "Vui lòng xem hồ sơ gốc bên dưới.",
        "en": "The record does not name the agency or the place to file. "
        "Please check the official record below.",
    },
    "more_places": {"vi": "và {n} nơi khác", "en": "and {n} more"},
    # online
    "online_channel_unrated": {
        "vi": "Hồ sơ có ghi cách nộp trực tuyến (không ghi là toàn trình hay một phần).",
        "en": "The record lists an online channel (it does not say whether fully or partly online).",
    },
    "online_not_stated": {
        "vi": "Hồ sơ không ghi cách nộp trực tuyến.",
        "en": "The record does not list an online channel.",
    },
    "online_time": {
        "vi": "Thời hạn khi nộp trực tuyến: {value}",
        "en": "Processing time online: {value}",
    },
    "online_fee": {"vi": "Phí khi nộp trực tuyến: {value}", "en": "Fee online (lệ phí): {value}"},
    "online_other_channels": {
        "vi": "Có thể nộp: {value}",
        "en": "You can file: {value}",
    },
    "online_portal": {
        "vi": "Nộp trực tuyến trên Cổng Dịch vụ công quốc gia: {url}",
        "en": "File online on the National Public Service Portal (Cổng Dịch vụ công): {url}",
    },
    "passage": {
        "vi": "Về điều bạn hỏi, hồ sơ ghi: «{text}»",
        "en": "On what you asked, the record says: «{text}»",
    },
    "online_steps": {
        "vi": "Các bước khi nộp trực tuyến:",
        "en": "The steps for filing online (as the record writes them):",
    },
    "online_vneid": {
        "vi": "Hồ sơ nhắc đến VNeID: «{text}»",
        "en": "The record mentions VNeID (the national e-ID app): «{text}»",
    },
    # conditions, legal basis, result
    "conditions_none": {
        "vi": "Hồ sơ không ghi yêu cầu, điều kiện riêng cho thủ tục này.",
        "en": "The record states no particular requirements or conditions for this procedure.",
    },
    "legal_none": {
        "vi": "Hồ sơ không ghi căn cứ pháp lý của thủ tục này.",
        "en": "The record does not list the legal basis of this procedure.",
    },
    "result_none": {
        "vi": "Hồ sơ không ghi kết quả của thủ tục này.",
        "en": "The record does not state the result of this procedure.",
    },
    "as_written_intro": {"vi": "", "en": "As written in the record (Vietnamese):"},
    "trimmed_hint": {
        "vi": "(Nội dung đã rút gọn; xem đầy đủ trong hồ sơ gốc.)",
        "en": "(Shortened; see the full text in the official record.)",
    },
    # general
    "general_level": {"vi": "Cấp thực hiện: {value}", "en": "Level (cấp thực hiện): {value}"},
    "general_agency": {"vi": "Cơ quan: {value}", "en": "Agency (cơ quan): {value}"},
    "general_fee": {"vi": "Phí, lệ phí: {value}", "en": "Fee (lệ phí): {value}"},
    "general_time": {"vi": "Thời hạn: {value}", "en": "Processing time (thời hạn): {value}"},
    "general_docs": {
        "vi": "Hồ sơ: {n} giấy tờ (trường hợp chung)",
        "en": "Documents (hồ sơ): {n} for the general case",
    },
    "general_online": {"vi": "Làm trực tuyến: {value}", "en": "Online (trực tuyến): {value}"},
    "general_result": {"vi": "Kết quả: {value}", "en": "Result (kết quả): {value}"},
    "general_ask_more": {
        "vi": "Bạn muốn biết thêm về giấy tờ, lệ phí hay nơi nộp?",
        "en": "Would you like the documents, the fee or where to apply?",
    },
}


def phrase(key: str, language: Language, **values: object) -> str:
    """The template `key` in `language`, filled with `values`."""
    return PHRASES[key][language].format(**values)
