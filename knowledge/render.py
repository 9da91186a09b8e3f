"""Plain-text rendering of a procedure, whole or by section (terminal, staff review, search)."""

from __future__ import annotations

from knowledge.schema import Channel, Fee, Procedure, ProcessingTime

CHANNEL_VI = {"in_person": "Trực tiếp", "online": "Trực tuyến", "post": "Dịch vụ bưu chính"}
UNIT_VI = {"working_days": "ngày làm việc", "days": "ngày", "hours": "giờ", "unknown": ""}
ONLINE_VI = {
    "full": "Dịch vụ công trực tuyến toàn trình",
    "partial": "Dịch vụ công trực tuyến một phần",
    "none": "Không nộp trực tuyến",
    "unknown": "",
}


def format_vnd(amount: int) -> str:
    """100000 -> '100.000 đồng' (Vietnamese thousands separator)."""
    return f"{amount:,}".replace(",", ".") + " đồng"


def format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}".replace(".", ",")


def format_time(t: ProcessingTime) -> str:
    if t.value is None:
        return t.raw or "Không có thông tin"
    unit = UNIT_VI[t.unit]
    if unit:
        return f"{format_number(t.value)} {unit}".strip()
    if t.raw.strip() == format_number(t.value):  # a bare "1": of what, the record doesn't say
        return f"{format_number(t.value)} (hồ sơ không ghi đơn vị)"
    return f"{format_number(t.value)} ({t.raw})"


def format_fee(fee: Fee) -> str:
    if fee.amount_vnd is not None:
        text = format_vnd(fee.amount_vnd)
    elif fee.amount_text:
        text = fee.amount_text
    elif fee.free:
        text = "Miễn phí"
    elif fee.set_locally:
        text = "Theo mức do Hội đồng nhân dân cấp tỉnh quy định"
    else:
        text = fee.label or "Không có thông tin"
    if fee.set_locally and fee.amount_vnd is not None:
        text += " (mức do HĐND cấp tỉnh quy định)"
    if fee.valid_until:
        text += f" — áp dụng đến hết ngày {fee.valid_until:%d/%m/%Y}"
    return text


def format_channel(c: Channel) -> str:
    line = f"- {CHANNEL_VI[c.channel]}: {format_time(c.processing_time)}; phí: {format_fee(c.fee)}"
    if c.fee.note:
        line += f"\n    Ghi chú phí: {c.fee.note}"
    return line


def format_procedure(p: Procedure) -> str:
    lines = [f"{p.name} (mã {p.code})"]
    if p.aliases:
        lines.append(f"Tên thường gọi: {', '.join(p.aliases)}")
    facts = [
        ("Lĩnh vực", p.field),
        ("Cấp thực hiện", ", ".join(p.levels)),
        ("Cơ quan có thẩm quyền", ", ".join(p.agencies.competent)),
        ("Cơ quan thực hiện", ", ".join(p.agencies.implementing)),
        ("Nơi tiếp nhận", ", ".join(p.agencies.receiving)),
        ("Đối tượng", ", ".join(p.audience)),
        ("Trực tuyến", ONLINE_VI[p.online_level]),
        ("Kết quả", p.result),
    ]
    lines += [f"{label}: {value}" for label, value in facts if value]
    if p.channels:
        lines.append("\nCách thức, thời hạn và phí:")
        lines += [format_channel(c) for c in p.channels]
    if p.documents:
        lines += ["\nThành phần hồ sơ:", format_documents(p)]
    if p.steps:
        lines.append("\nTrình tự thực hiện:")
        lines += [f"{i}. {step}" for i, step in enumerate(p.steps, start=1)]
    if p.conditions:
        lines.append(f"\nYêu cầu, điều kiện: {p.conditions}")
    if p.legal_basis:
        lines += ["\nCăn cứ pháp lý:", format_legal_basis(p)]
    if p.summary_en:
        lines.append(f"\nIn English: {p.summary_en}")
    source = p.source_url or "(không có đường dẫn)"
    dated = f"; dữ liệu ngày {p.record_date:%d/%m/%Y}" if p.record_date else ""
    lines.append(f"\nNguồn: {source}{dated}")
    return "\n".join(lines)


def format_documents(p: Procedure) -> str:
    lines: list[str] = []
    for group in p.documents:
        if group.case:
            lines.append(group.case)
        for item in group.items:
            extra = "; ".join(x for x in (item.form and f"mẫu: {item.form}", item.quantity) if x)
            lines.append(f"- {item.name}" + (f" ({extra})" if extra else ""))
    return "\n".join(lines)


def format_legal_basis(p: Procedure) -> str:
    return "\n".join(
        f"- {ref.title}" + (f" ({ref.number})" if ref.number else "") for ref in p.legal_basis
    )


def format_where(p: Procedure) -> str:
    facts = [
        ("Cấp thực hiện", ", ".join(p.levels)),
        ("Cơ quan có thẩm quyền", ", ".join(p.agencies.competent)),
        ("Cơ quan thực hiện", ", ".join(p.agencies.implementing)),
        ("Nơi tiếp nhận", ", ".join(p.agencies.receiving)),
    ]
    return "\n".join(f"{label}: {value}" for label, value in facts if value)


def format_online(p: Procedure) -> str:
    online = [c for c in p.channels if c.channel == "online"]
    lines = [ONLINE_VI[p.online_level]] if ONLINE_VI[p.online_level] else []
    if online:
        lines += [format_channel(c) for c in online]
    else:
        lines.append("Hồ sơ không ghi cách nộp trực tuyến.")
    return "\n".join(lines)


def section_texts(p: Procedure) -> dict[str, str]:
    """The procedure cut into the sections citizens ask about, keyed by aspect name."""
    sections = {
        "documents": format_documents(p),
        "fee": "\n".join(f"- {CHANNEL_VI[c.channel]}: {format_fee(c.fee)}" for c in p.channels),
        "processing_time": "\n".join(
            f"- {CHANNEL_VI[c.channel]}: {format_time(c.processing_time)}" for c in p.channels
        ),
        "steps": "\n".join(f"{i}. {s}" for i, s in enumerate(p.steps, start=1)),
        "where": format_where(p),
        "conditions": p.conditions,
        "legal_basis": format_legal_basis(p),
        "result": p.result,
        "online": format_online(p),
    }
    return {name: text for name, text in sections.items() if text.strip()}
