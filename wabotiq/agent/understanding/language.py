"""Which register a customer writes in (English, Swahili, Sheng or a mix), and which to answer in.

Customer lines are short and code-switched ("Mna fridge?", "Naeza shift booking yangu to
Friday?"), where detectors are weak: `lingua` restricted to English and Swahili was the best one
measured and still calls "Mna fridge?" English. So it is only one vote among several: word lists
of everyday English and Swahili, the Sheng lexicon (no detector knows Sheng), and, weighing
most, the register the customer chose last time. A message with little evidence of its own
("Checkout", "2", "PS5?") keeps the customer's register; a clear sentence in another one moves it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from wabotiq.agent.understanding.words import sheng_lexicon, tokens, word_set
from wabotiq.search.lexicon import BRANDS, VOCABULARY


class Register(StrEnum):
    ENGLISH = "en"
    SWAHILI = "sw"
    SHENG = "sheng"
    MIXED = "mixed"


@dataclass(frozen=True, slots=True)
class RegisterReading:
    """The register a message is in, how sure that is (0 to 1), and the register to reply in:
    English for English, Swahili for Swahili, Sheng-flavoured Swahili for Sheng, and for a mix
    whichever of English and Swahili dominates (with the customer's history)."""

    register: Register
    confidence: float
    reply: Register


@dataclass(frozen=True, slots=True)
class _Votes:
    english: float
    swahili: float  # Swahili and Sheng together
    sheng: float  # the Sheng part of `swahili`

    @property
    def total(self) -> float:
        return self.english + self.swahili


# The customer's last register counts as this many words of evidence: one word of another
# language ("Checkout") does not move it, a sentence does.
PRIOR = 2.0
# The detector's vote: at most this many words, and only over words the lists do not know.
DETECTOR_WEIGHT = 0.6
DETECTOR_MAX = 1.5
# Sheng once its words add up to nearly one sure word (two everyday ones: "sasa, poa").
SHENG_SURE = 0.8
# English words inside Swahili grammar ("Order yangu iko wapi?") are how Sheng borrows.
CODE_SWITCH = 0.4
# A mix: both languages have at least this many words and the smaller has this share.
MIXED_WORDS = 1.5
MIXED_SHARE = 0.3
_MODEL_CODE = re.compile(r"(?=[a-z]*\d)[a-z0-9]+")  # "a54", "ps5", "50k", "2"
# An English verb inside Swahili verb prefixes is how Sheng is made: "mnadeliver", "nimeorder",
# "nitapay", "kubook", "imecrack". A subject prefix, maybe a tense, maybe "ku", then the verb.
_SHENG_VERB = re.compile(
    r"(?:ku|(?:ni|tu|mu|m|wa|zi|ki|vi|li)(?:na|me|ta|li|ki|nge)?|(?:u|a|i)(?:na|me|ta|li|nge))"
    r"(?:ku)?(?P<verb>[a-z]{3,})"
)
_ENGLISH_VERBS = frozenset(
    """
    deliver order book pay checkout fix repair cancel change shift crack send buy call text check
    chat confirm update upgrade charge install print scan download upload reply chill sort try use
    return refund exchange collect pick drop save post ship track follow reach transfer withdraw
    sign join share like love need miss test style shave braid wash visit reserve swap sell show
    finish complete move push postpone apply register add remove delete pick spoil replace switch
    """.split()
)


def load_detector() -> None:
    """Load the detector's models now rather than on the first message that needs them."""
    _detector()


@cache
def _detector() -> LanguageDetector:
    # Models load on first use (half a second); preloading pays that once, here.
    return (
        LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.SWAHILI)
        .with_preloaded_language_models()
        .build()
    )


def _sheng_phrases(words: list[str]) -> tuple[float, set[int]]:
    """The Sheng weight of the message, longest phrases first, and the positions they used."""
    lexicon = sheng_lexicon()
    longest = max(len(key) for key in lexicon)
    weight, used = 0.0, set[int]()
    i = 0
    while i < len(words):
        for size in range(min(longest, len(words) - i), 0, -1):
            key = tuple(words[i : i + size])
            if key in lexicon:
                weight += lexicon[key]
                used.update(range(i, i + size))
                i += size
                break
        else:
            i += 1
    return weight, used


def _votes(text: str) -> _Votes:
    """Evidence from the message alone, in words."""
    words = tokens(text)
    sheng, used = _sheng_phrases(words)
    english_words, swahili_words = word_set("english.txt"), word_set("swahili.txt")
    english = swahili = 0.0
    unknown = []
    for i, word in enumerate(words):
        in_english, in_swahili = word in english_words, word in swahili_words
        verb = _SHENG_VERB.fullmatch(word)
        if i not in used and verb and verb["verb"] in _ENGLISH_VERBS:
            sheng += 1.0
        elif i in used:
            # A Sheng phrase made of Swahili words ("pesa ngapi") is still Swahili.
            swahili += 0.5 if in_swahili else 0.0
        elif in_english or in_swahili:
            share = 0.5 if in_english and in_swahili else 1.0
            english += share if in_english else 0.0
            swahili += share if in_swahili else 0.0
        elif not (word in BRANDS or word in VOCABULARY or _MODEL_CODE.fullmatch(word)):
            unknown.append(word)
    if unknown:
        weight = min(DETECTOR_MAX, DETECTOR_WEIGHT * len(unknown))
        for value in _detector().compute_language_confidence_values(" ".join(unknown)):
            if value.language == Language.ENGLISH:
                english += weight * value.value
            else:
                swahili += weight * value.value
    if english and swahili >= 2 * english:
        sheng += CODE_SWITCH * english
    return _Votes(english=english, swahili=swahili + sheng, sheng=sheng)


def _with_prior(votes: _Votes, previous: Register | None) -> _Votes:
    english, swahili, sheng = votes.english, votes.swahili, votes.sheng
    if previous == Register.ENGLISH:
        english += PRIOR
    elif previous in (Register.SWAHILI, Register.SHENG):
        swahili += PRIOR
    elif previous == Register.MIXED:
        english, swahili = english + PRIOR / 2, swahili + PRIOR / 2
    return _Votes(english=english, swahili=swahili, sheng=sheng)


def _swahili_kind(votes: _Votes, previous: Register | None) -> Register:
    if votes.sheng >= SHENG_SURE or (previous == Register.SHENG and votes.sheng > 0):
        return Register.SHENG
    return Register.SWAHILI


def detect_register(text: str, previous: Register | None = None) -> RegisterReading:
    """The register of `text`, given the register the customer used last (None if new)."""
    own = _votes(text)
    votes = _with_prior(own, previous)
    if own.total < PRIOR and previous is not None:
        # Too little of its own to overrule the customer's habit: keep it.
        reply = _reply(votes, previous) if previous == Register.MIXED else previous
        return RegisterReading(previous, _share(votes, previous), reply)
    if votes.total == 0:
        return RegisterReading(previous or Register.ENGLISH, 0.0, _reply(votes, previous))
    if _is_mixed(own):
        register = Register.MIXED
    elif votes.english > votes.swahili:
        register = Register.ENGLISH
    else:
        register = _swahili_kind(own, previous)
    return RegisterReading(register, _share(votes, register), _reply(votes, previous))


def _is_mixed(own: _Votes) -> bool:
    smaller = min(own.english, own.swahili)
    return smaller >= MIXED_WORDS and smaller / own.total >= MIXED_SHARE


def _share(votes: _Votes, register: Register) -> float:
    """How much of the evidence stands behind `register`."""
    if votes.total == 0:
        return 0.0
    if register == Register.MIXED:
        return round(2 * min(votes.english, votes.swahili) / votes.total, 3)
    side = votes.english if register == Register.ENGLISH else votes.swahili
    return round(side / votes.total, 3)


def _reply(votes: _Votes, previous: Register | None) -> Register:
    """English or Swahili by the weight of evidence (history included); Sheng-flavoured when
    the customer writes Sheng."""
    if votes.total == 0:
        return Register.ENGLISH if previous in (None, Register.MIXED) else previous
    if votes.english > votes.swahili:
        return Register.ENGLISH
    return _swahili_kind(votes, previous)
