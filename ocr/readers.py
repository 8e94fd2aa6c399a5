"""Read every field of a registered page by its type.

For each field box the printed form is removed (:mod:`ocr.read_ink`); a box without written
ink is empty and costs no OCR. Checkboxes are decided by ink alone. Everything else is cut
into text-line crops (comb boxes: their inked cells side by side) and recognised in one
batch by the first engine with the field type's character set; a second engine, when
given, re-reads the digit-like fields the first is not sure of. The recognised text
becomes a normalized value through :func:`validators.normalize.normalize`, and what the
cutting, the reading and the value itself leave in doubt sends it to review.

Three modules make the steps: :mod:`ocr.read_plan` cuts each field (or decides it by ink),
:mod:`ocr.read_passes` runs the engines over the crops, and this one turns their words into
each field's value, confidence and doubts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import cv2
import numpy as np

from ocr.engines.base import OcrEngine, OcrWord
from ocr.layout import FormLayout
from ocr.read_address import match_places
from ocr.read_confidence import combined, threshold
from ocr.read_glyphs import settle_variants
from ocr.read_ink import crop_margin, fields_mask, layout_mask, normalise_contrast
from ocr.read_marks import marks_after
from ocr.read_pairs import (
    RESPELLED_CONFIDENCE,
    Reading,
    as_company,
    check_names,
    least_certain,
    unconfirmed_readings,
)
from ocr.read_passes import (
    each_piece_at_its_best,
    read_wider,
    recognise,
    recognise_best,
    retry_combs,
)
from ocr.read_plan import Piece, Plan, plan_field
from ocr.read_spacing import ink_unread, name_space
from ocr.read_spelling import likelier_spelling
from ocr.read_text import JAPANESE_TYPES, legal_forms, may_be_variant, same_in_value, tidy
from ocr.read_vocabulary import settle_known
from ocr.result import FieldResult, Value
from validators.checkdigits import fails_check_digit
from validators.normalize import FULL_WIDTH_SPACE, NormalizationError, normalize

#: The second engine re-reads a digit field only when the first is less sure than this.
#: Measured on generated clean, handwritten and degraded pages: PP-OCR at or above it was
#: never wrong on digits (0 of ~830), and there Tesseract's disagreements were all its own
#: mistakes (~1 field in 4); below it, its disagreement caught every PP-OCR error.
SECOND_OPINION_BELOW = 0.98
#: Confidence of a name or reading whose ink runs on past the characters read.
UNREAD_CONFIDENCE = 0.3
#: Confidence of a value not among those its box holds in practice (ocr.read_vocabulary).
UNUSUAL_CONFIDENCE = 0.5
#: Confidence of a name that may be spelt with a variant the recogniser cannot produce.
VARIANT_CONFIDENCE = 0.5
#: Writing running on into a neighbouring box by this many pixels puts a field in doubt ...
MIN_SPILL_PX = 3
#: ... at this confidence.
SPILL_CONFIDENCE = 0.3
#: Confidence of a name and a フリガナ that no dictionary reading joins, and of a フリガナ
#: whose agreement with its name is not certain (see ocr.read_names.NameMatch).
UNMATCHED_READING_CONFIDENCE = 0.3
#: Confidence of a digit field with faint writing beside what was read.
FAINT_BESIDE_CONFIDENCE = 0.3
#: A page with at least this share of its written fields in review was read badly as a
#: whole (too thin, too blurred, off its boxes): nothing on it is left unchecked. Among
#: generated pages, the worst well-read ones had under half in review.
UNREADABLE_PAGE_SHARE = 0.6
#: ... counted only on pages with this many written fields (a slip holding three values,
#: two in review, is not a bad scan).
UNREADABLE_PAGE_MIN_FIELDS = 10
#: Types holding words the dictionary can check (titles, remarks); names have their own
#: readings, addresses the postal list (and the dictionary past it: :func:`_result`).
_PROSE_TYPES = frozenset({"text", "free_text"})


def read_fields(
    page: np.ndarray, layout: FormLayout, engines: Sequence[OcrEngine]
) -> dict[str, FieldResult]:
    """A FieldResult for every field of ``layout`` read from ``page``.

    ``page`` is grey uint8 registered on the blank template's 300-dpi pixel grid.
    ``engines[0]`` reads every written text field; ``engines[1]``, if given, re-reads the
    digit-like fields read with less than :data:`SECOND_OPINION_BELOW` certainty: its
    agreement raises the confidence, its disagreement sends the field to review. Empty
    fields get ``value=None`` without any OCR call.
    """
    if not engines:
        raise ValueError("read_fields needs at least one OCR engine")
    if page.ndim == 3:
        page = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)
    printed = layout_mask(layout)
    fields = fields_mask(layout)
    if page.shape != printed.shape:
        raise ValueError(
            f"page {page.shape[::-1]} is not on the {layout.form_id} template grid "
            f"{printed.shape[::-1]}; register it first"
        )
    page = normalise_contrast(page, layout)
    results: dict[str, FieldResult] = {}
    plans: list[Plan] = []
    for spec in layout.fields:
        decided, plan = plan_field(page, printed, spec, fields)
        if decided is not None:
            results[spec.name] = decided
        elif plan is not None:
            plans.append(plan)

    first = recognise_best(engines[0], plans)
    retry_combs(engines[0], plans, first)
    second: list[list[list[OcrWord]] | None] = [None] * len(plans)
    if len(engines) > 1:
        checked = [
            i
            for i, p in enumerate(plans)
            if p.rule.second_opinion and least_certain(first[i]) < SECOND_OPINION_BELOW
        ]
        rereadings = recognise(engines[1], [plans[i].pieces for i in checked])
        for i, reading in zip(checked, rereadings, strict=True):
            second[i] = reading

    readings = {p.spec.name: _reading(p, words) for p, words in zip(plans, first, strict=True)}
    read_wider(engines[0], plans, unconfirmed_readings(layout, readings))
    for plan, surest in zip(plans, first, strict=True):
        readings[plan.spec.name].alternatives = [
            _reading(replace(plan, pieces=pieces), words) for pieces, words in plan.other_stretches
        ]
        mixed = each_piece_at_its_best(plan, surest)
        if mixed is not None:
            readings[plan.spec.name].alternatives.append(
                _reading(replace(plan, pieces=mixed[0]), mixed[1])
            )
    check_names(layout, readings)
    for plan, other in zip(plans, second, strict=True):
        results[plan.spec.name] = _result(plan, readings[plan.spec.name], other)
    return _page_in_doubt({spec.name: results[spec.name] for spec in layout.fields})


def _page_in_doubt(results: dict[str, FieldResult]) -> dict[str, FieldResult]:
    """``results``, all sent to review where most of the page's writing already is (a
    value that looks certain on a page read that badly is still a guess: 4 read 1)."""
    written = [r for r in results.values() if r.value is not None or r.needs_review]
    doubted = sum(r.needs_review for r in written)
    if len(written) < UNREADABLE_PAGE_MIN_FIELDS or doubted < UNREADABLE_PAGE_SHARE * len(written):
        return results
    return {
        name: replace(r, needs_review=True, doubts=(*r.doubts, "page"))
        if r.value is not None
        else r
        for name, r in results.items()
    }


def _reading(plan: Plan, words: list[list[OcrWord]]) -> Reading:
    form_in_doubt = False
    if plan.spec.type == "name":
        # 﨑 read as 崎, 髙 as 高: the glyph tells, or the name goes to review.
        settled = [
            settle_variants(piece.image, piece_words)
            for piece, piece_words in zip(plan.pieces, words, strict=True)
        ]
        words = [s.words for s in settled]
        form_in_doubt = not all(s.sure for s in settled)
    text, certainty = _text(plan, words)
    tidied = tidy(plan.spec.type, text)
    if plan.spec.type in JAPANESE_TYPES:
        words = _pooled_in_context(plan, words, tidied)
        certainty = _text(plan, words)[1]
        respelled = False
    else:
        # A digit left out as a stray stroke (1079-241-6396 is 079-241-6396) is a guess.
        respelled = _digits(tidied) != _digits(text)
    reading = Reading(
        tidied, certainty, words=words, form_in_doubt=form_in_doubt, respelled=respelled
    )
    if plan.rule.spaces == "name" and all(words):
        reading.unread = _unread_ink(plan.pieces, words)
    if plan.spec.type == "kana":
        reading.marks_after = marks_after(plan.pieces, words)
    if plan.spec.type == "name" and legal_forms(reading.text):
        as_company(reading)
    elif plan.spec.type in _PROSE_TYPES:
        # 老齢基礎午金: the dictionary knows 年金, which the engine guessed next.
        likelier = likelier_spelling(reading.text, reading.read_characters())
        if likelier != reading.text:
            reading.text, reading.respelled = likelier, True
    return reading


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _pooled_in_context(plan: Plan, words: list[list[OcrWord]], tidied: str) -> list[list[OcrWord]]:
    """``words`` with each character's confidence counting the engine's other guesses for
    it that the field's context makes the same value: 八 and ハ in ハイツ, J and 丁 in
    ２J目 (tidied to ２丁目 either way). A guess is tried in place and the whole text tidied
    again; only what then reads exactly as before is the same reading."""
    kind = plan.spec.type
    pooled = [list(piece) for piece in words]
    for p, piece in enumerate(words):
        for c, word in enumerate(piece):
            same = 0.0
            for guess, chance in word.alternatives:
                if same_in_value(kind, guess, word.text):
                    continue  # pooled already
                pooled[p][c] = replace(word, text=guess)
                if tidy(kind, _text(plan, pooled)[0]) == tidied:
                    same += chance
            pooled[p][c] = replace(word, confidence=min(1.0, word.confidence + same))
    return pooled


def _text(plan: Plan, words: list[list[OcrWord]]) -> tuple[str, float]:
    """The field's text and the primary certainty: the least certain character's (for names,
    or the family/given-name space decision's, when that is less certain)."""
    if plan.rule.spaces == "name" and all(words):
        return _name_text(plan.pieces, words)
    return _joined(plan.pieces, words), least_certain(words)


def _line(
    pieces: list[Piece], words: list[list[OcrWord]]
) -> tuple[list[OcrWord], float, tuple[float, float]]:
    """A name's characters across its pieces, in the line's (stretched) pixels; the height
    of its ink; and where its ink starts and ends."""
    line = [
        replace(w, bbox=(w.bbox[0] + round(p.x_origin * p.stretch), *w.bbox[1:]))
        for p, piece_words in zip(pieces, words, strict=True)
        for w in piece_words
        if w.text.strip()
    ]
    first, last = pieces[0], pieces[-1]
    start = (crop_margin(first.ink_height)[0] + first.x_origin) * first.stretch
    end = last.image.shape[1] + (last.x_origin - crop_margin(last.ink_height)[0]) * last.stretch
    return line, max(p.ink_height * p.stretch for p in pieces), (start, end)


def _unread_ink(pieces: list[Piece], words: list[list[OcrWord]]) -> bool:
    """Whether a name's or reading's ink runs on past the characters read (see
    :func:`ocr.read_spacing.ink_unread`)."""
    line, ink_height, span = _line(pieces, words)
    return ink_unread(line, ink_height, span, pieces[0].stretch > 1.0)


def _name_text(pieces: list[Piece], words: list[list[OcrWord]]) -> tuple[str, float]:
    """A name's characters with the space placed by their pitch across the whole line (the
    pieces cut at ink gaps only help recognition: a small ィ leaves a gap too)."""
    line, ink_height, (_, ink_end) = _line(pieces, words)
    # Only half-width katakana is read stretched (see read_types).
    at, spacing = name_space(line, ink_height, pieces[0].stretch > 1.0, ink_end)
    chars = [w.text for w in line]
    if at is not None:
        chars.insert(at, FULL_WIDTH_SPACE)
    return "".join(chars), min(least_certain(words), spacing)


def _joined(pieces: Sequence[Piece], words: list[list[OcrWord]]) -> str:
    parts: list[str] = []
    for piece, piece_words in zip(pieces, words, strict=True):
        # Spaces come from the gaps between pieces, never from inside one.
        text = "".join("".join(w.text for w in piece_words).split())
        if text:
            parts.append(piece.joiner + text if parts else text)
    return "".join(parts)


def _address_certainty(reading: Reading, fixed: str, places: int, certainty: float) -> float:
    """An address's certainty without its ``places`` leading place names, as Japan Post
    lists them (an address is long, and its least certain character was mostly among
    them): read exactly so, or ``fixed`` only where a misread character's listed form was
    the engine's next guess there (汕縄県, next guess 沖)."""
    each = _by_character(reading)
    if each is None or len(fixed) != len(reading.text):
        return certainty  # tidied to another length: no telling which character is which
    for a, b, w in zip(reading.text, fixed, each, strict=True):
        if a != b and (w is None or b not in {ch for ch, _ in w.alternatives}):
            return certainty
    return min((w.confidence for w in each[places:] if w is not None), default=certainty)


def _by_character(reading: Reading) -> list[OcrWord | None] | None:
    """What the engine read for each character of the reading's text (None for a line
    break), or None where tidying changed its length."""
    chars = reading.read_characters()
    if len(chars) != len(reading.text.replace("\n", "")):
        return None
    read = iter(chars)
    return [None if ch == "\n" else next(read) for ch in reading.text]


def _guesses(reading: Reading) -> list[frozenset[str]]:
    """The engine's next guesses for each character of the reading's text, where known."""
    each = _by_character(reading) or []
    return [frozenset(ch for ch, _ in w.alternatives) if w else frozenset() for w in each]


def _normalized(field_type: str, text: str) -> tuple[Value, bool]:
    try:
        return normalize(field_type, text), True
    except NormalizationError:
        return None, False


def _result(plan: Plan, reading: Reading, other: list[list[OcrWord]] | None) -> FieldResult:
    spec = plan.spec
    text, certainty = reading.text, reading.certainty
    if spec.type == "address":
        text, places = match_places(text, guesses=_guesses(reading))
        if places:
            certainty = _address_certainty(reading, text, places, certainty)
        # Past the listed place names, the dictionary's words (シヤトー → シャトー).
        likelier = likelier_spelling(text, reading.read_characters(), frozenset(range(places)))
        if likelier != text:
            text, reading.respelled = likelier, True
    text, known_doubt = settle_known(spec.name, text)
    value, ok = _normalized(spec.type, text)
    agrees: bool | None = None
    if other is not None and ok and _complete(plan, other):
        other_value, other_ok = _normalized(spec.type, _text(plan, other)[0])
        agrees = other_ok and other_value == value
        if not agrees and fails_check_digit(spec.type, other_value):
            # A number the second engine read that cannot exist says nothing about the
            # first reading; a first reading failing its check digit is flagged by validation.
            agrees = None
    confidence = combined(certainty, agrees) if ok and value is not None else 0.0
    if reading.partner_agrees:
        confidence = combined(confidence, True)
    doubts: list[str] = []
    if not ok or value is None:
        doubts.append("unreadable")
    elif confidence < threshold(spec.type):
        doubts.append("uncertain")
    if agrees is False:
        doubts.append("disagreement")
    caps: list[tuple[str, float]] = []
    if reading.partner_agrees is False:
        # A name and a reading that contradict each other: one of them is misread. (A
        # reading is also in doubt when its agreement is not certain.)
        caps.append(("reading_mismatch", UNMATCHED_READING_CONFIDENCE))
    if reading.respelled or known_doubt == "respelled":
        caps.append(("respelled", RESPELLED_CONFIDENCE))
    if known_doubt == "unusual":
        caps.append(("unusual", UNUSUAL_CONFIDENCE))
    read = "".join(w.text for w in reading.read_characters())
    if reading.form_in_doubt or may_be_variant(spec.type, text) or may_be_variant(spec.type, read):
        # (What was read counts too: 穗 read is written 穂 in the value, and may be 穗.)
        caps.append(("variant", VARIANT_CONFIDENCE))
    if plan.spilled >= MIN_SPILL_PX or plan.at_side:
        # Part of the writing lies in the next box, or under the side of this one: what
        # was read may be cut short or carry a piece of it (876,60|0 read 876601; 給与
        # printed half off the slip's edge, the side cut 給 to 合).
        caps.append(("spill", SPILL_CONFIDENCE))
    if plan.faint:
        # A faint character beside the ones read may be part of the value (13 read 1).
        caps.append(("faint", FAINT_BESIDE_CONFIDENCE))
    if reading.unread:
        caps.append(("unread", UNREAD_CONFIDENCE))
    for doubt, cap in caps:
        confidence = min(confidence, cap)
        if cap < threshold(spec.type):
            doubts.append(doubt)
    return FieldResult(
        spec.name,
        value,
        confidence,
        bool(doubts),
        raw_text=text,
        bbox=plan.box.as_tuple(),
        doubts=tuple(doubts),
    )


def _complete(plan: Plan, words: list[list[OcrWord]]) -> bool:
    """Whether a reading accounts for every inked cell of a comb (any reading of a line
    does). Tesseract runs handwritten digits in neighbouring cells together (49|2|3|4|9
    read 92349): a reading missing digits says nothing about the first engine's."""
    if plan.cells is None:
        return True
    return sum(len(w.text.strip()) for piece in words for w in piece) == len(plan.cells)
