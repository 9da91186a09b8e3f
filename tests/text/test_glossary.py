"""The English -> Vietnamese glossary: loading, validation, matching, translation, coverage."""

from __future__ import annotations

import gzip
import json
import os
import re
import time
import unicodedata
from pathlib import Path

import pytest

from knowledge.text.glossary import (
    DEFAULT_GLOSSARY_PATH,
    Glossary,
    GlossaryFileError,
    load_glossary,
    match_glossary,
    parse_glossary,
    phrase_key,
    stem,
    translate_terms,
)
from knowledge.text.lexicon import COMMON_VI_SYLLABLES


def _glossary(*entries: tuple[list[str], list[str]]) -> Glossary:
    return parse_glossary({"entries": [{"en": en, "vi": vi} for en, vi in entries]})


def _phrases(text: str, glossary: Glossary | None = None) -> list[str]:
    return [m.phrase for m in match_glossary(text, glossary)]


# --- the bundled file -----------------------------------------------------------------------


def test_bundled_glossary_loads_is_large_and_cached() -> None:
    glossary = load_glossary()
    assert len(glossary.entries) >= 300
    assert load_glossary() is glossary
    assert load_glossary(DEFAULT_GLOSSARY_PATH) is glossary
    assert load_glossary(str(DEFAULT_GLOSSARY_PATH)) is glossary
    for entry in glossary.entries:
        assert entry.en and entry.vi, entry.label


def test_no_single_english_word_is_a_common_unaccented_vietnamese_syllable() -> None:
    """Otherwise an unaccented Vietnamese query ("dong vat", "thong tin") would be expanded.

    Acronyms like VAT and TIN are listed in capitals and only match capitals; "loan" is
    kept because it is the everyday English word and rare as a Vietnamese query word.
    """
    allowed = {"loan"}
    glossary = load_glossary()
    clashes = {
        phrase
        for entry in glossary.entries
        for phrase in entry.en
        if len(key := phrase_key(phrase)) == 1 and key[0] in COMMON_VI_SYLLABLES
    }
    assert {phrase_key(p)[0] for p in clashes} <= allowed, sorted(clashes)


# --- loader errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "expected a mapping with an 'entries' list"),
        ({"items": []}, "expected a mapping with an 'entries' list"),
        ({"entries": ["birth"]}, "entry #1: an entry must be a mapping"),
        (
            {"entries": [{"en": ["birth"], "vi": ["khai sinh"], "fr": ["naissance"]}]},
            "entry #1 ('birth'): unknown key(s) ['fr']",
        ),
        ({"entries": [{"en": [], "vi": ["khai sinh"]}]}, "entry #1: 'en' must be a non-empty"),
        ({"entries": [{"en": "birth", "vi": ["khai sinh"]}]}, "'en' must be a non-empty list"),
        ({"entries": [{"en": ["birth"]}]}, "entry #1 ('birth'): 'vi' must be a non-empty list"),
        ({"entries": [{"en": ["birth"], "vi": [None]}]}, "'vi' contains None"),
        ({"entries": [{"en": ["birth", "  "], "vi": ["khai sinh"]}]}, "'en' contains an empty"),
        (
            {"entries": [{"en": ["hộ chiếu"], "vi": ["hộ chiếu"]}]},
            "'en' contains 'hộ chiếu': English phrases use only unaccented",
        ),
        ({"entries": [{"en": ["the"], "vi": ["hộ chiếu"]}]}, "'the', which has only stop words"),
        (
            {"entries": [{"en": ["passport"], "vi": ["passport"]}]},
            "entry #1 ('passport'): 'vi' contains 'passport', which does not look Vietnamese",
        ),
        ({"entries": [{"en": ["fee"], "vi": ["---"]}]}, "'vi' contains '---', which has no"),
        (
            {"entries": [{"en": ["fee"], "vi": ["lệ phí"], "note": ["x"]}]},
            "'note' must be a text",
        ),
    ],
)
def test_loader_errors_name_the_entry(data: object, message: str) -> None:
    with pytest.raises(GlossaryFileError) as excinfo:
        parse_glossary(data, source="g.yaml")
    assert str(excinfo.value).startswith("g.yaml")
    assert message in str(excinfo.value)


def test_duplicate_phrase_across_entries_names_both_entries() -> None:
    data = {
        "entries": [
            {"en": ["driving licence"], "vi": ["giấy phép lái xe"]},
            {"en": ["business licence", "licence"], "vi": ["giấy phép"]},
            # the same phrase once stemmed and without the article: a duplicate
            {"en": ["the driving licenses"], "vi": ["bằng lái"]},
        ]
    }
    with pytest.raises(GlossaryFileError) as excinfo:
        parse_glossary(data, source="g.yaml")
    text = str(excinfo.value)
    assert "entry #3 ('the driving licenses')" in text
    assert "'driving licence' of entry #1 ('driving licence')" in text


def test_variants_with_the_same_stem_inside_one_entry_are_fine() -> None:
    glossary = _glossary((["licence", "license", "licences"], ["giấy phép"]))
    assert _phrases("LICENSES", glossary) == ["licence"]


def test_vietnamese_without_diacritics_or_abbreviations_are_accepted() -> None:
    glossary = _glossary((["birth"], ["khai sinh"]), (["social insurance"], ["BHXH"]))
    assert translate_terms("birth and social insurance", glossary) == "khai sinh BHXH"


def test_load_from_path_errors_and_reload_after_edit(tmp_path: Path) -> None:
    path = tmp_path / "glossary.yaml"
    with pytest.raises(GlossaryFileError, match="cannot read glossary file"):
        load_glossary(path)
    path.write_text("entries: [ {en: [x], vi: [y]\n", encoding="utf-8")
    with pytest.raises(GlossaryFileError, match="not valid YAML"):
        load_glossary(path)

    path.write_text("entries:\n  - en: [birth]\n    vi: [khai sinh]\n", encoding="utf-8")
    first = load_glossary(path)
    assert translate_terms("birth", first) == "khai sinh"
    assert load_glossary(path) is first

    path.write_text("entries:\n  - en: [birth]\n    vi: [sinh đẻ]\n", encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    second = load_glossary(path)
    assert second is not first
    assert translate_terms("birth", second) == "sinh đẻ"


# --- matching -------------------------------------------------------------------------------


def test_longest_phrase_wins_overlaps() -> None:
    glossary = _glossary(
        (["certificate"], ["giấy chứng nhận"]),
        (["birth"], ["sinh"]),
        (["birth certificate"], ["khai sinh"]),
        (["driving licence"], ["giấy phép lái xe"]),
        (["international driving licence"], ["giấy phép lái xe quốc tế"]),
        (["licence renewal"], ["đổi giấy phép"]),
        (["renewal"], ["gia hạn"]),
    )
    assert _phrases("birth certificate", glossary) == ["birth certificate"]
    assert _phrases("certificate of birth", glossary) == ["certificate", "birth"]
    # the 3-word phrase beats the 2-word phrase that overlaps it on the right
    assert _phrases("international driving licence renewal", glossary) == [
        "international driving licence",
        "renewal",
    ]
    # equal lengths: the leftmost wins
    assert _phrases("driving licence renewal", glossary) == ["driving licence", "renewal"]


def test_bundled_birth_certificate_beats_certificate() -> None:
    (match,) = match_glossary("Birth Certificate")
    assert match.phrase == "birth certificate"
    assert "đăng ký khai sinh" in match.entry.vi
    assert translate_terms("certificate") == "giấy chứng nhận"


def test_match_reports_positions_and_text() -> None:
    matches = match_glossary("How do I register my baby's birth?")
    assert [(m.phrase, m.text) for m in matches] == [
        ("register baby birth", "register my baby's birth")
    ]
    # positions count content tokens; "my" is skipped
    assert (matches[0].start, matches[0].end) == (3, 6)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("register", "đăng ký"),
        ("registers", "đăng ký"),
        ("registered", "đăng ký"),
        ("registering", "đăng ký"),
        ("registration", "đăng ký"),
        ("licence", "giấy phép"),
        ("license", "giấy phép"),
        ("licences", "giấy phép"),
        ("licenses", "giấy phép"),
        ("child", "trẻ em"),
        ("children", "trẻ em"),
        ("babies", "trẻ em"),
        ("copies", "bản sao"),
        ("issued", "cấp"),
        ("issuing", "cấp"),
        ("married", "kết hôn"),
        ("marrying", "kết hôn"),
        ("died", "khai tử"),
        ("fertilisers", "phân bón"),
        ("fertilizer", "phân bón"),
        ("notarised", "công chứng"),
        ("notarizing", "công chứng"),
        ("renewing", "gia hạn"),
        ("taxes", "thuế"),
        ("moving house", "thay đổi nơi cư trú"),
        ("driver's licenses", "giấy phép lái xe"),
        ("drivers licence", "giấy phép lái xe"),
        ("driving licences", "giấy phép lái xe"),
        ("registering a household business", "đăng ký thành lập hộ kinh doanh"),
    ],
)
def test_plural_and_verb_forms(query: str, expected: str) -> None:
    assert expected in translate_terms(query)


@pytest.mark.parametrize(
    "group",
    [
        ["register", "registers", "registered", "registering"],
        ["licence", "license", "licences", "licenses", "licensed"],
        ["child", "children"],
        ["copy", "copies", "copied", "copying"],
        ["issue", "issues", "issued", "issuing"],
        ["lose", "lost", "losing", "loss"],
        ["move", "moved", "moving"],
        ["transfer", "transferred", "transferring"],
        ["address", "addresses"],
        ["tax", "taxes"],
        ["notarise", "notarize", "notarised", "notarized"],
        ["centre", "center"],
        ["labour", "labor"],
    ],
)
def test_stem_groups(group: list[str]) -> None:
    assert len({stem(w) for w in group}) == 1, {w: stem(w) for w in group}


@pytest.mark.parametrize(
    ("a", "b"),
    [("accounting", "account"), ("time", "tim"), ("home", "hom"), ("status", "statu")],
)
def test_stems_keep_unrelated_words_apart(a: str, b: str) -> None:
    assert stem(a) != stem(b)


@pytest.mark.parametrize(
    "query",
    [
        "DRIVING LICENCE",
        "Driving Licence",
        "driving-licence",
        "(driving licence)",
        "my driving licence!!",
        "“driving licence”",
        "driving   licence",
    ],
)
def test_case_and_punctuation(query: str) -> None:
    assert translate_terms(query) == "giấy phép lái xe"


def test_phrases_do_not_cross_sentence_punctuation() -> None:
    assert _phrases("birth certificate") == ["birth certificate"]
    assert _phrases("birth, certificate") == ["birth", "certificate"]
    assert _phrases("lost. passport") == ["lost", "passport"]


def test_whole_tokens_only() -> None:
    assert translate_terms("visas") == translate_terms("visa")
    assert translate_terms("visafree") == ""
    assert translate_terms("passportx") == ""
    assert translate_terms("xvisa") == ""


def test_curly_apostrophe_and_possessive() -> None:
    assert "đăng ký khai sinh" in translate_terms("register my baby’s birth")
    assert "giấy phép lái xe" in translate_terms("driver’s license")


def test_capital_acronyms_match_only_capitals() -> None:
    assert "thuế giá trị gia tăng" in translate_terms("VAT")
    assert translate_terms("Vat") == ""
    assert translate_terms("dong vat") == ""  # động vật
    assert "mã số thuế" in translate_terms("my TIN")
    assert translate_terms("thong tin") == ""  # thông tin
    assert "hoàn thuế" in translate_terms("vat refund")  # multi-word phrases: any case
    assert "thẻ tạm trú" in translate_terms("trc")  # lower-case acronyms: any case


@pytest.mark.parametrize(
    "query",
    [
        "Thủ tục đăng ký khai sinh cho con",
        "Làm lại căn cước công dân bị mất ở đâu?",
        "gia hạn thẻ tạm trú cho người nước ngoài",
        "đổi giấy phép lái xe hết hạn",
        "lệ phí cấp hộ chiếu bao nhiêu",
        "thủ tục tách thửa đất",
        "lam giay khai sinh can gi",
        "thu tuc dang ky tam tru",
        "cap lai the can cuoc",
        "dong vat thong tin",
        "tim thu tuc cho tre em duoi 6 tuoi",
        "hom nay di dau de lam ho chieu",
        "lao dong van ban so do",
        "Nguyen Van Son tach thua dat",
        "dang ky ket hon voi nguoi nuoc ngoai",
        "bao hiem xa hoi mot lan",
        "le phi bao nhieu bao lau",
    ],
)
def test_vietnamese_queries_give_nothing(query: str) -> None:
    assert translate_terms(query) == ""


def test_vietnamese_query_with_an_english_loanword_gives_little() -> None:
    assert len(match_glossary("gia hạn visa")) == 1
    assert len(match_glossary("nộp hồ sơ online")) == 1


# --- translation ----------------------------------------------------------------------------


def test_translate_returns_empty_text_without_matches() -> None:
    assert translate_terms("") == ""
    assert translate_terms("   ") == ""
    assert translate_terms("hello, how are you?") == ""


def test_translate_deduplicates_in_order_of_appearance() -> None:
    glossary = _glossary(
        (["passport"], ["hộ chiếu", "hộ chiếu phổ thông"]),
        (["lost"], ["mất"]),
        (["foreigner"], ["người nước ngoài"]),
        (["residence card"], ["thẻ tạm trú cho người nước ngoài"]),
    )
    assert translate_terms("lost passport, passport lost", glossary) == (
        "mất hộ chiếu hộ chiếu phổ thông"
    )
    # a term already contained (folded, whole words) in an earlier term is left out
    assert translate_terms("residence card for a foreigner", glossary) == (
        "thẻ tạm trú cho người nước ngoài"
    )
    # ...but not the other way round: the longer term still adds its words
    assert translate_terms("foreigner residence card", glossary) == (
        "người nước ngoài thẻ tạm trú cho người nước ngoài"
    )


def test_bundled_translation_examples() -> None:
    assert translate_terms("renew my driving licence") == "đổi giấy phép lái xe"
    assert translate_terms("temporary residence card for foreigners") == (
        "thẻ tạm trú cấp thẻ tạm trú cho người nước ngoài"
    )


# Realistic English questions and the official Vietnamese term the expansion must contain.
REALISTIC_QUESTIONS: list[tuple[str, str]] = [
    ("How do I register my baby's birth?", "đăng ký khai sinh"),
    ("What documents are needed for a birth certificate?", "khai sinh"),
    ("How can I get a copy of my birth certificate?", "bản sao giấy khai sinh"),
    ("How to register a death of my father", "khai tử"),
    ("I want to register my marriage with a Vietnamese woman", "đăng ký kết hôn"),
    ("Marriage registration with a foreigner in Hanoi", "kết hôn có yếu tố nước ngoài"),
    ("Where do I get a single status certificate?", "xác nhận tình trạng hôn nhân"),
    ("How to change my child's name on the birth certificate", "cải chính"),
    ("How to adopt a child in Vietnam", "nuôi con nuôi"),
    ("Procedure for acknowledging paternity", "nhận cha, mẹ, con"),
    ("How to apply for Vietnamese citizenship", "quốc tịch"),
    ("I need a criminal record certificate for my visa application", "lý lịch tư pháp"),
    ("How to register permanent residence for my family", "thường trú"),
    ("Registering temporary residence when renting an apartment", "tạm trú"),
    ("How do I get a temporary residence card (TRC) as a foreigner?", "thẻ tạm trú"),
    ("Can I extend my visa in Vietnam?", "gia hạn tạm trú"),
    ("How to apply for an e-visa", "thị thực điện tử"),
    ("Declaring temporary absence before travelling", "tạm vắng"),
    ("Where can I get a residence confirmation?", "xác nhận thông tin về cư trú"),
    ("I lost my ID card, how do I get a new one?", "cấp lại thẻ căn cước"),
    ("Renew my citizen identity card", "cấp đổi thẻ căn cước"),
    ("How to activate a VNeID level 2 account", "định danh điện tử"),
    ("How do I renew my passport?", "hộ chiếu"),
    ("I lost my passport in Ho Chi Minh City", "trình báo mất hộ chiếu"),
    ("Where can I get certified copies of documents?", "chứng thực bản sao"),
    ("Certify a signature on a contract", "chứng thực chữ ký"),
    ("Red book for the first time", "giấy chứng nhận quyền sử dụng đất"),
    ("Transferring land use rights to my son", "chuyển nhượng quyền sử dụng đất"),
    ("Procedure to split a plot of land", "tách thửa"),
    ("Change land use purpose from agricultural to residential", "chuyển mục đích sử dụng đất"),
    ("Do I need a building permit to repair my house?", "giấy phép xây dựng"),
    ("How to register a household business selling coffee", "hộ kinh doanh"),
    ("How to set up a limited liability company", "công ty trách nhiệm hữu hạn"),
    ("Where do I register for a personal tax code?", "mã số thuế"),
    ("Personal income tax finalization for employees", "quyết toán thuế"),
    ("How to claim a VAT refund", "hoàn thuế"),
    ("Withdraw social insurance as a one-time payment", "bảo hiểm xã hội một lần"),
    ("Maternity benefits for female workers", "thai sản"),
    ("How do I get a health insurance card for my newborn?", "bảo hiểm y tế"),
    ("Applying for unemployment benefits after losing my job", "thất nghiệp"),
    ("How to exchange a foreign driving licence in Vietnam", "đổi giấy phép lái xe"),
    ("I lost my driver's license, what should I do?", "cấp lại giấy phép lái xe"),
    ("How to get an international driving permit", "giấy phép lái xe quốc tế"),
    ("Registering a new motorbike and getting number plates", "đăng ký xe"),
    ("Customs declaration for imported goods", "hải quan"),
    ("Permit to import fertilizers", "phân bón"),
    ("How to file a complaint against a police decision", "khiếu nại"),
    ("Environmental permit for a factory discharging wastewater", "giấy phép môi trường"),
    ("Licence to exploit minerals (mining license)", "khoáng sản"),
    ("How much is the fee and how long does it take?", "lệ phí"),
    ("Can I apply online through the national public service portal?", "trực tuyến"),
]


@pytest.mark.parametrize(("question", "term"), REALISTIC_QUESTIONS)
def test_realistic_questions_expand_to_the_official_term(question: str, term: str) -> None:
    assert term in translate_terms(question)


def test_translation_is_fast() -> None:
    glossary = load_glossary()
    query = "How long does it take to renew my driving licence and which documents are needed"
    assert len(query.split()) == 15
    assert translate_terms(query, glossary)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(200):
            translate_terms(query)
        best = min(best, (time.perf_counter() - start) / 200)
    assert best < 1e-4, f"{best * 1e6:.0f} µs per 15-word query"


# --- the glossary against the national records ----------------------------------------------

_COMBINING_RE = re.compile(r"[\u0300-\u036f]")
_NON_WORD_RE = re.compile(r"[\W_]+")


def _fold_words(text: str) -> str:
    """ " words " lower-case, without diacritics (đ -> d), separated by single spaces."""
    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    return f" {_NON_WORD_RE.sub(' ', _COMBINING_RE.sub('', text)).strip()} "


def test_vietnamese_terms_occur_in_the_national_records(portal_records_path: Path) -> None:
    with gzip.open(portal_records_path, "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    # one record per line: a term found must lie inside one record
    names = "\n".join(_fold_words(r.get("ten_thu_tuc", "")) for r in records)
    texts = "\n".join(
        _fold_words(" | ".join((r.get("ten_thu_tuc", ""), r.get("linh_vuc", ""), r["raw_text"])))
        for r in records
    )
    terms = {term for entry in load_glossary().entries for term in entry.vi}
    in_names = {t for t in terms if _fold_words(t) in names}
    missing = sorted(t for t in terms - in_names if _fold_words(t) not in texts)
    share = 1 - len(missing) / len(terms)
    assert share >= 0.90, f"{share:.1%} of {len(terms)} terms found; missing: {missing}"
    # most terms should be the words of the official procedure names themselves
    assert len(in_names) / len(terms) >= 0.80, f"only {len(in_names)} of {len(terms)} in names"


# --- the widened vocabulary: professions, transport, customs, insurance, operations ---------

# English questions on vocabulary added for professions and licences, transport, customs,
# social insurance, foreign guests and common operations, with the Vietnamese term of the
# official procedure name the translation must contain.
WIDENED_VOCABULARY: list[tuple[str, str]] = [
    # professions and licences
    ("How do I get a pilot licence in Vietnam?", "người lái tàu bay"),
    ("Practising certificate for a foreign architect", "chứng chỉ hành nghề kiến trúc"),
    ("How to become a securities practitioner", "chứng chỉ hành nghề chứng khoán"),
    ("Requirements to become a lawyer", "chứng chỉ hành nghề luật sư"),
    ("Notary appointment requirements", "bổ nhiệm công chứng viên"),
    ("Registering for the CPA exam", "chứng chỉ kiểm toán viên"),
    ("Real estate broker certificate renewal", "chứng chỉ hành nghề môi giới bất động sản"),
    ("Licence for a vet clinic", "chứng chỉ hành nghề thú y"),
    ("Seaman's book application", "sổ thuyền viên"),
    ("Skipper licence for a tourist boat", "giấy chứng nhận khả năng chuyên môn"),
    # transport
    ("Permit for an oversized truck on the expressway", "xe quá khổ giới hạn"),
    ("Transporting dangerous goods by road", "vận chuyển hàng hóa nguy hiểm"),
    ("How to register an aircraft", "đăng ký quốc tịch tàu bay"),
    ("Ship registration certificate for a seagoing vessel", "đăng ký tàu biển"),
    ("Motorbike emission test near me", "kiểm định khí thải xe mô tô, xe gắn máy"),
    ("I lost all points on my driving licence", "kiểm tra kiến thức pháp luật"),
    ("Renting a jet ski business on the beach", "vui chơi, giải trí dưới nước"),
    # customs and trade
    ("What is the duty-free allowance for alcohol?", "định mức miễn thuế"),
    ("I lost my luggage at the airport", "hành lý ký gửi"),
    ("How do tourists get a VAT refund at the airport?", "hóa đơn kiêm tờ khai hoàn thuế"),
    ("Do I need an import licence for cosmetics?", "giấy phép nhập khẩu"),
    ("Can I bring my dog to Vietnam?", "kiểm dịch động vật"),
    ("Advance ruling on the HS code of a product", "xác định trước mã số hàng hóa"),
    ("Shipping household goods when moving to Vietnam", "tài sản di chuyển"),
    # social insurance
    ("Can someone else collect pension on behalf of my father?", "ủy quyền lĩnh thay"),
    ("Sick child leave for working mothers", "chế độ ốm đau"),
    ("Buy voluntary health insurance for my family", "người chỉ tham gia BHYT"),
    ("Replace a lost health insurance card", "cấp lại thẻ bảo hiểm y tế"),
    ("Pension of a deceased pensioner not yet paid", "truy lĩnh lương hưu"),
    # residence of foreign guests
    ("Do I need to declare a foreign guest staying at my homestay?", "thông báo lưu trú"),
    ("Hosting a foreigner in my house", "khai báo tạm trú cho người nước ngoài"),
    ("Renew my permanent residence card", "cấp đổi thẻ thường trú"),
    # operations
    ("Report lost ABTC card", "trình báo mất thẻ ABTC"),
    ("Restore my tax code", "khôi phục mã số thuế"),
    ("Deregister my boat", "xóa đăng ký"),
    ("Withdraw my application for household business registration", "dừng thực hiện thủ tục"),
    ("Tax clearance certificate before leaving Vietnam", "xác nhận thực hiện nghĩa vụ thuế"),
    ("Mortgage release after paying off the loan", "xóa đăng ký biện pháp bảo đảm"),
]


@pytest.mark.parametrize(("question", "term"), WIDENED_VOCABULARY)
def test_widened_vocabulary_translates_to_the_official_term(question: str, term: str) -> None:
    assert term in translate_terms(question)


@pytest.mark.parametrize(
    "text",
    [
        # unaccented Vietnamese: no English phrase may fire on it
        "thue dat o dau",
        "mo tai khoan",
        "dang ky",
        "mo",
        "dang",
        "lam so do lan dau",
        # English words left out on purpose because their everyday sense is unrelated
        "he is on probation",
        "I consent to this",
        "please inform me",
        "what a nice day",
    ],
)
def test_unrelated_text_is_not_translated(text: str) -> None:
    assert translate_terms(text) == ""


def test_everyday_senses_do_not_pick_up_procedure_terms() -> None:
    assert "tiếp tục" not in translate_terms("please update my resume")  # CV, not resumption
    assert "miễn nhiệm" not in translate_terms("dismissed from work")
    assert "hoàn trả" not in translate_terms("repay my loan")
    assert "tra cứu" not in translate_terms("can I check online")  # "online" keeps its sense
    # a business VAT refund is not the tourists' refund at the airport
    assert "hóa đơn kiêm tờ khai" not in translate_terms("VAT refund for my company")


def test_longer_new_phrases_win_over_existing_single_words() -> None:
    # "luggage" alone means hành lý; "lost luggage" is the lost-baggage procedure
    assert translate_terms("luggage") == "hành lý"
    assert "hành lý ký gửi" in translate_terms("lost luggage")
    # "gift" alone is tặng cho; a parcel from abroad is a customs matter
    assert "gói, kiện hàng hóa nhập khẩu" in translate_terms("gift from abroad")
    assert "tặng cho" not in translate_terms("gift from abroad")


@pytest.mark.parametrize(
    ("query", "wanted", "unwanted"),
    [
        # A date of birth on a card is not a birth registration.
        ("the date of birth on my card is wrong", "ngày sinh", "khai sinh"),
        # Renouncing is not naturalisation, whatever words come in between.
        ("How do I renounce my Vietnamese citizenship?", "thôi quốc tịch", "nhập quốc tịch"),
        ("give up my Vietnamese nationality", "thôi quốc tịch", "tặng cho"),
        ("I want to build a house on my land", "nhà ở riêng lẻ", "nhà thầu"),
        ("extend my stay without leaving Vietnam", "ở trong nước", "nước ngoài"),
    ],
)
def test_bundled_glossary_reads_common_foreigner_phrasings(
    query: str, wanted: str, unwanted: str
) -> None:
    translated = translate_terms(query)
    assert wanted in translated and unwanted not in translated, translated


def test_translate_can_keep_only_some_matches() -> None:
    from knowledge.search.searcher import says_aspect

    glossary = load_glossary()
    text = "How long does it take to get a building permit for a private house?"
    named = glossary.translate(text, where=lambda phrase: not says_aspect(phrase))
    asked = glossary.translate(text, where=says_aspect)
    assert "giấy phép xây dựng" in named and "thời hạn" not in named
    assert "thời hạn giải quyết" in asked and "giấy phép" not in asked
    assert glossary.translate(text) == glossary.translate(text, where=lambda phrase: True)
    assert glossary.translate_split(text, says_aspect) == (glossary.translate(text), asked, named)
