"""Words the messaging channels say themselves (the assistant's own replies come from
`assistant.messages`). Vietnamese first, English second."""

from __future__ import annotations

from typing import Final

from assistant.reply import Language
from knowledge.text import fold

CHANNEL_TEXTS: Final[dict[str, dict[str, str]]] = {
    "choose_language": {
        "vi": "Chọn ngôn ngữ / Choose your language:",
        "en": "Chọn ngôn ngữ / Choose your language:",
    },
    "language_set": {
        "vi": "Đã chọn tiếng Việt. Bạn cần hỏi về thủ tục nào?",
        "en": "English it is. Which procedure would you like to ask about?",
    },
    "help": {
        "vi": (
            "Mình trả lời câu hỏi về thủ tục hành chính (giấy tờ, lệ phí, thời gian, nơi nộp, "
            "nộp online) từ hồ sơ chính thức, có dẫn nguồn.\n"
            "/reset — bắt đầu lại · /lang — chọn ngôn ngữ · /help — hướng dẫn\n"
            "Gõ “gặp cán bộ” để được chuyển tới cán bộ."
        ),
        "en": (
            "I answer questions about administrative procedures (documents, fees, processing "
            "times, where to file, online filing) from the official records, with sources.\n"
            "/reset — start over · /lang — choose a language · /help — this help\n"
            "Type “talk to staff” to reach a person."
        ),
    },
    "feedback_thanks": {
        "vi": "Cảm ơn bạn đã góp ý!",
        "en": "Thanks for your feedback!",
    },
    "button_expired": {
        "vi": "Nút này đã hết hạn, bạn vui lòng gõ lại câu hỏi.",
        "en": "This button has expired; please type your question again.",
    },
    "source": {"vi": "Nguồn", "en": "Source"},
}

LANGUAGE_BUTTONS: Final[list[tuple[str, Language]]] = [("Tiếng Việt", "vi"), ("English", "en")]

# Whole messages that choose a language (folded: no diacritics, lower case).
_LANGUAGE_WORDS: Final[dict[str, Language]] = {
    "/lang vi": "vi",
    "/lang en": "en",
    "tieng viet": "vi",
    "english": "en",
    "tieng anh": "en",
}


def channel_text(key: str, language: str | None) -> str:
    texts = CHANNEL_TEXTS[key]
    return texts["en"] if language == "en" else texts["vi"]


def language_choice(text: str) -> Language | None:
    """The language a whole message picks ("Tiếng Việt", "English", "/lang en"), if any."""
    folded = " ".join(fold(text).lower().split())
    return _LANGUAGE_WORDS.get(folded)
