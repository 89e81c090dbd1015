"""The people an article names, for telling who said a quotation.

What a name and a speech verb look like; a name without titles and in the longest form
the article uses ("Mr Sessions" -> "Jeff Sessions"); and who "he" is. When the text is
unclear the answer is ``None`` rather than a guess.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache

from searchlib.data import data_lines


@lru_cache(maxsize=1)
def word_lists() -> dict[str, frozenset[str]]:
    """The packaged word lists (titles, function words, …) by name, loaded once.

    >>> "Mr" in word_lists()["titles"] and "Mr" in word_lists()["abbreviations"]
    True
    """
    lists: dict[str, set[str]] = {}
    targets: list[set[str]] = []
    for line in data_lines("speakers.txt"):
        if line.startswith("["):
            names = line.strip("[]").split(",")
            targets = [lists.setdefault(name.strip(), set()) for name in names]
        else:
            for words in targets:
                words.update(line.split())
    return {name: frozenset(words) for name, words in lists.items()}


def word_pattern(list_name: str) -> str:
    """A regular expression for any word of a packaged word list, longest words first.

    >>> re.fullmatch(word_pattern("abbreviations"), "Mrs") is not None
    True
    """
    words = sorted(word_lists()[list_name], key=lambda word: (-len(word), word))
    return f"(?:{'|'.join(map(re.escape, words))})"


# Character classes for regular expressions: capital and small letters, with accents.
UPPERCASE = "A-ZÀ-ÖØ-Þ"
LOWERCASE = "a-zß-öø-ÿ"
_CAPITALISED = f"[{UPPERCASE}][{LOWERCASE}]"
# One word of a name: "Mr.", "W.", "M&S", "ICE", "McConnell", "O'Brien", "Miami-Dade".
_NAME_WORD = (
    rf"{word_pattern('abbreviations')}\."
    rf"|[{UPPERCASE}]\.(?= )|[{UPPERCASE}]+&[{UPPERCASE}]+|[{UPPERCASE}]{{2,}}(?![{LOWERCASE}])"
    rf"|[{UPPERCASE}][{LOWERCASE}]*(?:{_CAPITALISED}+)*(?:['’]{_CAPITALISED}+)?(?:-{_CAPITALISED}+)*"
)
_WORD = rf"(?:{_NAME_WORD})(?![\w'’&-])"
# Up to two particles: "Margot van der Velden", "Ibn al Rashid".
_NEXT_WORD = rf" (?:(?:de|da|van|von|der|den|du|dos|del|la|le|bin|ten|ter|al) ){{0,2}}{_WORD}"
_NEXT_WORD_OR_OF = rf"(?:{_NEXT_WORD}| of {_WORD})"
# "Department of Justice" is one name; "Justice" after "of " is no name of its own.
_FIRST_WORD = rf"(?=[{UPPERCASE}])(?<![\w'’&-])(?<!\bof )(?:{_WORD})"
NAME = rf"{_FIRST_WORD}{_NEXT_WORD_OR_OF}{{0,5}}"
# All the capitalised words in a row, so that a pattern built of runs splits a row of them
# in one way only and never backtracks through the others. A run of two or more words may
# stop before "of": "said Cara Diemont of IT firm Dimension Data", but "Bank of Japan".
NAME_RUN = rf"{_FIRST_WORD}(?:{_NEXT_WORD_OR_OF}+(?!{_NEXT_WORD})|(?!{_NEXT_WORD_OR_OF}))"
# The verbs come from the word list; the few phrases of more words are fixed, so live here.
SPEECH_VERB = (
    rf"(?:{word_pattern('speech verbs')}|(?:remains|is|was) convinced"
    r"|made (?:these|those|the following) (?:comments|remarks)|went on)(?![\w'’])"
)
AUXILIARY = r"(?:has|have|had|also|later|then|previously|earlier|once|again|recently|would)"
# ", the chairman," or ", in his ruling,": a lowercase word, unlike a list, and no second
# subject: "New Order, as well as the Happy Mondays, said".
APPOSITIVE = r"(?:, who|, (?!(?:as|and|or|but|which)\b)(?=[^,\"“”\n]*\b[a-z0-9])[^,\"“”\n]{1,80},)"
_NAME_PATTERN = re.compile(NAME)
_FOLLOWED_BY_VERB = re.compile(rf"{APPOSITIVE}?(?P<comma>,)? (?:{AUXILIARY} ){{0,2}}{SPEECH_VERB}")
# Objects, possessives and second names are not speakers: "in London, said",
# "Schindler's List, …, said", "Immigration and Customs Enforcement said".
_NOT_SUBJECT_BEFORE = re.compile(
    r"(?:(?<![\w'’-])(?:in|at|on|to|from|for|with|by|of|about|against|like|the)|['’]s"
    rf"|[{UPPERCASE}][\w'’-]* and) $"
)
# "…technology, said David Theriault, head of …" introduces him.
_AFTER_VERB = re.compile(rf", {SPEECH_VERB} $")
_SENTENCE_END_BEFORE = re.compile(r"[.!?][\"”’]? $")
_AFTER_LOWERCASE_WORD = re.compile(rf"(?:(?<![\w'’-])[{LOWERCASE}]+|\)), $")
# No one is "in" or "at" a person: "in New Zealand", "at the Australian Open".
_PLACE_BEFORE = re.compile(r"(?<![\w'’-])(?:in|at) (?:the )?$")
# Films, books and songs: "the film Polar Express", "premiere of Ray", "Ray star", "“Ray”".
_WORK_BEFORE = re.compile(rf"(?<![\w'’-]){word_pattern('works')}(?: of)? $")
_WORK_AFTER = re.compile(rf" {word_pattern('works')}(?![\w'’-])")

Position = tuple[int, int]
NormalForm = tuple[str, str]


def is_subject(text: str, start: int, name: str, comma: bool) -> bool:
    """Whether a name at ``start`` can be the subject of the verb after it.

    "Thomas Homan, told" needs the name to be an appositive itself: ", Thomas Homan,".
    """
    if _NOT_SUBJECT_BEFORE.search(text, max(0, start - 30), start):
        return False
    if not comma or text[max(0, start - 2) : start] != ", ":
        return not comma
    # A one-word name in commas is as often a place: "Henley-on-Thames, Oxfordshire, said".
    return " " in name or bool(_AFTER_LOWERCASE_WORD.search(text, max(0, start - 30), start))


@lru_cache(maxsize=4096)
def _is_organisation(name: str) -> bool:
    words = name.split()
    organisation_words = word_lists()["organisation words"]
    return words[0] == "The" or name.isupper() or not organisation_words.isdisjoint(words)


def _could_be_a_person(name: str) -> bool:
    """Whether a name that is no organisation could still name a person.

    Not "BBC Sport", "Australian Open", "North America" or "Lord Chancellor".
    """
    words = name.split()
    lists = word_lists()
    acronym = any(len(word) > 1 and word.isupper() for word in words)
    # "Australian Open", "Lib Dem": a description with nothing to describe.
    described = len(words) == 2 and words[0] in lists["descriptions"]
    place = words[0] in lists["place words"]
    return not (acronym or described or place or words[-1] in lists["titles"])


def _is_place(text: str, start: int, end: int) -> bool:
    """Whether a name at ``start`` is a place or an event: "in New Zealand", not "in Smith's"."""
    possessive = text[end : end + 2] in ("'s", "’s")
    return not possessive and _PLACE_BEFORE.search(text, max(0, start - 8), start) is not None


def _names_work(text: str, start: int, end: int) -> bool:
    """Whether the words at ``text[start:end]`` are a title by the words next to them."""
    before, after = text[max(0, start - 16) : start], text[end : end + 1]
    if after.isalnum() or before[-1:].isalnum():
        return False
    quoted = before[-1:] in '"“‘' and after in '"”’'
    return quoted or bool(_WORK_BEFORE.search(before) or _WORK_AFTER.match(text, end))


def _is_title(words: list[str], index: int) -> bool:
    titles, word = word_lists()["titles"], words[index].rstrip(".")
    if word in word_lists()["trailing titles"]:
        return index > 0 and words[index - 1].rstrip(".") in titles
    return word in titles


def _is_description(words: list[str]) -> bool:
    """Whether a name's first word describes the person the rest names.

    "Russian Dmitriy Bogdanov", "Praising Celtic", "EADS Philippe Camus"; not "Swiss Re".
    """
    first, descriptions = words[0], word_lists()["descriptions"]
    if first in descriptions or first.endswith("ing"):
        return len(words) > 2 or (len(words) == 2 and first not in descriptions)
    return len(words) > 2 and first.isupper()


def _mid_sentence(text: str, start: int) -> bool:
    """Whether a word at ``start`` follows a lowercase word, so its capital is its own."""
    return (
        start > 1
        and text[start - 1] == " "
        and (text[start - 2] in ",;)" or text[start - 2].islower())
    )


def _opens_sentence(text: str, start: int) -> bool:
    if start == 0 or text[start - 1] == "\n":
        return True
    return bool(_SENTENCE_END_BEFORE.search(text, max(0, start - 4), start))


@lru_cache(maxsize=1 << 14)
def _untitled(raw: str) -> tuple[str, tuple[str, ...]]:
    """The last title of a name as matched, and its words without leading function words,
    descriptions and titles or trailing post-nominals. Cached: names recur across articles.

    >>> _untitled("Attorney General Jeff Sessions")
    ('General', ('Jeff', 'Sessions'))
    """
    words, lists = raw.split(), word_lists()
    while words and (words[0] in lists["function words"] or _is_description(words)):
        words.pop(0)
    while len(words) > 1 and words[-1].rstrip(".") in lists["post-nominals"]:
        words.pop()
    # "Nick Bubb of Evolution Securities" is Nick Bubb; "Department of Justice" stays.
    if "of" in words[1:-1] and words[0] != "The":
        employee = words[: words.index("of")]
        words = employee if lists["organisation words"].isdisjoint(employee) else words
    titles = [index for index in range(len(words) - 1) if _is_title(words, index)]
    last = titles[-1] if titles and words[0] != "The" else -1
    return (words[last] if last >= 0 else ""), tuple(words[last + 1 :])


class NameBook:
    """The people an article names: full names to expand to, and where persons are mentioned.

    ``quoted`` holds each paragraph's quotation spans; names inside them are not mentions.

    >>> book = NameBook(["The attorney general, Jeff Sessions, spoke."], [[]])
    >>> book.person("Mr Sessions")
    'Jeff Sessions'
    """

    def __init__(self, paragraphs: list[str], quoted: list[list[tuple[int, int]]]) -> None:
        found = [
            (index, match.start(), match.group())
            for index, text in enumerate(paragraphs)
            for match in _NAME_PATTERN.finditer(text)
        ]
        self._proper_nouns: set[str] = set()
        for index, start, raw in found:
            words = raw.split()
            self._proper_nouns.update(words[0 if _mid_sentence(paragraphs[index], start) else 1 :])
        self._normal_forms = {raw: self._normal_form(raw) for raw in {raw for _, _, raw in found}}
        self._full_names: dict[tuple[int, str], set[str]] = {}
        for normal_form in self._normal_forms.values():
            self._add_full_name(normal_form)
        self._people: dict[str, str | None] = {}
        self._paragraphs, self._quoted, self._found = paragraphs, quoted, found
        # Where people are mentioned matters only for "he said"; found when first asked.
        self._mentions_found = False
        self._mentions: list[tuple[Position, str]] = []
        self._rivals: list[tuple[Position, str]] = []
        self._places: set[str] = set()
        self._introduced: set[str] = set()
        self._last_speaker: tuple[Position, str | None] | None = None

    def _normal_form(self, raw: str) -> NormalForm | None:
        """``raw`` without leading function words and titles, and the last title it had."""
        title, name = _untitled(raw)
        lists = word_lists()
        if len(name) == 1 and (
            name[0] in lists["titles"]
            or name[0] in lists["trailing titles"]
            or not (title or self._is_proper_noun(name[0]))
        ):
            return None
        joined = " ".join(name)
        return (joined, title) if len(joined) > 1 and name != ("The",) else None

    def _is_proper_noun(self, word: str) -> bool:
        is_group = word in word_lists()["groups"]
        return not is_group and (word in self._proper_nouns or word.isupper())

    def _add_full_name(self, normal_form: NormalForm | None) -> None:
        if normal_form and " " in normal_form[0] and not _is_organisation(normal_form[0]):
            words = normal_form[0].split()
            for key in ((-1, words[-1]), (0, words[0])):
                self._full_names.setdefault(key, set()).add(normal_form[0])

    def _find_mentions(self) -> list[tuple[Position, str]]:
        if not self._mentions_found:
            self._mentions_found = True
            for index, start, raw in self._found:
                self._add_mention(self._paragraphs[index], (index, start), raw, self._quoted[index])
            # A name is a place or a work everywhere once it is one somewhere.
            names = {name for _, name in self._rivals + self._mentions}
            people = {name for name in names if self._is_person(name)}
            self._mentions = [mention for mention in self._mentions if mention[1] in people]
            self._rivals = [rival for rival in self._rivals if rival[1] in people]
        return self._mentions

    def _is_person(self, name: str) -> bool:
        """Whether "he" could be ``name``: introduced as a person, or no sign of anything else."""
        if name in self._introduced:
            return True
        return name not in self._places and _could_be_a_person(name) and not self._is_work(name)

    def _is_work(self, name: str) -> bool:
        """Whether the article calls ``name`` a film, book or song anywhere, or quotes it."""
        for paragraph in self._paragraphs:
            start = paragraph.find(name)
            while start >= 0:
                end = start + len(name)
                if _names_work(paragraph, start, end):
                    return True
                start = paragraph.find(name, end)
        return False

    def _add_mention(
        self, text: str, position: Position, raw: str, quoted: list[tuple[int, int]]
    ) -> None:
        """Note where a person is introduced, and where anyone else who could be "he" is named."""
        start, end = position[1], position[1] + len(raw)
        # A name cut short before a possessive ("Speaker Michael" of "… Martin's") is no mention.
        if text[end : end + 1] == " " and text[end + 1 : end + 2].isupper():
            return
        person = self.person(raw)
        if not person or _is_organisation(person):
            return
        # A place is one inside a quotation too.
        if _is_place(text, start, end):
            self._places.add(person)
        inside = bisect.bisect_right(quoted, (start, len(text)))
        if inside and start < quoted[inside - 1][1]:
            return
        subject = text[end + 1 : end + 2].islower() and _opens_sentence(text, start)
        introduced = self._is_introduced(text, start, end, self._normal_forms[raw])
        if introduced:
            self._introduced.add(person)
        # A full name opening a sentence introduces a person; "England lost" may not.
        if introduced or (subject and " " in person):
            self._mentions.append((position, person))
        if subject or " " in person:
            self._rivals.append((position, person))

    def _is_introduced(self, text: str, start: int, end: int, normal_form: NormalForm) -> bool:
        """Whether a name comes with a title, as an appositive, or next to a speech verb."""
        appositive = " " in normal_form[0] and text[end : end + 1] == ","
        if normal_form[1] or (
            appositive and _AFTER_LOWERCASE_WORD.search(text, max(0, start - 30), start)
        ):
            return True
        if text[end : end + 1] == "," and _AFTER_VERB.search(text, max(0, start - 30), start):
            return True
        following = _FOLLOWED_BY_VERB.match(text, end)
        comma = bool(following and following.group("comma"))
        return bool(following) and is_subject(text, start, text[start:end], comma)

    def person(self, raw: str) -> str | None:
        """The person or organisation ``raw`` names, untitled, in its longest full form."""
        if raw not in self._people:
            if raw not in self._normal_forms:
                self._normal_forms[raw] = self._normal_form(raw)
            normal_form = self._normal_forms[raw]
            self._people[raw] = self._longest_form(*normal_form) if normal_form else None
        return self._people[raw]

    def _longest_form(self, name: str, title: str) -> str:
        if _is_organisation(name):
            return name
        given = " " not in name and title.rstrip(".") in word_lists()["given name titles"]
        key = (0, name) if given else (-1, name.rsplit(" ", 1)[-1])
        fuller = [
            candidate
            for candidate in self._full_names.get(key, ())
            if given or candidate.endswith(" " + name)
        ]
        longest = max(fuller, key=len, default=name)
        # Two people share the name ("Tony Blair", "Cherie Blair"): keep what the text says.
        consistent = all(other == longest or longest.endswith(" " + other) for other in fuller)
        return longest if consistent else name

    def antecedent(self, position: Position) -> str | None:
        """Who "he" or "she" at ``position`` is, if no one else who could be was named since.

        The last person introduced or speaking before it; an unnamed speaker ("a spokesman
        said", noted as ``None``) makes it ``None``.

        >>> book = NameBook(["Jeff Sessions spoke.", "Thomas Homan spoke to ICE staff."], [[], []])
        >>> book.antecedent((1, 0)), book.antecedent((1, 31))
        ('Jeff Sessions', 'Thomas Homan')
        >>> book.note_speaker((1, 32), None)
        >>> book.antecedent((1, 40)) is None
        True
        """
        mentions = self._find_mentions()
        index = bisect.bisect_left(mentions, (position,))
        candidates: list[tuple[Position, str | None]] = [mentions[index - 1]] if index else []
        if self._last_speaker and self._last_speaker[0] < position:
            candidates.append(self._last_speaker)
        if not candidates:
            return None
        since, name = max(candidates, key=lambda candidate: candidate[0])
        low = bisect.bisect_right(self._rivals, (since, "\U0010ffff"))
        high = bisect.bisect_left(self._rivals, (position,))
        rivals = {rival for _, rival in self._rivals[low:high]}
        return name if rivals <= {name} else None

    def note_speaker(self, position: Position, name: str | None) -> None:
        """Remember who spoke at ``position``: ``name``, or ``None`` for someone unnamed."""
        if name is None or not _is_organisation(name):
            self._last_speaker = (position, name)
