"""Photo captions and credits in their common forms: "Protesters in Miami. (Alan Diaz / AP)",
"(AP Photo/Evan Vucci)", "(Jane Doe/Getty Images)", "Photograph: Jane Doe/Reuters",
"Photo: …", "Image source, Getty Images", "(Photos: Getty/AP)".
"""

from __future__ import annotations

import re

from searchlib.articles.article import Image

_CREDIT_MAX_CHARS = 100
_CREDIT_LINE_MAX_CHARS = 2 * _CREDIT_MAX_CHARS
_TAIL_CHARS = 2 * _CREDIT_MAX_CHARS
"""A credit ends its caption: only the end of a long line is searched for one."""
_AGENCY = re.compile(
    r"\b(?:AP|AFP|Reuters|Getty|EPA|Associated Press|Bloomberg|Shutterstock|Alamy|Xinhua"
    r"|PA (?:Images|Wire|Media)|Pool|Photo|Photos|Photograph|Photography|Handout|Courtesy"
    r"|Images|Supplied|Stock|Pictures|Wikimedia|Unsplash|Pexels|Pixabay|iStock\w*|Flickr"
    r"|Dreamstime|Depositphotos)\b|\bstock\.adobe\.com\b"
)
_BARE_CREDIT = re.compile(
    r"(?:^|/ ?| - | via )(?:Getty Images|Getty|Shutterstock|iStock\w*|Alamy|Unsplash|Pexels"
    r"|Pixabay|Adobe Stock|Dreamstime|Depositphotos|stock\.adobe\.com|AP|AFP|Reuters|REUTERS"
    r"|EPA|Bloomberg|Xinhua|Associated Press|PA (?:Images|Wire|Media)|Pool|Handout)$"
)
"""A short line ending with a photo library's or an agency's name after a slash, a dash or
"via" (or being that name) is a credit without a label or brackets: "Jo Li/AP", "jdoe -
stock.adobe.com", "Getty Images"; unlike "Shutterstock shares fall" or "EDT/GMT"."""
_BARE_CREDIT_MAX_WORDS = 6
_BREAK_OR_LABEL = re.compile(r"[.!?:] ")
_SLASH_CREDIT = re.compile(r"([A-Z][^/]*?)\s?/\s?([A-Z][^/]*)")
_LABEL = (
    r"(?:Photograph|Photo|Photos|Picture|Pictures|Image|Images|Illustration|Video|Credit"
    r"|Image source|Source|Foto)(?: by| credit)?"
)
_LABEL_HINT = re.compile("photo|picture|image|illustration|video|credit|source|foto")
_LABELLED = r"(?:\s*[:,]\s*|(?<= by)\s+)"
_PHOTO_CREDIT = re.compile(
    rf"\b{_LABEL}{_LABELLED}(?P<credit>[^():;]{{2,100}}?)\s*$", re.IGNORECASE
)
_NAME_SLASH_CREDIT = re.compile(
    r"(?:^|\s)(?P<credit>[A-Z][a-z][\w'’-]*(?: [A-Z]\.?)? [A-Z][a-z][\w'’-]*"
    r"\s?/\s?(?:via )?[A-Z][\w'’. &-]{1,40})$"
)
"""A credit after a caption without brackets: "… in Leeds Jon Super/Getty Images"."""
_GLUED_CREDIT = re.compile(r"(?<=[.!?”])(?P<credit>[A-Z][^.!?()]{1,60})$")
"""A credit glued to the caption's last sentence: "… that day.The Associated Press"."""
_CREDIT_LINE = re.compile(
    rf"^\(?(?:{_LABEL}\s*[:,]\s*|(?:Photo|Picture|Image) by\s+|©\s*|Copyright\s+)"
    r"(?P<credit>(?:[^()]|\([^()]*\)){2,100}?)\)?\.?$",
    re.IGNORECASE,
)
_QUOTATION_MARKS = "\"“”'‘’"
_SENTENCE_BREAK = re.compile(r"[.!?][\"”’']? [A-Z]")
_CAPTION_LABEL = re.compile(r"^(?:Image caption|Caption|Photo caption)\s*[,:]\s*", re.IGNORECASE)
_LEADING_LABEL = re.compile(rf"^{_LABEL}{_LABELLED}", re.IGNORECASE)


def looks_like_credit(credit: str) -> bool:
    """Agency names, or names around a slash ("Alan Diaz / AP").

    Not "ICE", "a stereotypical assumption" or "Sat/Sun": a credit names an agency or
    has a full name on one side of its slash.

    >>> looks_like_credit("Alan Diaz / AP"), looks_like_credit("ICE")
    (True, False)
    """
    if len(credit) > _CREDIT_MAX_CHARS or (not credit[:1].isupper() and credit[:1] != "©"):
        return False
    if _AGENCY.search(credit):
        return True
    slash = _SLASH_CREDIT.fullmatch(credit)
    return bool(slash) and any(" " in part.strip() for part in slash.groups())


def split_caption(line: str) -> tuple[str, str] | None:
    """``(caption, credit)`` when ``line`` is a photo caption ending in a credit.

    >>> split_caption("Protesters in Miami. (Alan Diaz / AP)")
    ('Protesters in Miami.', 'Alan Diaz / AP')
    >>> split_caption("Crowds in Kyiv. Photograph: Jane Doe/Reuters")
    ('Crowds in Kyiv.', 'Jane Doe/Reuters')
    >>> split_caption("Lady Starmer in Washington DC Stefan Rousseau/via Reuters")
    ('Lady Starmer in Washington DC', 'Stefan Rousseau/via Reuters')
    >>> split_caption("The agency named its acting director (ICE)") is None
    True
    """
    line = _CAPTION_LABEL.sub("", line.rstrip())
    if line.endswith(")"):
        opening = line.rfind("(")
        caption, credit = line[: max(opening, 0)].strip(), line[opening + 1 : -1].strip()
        unlabelled = _LEADING_LABEL.sub("", credit)
        if caption and (looks_like_credit(credit) or (unlabelled != credit and unlabelled)):
            return caption, unlabelled
    start = max(len(line) - _TAIL_CHARS, 0)
    tail = line[start:].lower()
    # Cheap tests first: most lines are prose, and these patterns are slow to refute.
    labelled = _LABEL_HINT.search(tail) is not None
    # A credit without a label ends without a full stop: prose does not.
    unlabelled = line[-1:] not in ".!?”\"'"
    for pattern in (_PHOTO_CREDIT, _NAME_SLASH_CREDIT, _GLUED_CREDIT):
        if (pattern is _PHOTO_CREDIT and not labelled) or (
            pattern is not _PHOTO_CREDIT
            and not (unlabelled and (pattern is _GLUED_CREDIT or "/" in tail))
        ):
            continue
        match = pattern.search(line, start)
        credit = match.group("credit").strip() if match else ""
        glued_but_no_credit = pattern is _GLUED_CREDIT and not looks_like_credit(credit)
        if match and pattern is _PHOTO_CREDIT and _reads_on(match.group(0), credit):
            continue
        caption = line[: match.start()].strip() if match else ""
        # "Jo Li/ Staff/ City Hall" is one credit of several parts, not a caption "Jo Li/".
        if caption and not glued_but_no_credit and not caption.endswith("/"):
            return caption, credit
    return None


def _reads_on(labelled: str, credit: str) -> bool:
    """Whether a "credit" after a photo word is the sentence going on: "… like the Zen Micro
    Photo, is due out in May. It will …", "… a bad image," said Olivier Gerolami",
    "… video and images, when they want"."""
    if credit[:1] in _QUOTATION_MARKS or _SENTENCE_BREAK.search(credit):
        return True
    return labelled[:1].islower() and credit[:1].islower()


def credit_line(line: str) -> str | None:
    """The credit of a line that is nothing but a credit, else ``None``.

    >>> credit_line("Image source, Getty Images"), credit_line("(AP Photo/Evan Vucci)")
    ('Getty Images', 'AP Photo/Evan Vucci')
    >>> credit_line("Photo by Jane Doe"), credit_line("Police said it was a photo.")
    ('Jane Doe', None)
    >>> credit_line("jdoe - stock.adobe.com"), credit_line("Source: Space Agency (INPE), Brazil")
    ('jdoe - stock.adobe.com', 'Space Agency (INPE), Brazil')
    """
    if len(line) > _CREDIT_LINE_MAX_CHARS:
        return None
    line = " ".join(line.split())
    match = _CREDIT_LINE.match(line)
    if match:
        return match.group("credit").strip()
    if line.startswith("(") and line.endswith(")") and looks_like_credit(line[1:-1].strip()):
        inner = line[1:-1].strip()
        if "/" in inner or _AGENCY.search(inner):
            return inner
    # Cheap tests first: most lines are prose, ending with a full stop.
    if line[-1:] in ".!?:\"”’'" or line.count(" ") >= _BARE_CREDIT_MAX_WORDS:
        return None
    # "Police stand guard. Photograph: Jo Li/Reuters" is a caption and its credit.
    if _BREAK_OR_LABEL.search(line) or not _BARE_CREDIT.search(line):
        return None
    return line


def caption_label(line: str) -> str | None:
    """The caption of a line labelled as one ("Image caption, Crowds in Kyiv")."""
    stripped = _CAPTION_LABEL.sub("", line)
    return stripped if stripped != line and stripped else None


def first_image(images: list[Image]) -> tuple[str | None, str | None]:
    """The caption and credit of the first photo (the article's ``caption``/``credit``)."""
    return (images[0].caption, images[0].credit) if images else (None, None)
