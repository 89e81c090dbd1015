"""Bylines: who wrote an article, from a line of text ("By Jane Doe and John Roe",
"Jane Doe, Reuters", "Jane Doe | Staff writer") or from a page's author metadata.
"""

from __future__ import annotations

import re

_BY = re.compile(r"^(?:written |words |reporting |story )?by[:\s]+", re.IGNORECASE)
_AFFILIATION = re.compile(r"\s+(?:for|in|at|from)\s+.*$", re.IGNORECASE)
"""What follows a name: "Jane Doe for the Daily Planet", "Jane Doe in Kyiv"."""
_SEPARATORS = re.compile(r"\s*(?:,|;|\band\b|&|\||/|•)\s*", re.IGNORECASE)
_NAME_WORD = re.compile(r"^(?:[A-Z][\w'’.-]*|(?:van|von|der|den|de|da|del|di|la|le|bin|al)\b)$")
_ROLE_WORDS = frozenset(
    "staff writer reporter correspondent editor contributor columnist senior chief deputy"
    " political business science health sports sport news desk team writers reporters for"
    " the in at from updated published".split()
)
"""Words of a job title or a desk ("Staff writer", "Political correspondent")."""
_DESK_WORDS = frozenset({"staff", "writers", "reporters", "desk", "team", "correspondents"})
_MAX_NAME_WORDS = 5
_MAX_BYLINE_WORDS = 16


def names(text: str) -> list[str]:
    """The people ``text`` names as authors: split at commas, "and", "&", "|"; job titles,
    desks and agencies after a name are left out.

    >>> names("By Jane Doe and John Roe")
    ['Jane Doe', 'John Roe']
    >>> names("Jane Doe, Reuters"), names("Jane Doe | Staff writer")
    (['Jane Doe'], ['Jane Doe'])
    >>> names("Mamokete Modiba, Claire Benit-Gbaffou and Tanya Zack")
    ['Mamokete Modiba', 'Claire Benit-Gbaffou', 'Tanya Zack']
    >>> names("By Madeleine Howell 30 August 2023 • 4:45pm")
    ['Madeleine Howell']
    """
    text = _BY.sub("", " ".join(text.split()))
    found = []
    for part in _SEPARATORS.split(text):
        all_words = _AFFILIATION.sub("", part).split()
        words = _leading_name(all_words)
        # "Yomiuri Shimbun Staff Writers" names a paper's desk, not a person.
        desk = any(word.lower() in _DESK_WORDS for word in all_words[len(words) :])
        if 2 <= len(words) <= _MAX_NAME_WORDS and not desk:
            found.append(" ".join(words))
    return list(dict.fromkeys(found))


def _leading_name(words: list[str]) -> list[str]:
    """The name that ``words`` start with ("Jane Doe 30 August 2023": "Jane Doe")."""
    name: list[str] = []
    for word in words:
        if word.lower() in _ROLE_WORDS or not _NAME_WORD.match(word):
            break
        name.append(word)
    while name and not name[-1][0].isupper():
        name.pop()
    return name


def byline(line: str, *, bare: bool = False) -> list[str]:
    """The authors of a line that is a byline, else ``[]``: it starts with "By", or it is
    short, without sentence punctuation, and nothing but names, desks and agencies; with
    ``bare`` (just below a headline), a line that is one name and nothing else is one too.

    >>> byline("By Jane Doe, BBC News")
    ['Jane Doe']
    >>> byline("Prices rose by 3%, Jane Doe said."), byline("World News"), byline("My Profile")
    ([], [], [])
    >>> byline("Mohloai Mpesi"), byline("Mohloai Mpesi", bare=True)
    ([], ['Mohloai Mpesi'])
    """
    if len(line.split(maxsplit=_MAX_BYLINE_WORDS)) > _MAX_BYLINE_WORDS:
        return []
    line = " ".join(line.split())
    if not line or line[-1] in '.!?:”"':
        return []
    if _BY.match(line):
        return names(line)
    found = names(line)
    # Without "By", the line must be a name and a desk or agency ("Jane Doe, Reuters").
    parts = [part for part in _SEPARATORS.split(line) if part]
    if bare and found == [line]:
        return found
    if found and len(parts) >= 2 and len(found) >= len(parts) - 1:
        return found if all(len(part.split()) <= 3 for part in parts) else []
    return []
