"""Texts in the reader's language: one gettext catalogue per language, keyed by the English text.

``catalogue(lang)`` gives a translate function ``t(msgid, **fields)``: the catalogue's text for
the English ``msgid`` (English itself is the identity), its ``{placeholders}`` filled in after
translation, so a translator may move them.  A language is a file ``locales/LANG.po``; nothing
in the code branches on the language.  Texts that sit in tables are marked with ``N_`` where
they are written and translated where they are shown.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import polib

LOCALES = Path(__file__).with_name("locales")
SOURCE = "en"  #: the language the code is written in: its catalogue is the identity


def N_(msgid: str) -> str:
    """Mark ``msgid`` as a text to translate where it is shown (gettext's no-op marker)."""
    return msgid


def languages() -> tuple[str, ...]:
    """The languages a run can be written in: English and every catalogue in ``locales/``."""
    return (SOURCE, *sorted(p.stem for p in LOCALES.glob("*.po")))


class Catalogue:
    """The translate function of one language: ``t(msgid, **fields) -> str``."""

    def __init__(self, lang: str, messages: dict[str, str]):
        self.lang, self.messages = lang, messages

    def __call__(self, msgid: str, **fields) -> str:
        text = self.messages.get(msgid) or msgid  # an untranslated text stays English
        return text.format(**fields) if fields else text


@lru_cache(maxsize=None)
def catalogue(lang: str = SOURCE) -> Catalogue:
    """The catalogue of ``lang`` (one of ``languages()``), read once per process."""
    if lang == SOURCE:
        return Catalogue(lang, {})
    po = polib.pofile(str(LOCALES / f"{lang}.po"), encoding="utf-8")
    return Catalogue(lang, {e.msgid: e.msgstr for e in po.translated_entries()})


#: the identity: English texts with their fields filled in (the default wherever a text is made)
english = Catalogue(SOURCE, {})
