"""Intent of an incoming message: chit-chat, commands, abuse, injection, off-topic or a question.

`check_message` is the guard stage's entry point: it normalises, redacts and bounds the text,
detects its language and classifies it. Rules are regular expressions over word lists
(module-level tuples below, easy to extend) written in accented Vietnamese and English; each
list is compiled once with `accent_tolerant`, so "thời tiết", "thoi tiet" and "THỜI TIẾT" all
match while a diacritic the user did type still has to be right ("đâu" is not "đau").

Order: empty, injection, reset, greeting/thanks/goodbye (only when that is the whole
message), handoff, abuse and out_of_scope (both only without procedure vocabulary), question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final, Literal

from assistant.guard.language import accent_tolerant, detect_language
from assistant.guard.redact import PLACEHOLDERS, redact
from assistant.reply import Language
from knowledge.text import load_abbreviations, normalize, truncate

Intent = Literal[
    "empty",
    "greeting",
    "thanks",
    "goodbye",
    "reset",
    "handoff",
    "abuse",
    "injection",
    "out_of_scope",
    "question",
]


@dataclass(frozen=True)
class GuardResult:
    """What the guard decided about one message."""

    intent: Intent
    text: str  # normalised, redacted, cut to max_chars at a word boundary
    truncated: bool
    redactions: dict[str, int] = field(default_factory=dict)
    language: Language = "vi"


# --- word lists (regex snippets in accented Vietnamese or English; extend freely) ---------

GREETINGS: Final[tuple[str, ...]] = (
    "xin chào",
    "chào",
    "kính chào",
    "hello",
    "hallo",
    "helo",
    "hi+",
    "hey",
    "hiya",
    "howdy",
    "greetings",
    "yo",
    "alo",
    "a lô",
    "hế lô",
    "good (?:morning|afternoon|evening|day)",
    "chào buổi (?:sáng|chiều|tối)",
    "có ai (?:ở )?(?:đó|đây)?(?: không)?",
    "anyone (?:there|here)",
    "how are you(?: doing| today)?",
    "bạn (?:có )?khỏe không",
    "khỏe không",
    "(?:ad|admin|bạn|bot|anh|chị|em) ơi",
)
THANKS: Final[tuple[str, ...]] = (
    "cảm ơn",
    "cám ơn",
    "camon",
    "cảm ơn",
    "mơn",
    "thank(?:s| you| u)?",
    "thanks? a lot",
    "many thanks",
    "thx",
    "tks",
    "tnx",
    "ty",
    "appreciate(?:d)?(?: it)?",
    "much appreciated",
    "biết ơn",
    "hữu ích(?: quá)?",
    "tuyệt vời",
    "great",
    "awesome",
    "perfect",
    "helpful",
    "hiểu rồi",
    "đã hiểu",
    "got it",
    "for (?:your|the) help",
    "for helping(?: me)?",
    "vì đã (?:giúp|hỗ trợ)(?: đỡ)?",
    "đã (?:giúp|hỗ trợ)",
)
GOODBYES: Final[tuple[str, ...]] = (
    "tạm biệt",
    "bye(?: bye)?",
    "byebye",
    "bai bai",
    "good ?bye",
    "see (?:you|ya)(?: later| soon)?",
    "cya",
    "hẹn gặp lại",
    "gặp lại sau",
    "chúc (?:ngủ ngon|một ngày tốt lành|buổi tối vui vẻ)",
    "good ?night",
    "have a (?:nice|good) day",
    "thôi chào",
    "pp",
)
# Words allowed around a greeting, thanks or goodbye without making it a question.
SOCIAL_FILLERS: Final[tuple[str, ...]] = (
    "bạn",
    "ad",
    "admin",
    "bot",
    "chatbot",
    "trợ lý",
    "ạ",
    "à",
    "nhé",
    "nha",
    "nhá",
    "nhiều",
    "lắm",
    "rất",
    "quá",
    "thật",
    "thực sự",
    "luôn",
    "ok",
    "oke",
    "okay",
    "okie",
    "vâng",
    "dạ",
    "ừ",
    "uh",
    "ơi",
    "em",
    "anh",
    "chị",
    "mình",
    "tôi",
    "cả nhà",
    "mọi người",
    "nhỉ",
    "hihi",
    "haha",
    "hehe",
    "hì",
    "you",
    "u",
    "very",
    "so",
    "much",
    "really",
    "again",
    "all",
    "guys",
    "there",
    "everyone",
    "team",
    "sir",
    "bro",
    "dear",
    "oh",
    "ah",
    "wow",
    "and",
    "và",
    "thế",
    "nhé",
    "the",
    "đỡ",
    "xin",
    "that",
    "this",
    "it",
    "was",
    "is",
    "that's",
    "it's",
    "rồi",
    "a lot",
    "lots",
)
RESETS: Final[tuple[str, ...]] = (
    "/reset",
    "/start",
    "/restart",
    "/new",
    "/clear",
    "bắt đầu lại(?: từ đầu)?",
    "bắt đầu(?: cuộc)? (?:trò chuyện|hội thoại)? ?mới",
    "làm lại từ đầu",
    "lại từ đầu",
    "hỏi lại từ đầu",
    "quay lại từ đầu",
    "xóa (?:lịch sử|cuộc trò chuyện|hội thoại|đoạn chat|chat)",
    "(?:cuộc )?(?:trò chuyện|hội thoại) mới",
    "reset",
    "restart",
    "start (?:over|again|fresh)",
    "begin again",
    "new (?:conversation|chat|topic|session)",
    "clear (?:the )?(?:chat|history|conversation)",
)
RESET_FILLERS: Final[tuple[str, ...]] = (
    "hãy",
    "cho",
    "tôi",
    "mình",
    "em",
    "muốn",
    "đi",
    "nhé",
    "nha",
    "ạ",
    "ok",
    "please",
    "pls",
    "let's",
    "lets",
    "let us",
    "i want to",
    "can we",
    "we",
    "bạn",
    "bot",
    "ad",
)
HANDOFF: Final[tuple[str, ...]] = (
    r"(?:gặp|nói chuyện(?: trực tiếp)?(?: với)?|kết nối(?: với| tới)?|chuyển(?: cho)?"
    r"(?: tôi| mình| em)?(?: sang| qua| cho| tới| đến)?|chat với|trao đổi(?: trực tiếp)? với)(?: một| 1)? (?:cán bộ|nhân viên"
    r"|người thật|người trực|tư vấn viên|tổng đài viên|chuyên viên|người hỗ trợ"
    r"|bộ phận hỗ trợ|admin thật|người phụ trách|con người|operator)(?! nào| gì)",
    "người thật",
    "tư vấn viên",
    "tổng đài viên",
    "con người thật",
    "(?:số )?tổng đài(?: hỗ trợ| tư vấn)?",
    "số hotline",
    "hotline",
    "đường dây nóng",
    "không muốn nói chuyện với (?:bot|máy|robot)",
    r"(?:talk|speak|chat)(?: to| with)(?: a| an| some| the)?(?: real| live)? "
    r"(?:human|person|people|agent|officer|operator|representative|someone|somebody|staff)",
    "connect me (?:to|with)",
    "transfer me",
    "(?:human|live|real) (?:agent|person|human|support|operator)",
    "customer (?:service|support)",
    "call cent(?:er|re)",
    "contact (?:a |an |the )?(?:human|person|officer|staff|support)",
    "support (?:phone|number)",
)
# "có cần gặp cán bộ không" asks about the procedure, not for a human.
HANDOFF_NEGATORS: Final[tuple[str, ...]] = (
    "có cần",
    "cần phải",
    "phải",
    "có phải",
    "không cần",
    "do i need to",
    "need to",
    "must i",
)
INJECTION: Final[tuple[str, ...]] = (
    # Override the instructions.
    r"(?:bỏ qua|phớt lờ|lờ đi|vứt bỏ|không cần tuân theo|đừng tuân theo|không tuân theo"
    r"|ghi đè)(?: hết| đi| tất cả| mọi| toàn bộ| các| những)* (?:hướng dẫn|chỉ dẫn|chỉ thị"
    r"|lệnh|câu lệnh|quy tắc|luật lệ|lời dặn|thiết lập|quy định của bạn|prompt|nguyên tắc"
    r"|yêu cầu trước)",
    r"(?:quên|hủy|bỏ)(?: hết| đi| tất cả| mọi| toàn bộ)+(?: các| những)? (?:hướng dẫn|chỉ dẫn"
    r"|chỉ thị|câu lệnh|quy tắc|luật lệ|lời dặn|thiết lập|prompt|nguyên tắc|thứ)",
    r"(?:ignore|disregard|forget|override|bypass)(?: all| any| every| the| your| my| of"
    r"| previous| prior| above| earlier| preceding| original| system| those| these)*"
    r" (?:instructions?|rules?|prompts?|directions?|guidelines?|guardrails?|restrictions?"
    r"|context|messages?|constraints?|programming|above|everything)",
    "disregard (?:the|that|this|what)",
    "forget everything",
    "(?:here are |these are )?your new (?:instructions|rules|role)",
    "(?:system|developer|hidden|initial|original) (?:prompt|message|instructions?)",
    "prompt (?:hệ thống|gốc|ban đầu|của bạn)",
    "(?:hướng dẫn|chỉ dẫn|câu lệnh|cấu hình) hệ thống",
    r"(?:in|hiển thị|hiện|show|print|reveal|tiết lộ|cho (?:tôi |mình |em )?xem|đưa|đọc|nhắc lại"
    r"|repeat|output|display|tell me|what (?:is|are|were))(?: ra)?(?: toàn bộ| hết| lại)?"
    r"(?: cái| các| những)? (?:your |the )?(?:prompt|system prompt|instructions|chỉ dẫn"
    r"|hướng dẫn) (?:của bạn|you were given|above|ban đầu|gốc)",
    r"(?:in|hiển thị|show|print|reveal|tiết lộ|display)(?: ra)? (?:your |the )?prompt",
    r"(?:reveal|show|print|display|output|repeat|list|share|give me|tell me)(?: me)?(?: all)?"
    r"(?: of)? your (?:instructions|rules|prompt|guidelines|configuration|directives)",
    "what (?:are|were|is) your (?:instructions|rules|prompt|guidelines|directives)",
    "prompt injection",
    # Role play and jailbreaks.
    "you are now",
    "you're now",
    "you are no longer",
    "from now on,? (?:you|act|respond|answer|reply|always|only|say)",
    r"(?:từ (?:giờ|bây giờ|nay|lúc này)(?: trở đi)?),? (?:bạn|mày|em|bot)"
    r"(?: là| sẽ| phải| hãy| đóng vai| chỉ| không| luôn)",
    "bạn không còn là",
    "pretend (?:you are|you're|to be|that you)",
    "act as (?:if|though|dan|an? (?:ai|bot|chatbot|assistant|hacker|character|unrestricted"
    "|different|evil|jailbroken|pirate)|my (?:girlfriend|boyfriend|grandma|grandmother|friend))",
    "act like (?:an? (?:human|person|hacker|pirate|different|unrestricted)|you(?:'re| are))",
    "roleplay",
    "role-play",
    "role play",
    "đóng vai(?! trò)",
    "giả vờ (?:là|bạn là|như)",
    "giả sử bạn là",
    "hãy là",
    "nhập vai",
    "developer mode",
    "dev mode",
    "god mode",
    "admin mode",
    "chế độ (?:nhà phát triển|developer|dev|admin|quản trị|không giới hạn|không kiểm duyệt)",
    "jailbreak",
    "jail break",
    "do anything now",
    "dan mode",
    "(?:you are|you're|become) dan",
    "sudo",
    "không (?:bị )?giới hạn(?: bởi)? (?:quy tắc|luật|nguyên tắc)",
    "unfiltered",
    "uncensored",
    r"<\|?(?:im_start|im_end|system|endoftext)",
    r"\[(?:system|inst)\]",
    "### ?(?:instruction|system)",
    "^(?:system|assistant) ?:",
    # Make the bot assert something.
    "repeat after me",
    "say exactly",
    "say only",
    "nhắc lại theo (?:tôi|mình|em)",
    "nói theo (?:tôi|mình|em)",
    "lặp lại (?:theo|nguyên văn|câu sau|y nguyên|chính xác)",
    "(?:(?:hãy|cứ|chỉ cần|chỉ|luôn|luôn luôn)|(?:bạn|mày|bot|em) (?:hãy|phải|cứ))(?: hãy)?"
    " (?:nói|trả lời|khẳng định|xác nhận|viết|bảo|ghi|thông báo|tuyên bố)"
    "(?: cho (?:tôi|mình|mọi người|người dân))? (?:rằng|là)",
    "^(?:nói|trả lời|khẳng định|viết|thông báo|tuyên bố) (?:rằng|là)",
    r"(?:^|just |please |now |you must |you should |always )(?:say|state|claim|declare|tell"
    r"(?: me| everyone| users?| people| them)?|answer|reply|respond|write)(?: that|:)",
    "(?:answer|reply|respond) (?:only )?with (?:yes|no|ok|\"|')",
    r"(?:say|tell (?:me|everyone|users?|people)(?! (?:if|whether|why|how|what|when|where|about))"
    r"|state|claim)(?: that)? (?:the |a )?[\w' ]{0,40}"
    r"(?:fee|cost|price|charge)s? (?:is|are|=) (?:0|zero|free|nothing|\d)",
    "(?:your|the) (?:answer|reply|response) (?:must|should|will) (?:be|say)",
    "(?:luôn|chỉ) trả lời (?:là|rằng|bằng|có|không)",
    "câu trả lời (?:của bạn )?(?:phải|sẽ) là",
)
ABUSE: Final[tuple[str, ...]] = (
    "ngu",
    "đồ ngu",
    "ngu (?:quá|thế|vậy|vl|vcl|vkl|vãi|như bò|như lợn|như chó|si|xuẩn|ngốc|dốt|học)",
    "ngu ngốc",
    "ngu si",
    "ngu dốt",
    "ngu xuẩn",
    "óc (?:chó|lợn|heo|bò|tôm)",
    "não (?:cá vàng|chó|lợn|tôm|phẳng)",
    "mất dạy",
    "vô dụng",
    "vô tích sự",
    "vớ vẩn",
    "đồ (?:điên|khùng|rác|vô dụng|ngốc|chó|lợn|dở hơi|ăn hại)",
    "rác rưởi",
    "cút(?: đi| mẹ| xéo)",
    "biến đi",
    "câm (?:mồm|miệng|mõm)",
    "im mồm",
    "đm",
    "đmm",
    "đcm",
    "đkm",
    "đmcs",
    "vcl",
    "vkl",
    "vl",
    "vãi (?:lồn|l|cả lồn|chưởng)",
    "clm",
    "cmm",
    "cmn",
    "địt",
    "đụ (?:má|mẹ)",
    "đéo (?:hiểu|biết|trả lời|được|cần|thèm|gì)",
    "chó chết",
    "khốn nạn",
    "thằng ngu",
    "con ngu",
    "mẹ mày",
    "bố mày",
    "fuck(?:ing|er|ed)?",
    "f\\*+ck",
    "wtf",
    "stfu",
    "shut up",
    "shit",
    "bullshit",
    "stupid",
    "idiot(?:ic)?",
    "dumb",
    "useless",
    "moron",
    "sucks?",
    "bitch",
    "asshole",
    "damn (?:you|it)",
    "piece of (?:shit|crap|junk)",
    "(?:you are|you're|ur|this bot is|this is) (?:trash|garbage|crap|worthless|pathetic)",
)
# Topics the assistant does not answer (unless procedure vocabulary is present too).
OUT_OF_SCOPE: Final[tuple[str, ...]] = (
    # Weather.
    "thời tiết",
    "dự báo thời tiết",
    "trời (?:có )?(?:mưa|nắng|lạnh|nóng|rét|đẹp|âm u)",
    "có mưa không",
    "mưa (?:to|lớn|bão|rào|đá)",
    "nhiệt độ (?:hôm nay|ngày mai|bao nhiêu|ở|tại)",
    "độ ẩm",
    "(?:cơn )?bão số",
    "áp thấp nhiệt đới",
    "nắng nóng",
    "rét đậm",
    "không khí lạnh",
    "weather",
    "forecast",
    "(?:will|is) it (?:rain|snow|be sunny|be hot|be cold)",
    "temperature (?:today|tomorrow|in)",
    # Prices and markets.
    "giá vàng",
    "vàng (?:sjc|9999|miếng|nhẫn|24k|18k|pnj|doji) (?:hôm nay|bao nhiêu|giá|tăng|giảm)",
    "tỷ giá",
    "tỉ giá",
    "giá (?:đô|đô la|usd|euro|yên|nhân dân tệ|bitcoin|btc|eth|xăng|dầu|cổ phiếu|chứng khoán|coin)",
    "(?:đô|usd|euro|yên) (?:hôm nay|bây giờ|chợ đen)",
    "cổ phiếu",
    "chứng khoán",
    "vn-?index",
    "bitcoin",
    "btc",
    "ethereum",
    "crypto(?:currency)?",
    "tiền (?:ảo|điện tử|mã hóa)",
    "coin",
    "(?:gold|oil|bitcoin|stock|share) prices?",
    "price of (?:gold|oil|bitcoin|petrol|gas)",
    "exchange rate",
    "stock market",
    "stocks?",
    "(?:usd|dollar) to (?:vnd|dong)",
    "nên đầu tư",
    "đầu tư (?:gì|vào đâu|vàng|coin)",
    "should i (?:invest|buy)",
    # Lottery.
    "xổ số",
    "xs(?:mb|mn|mt|kt|hcm|td)",
    "kqxs",
    "vietlott",
    "lô đề",
    "số đề",
    "đánh đề",
    "lô tô",
    "soi cầu",
    "con số may mắn",
    "giải đặc biệt",
    "(?:power|mega) ?\\d/\\d\\d",
    "lottery",
    "lotto",
    "jackpot",
    "lucky numbers?",
    # Sports.
    "bóng đá",
    "đá bóng",
    "tỷ số",
    "tỉ số",
    "trận (?:đấu|đá|bóng|chung kết|bán kết|tối qua|hôm qua|tối nay)",
    "trận (?:việt nam|vn|mu|man|arsenal|real|barca)",
    "world cup",
    "sea games",
    "aff cup",
    "ngoại hạng anh",
    "champions league",
    "premier league",
    "cúp c1",
    "v-?league",
    "messi",
    "ronaldo",
    "đội tuyển",
    "vô địch",
    "ai (?:thắng|thua)",
    "kết quả (?:trận|bóng đá|thi đấu)",
    "lịch thi đấu",
    "bảng xếp hạng",
    "bxh",
    "cầu thủ",
    "football",
    "soccer",
    "(?:final |match |game )?scores?",
    "who won",
    "nba",
    "tennis",
    # Poems, songs, jokes, stories.
    "bài thơ",
    "làm (?:một )?(?:bài )?thơ",
    "thơ (?:lục bát|tình|về|con cóc)",
    "sáng tác",
    "bài hát",
    "lời bài hát",
    "hát (?:cho|một bài|đi|bài)",
    "ca khúc",
    "kể (?:cho (?:tôi|mình|em|tớ|tui) )?(?:nghe )?(?:một |1 )?(?:câu |mẩu )?chuyện",
    "kể chuyện",
    "truyện (?:cười|cổ tích|ngắn|ma|tranh|kinh dị)",
    "chuyện (?:cười|ma|tiếu lâm)",
    "câu đố",
    "đố vui",
    "viết (?:một |1 )?(?:bài )?(?:văn|thơ|truyện|luận|rap|stt|caption)",
    "bài văn",
    "thả thính",
    "poem",
    "poetry",
    "haiku",
    "limerick",
    "songs?",
    "lyrics",
    "sing",
    "jokes?",
    "funny",
    "riddle",
    "(?:tell|write|make up) (?:me )?(?:a |an )?(?:short |funny |bedtime |scary )?(?:story|tale|essay)",
    "bedtime story",
    # Writing or debugging code.
    "viết code",
    "code (?:python|java|javascript|c\\+\\+|php|web|app|html)",
    "lập trình",
    "debug",
    "sửa (?:lỗi )?code",
    "python",
    "javascript",
    "typescript",
    "java",
    "html",
    "css",
    "sql",
    "regex",
    "viết (?:hàm|chương trình|script|phần mềm|app|ứng dụng|trang web|website)",
    "thuật toán",
    "lỗi (?:code|cú pháp)",
    "công thức excel",
    "(?:write|fix|debug) (?:a |an |my |this |the |some )?(?:code|function|script|program|bug|class|query)",
    "coding",
    "programming",
    "stack ?trace",
    "leetcode",
    # Recipes and food.
    "công thức (?:nấu|làm món|làm bánh|pha)",
    "cách (?:nấu|làm|chế biến|pha) (?:món|bánh|phở|bún|chè|canh|gà|cá|thịt|trà sữa|kem|cà phê|mứt|nem)",
    "nấu (?:món|ăn|canh|phở|bún|cơm|cháo|lẩu|chè)",
    "món (?:ăn|ngon)",
    "ăn gì",
    "món gì ngon",
    "nấu ăn",
    "làm bánh",
    "pha (?:cà phê|trà sữa|cocktail)",
    "quán ăn",
    "nhà hàng (?:ngon|nào)",
    "recipes?",
    "cook(?:ing)?",
    "bake",
    "baking",
    "(?:for|eat for|make for) (?:dinner|lunch|breakfast)",
    "restaurants?",
    # Love and dating.
    "người yêu",
    "bạn gái",
    "bạn trai",
    "crush",
    "tỏ tình",
    "thất tình",
    "tán (?:gái|trai)",
    "cua (?:gái|trai)",
    "hẹn hò",
    "yêu (?:em|anh|tôi|mình) không",
    "tình yêu",
    "chia tay",
    "ny",
    "ngoại tình",
    "dating",
    "girlfriend",
    "boyfriend",
    "(?:first date|go on a date|date night)",
    "love (?:advice|life|letter)",
    "break ?up",
    "tinder",
    "relationship advice",
    # Medical diagnosis.
    "triệu chứng",
    "chẩn đoán",
    "bị (?:bệnh gì|đau|sốt|ho|cảm|cúm|tiêu chảy|ngứa|dị ứng|mụn|mất ngủ|táo bón|viêm)",
    "đau (?:đầu|bụng|lưng|răng|họng|ngực|dạ dày|khớp|mắt|tai)",
    "sốt (?:cao|nhẹ|mấy ngày)",
    "uống thuốc (?:gì|nào)",
    "thuốc (?:gì|nào) (?:chữa|trị)",
    "chữa (?:bệnh|đau|ho|sốt|mụn|ung thư|mất ngủ)",
    "bệnh gì",
    "ung thư",
    "tiểu đường",
    "huyết áp",
    "giảm cân",
    "tăng cân",
    "ăn kiêng",
    "symptoms?",
    "diagnos(?:e|is)",
    "headache",
    "stomach ?ache",
    "fever",
    "(?:what|which) (?:medicine|medication|pill|drug)",
    "lose weight",
    # Homework and maths.
    "giải (?:giúp |hộ |dùm |giùm )?(?:bài|phương trình|toán|hệ)",
    "bài tập (?:về nhà|toán|tiếng anh|vật lý|hóa|văn)",
    "phương trình",
    "đạo hàm",
    "tích phân",
    "nguyên hàm",
    "logarit",
    "căn bậc",
    "giải toán",
    "làm bài tập",
    "định lý",
    "học tiếng anh",
    "ielts",
    "toeic",
    "ngữ pháp",
    "homework",
    "maths?",
    "equation",
    "solve",
    r"\d*[xyz] ?[-+] ?\d+ ?= ?-?\d+",
    "integral",
    "derivative",
    "calculus",
    "algebra",
    "\\d+ ?[-+*/x×:^] ?\\d+ ?(?:=|bằng (?:mấy|bao nhiêu)|equals)",
    "\\d+ ?[+*×^] ?\\d+",
    "x\\^2",
    # General trivia and other chit-chat.
    "thủ đô (?:của|nước)",
    "capital (?:city )?of",
    "ai (?:là người )?(?:phát minh|phát hiện|sáng lập|viết|vẽ)",
    "who (?:invented|discovered|wrote|painted|founded)",
    "(?:cao|lớn|dài|sâu|nhỏ) nhất thế giới",
    "(?:tallest|largest|longest|biggest|smallest) (?:mountain|country|river|ocean|animal|building|planet)",
    "how far is",
    "meaning of life",
    "vũ trụ",
    "hành tinh",
    "khủng long",
    "why is the sky",
    "bầu trời (?:màu|có)",
    "phim",
    "lịch chiếu",
    "rạp chiếu",
    "netflix",
    "movies?",
    "films?",
    "chơi game",
    "video games?",
    "liên quân",
    "pubg",
    "free fire",
    "du lịch (?:ở đâu|đâu|nên đi|chỗ nào)",
    "đi chơi (?:ở đâu|đâu)",
    "khách sạn",
    "resort",
    "beach(?:es)?",
    "tourist attractions?",
    "places to visit",
    "mua (?:iphone|điện thoại|laptop|máy tính|xe máy|ô tô|xe) (?:ở đâu|nào|loại nào|hãng nào|trả góp|giá)",
    "trả góp",
    "shopee",
    "lazada",
    "tiki",
    "bạn (?:tên là|tên) gì",
    "bạn bao nhiêu tuổi",
    "bạn có người yêu",
    "bạn là (?:trai|gái|nam|nữ)",
    "(?:are you|r u) (?:single|married|a girl|a boy|human|real)",
    "how old are you",
    "do you love",
    "dịch (?:giúp |hộ |dùm |giùm |cho )?(?:tôi |mình |em )?(?:câu|đoạn|từ|bài|sang)",
    "translate",
    "xem bói",
    "bói (?:bài|toán)",
    "tử vi",
    "phong thủy",
    "cung hoàng đạo",
    "tuổi (?:gì|nào) hợp",
    "xem ngày (?:tốt|đẹp)",
    "horoscope",
    "zodiac",
    "feng shui",
    # Partisan politics.
    "đảng (?:nào|cộng hòa|dân chủ|bảo thủ|lao động)",
    "(?:ủng hộ|thích|ghét|bầu cho|bỏ phiếu cho) (?:đảng|tổng thống|ứng viên|ứng cử viên|ai)",
    "bầu cử tổng thống",
    "tổng thống (?:mỹ|nga|pháp|trump|biden|putin)",
    "trump",
    "biden",
    "putin",
    "tập cận bình",
    "(?:nghĩ|thấy|đánh giá|quan điểm|nhận xét)(?: gì| thế nào| sao| như thế nào)? về"
    " (?:đảng|chính phủ|chính quyền|chế độ|nhà nước|tổng thống|thủ tướng|chủ tịch"
    "|tổng bí thư|chính trị|cộng sản)",
    "chính trị",
    "biểu tình",
    "độc tài",
    "phản động",
    "elections?",
    "vote for",
    "political",
    "politics",
    "democrats?",
    "republicans?",
    "communis[mt]",
    "(?:which|what) party",
    "president (?:trump|biden|putin|xi|of)",
    # Religion.
    "tôn giáo (?:nào|gì)",
    "chúa (?:có )?(?:tồn tại|thật|có thật)",
    "thượng đế",
    "phật (?:giáo|pháp)",
    "đạo (?:phật|thiên chúa|công giáo|tin lành|hồi|cao đài|hòa hảo)",
    "kinh thánh",
    "kinh phật",
    "cầu nguyện",
    "đi chùa",
    "đi lễ",
    "religion",
    "religious",
    "(?:does |is )?god (?:exist|real)",
    "believe in god",
    "bible",
    "quran",
    "buddhism",
    "christianity",
    "islam",
    "pray(?:er|ing)?",
)
# Procedure vocabulary: when any of this is present, off-topic words do not make the message
# off-topic ("giấy phép kinh doanh vàng") and insults do not hide the question.
PROCEDURE_TERMS: Final[tuple[str, ...]] = (
    "thủ tục",
    "đăng ký",
    "đăng kí",
    "giấy phép",
    "cấp phép",
    "cấp (?:lại|đổi|mới|giấy|bản sao|phép|thẻ|sổ|hộ chiếu|căn cước|mã số|chứng chỉ)",
    "hồ sơ",
    "lệ phí",
    "phí",
    "giấy tờ",
    "chứng nhận",
    "chứng thực",
    "chứng chỉ",
    "công chứng",
    "sao y",
    "xác nhận",
    "khai sinh",
    "khai tử",
    "kết hôn",
    "ly hôn",
    "hộ chiếu",
    "căn cước",
    "hộ khẩu",
    "tạm trú",
    "thường trú",
    "cư trú",
    "tạm vắng",
    "visa",
    "thị thực",
    "sổ đỏ",
    "sổ hồng",
    "quyền sử dụng đất",
    "bằng lái",
    "giấy phép lái xe",
    "đăng kiểm",
    "biển số",
    "sang tên",
    "trước bạ",
    "bảo hiểm",
    "thuế",
    "doanh nghiệp",
    "hộ kinh doanh",
    "kinh doanh",
    "thành lập",
    "ủy ban",
    "dịch vụ công",
    "cổng dịch vụ",
    "nộp (?:hồ sơ|đơn|thuế|phạt|tiền|ở|tại|online|trực tuyến|qua)",
    "đơn (?:xin|đề nghị|khởi kiện)",
    "tờ khai",
    "trợ cấp",
    "lý lịch tư pháp",
    "quốc tịch",
    "con nuôi",
    "giám hộ",
    "xây dựng",
    "xuất cảnh",
    "nhập cảnh",
    "gia hạn",
    "cải chính",
    "hộ tịch",
    "trích lục",
    "nghĩa vụ quân sự",
    "nhập ngũ",
    "xử phạt",
    "vi phạm hành chính",
    "phạt nguội",
    "khiếu nại",
    "tố cáo",
    "thừa kế",
    "di chúc",
    "đất đai",
    "tách thửa",
    "chuyển mục đích",
    "giấy (?:khai sinh|chứng tử|xác nhận|chứng nhận|báo tử|ủy quyền|phép|tờ)",
    "làm (?:lại |mới )?(?:giấy|thẻ|sổ|bằng|hộ chiếu|căn cước|visa|thủ tục|hồ sơ|khai sinh)",
    "xin (?:cấp|giấy|phép|visa|xác nhận|trích lục)",
    "procedures?",
    "regist(?:er|ered|ering|ration)",
    "licen[cs]es?",
    "licen[cs]ing",
    "permits?",
    "certificates?",
    "certif(?:y|ied|ication)",
    "passports?",
    "visas?",
    "id card",
    "identity card",
    "citizen id",
    "residen(?:ce|cy|t card)",
    "marriage",
    "marry",
    "married",
    "marrying",
    "divorce",
    "papers",
    "citizenship",
    "naturali[sz]ation",
    "immigration",
    "customs",
    "submit(?:ted|ting)?",
    "requirements?",
    "eligib(?:le|ility)",
    "birth",
    "death",
    "adopt(?:ion)?",
    "apply",
    "application",
    "renew(?:al)?",
    "extend(?:ing)? (?:my |a |the )?(?:visa|stay|permit)",
    "extension",
    "fees?",
    "fines",
    "fined",
    "documents?",
    "paperwork",
    "notari[sz](?:e|ed|ation)",
    "authenticat(?:e|ion)",
    "legali[sz](?:e|ation)",
    "tax(?:es)?",
    "business",
    "company",
    "enterprise",
    "household",
    "land (?:use|title|certificate|right)",
    "driv(?:ing|er's|ers) licen[cs]e",
    "work permit",
    "criminal record",
    "social insurance",
    "health insurance",
    "people's committee",
    "government office",
    "public service",
    "vneid",
)


# --- compiled patterns ----------------------------------------------------------------------


def _compile(words: tuple[str, ...]) -> re.Pattern[str]:
    """One regex matching any of `words` as whole words, accent-tolerant, case-insensitive."""
    ordered = sorted(dict.fromkeys(words), key=len, reverse=True)
    body = "|".join(accent_tolerant(w) for w in ordered)
    return re.compile(rf"(?<![\w/])(?:{body})(?!\w)", re.IGNORECASE)


_GREETING_RE: Final = _compile(GREETINGS)
_THANKS_RE: Final = _compile(THANKS)
_GOODBYE_RE: Final = _compile(GOODBYES)
_SOCIAL_FILLER_RE: Final = _compile(SOCIAL_FILLERS)
_RESET_RE: Final = _compile(RESETS)
_RESET_FILLER_RE: Final = _compile(RESET_FILLERS)
_HANDOFF_RE: Final = _compile(HANDOFF)
_HANDOFF_NEGATOR_RE: Final = re.compile(
    rf"(?<!\w)(?:{'|'.join(accent_tolerant(w) for w in HANDOFF_NEGATORS)})\s*$", re.IGNORECASE
)
_INJECTION_RE: Final = _compile(INJECTION)
_ABUSE_RE: Final = _compile(ABUSE)
_OUT_OF_SCOPE_RE: Final = _compile(OUT_OF_SCOPE)
_PROCEDURE_RE: Final = _compile(
    PROCEDURE_TERMS + tuple(sorted(load_abbreviations().vietnamese_codes))
)
_PLACEHOLDER_RE: Final = re.compile(
    "|".join(re.escape(p) for p in sorted(PLACEHOLDERS.values(), key=len, reverse=True))
)
_PUNCT_RE: Final = re.compile(r"[^\w\s/'*+=^<>|\[\]#:-]")
_HAS_WORD_RE: Final = re.compile(r"[^\W_]")


def _prepare(text: str) -> str:
    """Lower-case text for matching: placeholders become neutral words, punctuation spaces."""
    text = _PLACEHOLDER_RE.sub(" pii ", text).lower()
    return " ".join(_PUNCT_RE.sub(" ", text).split())


def _only(text: str, phrases: re.Pattern[str], fillers: re.Pattern[str]) -> bool:
    """True when `text` is nothing but `phrases` (at least one) and `fillers`."""
    if not phrases.search(text):
        return False
    rest = fillers.sub(" ", phrases.sub(" ", text))
    return not _HAS_WORD_RE.search(rest)


def _social_intent(text: str) -> Intent | None:
    combined_hit = any(p.search(text) for p in (_GREETING_RE, _THANKS_RE, _GOODBYE_RE))
    if not combined_hit:
        return None
    rest = text
    for pattern in (_GOODBYE_RE, _THANKS_RE, _GREETING_RE, _SOCIAL_FILLER_RE):
        rest = pattern.sub(" ", rest)
    if _HAS_WORD_RE.search(rest):
        return None
    if _GOODBYE_RE.search(text):
        return "goodbye"
    if _THANKS_RE.search(text):
        return "thanks"
    return "greeting"


def _wants_human(text: str) -> bool:
    return any(
        not _HANDOFF_NEGATOR_RE.search(text[: match.start()])
        for match in _HANDOFF_RE.finditer(text)
    )


def classify(text: str) -> Intent:
    """Intent of already normalised (and redacted) text. See the module docstring for the order."""
    prepared = _prepare(text)
    if not _HAS_WORD_RE.search(prepared):
        return "empty"
    if _INJECTION_RE.search(prepared):
        return "injection"
    if _only(prepared, _RESET_RE, _RESET_FILLER_RE):
        return "reset"
    social = _social_intent(prepared)
    if social is not None:
        return social
    if _wants_human(prepared):
        return "handoff"
    about_procedure = bool(_PROCEDURE_RE.search(prepared))
    if not about_procedure and _ABUSE_RE.search(prepared):
        return "abuse"
    if not about_procedure and _OUT_OF_SCOPE_RE.search(prepared):
        return "out_of_scope"
    return "question"


def _bounded(text: str, max_chars: int) -> tuple[str, bool]:
    """Cut to `max_chars` at a word boundary, never through a placeholder."""
    if len(text) <= max_chars:
        return text, False
    cut = truncate(text, max_chars)
    opening = cut.rfind("[")
    if (
        opening != -1
        and "]" not in cut[opening:]
        and text[opening:].startswith(tuple(PLACEHOLDERS.values()))
    ):
        cut = cut[:opening].rstrip()
    return cut, True


_NORMALISE_AT_MOST: Final[int] = 200_000


def check_message(text: str, *, max_chars: int = 1000) -> GuardResult:
    """Normalise, redact, bound and classify one incoming message."""
    raw = text or ""
    # Bound the work: normalise a generous prefix (emoji or blank padding may precede the
    # words), then redact a little more than max_chars (a number cut at that point is
    # dropped by the truncation below anyway).
    head = raw[: max(_NORMALISE_AT_MOST, 32 * max_chars)]
    clean = normalize(head, max_chars=None)[: 4 * max_chars + 64]
    redacted = redact(clean)
    bounded, truncated = _bounded(redacted.text, max_chars)
    truncated = truncated or (len(head) < len(raw) and not raw[len(head) :].isspace())
    language = detect_language(_PLACEHOLDER_RE.sub(" ", bounded))
    return GuardResult(
        intent=classify(bounded),
        text=bounded,
        truncated=truncated,
        redactions=dict(redacted.counts),
        language=language,
    )
