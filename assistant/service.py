"""The `Assistant` service every channel talks to: one message in, one `Reply` out.

The answer is composed by named stages, each a method that can be called and tested alone:

    guard → understand → retrieve → route → compose → check

- guard: length limit, redaction of personal data, intent (greeting, reset, handoff,
  injection, abuse, off-topic, question) — see `assistant.guard`.
- understand: language, aspect, follow-ups on the procedure in focus, a chosen option
  (the pure rules are in `assistant.understand`).
- retrieve: procedure-first search (`knowledge.search`).
- route: answer the best procedure, ask which sibling applies, or say nothing matched.
- compose: the grounded answer from the record's fields (`assistant.compose`), or in `llm`
  mode the LLM chain over the record (`assistant.llm.answerer`).
- check: every answer carries a citation; in `llm` mode every number must occur in the
  cited record, otherwise (and on LLM errors or timeouts) the grounded answer is used.

Conversation state is loaded before and saved after, with the redacted turn.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from assistant.compose.grounded import Composed, compose_answer
from assistant.compose.variants import side_by_side, variant_line
from assistant.curated import STAFF_APPROVED, Curation, local_info_block
from assistant.dialogue import (
    Conversation,
    ConversationStore,
    DialogueState,
    Option,
    Rating,
    TurnRecord,
    new_id,
)
from assistant.guard import GuardResult, check_message, redact
from assistant.handoff import UNHELPED_KINDS, HandoffReason, Handoffs
from assistant.llm.answerer import LLMAnswerer
from assistant.llm.chain import LLMChain
from assistant.messages import STARTERS, message
from assistant.reply import AnswerMode, Citation, Language, QuickReply, Reply, ReplyKind
from assistant.route import COMPETING_MARGIN, Decision, decide
from assistant.settings import Settings
from assistant.understand import (
    asks_for_more,
    chosen_option,
    distinguishing_label,
    matching_case,
    mentions_focus,
    names_another_topic,
)
from knowledge.families import Cues, Traits, level_of
from knowledge.places import PLACES_CITATION_CODE, PLACES_SOURCE, FilingLevel, where_to_go
from knowledge.render import format_procedure
from knowledge.schema import Procedure
from knowledge.search.aspects import Aspect, aspect_beyond_name, aspect_only, detect_aspect
from knowledge.search.searcher import Searcher, SearchHit, SearchResponse
from knowledge.store import CatalogueStore
from knowledge.text import fold
from knowledge.text.glossary import english_gloss

log = logging.getLogger(__name__)

Mode = Literal["grounded", "llm"]
# Aspects whose answer names the place to go, so a named ward or district is mapped.
PLACE_ASPECTS = frozenset({"where", "general", "steps"})
FILING_LEVELS: dict[int, FilingLevel] = {0: "commune", 1: "province"}
FIXED_REPLIES: dict[str, ReplyKind] = {
    "empty": "clarification",
    "greeting": "greeting",
    "thanks": "greeting",
    "goodbye": "greeting",
    "reset": "greeting",
    "handoff": "handoff",
    "abuse": "refusal",
    "injection": "refusal",
    "out_of_scope": "out_of_scope",
}
MESSAGE_FOR = {"injection": "refusal"}  # intents whose fixed reply has another name
SHORT_MESSAGE_WORDS = 3  # shorter messages keep the conversation's language ("ok", "phí?")


class Message(BaseModel):
    """What a channel hands the assistant."""

    channel: str = Field(default="cli", pattern=r"^[a-z0-9_-]{1,32}$")
    user: str = Field(min_length=1, max_length=255)
    text: str = Field(default="", max_length=100_000)
    locale: Language | None = None
    attachments: list[str] = Field(default_factory=list)  # kinds: "image", "sticker", …
    mode: Mode | None = None  # overrides the configured answer mode


@dataclass
class Understanding:
    text: str  # redacted, limited
    language: Language
    intent: str
    aspect: Aspect
    truncated: bool = False
    option: Option | None = None  # a clarification option the user picked
    follow_up: bool = False  # about the procedure in focus
    case: str | None = None  # a document case of the focus procedure the user picked


@dataclass
class Draft:
    kind: ReplyKind
    text: str
    citations: list[Citation] = field(default_factory=list)
    quick_replies: list[QuickReply] = field(default_factory=list)
    answer_mode: AnswerMode = "none"
    aspect: str | None = None
    procedure_code: str | None = None
    options: list[Option] = field(default_factory=list)  # clarification choices to remember


@dataclass
class StreamDelta:
    text: str


class Assistant:
    def __init__(
        self,
        searcher: Searcher,
        catalogue: CatalogueStore,
        conversations: ConversationStore,
        settings: Settings,
        *,
        llm_chain_factory: Callable[..., LLMChain] | None = None,
        curation: Curation | None = None,
    ) -> None:
        self.searcher = searcher
        self.catalogue = catalogue
        self.conversations = conversations
        self.settings = settings
        self.llm = LLMAnswerer(settings, catalogue, llm_chain_factory)
        self._title_vocabulary: tuple[int, frozenset[str]] | None = None
        # Staff-approved FAQs (answered first) and local corrections; None: catalogue only.
        self.curation = curation
        # The staff inbox (handing conversations to a person); None: hotline and office only.
        self.handoffs: Handoffs | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Assistant:
        """Open the catalogue, the search index and the conversation store named by settings."""
        from knowledge.search.embeddings import load_embeddings
        from knowledge.search.index import SearchIndex

        url = settings.resolved_database_url()
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        catalogue = CatalogueStore(url, refresh_s=settings.catalogue_refresh_s)
        index = SearchIndex(
            settings.index_dir,
            load_embeddings(settings.embedding, threads=settings.embedding_threads),
            chroma_url=settings.chroma_url,
            refresh_s=settings.catalogue_refresh_s,  # follow other processes' ingests
        )
        index.vectors.query_cache_size = settings.query_cache_size
        conversations = ConversationStore(
            url, ttl=dt.timedelta(minutes=settings.conversation_ttl_minutes)
        )
        return cls(Searcher(index, catalogue), catalogue, conversations, settings)

    def close(self) -> None:
        self.conversations.close()
        self.catalogue.close()

    # -- the whole pipeline --------------------------------------------------------------

    def reply(self, msg: Message) -> Reply:
        started = time.perf_counter()
        conversation = self.conversations.load(msg.channel, msg.user)
        guarded = self.guard(msg)
        held = self.held_reply(msg, conversation, guarded)
        if held is not None:
            return held
        understanding = self.understand(msg, guarded, conversation.state)
        draft = self.answer(understanding, conversation.state, self.mode_for(msg))
        return self.finish(conversation, understanding, draft, started)

    async def areply(self, msg: Message) -> Reply:
        return await asyncio.to_thread(self.reply, msg)

    async def stream(self, msg: Message) -> AsyncIterator[StreamDelta | Reply]:
        """Text deltas, then the final `Reply`, whose text is authoritative: a streamed LLM
        answer that fails the number check is replaced by the grounded answer there."""
        started = time.perf_counter()
        conversation = await asyncio.to_thread(self.conversations.load, msg.channel, msg.user)
        guarded = self.guard(msg)
        held = await asyncio.to_thread(self.held_reply, msg, conversation, guarded)
        if held is not None:
            yield held
            return
        understanding = await asyncio.to_thread(self.understand, msg, guarded, conversation.state)
        mode = self.mode_for(msg)
        draft = await asyncio.to_thread(self.answer, understanding, conversation.state, "grounded")
        curated = draft.aspect == "faq"  # a staff-approved answer is sent as approved
        if mode == "llm" and draft.kind == "answer" and draft.procedure_code and not curated:
            chain = self.llm.chain(draft.procedure_code, draft.aspect or "general")
            if chain is not None:
                llm_draft: Draft | None = None
                streamed: list[str] = []
                try:
                    async for part in chain.astream(
                        understanding.text, conversation.state.history, understanding.language
                    ):
                        if isinstance(part, str):
                            streamed.append(part)
                            yield StreamDelta(part)
                        else:
                            text = self.llm.checked_text(part, draft.procedure_code)
                            llm_draft = (
                                replace(draft, text=text, answer_mode="llm") if text else None
                            )
                except Exception as exc:  # LLMUnavailable and anything the provider raises
                    log.warning("LLM stream failed, grounded answer used: %s", exc)
                draft = llm_draft or draft
                if streamed:  # the final reply replaces what was shown when it fell back
                    yield await asyncio.to_thread(
                        self.finish, conversation, understanding, draft, started
                    )
                    return
        for piece in _pieces(draft.text):
            yield StreamDelta(piece)
        yield await asyncio.to_thread(self.finish, conversation, understanding, draft, started)

    def mode_for(self, msg: Message) -> Mode:
        mode: Mode = msg.mode or self.settings.answer_mode
        return mode

    # -- stages --------------------------------------------------------------------------

    def held_reply(
        self, msg: Message, conversation: Conversation, guarded: GuardResult
    ) -> Reply | None:
        """A staff member has this conversation: the (redacted) message goes to them and the
        reply is `held`, with no text, which channels do not send."""
        if self.handoffs is None or not self.handoffs.holding(conversation.id, guarded.text):
            return None
        return Reply(
            id=new_id(),
            conversation_id=conversation.id,
            kind="held",
            text="",
            handoff="with_staff",
            language=msg.locale or conversation.state.language or guarded.language,  # type: ignore[arg-type]
        )

    def guard(self, msg: Message) -> GuardResult:
        return check_message(msg.text, max_chars=self.settings.max_message_chars)

    def understand(self, msg: Message, guarded: GuardResult, state: DialogueState) -> Understanding:
        language = msg.locale or guarded.language
        if (
            msg.locale is None
            and state.language in ("vi", "en")
            and len(guarded.text.split()) <= SHORT_MESSAGE_WORDS
        ):
            language = state.language  # type: ignore[assignment]
        u = Understanding(
            text=guarded.text,
            language=language,
            intent=guarded.intent,
            aspect=detect_aspect(guarded.text),
            truncated=guarded.truncated,
        )
        if msg.attachments and guarded.intent == "empty":
            u.intent = "attachment"
        if u.intent != "question":
            return u
        u.option = chosen_option(u.text, state.options)
        if u.option is None and state.focus_code:
            focus = self.catalogue.get_procedure(state.focus_code)
            if focus is not None:
                u.case = matching_case(focus, u.text)
                if u.case is not None:
                    u.aspect = "documents"
                    u.follow_up = True
        tapped = u.option is not None or u.case is not None
        if tapped and msg.locale is None and state.language in ("vi", "en"):
            # A button's text is Vietnamese (official names): the conversation's language stays.
            u.language = state.language  # type: ignore[assignment]
        return u

    def retrieve(self, u: Understanding) -> SearchResponse:
        # Only the best procedure and its close siblings matter here: the question is not
        # embedded when the lexical evidence alone decides those (see Searcher.score).
        return self.searcher.search(
            u.text, top_k=5, with_sections=False, skip_dense_margin=COMPETING_MARGIN
        )

    def route(self, u: Understanding, state: DialogueState) -> Decision:
        if u.option is not None:
            return Decision("answer", code=u.option.procedure_code)
        if u.follow_up and state.focus_code:
            return Decision("answer", code=state.focus_code)
        if aspect_only(u.text):
            # "phí bao nhiêu?" names no procedure: the one in focus, else ask which one
            # (a record that merely shares the words, "phí bảo hiểm", is not what was meant).
            if not state.focus_code:
                return Decision("not_found")
            u.follow_up = True
            return Decision("answer", code=state.focus_code)
        response = self.retrieve(u)
        if state.focus_code and (
            mentions_focus(u.text)
            or (
                response.nothing_relevant
                and (u.aspect != "general" or asks_for_more(u.text))
                and not self.names_another_topic(u.text, state.focus_code)
            )
        ):
            u.follow_up = True
            if u.aspect == "general" and asks_for_more(u.text) and state.last_aspect:
                u.aspect = state.last_aspect  # type: ignore[assignment]
            return Decision("answer", code=state.focus_code)
        cues = Cues.of(u.text)
        return decide(response.results, response.nothing_relevant, cues, self._traits)

    def _traits(self, code: str) -> Traits | None:
        procedure = self.catalogue.get_procedure(code)
        return Traits.from_tags(procedure.variant) if procedure is not None else None

    def names_another_topic(self, text: str, focus_code: str) -> bool:
        prepared = self.searcher.prepare(text)
        own_words = [t for t, w in prepared.terms.items() if w >= 1.0 and "_" not in t]
        return names_another_topic(own_words, self._focus_words(focus_code), self._title_words())

    @lru_cache(maxsize=256)  # noqa: B019 - one Assistant per process; records change on ingest
    def _focus_words(self, code: str) -> frozenset[str]:
        procedure = self.catalogue.get_procedure(code)
        if procedure is None:
            return frozenset()
        text = " ".join([format_procedure(procedure), *procedure.aliases, procedure.full_text])
        return frozenset(fold(text).split())

    def _title_words(self) -> frozenset[str]:
        titles = self.searcher.index.lexical.titles
        if self._title_vocabulary is None or self._title_vocabulary[0] != len(titles):
            words = frozenset(w for sets in titles.values() for t in sets for w in t)
            self._title_vocabulary = (len(titles), words)
        return self._title_vocabulary[1]

    def compose(self, u: Understanding, decision: Decision, state: DialogueState) -> Draft:
        if decision.action == "not_found":
            hotline = self.settings.handoff_hotline
            return Draft(
                "out_of_scope",
                message("not_found", u.language, hotline=hotline),
                quick_replies=STARTERS[u.language],
            )
        if decision.action == "clarify":
            return self.clarification(u, decision.options)
        procedure = self.catalogue.get_procedure(decision.code or "")
        if procedure is None:  # the index names a record the catalogue lost: don't guess
            hotline = self.settings.handoff_hotline
            return Draft("out_of_scope", message("not_found", u.language, hotline=hotline))
        aspect = aspect_beyond_name(u.text, u.aspect, procedure.name)
        if u.option is not None and state.pending_aspect:
            aspect = state.pending_aspect  # type: ignore[assignment]
        composed = compose_answer(procedure, aspect, u.language, case=u.case, question=u.text)
        text, citations, quick, options = self.with_variants(
            composed, procedure, decision, aspect, u
        )
        text, citations = self.with_place(text, citations, procedure, aspect, u)
        return Draft(
            "answer",
            self.with_local_facts(text, procedure.code, aspect, u.language),
            citations=citations,
            quick_replies=quick,
            answer_mode="grounded",
            aspect=aspect,
            procedure_code=procedure.code,
            options=options,
        )

    def with_variants(
        self,
        composed: Composed,
        procedure: Procedure,
        decision: Decision,
        aspect: str,
        u: Understanding,
    ) -> tuple[str, list[Citation], list[QuickReply], list[Option]]:
        """The answer with its variant line and, for a fee or time, the other members' values;
        the variant buttons are remembered as options, so a tap keeps the aspect asked.

        Members: the competing siblings the route passed over, then the record's level twins
        (same family) — not after a tap on a variant or a follow-up, which chose already."""
        no_options: list[Option] = []
        unchanged = composed.text, composed.citations, composed.quick_replies, no_options
        if u.option is not None or u.follow_up:
            return unchanged
        codes = [*decision.siblings, *self.catalogue.family_members(procedure.code)]
        members = [
            p
            for code in dict.fromkeys(codes)
            if code != procedure.code and (p := self.catalogue.get_procedure(code)) is not None
        ]
        if not members:
            return unchanged
        lang: Language = "en" if u.language == "en" else "vi"
        line, buttons = variant_line(procedure, members, lang)
        side, cited = side_by_side(procedure, members, aspect, lang)
        body, _, source = composed.text.rpartition("\n\n")
        text = "\n\n".join(part for part in (body, side, source, line) if part)
        quick = [*buttons[:2], *composed.quick_replies][:5]
        options = [
            Option(procedure_code=b.text.rsplit("(", 1)[-1].rstrip(")"), label=b.label, text=b.text)
            for b in buttons
        ]
        return text, [*composed.citations, *cited], quick, options

    def with_place(
        self,
        text: str,
        citations: list[Citation],
        procedure: Procedure,
        aspect: str,
        u: Understanding,
    ) -> tuple[str, list[Citation]]:
        """For where to file: a ward, district or province the citizen named, mapped to the
        unit it is part of since 1 July 2025, and the office there; cited as its own source."""
        if aspect not in PLACE_ASPECTS:
            return text, citations
        # A ministry's procedure (rank 2) has no local office to name.
        level = FILING_LEVELS.get(level_of(procedure.name, procedure.levels))
        lines = where_to_go(u.text, u.language, level)
        if not lines:
            return text, citations
        lang: Language = "en" if u.language == "en" else "vi"
        source = Citation(
            procedure_code=PLACES_CITATION_CODE, name=PLACES_SOURCE[lang], section="where"
        )
        return f"{text}\n\n{lines}", [*citations, source]

    def check(self, draft: Draft, language: Language) -> Draft:
        """An answer without a citation is not an answer: point to a person instead."""
        if draft.kind == "answer" and not draft.citations:
            log.error("answer without citation for %s; replaced", draft.procedure_code)
            return Draft("handoff", message("handoff", language, **self._contact()))
        return draft

    # -- helpers -------------------------------------------------------------------------

    def answer(self, u: Understanding, state: DialogueState, mode: Mode) -> Draft:
        """Everything between understanding and the reply: fixed replies or the answer path."""
        if u.intent == "attachment":
            return Draft("out_of_scope", message("attachment", u.language))
        if u.intent in FIXED_REPLIES:
            return self.fixed_reply(u)
        curated = self.curated_answer(u)
        if curated is not None:
            return curated
        decision = self.route(u, state)
        draft = self.check(self.compose(u, decision, state), u.language)
        if mode == "llm" and draft.kind == "answer" and draft.procedure_code:
            text = self.llm.answer(
                u.text, state.history, u.language, draft.procedure_code, draft.aspect or "general"
            )
            if text:
                draft = replace(draft, text=text, answer_mode="llm")
        return draft

    def curated_answer(self, u: Understanding) -> Draft | None:
        """A staff-approved FAQ closely matching a fresh question, cited as such."""
        if self.curation is None or u.option is not None or u.follow_up or u.case is not None:
            return None
        found = self.curation.match_faq(u.text)
        if found is None:
            return None
        label = STAFF_APPROVED[u.language]
        code = found.procedure_codes[0] if found.procedure_codes else None
        citation = Citation(
            procedure_code=code or f"faq:{found.faq_id}",
            name=label,
            section="faq",
            url=found.source_url,
        )
        text = f"{found.text(u.language)}\n\n({label})"
        return Draft(
            "answer",
            text,
            citations=[citation],
            answer_mode="grounded",
            aspect="faq",
            procedure_code=code,
        )

    def with_local_facts(self, text: str, code: str, aspect: str, language: Language) -> str:
        """The answer with staff corrections of this procedure appended as local information."""
        if self.curation is None:
            return text
        block = local_info_block(self.curation.local_facts(code), aspect, language)
        return f"{text}\n\n{block}" if block else text

    def fixed_reply(self, u: Understanding) -> Draft:
        key = u.intent
        kind = FIXED_REPLIES[key]
        text = message(MESSAGE_FOR.get(key, key), u.language, **self._contact())
        quick = (
            STARTERS[u.language] if key in ("greeting", "reset", "empty", "out_of_scope") else []
        )
        return Draft(kind, text, quick_replies=list(quick))

    def clarification(self, u: Understanding, options: list[SearchHit]) -> Draft:
        procedures = [self.catalogue.get_procedure(h.procedure_code) for h in options]
        names = [h.name for h in options]
        labels = []
        for i, hit in enumerate(options):
            label = distinguishing_label(hit.name, names[:i] + names[i + 1 :])
            p = procedures[i]
            if names.count(hit.name) > 1 and p is not None:  # same name: tell levels apart
                label = f"{label[:30]} ({', '.join(p.levels) or hit.procedure_code})"
            labels.append(label)
        quick = [
            QuickReply(label=label, text=f"{hit.name} ({hit.procedure_code})")
            for label, hit in zip(labels, options, strict=True)
        ]
        lines = [message("clarify", u.language)]
        for q in quick:
            gloss = english_gloss(q.text) if u.language == "en" else ""
            lines.append(f"- {q.text} — {gloss}" if gloss else f"- {q.text}")
        return Draft(
            "clarification",
            "\n".join(lines),
            quick_replies=quick,
            aspect=u.aspect,
            options=[
                Option(procedure_code=h.procedure_code, label=q.label, text=q.text)
                for h, q in zip(options, quick, strict=True)
            ],
        )

    def finish(
        self,
        conversation: Conversation,
        u: Understanding,
        draft: Draft,
        started: float | None = None,
    ) -> Reply:
        """Update the dialogue state, store the turn (with its latency, from `started`, a
        `time.perf_counter()` reading when the message arrived), and build the reply."""
        state = conversation.state
        if u.intent == "reset":
            state = DialogueState()
        if draft.kind == "answer":
            state.focus_code = draft.procedure_code
            state.last_aspect = draft.aspect
            state.case = u.case
            # the variant line's buttons: a tap answers that member about the same aspect
            state.options = draft.options
            state.pending_aspect = draft.aspect if draft.options else None
        elif draft.kind == "clarification" and draft.options:
            state.options, state.pending_aspect = draft.options, draft.aspect
        state.language = u.language
        text = draft.text
        if u.truncated:
            text = f"{message('truncated', u.language)}\n{text}"
        handed_over = self.hand_over(conversation, u, draft)
        if handed_over:
            text = f"{text}\n\n{message(f'handoff_{handed_over}', u.language)}"
        if u.intent == "question":
            state.history = [*state.history, (u.text, text)][-6:]
        conversation.state = state
        reply = Reply(
            id=new_id(),
            conversation_id=conversation.id,
            kind=draft.kind,
            text=text,
            citations=draft.citations,
            quick_replies=draft.quick_replies,
            language=u.language,
            answer_mode=draft.answer_mode,
            aspect=draft.aspect if draft.kind == "answer" else None,
            procedure_code=draft.procedure_code or state.focus_code,
            handoff="queued" if handed_over else None,
        )
        turn = TurnRecord(
            reply_id=reply.id,
            user_text=u.text,
            reply_text=reply.text,
            kind=reply.kind,
            answer_mode=reply.answer_mode,
            procedure_code=draft.procedure_code,
            aspect=reply.aspect,
            latency_ms=None if started is None else round((time.perf_counter() - started) * 1000),
        )
        self.conversations.save(conversation, turn)
        return reply

    def hand_over(
        self, conversation: Conversation, u: Understanding, draft: Draft
    ) -> HandoffReason | None:
        """Put the conversation in the staff inbox when the citizen asks for a person or this
        is the second message in a row the assistant could not help with; the reason, if so."""
        if self.handoffs is None:
            return None
        reason: HandoffReason
        if u.intent == "handoff":
            reason = "asked"
        elif draft.kind in UNHELPED_KINDS and self.handoffs.last_unhelped(conversation.id):
            reason = "unhelped"
        else:
            return None
        queued = self.handoffs.request(
            conversation.id, conversation.channel, conversation.user_id, reason, u.text, u.language
        )
        return reason if queued else None

    def feedback(self, reply_id: str, rating: Rating, comment: str = "") -> None:
        """Thumbs up/down on a reply; the comment is redacted like any message."""
        self.conversations.add_feedback(reply_id, rating, redact(comment).text[:2000])

    def _contact(self) -> dict[str, str]:
        return {"hotline": self.settings.handoff_hotline, "office": self.settings.handoff_office}


def _pieces(text: str) -> list[str]:
    """A grounded answer cut into line-sized deltas for streaming channels."""
    lines = text.splitlines(keepends=True)
    return [line for line in lines if line] or [text]
