"""Fixed replies (greeting, handoff, refusals, …) in Vietnamese and English.

Kept apart from the answer templates so staff can review every sentence the assistant can
say without reading code. Placeholders use `str.format` names.
"""

from __future__ import annotations

from typing import Final

from assistant.reply import Language, QuickReply

MESSAGES: Final[dict[str, dict[Language, str]]] = {
    "greeting": {
        "vi": (
            "Xin chào! Mình là trợ lý thủ tục hành chính. Bạn cần hỏi về thủ tục nào "
            "(giấy tờ cần nộp, lệ phí, thời gian, nơi nộp, nộp online)?"
        ),
        "en": (
            "Hello! I answer questions about Vietnamese administrative procedures "
            "(thủ tục hành chính): documents, fees, processing time, where to file, online filing. "
            "What would you like to know?"
        ),
    },
    "thanks": {
        "vi": "Không có gì ạ. Bạn cần hỏi thêm thủ tục nào cứ nhắn nhé!",
        "en": "You're welcome. Ask me about any other procedure anytime.",
    },
    "goodbye": {
        "vi": "Chào bạn, chúc bạn làm thủ tục thuận lợi!",
        "en": "Goodbye, and good luck with your application!",
    },
    "reset": {
        "vi": "Đã bắt đầu cuộc trò chuyện mới. Bạn cần hỏi về thủ tục nào?",
        "en": "Starting over. Which procedure would you like to ask about?",
    },
    "handoff": {
        "vi": (
            "Để được cán bộ hỗ trợ trực tiếp, bạn gọi tổng đài {hotline} "
            "hoặc đến {office}. Mình vẫn có thể trả lời các câu hỏi về thủ tục tại đây."
        ),
        "en": (
            "To talk to a staff member, call the hotline {hotline} or visit {office} "
            "(the one-stop office). I can still answer questions about procedures here."
        ),
    },
    # Added to a reply when the conversation has been put in the staff inbox.
    "handoff_asked": {
        "vi": (
            "Mình đã chuyển cuộc trò chuyện cho cán bộ bộ phận một cửa; khi cán bộ nhận, "
            "họ sẽ trả lời bạn ngay tại đây."
        ),
        "en": (
            "I have passed this conversation to the one-stop office staff; when someone takes "
            "it, they will answer you right here."
        ),
    },
    "handoff_unhelped": {
        "vi": (
            "Mình chưa giúp được bạn, nên đã chuyển câu hỏi cho cán bộ bộ phận một cửa; cán bộ "
            "sẽ trả lời bạn tại đây."
        ),
        "en": (
            "I could not help with this, so I have passed your question to the one-stop office "
            "staff; they will answer you here."
        ),
    },
    # Sent on the citizen's channel by the staff console.
    "handoff_claimed": {
        "vi": "Cán bộ bộ phận một cửa đã nhận cuộc trò chuyện và sẽ trả lời bạn tại đây.",
        "en": "A staff member of the one-stop office has joined and will answer you here.",
    },
    "handoff_released": {
        "vi": (
            "Cán bộ đã kết thúc hỗ trợ. Trợ lý tự động tiếp tục trả lời bạn; cần gặp cán bộ, "
            'bạn cứ nhắn "gặp cán bộ".'
        ),
        "en": (
            "The staff member has finished. The automatic assistant answers again; to reach a "
            'person, just write "talk to staff".'
        ),
    },
    "out_of_scope": {
        "vi": (
            "Xin lỗi, mình chỉ hỗ trợ thông tin về thủ tục hành chính (hồ sơ, lệ phí, thời gian, "
            "nơi nộp…). Bạn có câu hỏi nào về thủ tục không?"
        ),
        "en": (
            "Sorry, I can only help with administrative procedures (documents, fees, processing "
            "time, where to file…). Do you have a question about a procedure?"
        ),
    },
    "not_found": {
        "vi": (
            "Mình chưa tìm thấy thủ tục phù hợp với câu hỏi này. Bạn thử ghi rõ tên thủ tục "
            "(ví dụ: “đăng ký khai sinh”, “cấp đổi căn cước”), hoặc gọi tổng đài {hotline} "
            "để được hỗ trợ."
        ),
        "en": (
            "I couldn't find a matching procedure. Try naming it (e.g. “birth registration”, "
            "“renew my ID card”), or call the hotline {hotline}."
        ),
    },
    "refusal": {
        "vi": (
            "Mình chỉ trả lời theo hồ sơ thủ tục chính thức và không thể thay đổi cách làm "
            "việc hay thông tin trong hồ sơ. Bạn cần hỏi về thủ tục nào?"
        ),
        "en": (
            "I only answer from the official procedure records and can't change how I work or "
            "what the records say. Which procedure can I help you with?"
        ),
    },
    "abuse": {
        "vi": (
            "Mình hiểu thủ tục đôi khi gây bực mình. Mình sẵn sàng giúp nếu bạn cho biết "
            "bạn cần làm thủ tục gì."
        ),
        "en": (
            "I understand procedures can be frustrating. I'm happy to help if you tell me "
            "which procedure you need."
        ),
    },
    "empty": {
        "vi": "Bạn muốn hỏi về thủ tục nào? Ví dụ: “làm căn cước cần gì”.",
        "en": "What would you like to ask? For example: “how do I get an ID card”.",
    },
    "attachment": {
        "vi": "Hiện mình chỉ đọc được tin nhắn chữ. Bạn vui lòng gõ câu hỏi nhé.",
        "en": "I can only read text messages for now. Please type your question.",
    },
    "clarify": {
        "vi": "Có vài thủ tục gần giống nhau. Bạn cần thủ tục nào dưới đây?",
        "en": "Several similar procedures match. Which one applies to you?",
    },
    "truncated": {
        "vi": "(Tin nhắn quá dài nên mình chỉ đọc phần đầu.)",
        "en": "(Your message was long, so I read only the first part.)",
    },
}

STARTERS: Final[dict[Language, list[QuickReply]]] = {
    "vi": [
        QuickReply(label="Làm căn cước", text="Làm căn cước cần giấy tờ gì?"),
        QuickReply(label="Đăng ký khai sinh", text="Đăng ký khai sinh cần gì?"),
        QuickReply(label="Đăng ký kết hôn", text="Đăng ký kết hôn cần giấy tờ gì?"),
        QuickReply(label="Gặp cán bộ", text="Gặp cán bộ"),
    ],
    "en": [
        QuickReply(label="ID card", text="How do I get an ID card (căn cước)?"),
        QuickReply(label="Birth registration", text="How do I register a birth?"),
        QuickReply(label="Marriage", text="How do I register a marriage?"),
        QuickReply(label="Talk to staff", text="Talk to a human"),
    ],
}


def message(key: str, language: Language, **values: str) -> str:
    return MESSAGES[key][language].format(**values)
