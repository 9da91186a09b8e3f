"""Guard stage: redact personal data, detect the language and classify the intent of a message.

Pure functions, no I/O::

    result = check_message(raw_text)   # GuardResult(intent, text, truncated, redactions, language)
    if result.intent == "question":
        search(result.text)             # already normalised, redacted and bounded
"""

from assistant.guard.intents import GuardResult, Intent, check_message, classify
from assistant.guard.language import accent_tolerant, detect_language
from assistant.guard.redact import PLACEHOLDERS, Redacted, redact

__all__ = [
    "PLACEHOLDERS",
    "GuardResult",
    "Intent",
    "Redacted",
    "accent_tolerant",
    "check_message",
    "classify",
    "detect_language",
    "redact",
]
