"""Handing a conversation to a person, as the `Assistant` sees it.

A citizen who asks for a person, or whom the assistant could not help twice in a row, is put
in the staff inbox. Once a staff member claims the conversation, the assistant stays quiet in
it: the citizen's messages go to that person's thread until they release it or stop replying
for the timeout. The assistant knows only this protocol; `staff.handoff.HandoffStore`
implements it over the staff tables. Without one (`assistant ask`, tests), nobody is handed
over and the handoff reply gives the hotline and the office only.
"""

from __future__ import annotations

from typing import Literal, Protocol

from assistant.reply import Language

HandoffReason = Literal["asked", "unhelped"]
# Reply kinds that mean "the assistant could not help with this message".
UNHELPED_KINDS = frozenset({"out_of_scope", "handoff"})


class Handoffs(Protocol):
    def holding(self, conversation_id: str, text: str) -> bool:
        """True when a staff member has this conversation now: `text` (already redacted)
        joins their thread and the assistant sends nothing."""
        ...

    def request(
        self,
        conversation_id: str,
        channel: str,
        user_id: str,
        reason: HandoffReason,
        text: str,
        language: Language = "vi",
    ) -> bool:
        """Put the conversation in the inbox (or leave it there): False when its channel
        cannot carry a staff member's replies (nothing is queued then)."""
        ...

    def last_unhelped(self, conversation_id: str) -> bool:
        """Whether the conversation's previous turn was one the assistant could not help."""
        ...
