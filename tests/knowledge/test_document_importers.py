"""Guide and decision importers: every input is generated at test time with the real libraries."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
import zipfile
from functools import cache
from pathlib import Path

import docx
import pytest
from docx.document import Document as DocxDocument
from fpdf import FPDF

from knowledge.importers.base import ImportResult
from knowledge.importers.documents import (
    DOCUMENT_SUFFIXES,
    MAX_BYTES,
    NO_TEXT_EMPTY,
    NO_TEXT_SCANNED,
    document_id,
    import_document,
    is_legal_heading,
    legal_heading_level,
    normalise_text,
)
from knowledge.schema import GuideDocument, Section

# --------------------------------------------------------------------------- helpers

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/local/share/fonts/DejaVuSans.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/arial.ttf",
)
VIETNAMESE_LETTERS = "ĐđƯưƠơĂăÂâÊêÔôàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"


def _covers_vietnamese(font: Path) -> bool:
    try:
        from fontTools.ttLib import TTFont

        cmap = TTFont(str(font), fontNumber=0, lazy=True).getBestCmap() or {}
    except Exception:
        return False
    return all(ord(char) in cmap for char in VIETNAMESE_LETTERS)


def _fc_match_vietnamese() -> list[str]:
    if shutil.which("fc-match") is None:
        return []
    try:
        found = subprocess.run(
            ["fc-match", "--format=%{file}", ":lang=vi:fontformat=TrueType"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return [found.stdout.strip()] if found.stdout.strip().lower().endswith(".ttf") else []


@cache
def unicode_font() -> Path | None:
    """A TrueType font with Vietnamese letters, or None (then PDFs are written unaccented)."""
    for candidate in (*FONT_CANDIDATES, *_fc_match_vietnamese()):
        path = Path(candidate)
        if path.is_file() and _covers_vietnamese(path):
            return path
    return None


def fold(text: str) -> str:
    """Vietnamese without diacritics (what a PDF built with a core font can hold)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def pdf_text(text: str) -> str:
    """The text as it is written into generated PDFs: accented when a font allows it."""
    return text if unicode_font() is not None else fold(text)


def write_pdf(path: Path, pages: list[str], title: str | None = None) -> Path:
    pdf = FPDF()
    font = unicode_font()
    if font is not None:
        pdf.add_font("body", fname=str(font))
        pdf.set_font("body", size=12)
    else:
        pdf.set_font("helvetica", size=12)
    if title is not None:
        pdf.set_title(pdf_text(title))
    for page in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, pdf_text(page))
    path.write_bytes(bytes(pdf.output()))
    return path


def only_document(result: ImportResult) -> GuideDocument:
    assert result.failed == 0, result.problems
    assert len(result.documents) == 1
    return result.documents[0]


def only_error(result: ImportResult) -> str:
    assert result.documents == []
    errors = [p for p in result.problems if p.severity == "error"]
    assert len(errors) == 1, result.problems
    return errors[0].reason


def all_text(document: GuideDocument) -> str:
    return "\n".join(f"{s.heading}\n{s.text}" for s in document.sections)


def section(document: GuideDocument, heading: str) -> str:
    matches = [s.text for s in document.sections if s.heading == heading]
    assert matches, f"no section {heading!r} in {[s.heading for s in document.sections]}"
    return matches[0]


# --------------------------------------------------------------------------- general


def test_suffixes_are_the_supported_formats() -> None:
    assert {".md", ".markdown", ".html", ".htm", ".pdf", ".docx", ".txt"} == DOCUMENT_SUFFIXES


def test_ids_are_stable_ascii_slugs_that_differ_per_folder(tmp_path: Path) -> None:
    first = tmp_path / "a" / "Hướng dẫn Đăng ký.md"
    second = tmp_path / "b" / "Hướng dẫn Đăng ký.md"
    assert document_id(first) == document_id(first)
    assert document_id(first) != document_id(second)
    assert document_id(first).startswith("huong-dan-dang-ky-")
    assert document_id(first).isascii()


def test_unsupported_missing_and_oversized_files_are_errors(tmp_path: Path) -> None:
    legacy = tmp_path / "quyet-dinh.doc"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0")
    assert "unsupported file type '.doc'" in only_error(import_document(legacy))

    assert only_error(import_document(tmp_path / "missing.md")) == "file not found"

    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:  # sparse: takes no disk space
        handle.truncate(MAX_BYTES + 1)
    assert "too large" in only_error(import_document(huge))


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Điều 1. Phạm vi điều chỉnh", True),
        ("Điều 12: Hồ sơ", True),
        ("Chương II", True),
        ("CHƯƠNG III. TỔ CHỨC THỰC HIỆN", True),
        ("Mục 2. Lệ phí", True),
        ("Dieu 4. Le phi", True),
        ("II. HỒ SƠ CẦN NỘP", True),
        ("Điều 5 của Luật này quy định", False),
        ("theo Điều 3. Người nộp", False),
        ("II. Trường hợp khác thì nộp bản sao", False),
        ("1. Bản chính giấy chứng sinh", False),
    ],
)
def test_legal_heading_lines(line: str, expected: bool) -> None:
    assert is_legal_heading(line) is expected


def test_legal_heading_levels_nest() -> None:
    levels = [legal_heading_level(x) for x in ("Phần I", "Chương II", "Mục 1", "Điều 3.")]
    assert levels == [1, 2, 3, 4]


def test_normalise_text_composes_and_collapses_whitespace() -> None:
    raw = unicodedata.normalize("NFD", "Hồ  sơ\u00a0gồm:\t\n\n\n\n  tờ khai\u200b  \n")
    assert normalise_text(raw) == "Hồ sơ gồm:\n\ntờ khai"


# --------------------------------------------------------------------------- Markdown

GUIDE_MD = """\
# Hướng dẫn cấp đổi thẻ căn cước

Công dân **đủ 14 tuổi** trở lên
làm thủ tục tại [Cổng Dịch vụ công](https://dichvucong.gov.vn).

## Hồ sơ cần chuẩn bị

- Tờ khai thay đổi thông tin (mẫu CC01)
- Thẻ căn cước cũ

## Lệ phí

| Trường hợp | Mức thu |
|---|---|
| Cấp đổi | 25.000 đồng |
| Cấp lại | 35.000 đồng |

### Lưu ý

1. Mang theo giấy hẹn.
2. Kiểm tra thông tin trên thẻ.
"""


def test_markdown_guide_is_split_at_headings(tmp_path: Path) -> None:
    path = tmp_path / "huong-dan-can-cuoc.md"
    path.write_text(unicodedata.normalize("NFD", GUIDE_MD), encoding="utf-8")
    result = import_document(path)
    document = only_document(result)

    assert result.format == "document"
    assert document.kind == "markdown"
    assert document.source == str(path)
    assert document.id == document_id(path)
    assert document.title == "Hướng dẫn cấp đổi thẻ căn cước"  # NFC again despite NFD input
    assert [s.heading for s in document.sections] == [
        "Hướng dẫn cấp đổi thẻ căn cước",
        "Hồ sơ cần chuẩn bị",
        "Lệ phí",
        "Lưu ý",
    ]
    intro = section(document, "Hướng dẫn cấp đổi thẻ căn cước")
    assert intro == (
        "Công dân đủ 14 tuổi trở lên làm thủ tục tại Cổng Dịch vụ công (https://dichvucong.gov.vn)."
    )
    assert section(document, "Hồ sơ cần chuẩn bị") == (
        "- Tờ khai thay đổi thông tin (mẫu CC01)\n- Thẻ căn cước cũ"
    )
    assert section(document, "Lệ phí") == (
        "Trường hợp | Mức thu\nCấp đổi | 25.000 đồng\nCấp lại | 35.000 đồng"
    )
    assert section(document, "Lưu ý") == "1. Mang theo giấy hẹn.\n2. Kiểm tra thông tin trên thẻ."


def test_markdown_front_matter_title_wins_and_is_not_text(tmp_path: Path) -> None:
    path = tmp_path / "qd.markdown"
    path.write_text(
        "---\ntitle: Quyết định 1234/QĐ-UBND\ndate: 2025-07-01\n---\n"
        "Nội dung trước tiêu đề.\n\n# Tiêu đề khác\n\nĐoạn văn.\n",
        encoding="utf-8",
    )
    document = only_document(import_document(path))
    assert document.title == "Quyết định 1234/QĐ-UBND"
    assert [(s.heading, s.text) for s in document.sections] == [
        ("", "Nội dung trước tiêu đề."),
        ("Tiêu đề khác", "Đoạn văn."),
    ]
    assert "2025-07-01" not in all_text(document)


def test_markdown_html_blocks_keep_text_but_not_scripts_or_comments(tmp_path: Path) -> None:
    path = tmp_path / "html-trong-md.md"
    path.write_text(
        "# Lưu ý\n\n<!-- ghi chú nội bộ -->\n\n<div>Mang theo <b>CCCD</b>.</div>\n\n"
        "<script>alert('SCRIPT_CHROME')</script>\n",
        encoding="utf-8",
    )
    document = only_document(import_document(path))
    assert [(s.heading, s.text) for s in document.sections] == [("Lưu ý", "Mang theo CCCD .")]


def test_headings_without_text_are_kept_unless_they_only_group_deeper_ones(
    tmp_path: Path,
) -> None:
    path = tmp_path / "muc-luc.md"
    path.write_text(
        "# Sổ tay\n\n## Phần một\n\n### Điều 1. Áp dụng cho mọi công dân\n\n"
        "### Điều 2. Hồ sơ\n\nTờ khai.\n",
        encoding="utf-8",
    )
    document = only_document(import_document(path))
    assert [(s.heading, s.text) for s in document.sections] == [
        ("Điều 1. Áp dụng cho mọi công dân", "Điều 1. Áp dụng cho mọi công dân"),
        ("Điều 2. Hồ sơ", "Tờ khai."),
    ]


def test_markdown_without_heading_falls_back_to_file_stem(tmp_path: Path) -> None:
    path = tmp_path / "ghi-chu-tam-tru.md"
    path.write_text("Chỉ có một đoạn văn.\n", encoding="utf-8")
    document = only_document(import_document(path))
    assert document.title == "ghi-chu-tam-tru"
    assert [(s.heading, s.text) for s in document.sections] == [("", "Chỉ có một đoạn văn.")]


@pytest.mark.parametrize("content", ["", "   \n\n\t\n", "# \n\n---\n"])
def test_empty_markdown_is_an_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "trong.md"
    path.write_text(content, encoding="utf-8")
    assert only_error(import_document(path)) == NO_TEXT_EMPTY


# --------------------------------------------------------------------------- HTML

GUIDE_HTML = """\
<!DOCTYPE html>
<html lang="vi">
<head>
  <meta charset="utf-8">
  <title>Hướng dẫn đăng ký tạm trú | Cổng DVC</title>
  <style>.menu { color: red; } STYLE_CHROME</style>
  <script>var tracking = "SCRIPT_CHROME";</script>
</head>
<body>
  <header><div class="logo">HEADER_CHROME Cổng Dịch vụ công</div></header>
  <nav><ul><li><a href="/">Trang chủ NAV_CHROME</a></li><li>Tin tức</li></ul></nav>
  <form action="/search"><input name="q"><button>Tìm kiếm FORM_CHROME</button></form>
  <div role="navigation">ROLE_CHROME</div>
  <main>
    <article>
      <header><h1>Đăng ký tạm trú</h1><p>Cập nhật ngày 01/07/2025</p></header>
      <!-- COMMENT_CHROME -->
      <p>Công dân đến   sinh sống tại chỗ ở hợp pháp<br>ngoài nơi thường trú.</p>
      <h2>Hồ sơ</h2>
      <ul><li>Tờ khai thay đổi thông tin cư trú (CT01)</li><li>Giấy tờ chứng minh chỗ ở</li></ul>
      <h2>Thời hạn và lệ phí</h2>
      <table>
        <tr><th>Hình thức</th><th>Thời hạn</th><th>Lệ phí</th></tr>
        <tr><td>Trực tiếp</td><td>3 ngày làm việc</td><td>15.000 đồng</td></tr>
        <tr><td>Trực tuyến</td><td>3 ngày làm việc</td><td>7.000 đồng</td></tr>
      </table>
      <script>document.write("INLINE_SCRIPT_CHROME")</script>
    </article>
  </main>
  <aside>ASIDE_CHROME Tin liên quan</aside>
  <footer>FOOTER_CHROME Bản quyền © 2025</footer>
</body>
</html>
"""


def test_html_page_drops_chrome_and_keeps_structure(tmp_path: Path) -> None:
    path = tmp_path / "tam-tru.html"
    path.write_text(GUIDE_HTML, encoding="utf-8")
    document = only_document(import_document(path))

    assert document.kind == "html"
    assert document.title == "Hướng dẫn đăng ký tạm trú | Cổng DVC"
    assert [s.heading for s in document.sections] == [
        "Đăng ký tạm trú",
        "Hồ sơ",
        "Thời hạn và lệ phí",
    ]
    assert section(document, "Đăng ký tạm trú") == (
        "Cập nhật ngày 01/07/2025\n\n"
        "Công dân đến sinh sống tại chỗ ở hợp pháp\nngoài nơi thường trú."
    )
    assert section(document, "Hồ sơ") == (
        "- Tờ khai thay đổi thông tin cư trú (CT01)\n- Giấy tờ chứng minh chỗ ở"
    )
    assert section(document, "Thời hạn và lệ phí") == (
        "Hình thức | Thời hạn | Lệ phí\n"
        "Trực tiếp | 3 ngày làm việc | 15.000 đồng\n"
        "Trực tuyến | 3 ngày làm việc | 7.000 đồng"
    )
    text = all_text(document)
    for chrome in (
        "STYLE_CHROME",
        "SCRIPT_CHROME",
        "HEADER_CHROME",
        "NAV_CHROME",
        "FORM_CHROME",
        "ROLE_CHROME",
        "COMMENT_CHROME",
        "ASIDE_CHROME",
        "FOOTER_CHROME",
        "Tin tức",
        "Bản quyền",
    ):
        assert chrome not in text


def test_html_without_title_uses_first_h1_and_body(tmp_path: Path) -> None:
    path = tmp_path / "trang.htm"
    path.write_text(
        "<html><body><header>Cổng thông tin</header>"
        "<h1>Thủ tục khai sinh</h1><p>Nộp tại UBND cấp xã.</p>"
        "<h3>Lưu ý</h3><div>Mang theo <b>giấy chứng sinh</b>.</div>"
        "<footer>Liên hệ</footer></body></html>",
        encoding="utf-8",
    )
    document = only_document(import_document(path))
    assert document.title == "Thủ tục khai sinh"
    assert [(s.heading, s.text) for s in document.sections] == [
        ("Thủ tục khai sinh", "Nộp tại UBND cấp xã."),
        ("Lưu ý", "Mang theo giấy chứng sinh."),
    ]


def test_html_with_only_chrome_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "menu.html"
    path.write_text(
        "<html><head><title>Menu</title></head><body><nav>Trang chủ</nav>"
        "<script>x()</script><footer>Bản quyền</footer></body></html>",
        encoding="utf-8",
    )
    assert only_error(import_document(path)) == NO_TEXT_EMPTY


# --------------------------------------------------------------------------- PDF

PAGE_ONE = (
    "Hướng dẫn đăng ký khai sinh\n"
    "Người đi đăng ký khai sinh nộp tờ khai theo mẫu.\n"
    "1. Bản chính giấy chứng sinh"
)
PAGE_TWO = "Lệ phí: miễn phí đối với trường hợp đăng ký đúng hạn."


def test_two_page_pdf_gives_one_section_per_page(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "khai-sinh.pdf", [PAGE_ONE, PAGE_TWO])
    document = only_document(import_document(path))

    assert document.kind == "pdf"
    assert document.title == pdf_text("Hướng dẫn đăng ký khai sinh")  # the first line
    assert [s.heading for s in document.sections] == ["Trang 1", "Trang 2"]
    assert document.sections[0].text == pdf_text(PAGE_ONE)
    assert document.sections[1].text == pdf_text(PAGE_TWO)


def test_pdf_decision_is_split_at_legal_headings(tmp_path: Path) -> None:
    pages = [
        "QUYẾT ĐỊNH\nVề việc công bố thủ tục hành chính\nChương I\nQUY ĐỊNH CHUNG\n"
        "Điều 1. Phạm vi điều chỉnh\nQuyết định này công bố 05 thủ tục hành chính.",
        "Điều 2. Hiệu lực thi hành\nQuyết định có hiệu lực từ ngày ký.",
    ]
    title = "Quyết định công bố thủ tục hành chính lĩnh vực hộ tịch"
    path = write_pdf(tmp_path / "quyet-dinh.pdf", pages, title=title)
    document = only_document(import_document(path))

    assert document.title == pdf_text(title)  # metadata title wins over the first line
    assert [s.heading for s in document.sections] == [
        "",
        pdf_text("Chương I"),
        pdf_text("Điều 1. Phạm vi điều chỉnh"),
        pdf_text("Điều 2. Hiệu lực thi hành"),
    ]
    assert document.sections[0].text == pdf_text("QUYẾT ĐỊNH\nVề việc công bố thủ tục hành chính")
    assert document.sections[1].text == pdf_text("QUY ĐỊNH CHUNG")
    assert document.sections[3].text == pdf_text("Quyết định có hiệu lực từ ngày ký.")


def test_pdf_without_text_is_reported_as_scanned(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 120, 160, style="F")  # a "scan": only graphics, no text
    path = tmp_path / "scan.pdf"
    path.write_bytes(bytes(pdf.output()))
    assert only_error(import_document(path)) == NO_TEXT_SCANNED


def test_pdf_with_a_blank_page_warns_and_keeps_the_text(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "mot-trang-trong.pdf", [PAGE_ONE, ""])
    result = import_document(path)
    document = only_document(result)
    assert [s.heading for s in document.sections] == ["Trang 1"]
    assert [p.reason for p in result.problems if p.severity == "warning"] == [
        "no text on page(s) 2 (scanned image?)"
    ]


def test_files_that_are_not_pdfs_are_errors(tmp_path: Path) -> None:
    fake = tmp_path / "fake.pdf"
    fake.write_text("Đây không phải là tệp PDF", encoding="utf-8")
    assert only_error(import_document(fake)) == "not a PDF file (no %PDF header)"

    good = write_pdf(tmp_path / "good.pdf", [PAGE_ONE]).read_bytes()
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(good[: len(good) // 3])
    assert only_error(import_document(truncated)).startswith("corrupt or truncated PDF")


# --------------------------------------------------------------------------- DOCX


def build_guide_docx(core_title: str = "") -> DocxDocument:
    document = docx.Document()
    document.core_properties.title = core_title
    document.add_paragraph("Hướng dẫn đăng ký kết hôn", style="Title")
    document.add_paragraph("Áp dụng cho công dân Việt Nam cư trú trong nước.")
    document.add_heading("1. Hồ sơ", level=1)
    document.add_paragraph("Tờ khai đăng ký kết hôn", style="List Bullet")
    document.add_paragraph("Giấy xác nhận tình trạng hôn nhân", style="List Bullet")
    document.add_heading("1.1. Lệ phí", level=2)
    table = document.add_table(rows=3, cols=3)
    for row, cells in zip(
        table.rows,
        [
            ("Trường hợp", "Lệ phí", "Ghi chú"),
            ("Trong nước", "Miễn phí", "Nghị định 123/2015/NĐ-CP"),
            ("Ghi chú chung", "", ""),
        ],
        strict=True,
    ):
        for cell, value in zip(row.cells, cells, strict=True):
            cell.text = value
    merged = table.cell(2, 0).merge(table.cell(2, 2))
    merged.text = "Áp dụng từ 01/7/2025"
    document.add_heading("2. Nơi nộp", level=1)
    document.add_paragraph("UBND cấp xã nơi cư trú của một trong hai bên.")
    return document


def test_docx_guide_is_split_at_title_and_headings(tmp_path: Path) -> None:
    path = tmp_path / "ket-hon.docx"
    build_guide_docx().save(str(path))
    document = only_document(import_document(path))

    assert document.kind == "docx"
    assert document.title == "Hướng dẫn đăng ký kết hôn"
    assert [s.heading for s in document.sections] == [
        "Hướng dẫn đăng ký kết hôn",
        "1. Hồ sơ",
        "1.1. Lệ phí",
        "2. Nơi nộp",
    ]
    assert section(document, "Hướng dẫn đăng ký kết hôn") == (
        "Áp dụng cho công dân Việt Nam cư trú trong nước."
    )
    assert section(document, "1. Hồ sơ") == (
        "- Tờ khai đăng ký kết hôn\n- Giấy xác nhận tình trạng hôn nhân"
    )
    assert section(document, "1.1. Lệ phí") == (
        "Trường hợp | Lệ phí | Ghi chú\n"
        "Trong nước | Miễn phí | Nghị định 123/2015/NĐ-CP\n"
        "Áp dụng từ 01/7/2025"  # the merged row is written once
    )


def test_docx_core_title_wins(tmp_path: Path) -> None:
    path = tmp_path / "ket-hon.docx"
    build_guide_docx(core_title="Sổ tay kết hôn 2025").save(str(path))
    assert only_document(import_document(path)).title == "Sổ tay kết hôn 2025"


def test_docx_without_styles_takes_its_first_line_as_title(tmp_path: Path) -> None:
    path = tmp_path / "qd-45.docx"
    document = docx.Document()
    for line in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "THÔNG BÁO",
        "Về lịch tiếp công dân",
        "Nội dung.",
    ):
        document.add_paragraph(line)
    document.save(str(path))
    assert only_document(import_document(path)).title == "THÔNG BÁO Về lịch tiếp công dân"


def test_docx_corrupt_and_empty_files_are_errors(tmp_path: Path) -> None:
    renamed = tmp_path / "cu.docx"
    renamed.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old binary .doc")
    assert only_error(import_document(renamed)).startswith("not a DOCX file")

    not_word = tmp_path / "zip.docx"
    with zipfile.ZipFile(not_word, "w") as package:
        package.writestr("readme.txt", "không phải Word")
    assert only_error(import_document(not_word)).startswith("corrupt DOCX package")

    empty = tmp_path / "trong.docx"
    docx.Document().save(str(empty))
    assert only_error(import_document(empty)) == NO_TEXT_SCANNED


# --------------------------------------------------------------------------- plain text


def test_text_file_with_articles(tmp_path: Path) -> None:
    path = tmp_path / "thong-bao.txt"
    path.write_text(
        "THÔNG BÁO về lịch tiếp công dân\n\n"
        "Điều 1. Thời gian\nSáng thứ Hai   hằng tuần.\n\n"
        "Điều 2. Địa điểm\nTrụ sở UBND phường.\n",
        encoding="utf-8",
    )
    document = only_document(import_document(path))
    assert document.kind == "text"
    assert document.title == "THÔNG BÁO về lịch tiếp công dân"
    assert [(s.heading, s.text) for s in document.sections] == [
        ("", "THÔNG BÁO về lịch tiếp công dân"),
        ("Điều 1. Thời gian", "Sáng thứ Hai hằng tuần."),
        ("Điều 2. Địa điểm", "Trụ sở UBND phường."),
    ]


def test_letterhead_is_skipped_when_the_title_is_the_first_line(tmp_path: Path) -> None:
    path = tmp_path / "qd.txt"
    path.write_text(
        "ỦY BAN NHÂN DÂN TỈNH BẮC NINH CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "Độc lập - Tự do - Hạnh phúc\n"
        "Số: 123/QĐ-UBND Bắc Ninh, ngày 01 tháng 7 năm 2025\n\n"
        "QUYẾT ĐỊNH\n"
        "Về việc công bố danh mục thủ tục hành chính\n\n"
        "Điều 1. Công bố kèm theo Quyết định này 05 thủ tục.\n",
        encoding="utf-8",
    )
    document = only_document(import_document(path))
    assert document.title == "QUYẾT ĐỊNH Về việc công bố danh mục thủ tục hành chính"
    article = "Điều 1. Công bố kèm theo Quyết định này 05 thủ tục."
    assert [s.heading for s in document.sections] == ["", article]
    assert document.sections[-1] == Section(heading=article, text=article)  # not lost


def test_legacy_windows_1258_text_is_decoded_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "cu.txt"
    # Windows-1258 writes "ộ" as "ô" plus a combining dot below; the importer composes it.
    legacy = "Tru\u0323 s\u01a1\u0309 Hà N\u00f4\u0323i"
    path.write_bytes(legacy.encode("cp1258"))
    result = import_document(path)
    document = only_document(result)
    assert document.sections[0].text == "Trụ sở Hà Nội"
    assert result.warnings == 1
