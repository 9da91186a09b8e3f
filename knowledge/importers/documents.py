"""Import guides, decisions and notices that are not procedure records.

One file (Markdown, HTML, PDF, DOCX or plain text) becomes one `GuideDocument`: a title and
a list of sections split at the document's headings. Nothing here raises on a bad file: an
unreadable, corrupt, oversized or empty file becomes an error in the `ImportResult`.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import docx
import yaml
from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString
from docx.opc.exceptions import OpcError
from docx.table import Table
from docx.text.paragraph import Paragraph
from markdown_it import MarkdownIt
from markdown_it.token import Token
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from knowledge.importers.base import ImportResult
from knowledge.schema import GuideDocument, Section

DocumentKind = Literal["markdown", "html", "pdf", "docx", "text"]

_KINDS: dict[str, DocumentKind] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".docx": "docx",
    ".txt": "text",
}
DOCUMENT_SUFFIXES: frozenset[str] = frozenset(_KINDS)

MAX_BYTES = 50 * 1024 * 1024
MAX_TITLE_CHARS = 200
FORMAT = "document"

NO_TEXT_SCANNED = "no extractable text (scanned image?)"
NO_TEXT_EMPTY = "no extractable text (empty document)"


class UnreadableDocument(Exception):
    """A file that cannot be read at all; the message is the reason reported."""


@dataclass(frozen=True)
class _Block:
    """A piece of a document in reading order: a heading, a paragraph or a list item."""

    kind: Literal["heading", "para", "item"]
    text: str
    level: int = 0


@dataclass
class _Extracted:
    title: str = ""
    sections: list[Section] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- public API


def import_document(path: Path) -> ImportResult:
    """Read one guide or decision file into one `GuideDocument`; never raises."""
    path = Path(path)
    result = ImportResult(source=str(path), format=FORMAT)
    record = str(path)
    kind = _KINDS.get(path.suffix.lower())
    if kind is None:
        expected = ", ".join(sorted(DOCUMENT_SUFFIXES))
        result.error(record, f"unsupported file type {path.suffix!r} (expected one of {expected})")
        return result
    try:
        data = _read_bytes(path)
        extracted = _EXTRACTORS[kind](data)
    except UnreadableDocument as exc:
        result.error(record, str(exc))
        return result
    except Exception as exc:  # a library choking on a corrupt file must not stop an import
        result.error(record, f"cannot read {kind} file: {type(exc).__name__}: {exc}")
        return result
    for warning in extracted.warnings:
        result.warn(record, warning)
    sections = [s for s in extracted.sections if s.text]
    if not sections:
        result.error(record, NO_TEXT_SCANNED if kind in ("pdf", "docx") else NO_TEXT_EMPTY)
        return result
    result.documents.append(
        GuideDocument(
            id=document_id(path),
            title=extracted.title or normalise_inline(path.stem) or path.name,
            kind=kind,
            source=str(path),
            sections=sections,
        )
    )
    return result


def document_id(path: Path) -> str:
    """A stable id: an ASCII slug of the file name plus a short hash of the resolved path."""
    digest = hashlib.sha256(str(Path(path).resolve()).encode("utf-8")).hexdigest()[:8]
    slug = slugify(Path(path).stem)[:60].strip("-") or "document"
    return f"{slug}-{digest}"


def slugify(text: str) -> str:
    """Lower-case ASCII slug; Vietnamese letters lose their marks and đ becomes d."""
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = "".join(c for c in folded if not unicodedata.combining(c))
    ascii_text = ascii_text.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


# --------------------------------------------------------------------------- text clean-up

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_HSPACE = re.compile(r"[^\S\n]+")


def normalise_text(text: str) -> str:
    """NFC, no invisible characters, single spaces, stripped lines, at most one blank line."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_HSPACE.sub(" ", line).strip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def normalise_inline(text: str) -> str:
    """One line of text: NFC and every run of whitespace made a single space."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return re.sub(r"\s+", " ", text).strip()


def _short_title(text: str) -> str:
    title = normalise_inline(text)
    if len(title) > MAX_TITLE_CHARS:
        title = title[: MAX_TITLE_CHARS - 1].rstrip() + "…"
    return title


def _sections_from_blocks(blocks: Iterable[_Block]) -> list[Section]:
    """Split blocks into sections at headings.

    A heading with no text under it is its own text (a one-line "Điều 5. …" must not be
    lost), unless a deeper heading follows at once: then it only groups what follows
    ("Chương I" before "Điều 1.", a document title before its first "##") and is dropped.
    """
    sections: list[Section] = []
    current: _Block | None = None
    body: list[_Block] = []

    def close(following: _Block | None) -> None:
        text = _join_blocks(body)
        heading = normalise_inline(current.text) if current is not None else ""
        is_container = (
            current is not None and following is not None and following.level > current.level
        )
        if not text and not is_container:
            text = heading
        if text:
            sections.append(Section(heading=heading, text=text))

    for block in blocks:
        if block.kind == "heading":
            close(block)
            current, body = block, []
        else:
            body.append(block)
    close(None)
    return sections


def _join_blocks(blocks: list[_Block]) -> str:
    """Paragraphs are separated by a blank line; consecutive list items by a line break."""
    parts: list[str] = []
    previous: _Block | None = None
    for block in blocks:
        text = normalise_text(block.text)
        if not text:
            continue
        if previous is not None:
            tight = previous.kind == "item" and block.kind == "item"
            parts.append("\n" if tight else "\n\n")
        parts.append(text)
        previous = block
    return "".join(parts)


def _read_bytes(path: Path) -> bytes:
    try:
        if not path.is_file():
            raise UnreadableDocument("file not found" if not path.exists() else "not a file")
        size = path.stat().st_size
        if size > MAX_BYTES:
            mib = size / (1024 * 1024)
            raise UnreadableDocument(f"file too large ({mib:.1f} MB; limit {MAX_BYTES >> 20} MB)")
        return path.read_bytes()
    except OSError as exc:
        raise UnreadableDocument(f"cannot read file: {exc.strerror or exc}") from exc


def _decode_text(data: bytes, warnings: list[str]) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1258 (legacy Vietnamese)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        warnings.append("file is not UTF-8; decoded as Windows-1258")
        return data.decode("cp1258", errors="replace")


# --------------------------------------------------------------------------- legal headings

_NUMBER = r"\s+(?:[IVXLC]+|\d+)\b"
_LEGAL_LEVELS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"^(?:Phần|PHẦN|Phan|PHAN)" + _NUMBER), 1),
    (re.compile(r"^(?:Chương|CHƯƠNG|Chuong|CHUONG)" + _NUMBER), 2),
    (re.compile(r"^(?:Mục|MỤC|Muc|MUC)" + _NUMBER), 3),
    (re.compile(r"^[IVX]+\.\s+\S"), 3),
    (re.compile(r"^(?:Điều|ĐIỀU|Dieu|DIEU)\s+\d+[a-zđ]?\s*[.:]"), 4),
)


def legal_heading_level(line: str) -> int:
    """The level of a heading line of a legal text, 0 when the line is no heading:
    1 "Phần I", 2 "Chương I", 3 "Mục 2" or an upper-case "II. …", 4 "Điều 3. …".
    Unaccented forms ("Chuong", "Dieu") count too."""
    line = unicodedata.normalize("NFC", line).strip()
    if not line or len(line) > 250:
        return 0
    for pattern, level in _LEGAL_LEVELS:
        if pattern.match(line):
            if level == 3 and line[0] in "IVX" and not _all_capitals(line):
                return 0  # "II. Trường hợp khác …" is a list item, "II. HỒ SƠ" a heading
            return level
    return 0


def is_legal_heading(line: str) -> bool:
    return legal_heading_level(line) > 0


def _all_capitals(line: str) -> bool:
    return all(c.isupper() for c in line if c.isalpha())


def _blocks_from_lines(lines: Iterable[str]) -> Iterator[_Block]:
    """Plain lines to blocks: blank lines end paragraphs, legal heading lines start sections."""
    paragraph: list[str] = []
    for raw in lines:
        line = raw.strip()
        level = legal_heading_level(line)
        if not line or level:
            if paragraph:
                yield _Block("para", "\n".join(paragraph))
                paragraph = []
            if line:
                yield _Block("heading", line, level)
        else:
            paragraph.append(line)
    if paragraph:
        yield _Block("para", "\n".join(paragraph))


# --------------------------------------------------------------------------- first-line titles

_LETTERHEAD = re.compile(
    r"(?i)cộng hòa xã hội chủ nghĩa|cộng hoà xã hội chủ nghĩa|cong hoa xa hoi chu nghia"
    r"|độc lập\s*[-–—]\s*tự do|doc lap\s*[-–—]\s*tu do"
    r"|^(số|so)\s*:|^[-_=*.\s]+$|ngày\s+\S+\s+tháng\s+\S+\s+năm"
)
_DOCUMENT_TYPE = re.compile(
    r"^(QUYẾT ĐỊNH|THÔNG BÁO|THÔNG TƯ|NGHỊ ĐỊNH|NGHỊ QUYẾT|CHỈ THỊ|KẾ HOẠCH|HƯỚNG DẪN|"
    r"CÔNG VĂN|TỜ TRÌNH|BÁO CÁO|LUẬT|QUY CHẾ|QUY ĐỊNH)$"
)
_SUBJECT = re.compile(r"(?i)^(về|ve|v/v)\b")
_TITLE_SCAN_LINES = 15


def first_line_title(lines: list[str]) -> str:
    """The first line that is not letterhead ("CỘNG HÒA XÃ HỘI…", "Độc lập - Tự do…", "Số:",
    the date line). A bare document type ("QUYẾT ĐỊNH") takes the subject line after it
    ("Về việc …"). Returns "" when nothing short enough is found."""
    lines = [normalise_inline(line) for line in lines[:_TITLE_SCAN_LINES]]
    lines = [line for line in lines if line]
    for index, line in enumerate(lines):
        if _LETTERHEAD.search(line):
            continue
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if _DOCUMENT_TYPE.match(line) and _SUBJECT.match(following):
            line = f"{line} {following}"
        return line if len(line) <= 150 else ""
    return lines[0] if lines and len(lines[0]) <= 150 else ""


# --------------------------------------------------------------------------- Markdown

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


def _extract_markdown(data: bytes) -> _Extracted:
    warnings: list[str] = []
    source = _decode_text(data, warnings)
    source = unicodedata.normalize("NFC", source).lstrip("\ufeff")
    front_title, source = _split_front_matter(source, warnings)
    md = MarkdownIt("commonmark").enable("table")
    blocks = list(_markdown_blocks(md.parse(source)))
    first_h1 = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), "")
    return _Extracted(
        title=_short_title(front_title or first_h1),
        sections=_sections_from_blocks(blocks),
        warnings=warnings,
    )


def _split_front_matter(source: str, warnings: list[str]) -> tuple[str, str]:
    """The front matter's title (or "") and the Markdown without its front matter."""
    match = _FRONT_MATTER.match(source)
    if not match:
        return "", source
    body = source[match.end() :]
    try:
        meta: Any = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        warnings.append("front matter is not valid YAML; ignored")
        return "", body
    title = meta.get("title") if isinstance(meta, dict) else None
    return (str(title) if title is not None else ""), body


def _markdown_blocks(tokens: list[Token]) -> Iterator[_Block]:
    heading_level = 0
    lists: list[int | None] = []  # per open list: next number, or None for bullets
    item_prefix = ""
    row: list[str] | None = None
    rows: list[str] = []
    for token in tokens:
        kind = token.type
        if kind == "heading_open":
            heading_level = int(token.tag[1:])
        elif kind == "heading_close":
            heading_level = 0
        elif kind == "bullet_list_open":
            lists.append(None)
        elif kind == "ordered_list_open":
            start = token.attrGet("start")
            lists.append(int(start) if start is not None else 1)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open" and lists:
            number = lists[-1]
            item_prefix = "- " if number is None else f"{number}. "
            if number is not None:
                lists[-1] = number + 1
        elif kind == "table_open":
            rows = []
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close" and row is not None:
            if any(row):
                rows.append(" | ".join(row))
            row = None
        elif kind == "table_close":
            yield _Block("para", "\n".join(rows))
        elif kind in ("fence", "code_block"):
            yield _Block("para", token.content)
        elif kind == "html_block":
            yield _Block("para", _html_fragment_text(token.content))
        elif kind == "inline":
            text = _markdown_inline(token)
            if row is not None:
                row.append(normalise_inline(text))
            elif heading_level:
                yield _Block("heading", text, heading_level)
            elif item_prefix:
                yield _Block("item", item_prefix + text)
                item_prefix = ""
            elif lists:
                yield _Block("item", text)  # a further paragraph of the same list item
            else:
                yield _Block("para", text)


def _markdown_inline(token: Token) -> str:
    """Readable text of an inline token: markup dropped, links kept as "text (url)"."""
    parts: list[str] = []
    link_href = ""
    link_start = 0
    for child in token.children or []:
        kind = child.type
        if kind in ("text", "code_inline", "image"):
            parts.append(child.content)
        elif kind == "softbreak":
            parts.append(" ")
        elif kind == "hardbreak" or (
            kind == "html_inline" and re.match(r"(?i)<br\s*/?>", child.content)
        ):
            parts.append("\n")
        elif kind == "link_open":
            link_href, link_start = str(child.attrGet("href") or ""), len(parts)
        elif kind == "link_close":
            label = "".join(parts[link_start:]).strip()
            if link_href.startswith(("http://", "https://")) and link_href != label:
                parts.append(f" ({link_href})")
            link_href = ""
    return "".join(parts)


# --------------------------------------------------------------------------- HTML

_HTML_DROP = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "nav",
        "form",
        "iframe",
        "svg",
        "canvas",
        "object",
        "embed",
        "button",
        "select",
        "input",
        "textarea",
        "dialog",
    ]
)
_HTML_CHROME = frozenset({"header", "footer", "aside"})  # chrome only outside the content
_HTML_CONTENT = ["article", "main", "section"]
_HTML_CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "search", "complementary"})
_HTML_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4}
_HTML_BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "main",
        "ol",
        "p",
        "section",
        "summary",
        "ul",
    ]
)


def _extract_html(data: bytes) -> _Extracted:
    try:
        markup: str | bytes = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        markup = data  # let BeautifulSoup follow the declared charset
    soup = BeautifulSoup(markup, "html.parser")
    page_title = _html_tag_text(soup.find("title"))
    for head in soup.find_all("head"):
        head.decompose()
    _drop_html_chrome(soup)
    root = _html_content_root(soup)
    walker = _HtmlWalker()
    walker.walk(root)
    walker.flush()
    return _Extracted(
        title=_short_title(page_title or _html_tag_text(soup.find("h1"))),
        sections=_sections_from_blocks(walker.blocks),
    )


def _html_fragment_text(markup: str) -> str:
    soup = BeautifulSoup(markup, "html.parser")
    _drop_html_chrome(soup)
    return soup.get_text(" ")


def _html_tag_text(tag: object) -> str:
    return normalise_inline(tag.get_text(" ")) if isinstance(tag, Tag) else ""


def _drop_html_chrome(soup: BeautifulSoup) -> None:
    for tag in soup.find_all(True):
        if tag.decomposed:
            continue
        if _is_html_chrome(tag):
            tag.decompose()


def _is_html_chrome(tag: Tag) -> bool:
    if tag.name in _HTML_DROP:
        return True
    attrs = tag.attrs or {}
    if "hidden" in attrs or str(attrs.get("aria-hidden", "")).lower() == "true":
        return True
    role = str(attrs.get("role", "")).lower()
    if role in _HTML_CHROME_ROLES:
        return True
    # A <header>/<footer>/<aside> inside an article or section belongs to that content.
    return tag.name in _HTML_CHROME and tag.find_parent(_HTML_CONTENT) is None


def _html_content_root(soup: BeautifulSoup) -> Tag:
    main = soup.find("main") or soup.find(True, attrs={"role": "main"})
    if isinstance(main, Tag) and main.get_text(strip=True):
        return main
    body = soup.find("body")
    return body if isinstance(body, Tag) else soup


class _HtmlWalker:
    """Walks the HTML tree in reading order and collects blocks."""

    def __init__(self) -> None:
        self.blocks: list[_Block] = []
        self._buffer: list[str] = []
        self._item = False

    def flush(self) -> None:
        text = "".join(self._buffer)
        self._buffer = []
        if text.strip():
            kind: Literal["item", "para"] = "item" if self._item else "para"
            self.blocks.append(_Block(kind, text))

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, PreformattedString):  # comments, doctype, CDATA
                continue
            if isinstance(child, NavigableString):
                self._buffer.append(re.sub(r"\s+", " ", str(child)))
            elif isinstance(child, Tag):
                self._visit(child)

    def _visit(self, tag: Tag) -> None:
        name = tag.name
        if name in _HTML_HEADINGS:
            self.flush()
            self.blocks.append(_Block("heading", tag.get_text(" "), _HTML_HEADINGS[name]))
        elif name == "table":
            self.flush()
            self.blocks.append(_Block("para", html_table_text(tag)))
        elif name == "br":
            self._buffer.append("\n")
        elif name == "pre":
            self.flush()
            self.blocks.append(_Block("para", tag.get_text()))
        elif name == "li":
            self.flush()
            self._item = True
            self._buffer.append("- ")
            self.walk(tag)
            self.flush()
            self._item = False
        elif name in _HTML_BLOCKS:
            self.flush()
            self.walk(tag)
            self.flush()
        else:
            self.walk(tag)


def html_table_text(table: Tag) -> str:
    """One line per row, cells separated by " | "; rows of nested tables stay with theirs."""
    lines: list[str] = []
    caption = table.find("caption")
    if caption is not None:
        lines.append(normalise_inline(caption.get_text(" ")))
    for row in table.find_all("tr"):
        if row.find_parent("table") is not table:
            continue
        cells = [
            normalise_inline(cell.get_text(" "))
            for cell in row.find_all(["td", "th"], recursive=False)
        ]
        if any(cells):
            lines.append(" | ".join(cells))
    return "\n".join(line for line in lines if line)


# --------------------------------------------------------------------------- PDF

_PDF_NOISE_TITLES = re.compile(r"(?i)^(untitled|microsoft word - .*|.*\.(docx?|pdf|rtf|odt))$")


def _extract_pdf(data: bytes) -> _Extracted:
    reader = _open_pdf(data)
    warnings: list[str] = []
    pages: list[str] = []
    for number, page in enumerate(reader.pages, start=1):
        try:
            pages.append(normalise_text(page.extract_text() or ""))
        except Exception as exc:  # one broken page must not lose the others
            warnings.append(f"page {number}: cannot extract text ({type(exc).__name__}: {exc})")
            pages.append("")
    blank = [str(n) for n, text in enumerate(pages, start=1) if not text]
    if blank and len(blank) < len(pages):
        warnings.append(f"no text on page(s) {', '.join(blank)} (scanned image?)")
    lines = [line for text in pages for line in text.split("\n")]
    return _Extracted(
        title=_short_title(_pdf_metadata_title(reader) or first_line_title(lines)),
        sections=pdf_sections(pages),
        warnings=warnings,
    )


def _open_pdf(data: bytes) -> PdfReader:
    if b"%PDF-" not in data[:1024]:
        raise UnreadableDocument("not a PDF file (no %PDF header)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableDocument("PDF is password-protected")
        len(reader.pages)  # reads the page tree: a truncated file fails here, not later
    except PyPdfError as exc:
        raise UnreadableDocument(f"corrupt or truncated PDF ({exc})") from exc
    return reader


def _pdf_metadata_title(reader: Any) -> str:
    try:
        raw = reader.metadata.title if reader.metadata is not None else None
    except Exception:
        return ""
    title = normalise_inline(str(raw)) if raw else ""
    return "" if _PDF_NOISE_TITLES.match(title) else title


def pdf_sections(pages: list[str]) -> list[Section]:
    """Sections at legal headings ("Chương", "Điều 1.") when there are two or more;
    otherwise one section per page headed "Trang N"."""
    lines = [line for text in pages for line in text.split("\n")]
    if sum(1 for line in lines if is_legal_heading(line)) >= 2:
        return _sections_from_blocks(_blocks_from_lines(lines))
    return [
        Section(heading=f"Trang {number}", text=text)
        for number, text in enumerate(pages, start=1)
        if text
    ]


# --------------------------------------------------------------------------- DOCX

_DOCX_HEADING = re.compile(r"(?i)^heading\s*(\d)$")


def _extract_docx(data: bytes) -> _Extracted:
    document = _open_docx(data)
    warnings: list[str] = []
    blocks: list[_Block] = []
    for part in document.iter_inner_content():
        if isinstance(part, Paragraph):
            blocks.append(_docx_paragraph_block(part))
        elif isinstance(part, Table):
            try:
                blocks.append(_Block("para", docx_table_text(part)))
            except Exception as exc:
                warnings.append(f"table skipped ({type(exc).__name__}: {exc})")
    core_title = normalise_inline(document.core_properties.title or "")
    styled = [b.text for b in blocks if b.kind == "heading" and b.level == 0 and b.text.strip()]
    headed = [b.text for b in blocks if b.kind == "heading" and b.text.strip()]
    lines = [line for b in blocks if b.kind != "heading" for line in b.text.split("\n")]
    title = core_title or next(iter(styled + headed), "") or first_line_title(lines)
    return _Extracted(
        title=_short_title(title), sections=_sections_from_blocks(blocks), warnings=warnings
    )


def _open_docx(data: bytes) -> Any:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise UnreadableDocument("not a DOCX file (not a ZIP package; an old .doc renamed?)")
    try:
        return docx.Document(io.BytesIO(data))
    except (OpcError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise UnreadableDocument(
            f"corrupt DOCX package ({type(exc).__name__}: {exc or 'missing part'})"
        ) from exc


def _docx_style_name(paragraph: Any) -> str:
    try:
        style = paragraph.style
    except Exception:  # a paragraph pointing at a missing style
        return ""
    return str(style.name or "") if style is not None else ""


def _docx_paragraph_block(paragraph: Any) -> _Block:
    """Title-styled paragraphs are level-0 headings, "Heading N" level N, lists items."""
    style = _docx_style_name(paragraph)
    text = paragraph.text
    if style.lower() == "title":
        return _Block("heading", text, 0)
    heading = _DOCX_HEADING.match(style)
    if heading and text.strip():
        return _Block("heading", text, int(heading.group(1)))
    if style.lower().startswith("list"):
        return _Block("item", f"- {text}")
    return _Block("para", text)


def docx_table_text(table: Any) -> str:
    """One line per row, cells separated by " | "; a merged cell is written once."""
    lines: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if cell._tc is previous:  # horizontally merged cells repeat the same element
                continue
            previous = cell._tc
            cells.append(normalise_inline(cell.text))
        if any(cells):
            lines.append(" | ".join(cells))
    return "\n".join(lines)


# --------------------------------------------------------------------------- plain text


def _extract_text(data: bytes) -> _Extracted:
    warnings: list[str] = []
    text = normalise_text(_decode_text(data, warnings))
    return _Extracted(
        title=_short_title(first_line_title(text.split("\n"))),
        sections=_sections_from_blocks(_blocks_from_lines(text.split("\n"))),
        warnings=warnings,
    )


_EXTRACTORS: dict[DocumentKind, Callable[[bytes], _Extracted]] = {
    "markdown": _extract_markdown,
    "html": _extract_html,
    "pdf": _extract_pdf,
    "docx": _extract_docx,
    "text": _extract_text,
}
