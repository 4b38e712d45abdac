"""Word lists shipped beside the code: English and Swahili votes, the Sheng lexicon.

They are data, not code: a new Sheng word is a line in `sheng.txt`, reviewed by a speaker.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

_TOKEN = re.compile(r"[a-z0-9']+")


def tokens(text: str) -> list[str]:
    """Lowercase word tokens; apostrophes stay inside words ("i'm", "what's")."""
    return [token.strip("'") for token in _TOKEN.findall(text.lower()) if token.strip("'")]


# Text-speak spelled out, so "do u have" finds the examples that say "do you have".
_SPELLED_OUT = {
    "u": "you", "r": "are", "ur": "your", "pls": "please", "plz": "please", "pliz": "please",
    "thx": "thanks", "thnx": "thanks", "wat": "what", "wht": "what", "hw": "how",
    "tmrw": "tomorrow", "tmr": "tomorrow", "tmoro": "tomorrow", "2moro": "tomorrow",
    "2day": "today", "coz": "because", "cos": "because", "cuz": "because", "wen": "when",
    "whr": "where", "msg": "message", "ppl": "people", "bt": "but", "abt": "about",
}  # fmt: skip
_WORD = re.compile(r"[a-z0-9]+")


def normalise(text: str) -> str:
    """`text` lowercased, with text-speak words spelled out."""
    return _WORD.sub(lambda match: _SPELLED_OUT.get(match[0], match[0]), text.lower())


def _lines(name: str) -> list[str]:
    text = files(__package__).joinpath(name).read_text("utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


@cache
def word_set(name: str) -> frozenset[str]:
    """The words of a whitespace-separated list file (`english.txt`, `swahili.txt`)."""
    return frozenset(word for line in _lines(name) for word in tokens(line))


@cache
def sheng_lexicon() -> dict[tuple[str, ...], float]:
    """Sheng phrases as token tuples, with how surely each marks Sheng (0 to 1)."""
    lexicon: dict[tuple[str, ...], float] = {}
    for line in _lines("sheng.txt"):
        phrase, weight, _meaning = (part.strip() for part in line.split("|"))
        key = tuple(tokens(phrase))
        if key in lexicon:
            raise ValueError(f"Sheng phrase listed twice: {phrase!r}")
        lexicon[key] = float(weight)
    return lexicon
