"""The bundled starter corpus: curated procedures and FAQs shipped with the package."""

from __future__ import annotations

from pathlib import Path

CORPUS_DIR = Path(__file__).resolve().parent


def bundled_corpus_path() -> Path:
    return CORPUS_DIR
