"""One field's reading by the first engine, and what a reading learns from another box.

A name and its フリガナ are written in separate boxes and misread in different ways; each is
checked against the other through the dictionary's readings (:mod:`ocr.read_names`), and
what agrees, disagrees or can be put right changes both readings' text and certainty. A
company's name is checked against the legal forms it holds.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from ocr.engines.base import OcrWord
from ocr.layout import FormLayout
from ocr.read_names import (
    NameMatch,
    NameReadings,
    match_name,
    repair_reading,
    respell,
    sudachi_readings,
)
from ocr.read_spelling import likelier_spelling
from ocr.read_text import NOT_IN_NAMES, legal_forms
from validators.normalize import FULL_WIDTH_SPACE, NormalizationError, normalize

#: Confidence of a name put right from the engine's second guesses by its フリガナ: right
#: far more often than not, but a person confirms it.
RESPELLED_CONFIDENCE = 0.3
#: A voiced kana the engine guessed at least this probably, beside the plain one it read,
#: shows a mark the print nearly lost; below, it is the network's noise (ビ at 0.01 for a
#: crisp ヒ; ギ at 0.12–0.27 for a half-width ｷﾞ whose mark it missed).
MARK_GUESSED = 0.05
#: A character of a フリガナ read at least this surely is not put right by its name's
#: dictionary reading: the name may have a reading the dictionary does not list.
SURELY_READ = 0.9


@dataclass
class Reading:
    """The first engine's text of one field, before normalization."""

    text: str
    #: The least certain character's probability, or the family/given-name space
    #: decision's when that is less certain.
    certainty: float
    #: A name and its reading (フリガナ) checked against each other: True when the other
    #: box confirms this one, False when it contradicts it (or, for the reading, cannot
    #: confirm it for certain), None when there was nothing to check.
    partner_agrees: bool | None = None
    #: What the engine read, piece by piece.
    words: list[list[OcrWord]] = field(default_factory=list)
    #: Whether a character of a variant pair (崎/﨑, 高/髙) was left as read because its
    #: glyph did not show which form it is (:mod:`ocr.read_glyphs`).
    form_in_doubt: bool = False
    #: Whether characters were swapped for the engine's next guess because the dictionary
    #: finds the result far likelier (:mod:`ocr.read_spelling`): likely, not certain.
    respelled: bool = False
    #: The same ink read at the type's other horizontal stretches, most certain first
    #: (half-width フリガナ: the reading its name confirms is taken, see check_names).
    alternatives: list[Reading] = field(default_factory=list)
    #: The ink runs on past the characters read: one may be left out.
    unread: bool = False
    #: The characters (indexes into :meth:`read_characters`) that a half-width voiced mark
    #: follows in the ink (:mod:`ocr.read_marks`): ﾀｶｷﾞ read タカキ still shows its ﾞ.
    marks_after: frozenset[int] = frozenset()

    @property
    def characters(self) -> float:
        """The least certain character's probability alone."""
        return least_certain(self.words)

    def read_characters(self) -> list[OcrWord]:
        """Every character read, in reading order (spaces aside)."""
        return [w for piece in self.words for w in piece for _ in w.text.strip()]


def least_certain(words: list[list[OcrWord]]) -> float:
    """How sure a reading is: its least certain character's probability; 0 when any piece
    of ink gave no character at all."""
    if not words or not all(words):
        return 0.0
    return min(w.confidence for piece in words for w in piece)


def as_company(reading: Reading) -> None:
    """A company's name: no family/given space, and sure as its own characters are,
    its legal form aside where it was read so or put right by the engine's next guess
    (株式会礼, next guess 社), and the colon read after it (dropped) aside."""
    reading.text = reading.text.replace(FULL_WIDTH_SPACE, "")
    read = [w for w in reading.read_characters() if w.text not in NOT_IN_NAMES]
    if len(read) != len(reading.text):
        reading.certainty = reading.characters  # tidied to another length
        return
    in_forms = {i for start, end in legal_forms(reading.text) for i in range(start, end)}
    verified = {
        i
        for i in in_forms
        if read[i].text == reading.text[i]
        or reading.text[i] in {ch for ch, _ in read[i].alternatives}
    }
    reading.certainty = min(
        (w.confidence for i, w in enumerate(read) if i not in verified), default=1.0
    )
    # 束和共済組合: the dictionary knows 東和, which the engine guessed next.
    likelier = likelier_spelling(reading.text, read, frozenset(in_forms))
    if likelier != reading.text:
        reading.text, reading.respelled = likelier, True


def check_names(layout: FormLayout, readings: dict[str, Reading]) -> None:
    """Each name against the reading (フリガナ) in the box beside it, through the
    dictionary's readings of the name (:mod:`ocr.read_names`).

    Agreeing, both take the spelling and family/given space of the match and the name's
    confidence rises; an exact, unambiguous match raises the reading's too. A name that
    agrees only with one character swapped for the engine's next guess takes that
    spelling, in review. A reading that agrees with no spelling is in doubt.
    """
    dictionary = sudachi_readings()
    for kana_field, name, kana, written_name in _read_pairs(layout, readings):
        kana = readings[kana_field] = _best_agreeing(written_name, kana, dictionary)
        try:
            written_kana = str(normalize("kana", kana.text))
        except NormalizationError:
            continue
        match = match_name(written_name, written_kana, dictionary)
        respelled = None
        if match is None or not match.whole:
            guesses = [tuple(ch for ch, _ in w.alternatives) for w in name.read_characters()]
            respelled = respell(written_name, written_kana, guesses, dictionary)
        if respelled is not None:
            match = respelled
        kana.partner_agrees = False
        if match is None or not match.whole:
            # The name as read may still be right and the reading a character off (as
            # read, or at another stretch: ﾔﾏｻﾞｷ ﾀﾞｲｷ read ヤマザキダ, ヤマザキダキ).
            repaired = next(
                (
                    (found, reading)
                    for text, reading in ((written_kana, kana), *_normalized(kana.alternatives))
                    if (found := repair_reading(written_name, text, dictionary)) is not None
                    # Neither this reading nor the one as read may be sure of otherwise.
                    and not _overrules(reading, text, found.kana)
                    and not _overrules(kana, written_kana, found.kana)
                ),
                None,
            ) or _agreeing_elsewhere(written_name, kana, written_kana, dictionary)
            if repaired is not None:
                found, source = repaired
                name.text = found.name
                kana.text = _marks_shown(written_name, found.kana, source, kana, dictionary)
                if match is None:
                    name.partner_agrees = False
                continue
        if match is None:
            name.partner_agrees = False
            continue
        if not match.whole:
            kana.text = match.kana  # the space after the family name's reading
            if dictionary.lists(match.name.partition(FULL_WIDTH_SPACE)[2]):
                # A given name the dictionary knows, read otherwise: one box is misread
                # (由美 read 山美, listed ヤマミ, beside ユミ), or it is a rare reading.
                name.partner_agrees = False
            continue
        name.text, kana.text = match.name, match.kana
        # The spaces now come from the dictionary, not from the characters' positions.
        name.certainty, kana.certainty = name.characters, kana.characters
        if respelled is not None:
            name.certainty = min(name.certainty, RESPELLED_CONFIDENCE)
        else:
            name.partner_agrees = True
        seen = respelled is None and match.listed and marks_seen(kana, written_kana, match.kana)
        voicing = voicing_heard(kana, match) if respelled is None else None
        if voicing is not None:
            kana.text = voicing  # still in review: the dictionary alone cannot choose
        if match.certain or seen:
            # Misread characters do not make a reading of the name read in its own box:
            # the pair is as sure as the surer of the two readings.
            kana.certainty = max(kana.characters, name.certainty)
            kana.partner_agrees = True


def _pairs(layout: FormLayout) -> list[tuple[str, str]]:
    """Each name field of ``layout`` with its reading (フリガナ) field."""
    kinds = {spec.name: spec.type for spec in layout.fields}
    pairs = []
    for name_field, kind in kinds.items():
        kana_field = name_field.removesuffix("name") + "kana"
        if kind == "name" and kinds.get(kana_field) == "kana":
            pairs.append((name_field, kana_field))
    return pairs


def unconfirmed_readings(layout: FormLayout, readings: dict[str, Reading]) -> set[str]:
    """The reading (フリガナ) fields whose name does not certainly agree with them as read
    (those worth reading again another way, see check_names)."""
    dictionary = sudachi_readings()
    return {
        kana_field
        for kana_field, _, kana, written_name in _read_pairs(layout, readings)
        if not _certainly_agrees(written_name, kana, dictionary)
    }


def _read_pairs(
    layout: FormLayout, readings: dict[str, Reading]
) -> Iterator[tuple[str, Reading, Reading, str]]:
    """Each name read beside its reading: the reading's field, both readings and the name
    normalized (pairs with a box left empty, or a name that does not normalize, aside)."""
    for name_field, kana_field in _pairs(layout):
        name, kana = readings.get(name_field), readings.get(kana_field)
        if name is None or kana is None:
            continue
        try:
            written_name = str(normalize("name", name.text))
        except NormalizationError:
            continue
        yield kana_field, name, kana, written_name


def _normalized(readings: list[Reading]) -> list[tuple[str, Reading]]:
    """Each reading's normalized text with it (those that normalize)."""
    texts = []
    for reading in readings:
        try:
            texts.append((str(normalize("kana", reading.text)), reading))
        except NormalizationError:
            continue
    return texts


def _overrules(reading: Reading, read: str, repaired: str) -> bool:
    """Whether ``repaired`` puts another character in place of one of ``read`` (the
    reading's normalized text) that the engine read surely and saw nothing else in: the
    name's reading is then one the dictionary does not list (颯太 is listed as フウタ only;
    ソウタ read surely beside it is right)."""
    read_characters = reading.read_characters()
    read, repaired = read.replace(FULL_WIDTH_SPACE, ""), repaired.replace(FULL_WIDTH_SPACE, "")
    if not len(read_characters) == len(read) == len(repaired):
        return False  # a character dropped or added, or marks joined: nothing to compare
    for was, now, word in zip(read, repaired, read_characters, strict=True):
        seen = {unicodedata.normalize("NFKC", ch) for ch, _ in word.alternatives}
        if was != now and word.confidence >= SURELY_READ and now not in seen:
            return True
    return False


def _best_agreeing(written_name: str, kana: Reading, dictionary: NameReadings) -> Reading:
    """``kana``, or where the name does not certainly agree with it, the first of its
    readings at other stretches that the name certainly agrees with (ｲﾉｳｴ condensed reads
    イウエ at the stretch the recogniser is surest of, イノウエ at another)."""

    if _certainly_agrees(written_name, kana, dictionary):
        return kana
    return next(
        (
            other
            for other in kana.alternatives
            if _certainly_agrees(written_name, other, dictionary)
        ),
        kana,
    )


def _agreeing_elsewhere(
    written_name: str, kana: Reading, written_kana: str, dictionary: NameReadings
) -> tuple[NameMatch, Reading] | None:
    """The name's agreement with the first of ``kana``'s readings at other stretches that it
    agrees with whole, and that reading, or None: blurred ｵｵﾀ ﾕｲﾅ reads オオタ　ユ at the
    surest stretch and ﾕｲﾅ surely only at another; 結菜 has other readings, so the agreement
    is not certain, and a character off is no repair. Only the dictionary's own readings
    count (大樹 put together as ダキ is no agreement), and not where that reading puts
    another character in place of one read surely (see :func:`_overrules`)."""
    for text, other in _normalized(kana.alternatives):
        match = match_name(written_name, text, dictionary)
        if (
            match is not None
            and match.whole
            and match.listed
            and not _overrules(kana, written_kana, text)
        ):
            return match, other
    return None


def _marks_shown(
    written_name: str, reading: str, source: Reading, kana: Reading, dictionary: NameReadings
) -> str:
    """``reading``, a name's reading put right from ``source`` or found there, at another
    stretch of ``kana``, with the voiced marks it lacks that the ink showed: in ``source``'s
    ink, or read in ``kana`` or another stretch (ﾔﾏｻﾞｷ ﾀﾞｲｷ read ヤマサキタイキ at triple
    width, where marks are swallowed, and ヤマザキダ narrower: ヤマザキ　ダイキ)."""
    match = match_name(written_name, reading.replace(FULL_WIDTH_SPACE, ""), dictionary)
    if match is None or not match.voicings:
        return reading
    others = [r for r in (kana, *kana.alternatives) if r is not source]
    evidence = Reading(
        reading, 0.0, words=source.words, alternatives=others, marks_after=source.marks_after
    )
    return voicing_heard(evidence, match) or reading


def _certainly_agrees(written_name: str, kana: Reading, dictionary: NameReadings) -> bool:
    try:
        match = match_name(written_name, str(normalize("kana", kana.text)), dictionary)
    except NormalizationError:
        return False
    return match is not None and match.whole and match.certain


def voicing_heard(kana: Reading, match: NameMatch) -> str | None:
    """The one voicing of the matched reading (``match.voicings``: 高木 read タカキ, also
    listed タカギ) whose every added mark the ink showed, or None.

    The print loses a half-width dakuten more easily than it shows one that is not there,
    so a mark counts as shown where the engine's next guess for the character is the voiced
    one (at least :data:`MARK_GUESSED`), a stand-alone dakuten follows the character in the
    ink (``kana.marks_after``), or the same ink read at another stretch holds the voiced
    character more often than the reading does (ﾀｶｷﾞ read タカキ stretched, タギ narrow).
    """
    read = kana.read_characters()
    plain = match.kana.replace(FULL_WIDTH_SPACE, "")
    others = [unicodedata.normalize("NFKC", other.text) for other in kana.alternatives]
    marked = _aligned(read, plain, kana.marks_after)

    def shown(at: int, voiced: str) -> bool:
        if at in marked and "\u3099" in _nfd(voiced):
            return True
        if len(read) == len(plain):
            guesses = {
                unicodedata.normalize("NFKC", ch)
                for ch, p in read[at].alternatives
                if p >= MARK_GUESSED
            }
            if voiced in guesses:
                return True
        return any(text.count(voiced) > plain.count(voiced) for text in others)

    heard = [
        voicing
        for voicing in match.voicings
        if all(
            shown(at, now)
            for at, (was, now) in enumerate(
                zip(plain, voicing.replace(FULL_WIDTH_SPACE, ""), strict=True)
            )
            if was != now
        )
    ]
    # Of voicings each shown, the one with every mark shown (山崎　大樹 read ヤマサキタイキ,
    # ザ and ダ seen elsewhere: ヤマザキ　ダイキ, not ヤマザキ　タイキ).
    most = max((_marks(voicing) for voicing in heard), default=0)
    heard = [voicing for voicing in heard if _marks(voicing) == most]
    return heard[0] if len(heard) == 1 else None


def _aligned(read: list[OcrWord], plain: str, indexes: frozenset[int]) -> set[int]:
    """``indexes`` into the characters ``read``, as indexes into ``plain`` (a reading of the
    same ink) where the two agree around them (タキナオキ read, タカキナオキ matched: the
    キ at 1 is the キ at 2)."""
    if not indexes:
        return set()
    text = "".join(unicodedata.normalize("NFKC", w.text.strip())[:1] or " " for w in read)
    blocks = SequenceMatcher(None, text, plain, autojunk=False).get_matching_blocks()
    return {b + i - a for a, b, size in blocks for i in indexes if a <= i < a + size}


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def _marks(text: str) -> int:
    """How many voiced marks ``text`` carries."""
    return sum(ch in "\u3099\u309a" for ch in _nfd(text))


def marks_seen(kana: Reading, written: str, matched: str) -> bool:
    """Whether the voiced marks a match restored to a reading (コントウ → コンドウ, the
    name's only listed reading) were each the engine's next guess there: the ink showed
    the mark the print nearly lost."""
    read = kana.read_characters()
    written, matched = written.replace(FULL_WIDTH_SPACE, ""), matched.replace(FULL_WIDTH_SPACE, "")
    if written == matched or not len(read) == len(written) == len(matched):
        return False
    for was, now, word in zip(written, matched, read, strict=True):
        guesses = {unicodedata.normalize("NFKC", ch) for ch, _ in word.alternatives}
        if was != now and now not in guesses:
            return False
    return True
