"""The languages we serve customers in: the one list the customers area checks against."""

from __future__ import annotations

# Canonical code → name. Sheng is a register of Swahili rather than a language of its own (no
# ISO code), but the assistant answers in it, so a customer may choose it as such.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "sw": "Swahili",
    "sheng": "Sheng (Nairobi Swahili)",
}

# Other common ways to write the same choice: names, ISO 639-2/3 codes.
_ALIASES: dict[str, str] = {
    "english": "en",
    "eng": "en",
    "swahili": "sw",
    "kiswahili": "sw",
    "swa": "sw",
    "swh": "sw",
}


def canonical_language(value: str) -> str | None:
    """The canonical code for `value` ("EN", "en-KE", "Kiswahili" …), None when we do not serve
    that language. A region tag (`sw-KE`, `en_GB`) does not change the language."""
    spelled = value.strip().lower().replace("_", "-")
    primary = _ALIASES.get(spelled) or spelled.split("-", 1)[0]
    primary = _ALIASES.get(primary, primary)
    return primary if primary in LANGUAGES else None


def served_languages() -> str:
    """For messages: `en (English), sw (Swahili), …`."""
    return ", ".join(f"{code} ({name})" for code, name in LANGUAGES.items())
