"""What every command shares: the ``--index`` option, error handling and colour."""

from __future__ import annotations

import os
import re
import sys
import warnings
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any, TypeVar

import click

from searchlib import Index, IndexNotFoundError, SearchlibError, SearchlibWarning
from searchlib.articles.files import find_files
from searchlib.index import DEFAULT_PATH
from searchlib.storage.drafts import drafted

INDEX_ENVIRONMENT_VARIABLE = "SEARCHLIB_INDEX"
SEEDS = Path("seeds")
EXIT_NO_HITS = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141
"""128 + SIGPIPE: what a shell reports for grep or cat when the reader of their output has
gone."""

Function = TypeVar("Function", bound=Callable[..., Any])


# Text from articles, file names, paths and queries must not steer the user's terminal nor
# disguise itself: C0 and C1 controls (ESC, CSI, BEL, carriage return), DEL and the
# bidirectional controls (U+202E shows "evil\u202etxt.exe" as "evilexe.txt") are dropped
# from text, or shown escaped in names and messages. A lone surrogate, which no encoding
# can write, shows as U+FFFD in text and escaped in names.
_BIDIRECTIONAL = r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_BEYOND_C0 = rf"\x7f-\x9f{_BIDIRECTIONAL}\u2028\u2029\ud800-\udfff"  # DEL, C1, separators
_UNSAFE = re.compile(rf"[\x00-\x08\x0b-\x1f{_BEYOND_C0}]")  # tabs and line feeds stay
_UNSAFE_IN_ONE_LINE = re.compile(rf"[\x00-\x1f{_BEYOND_C0}]")
UNSAFE_IN_JSON = re.compile(rf"[{_BEYOND_C0}]")
"""What JSON may hold raw but a terminal must not see (JSON escapes C0 controls itself)."""
_CLEANED = {"\u2028": "\n", "\u2029": "\n\n"}


def clean(text: str) -> str:
    """``text`` without terminal and bidirectional controls; lines and tabs stay.

    >>> clean("safe\\x1b[31m text\\u202e, \\ud800")
    'safe[31m text, \\ufffd'
    """
    return _UNSAFE.sub(lambda match: _cleaned(match.group()), text)


def _cleaned(character: str) -> str:
    if "\ud800" <= character <= "\udfff":
        return "\ufffd"
    return _CLEANED.get(character, "")


def flat(text: str) -> str:
    """``text`` cleaned, on one line: each run of spaces and line breaks as one space.

    >>> flat(" Judge\\nadvocate\\x1b[2J named ")
    'Judge advocate[2J named'
    """
    return " ".join(clean(text).split())


def articles(count: int) -> str:
    """How many articles, in words.

    >>> articles(1), articles(1200)
    ('1 article', '1,200 articles')
    """
    return f"{count:,} article{'' if count == 1 else 's'}"


def one_line(message: str) -> str:
    """``message`` with every control character (line breaks too) shown escaped, so a file
    name or a path can't fake a line or reorder one.

    >>> one_line('unclosed quote: read "\\n" as a phrase; \\u202eexe.txt')
    'unclosed quote: read "\\\\n" as a phrase; \\\\u202eexe.txt'
    """
    return _UNSAFE_IN_ONE_LINE.sub(lambda match: repr(match.group())[1:-1], message)


class CommandError(click.ClickException):
    """A one-line error message; exit status 2."""

    exit_code = EXIT_ERROR

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))


class Command(click.Command):
    """A command whose failures are one-line messages with exit status 2, never tracebacks.

    Set ``SEARCHLIB_DEBUG=1`` to see the traceback of an unexpected failure.
    """

    def invoke(self, ctx: click.Context) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SearchlibWarning)  # commands report these themselves
            try:
                try:
                    return super().invoke(ctx)
                finally:
                    sys.stdout.flush()  # a reader gone shows here, not as Python exits
            except BrokenPipeError:
                # The reader of the output has gone (`| head -1`): stop quietly, with the
                # status of a program that the signal for it (SIGPIPE) stopped.
                _silence_output()
                raise click.exceptions.Exit(EXIT_BROKEN_PIPE) from None
            except (click.ClickException, click.exceptions.Exit):
                raise
            except (KeyboardInterrupt, click.Abort):
                # Not "no hits" (1) nor an error (2): the status a shell gives an interrupt.
                click.echo("Interrupted; the index keeps its last complete update.", err=True)
                raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
            except SearchlibError as error:
                raise CommandError(str(error)) from error
            except Exception as error:
                if os.environ.get("SEARCHLIB_DEBUG", "") not in ("", "0"):
                    raise
                raise CommandError(
                    f"unexpected failure: {type(error).__name__}: {error} "
                    f"(run again with SEARCHLIB_DEBUG=1 to see where)"
                ) from error


def _silence_output() -> None:
    """Send what is left of the output nowhere: Python writes it out as it exits."""
    with suppress(OSError, ValueError):  # an output without a file descriptor (in tests)
        nowhere = os.open(os.devnull, os.O_WRONLY)
        os.dup2(nowhere, sys.stdout.fileno())


def index_option(function: Function) -> Function:
    """``--index DIR``: the index to use (default ``./index``, or ``$SEARCHLIB_INDEX``)."""
    return click.option(
        "--index",
        "index_path",
        type=click.Path(file_okay=False, path_type=Path),
        envvar=INDEX_ENVIRONMENT_VARIABLE,
        default=None,
        help=f"Index folder [default: ./{DEFAULT_PATH}, or ${INDEX_ENVIRONMENT_VARIABLE}].",
    )(function)


def color_option(function: Function) -> Function:
    """``--color auto|always|never``; auto means a terminal without ``NO_COLOR``."""
    return click.option(
        "--color",
        type=click.Choice(["auto", "always", "never"]),
        default="auto",
        show_default=True,
        help="Highlight with colour; auto: on a terminal, unless NO_COLOR is set.",
    )(function)


def use_color(choice: str) -> bool:
    """Whether to write ANSI styles, given ``--color`` and the environment."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout.isatty()


def open_index(index_path: Path | None, scheduler: str | None = None) -> Index:
    """Open the index for reading (a sharded one ranked on the Dask cluster at
    ``scheduler``, if given); the default one is built on first use from ``./seeds``, when
    that folder holds article files (text, Markdown or HTML)."""
    path = index_path or Path(DEFAULT_PATH)
    try:
        return Index(path, create=False, scheduler=scheduler)
    except IndexNotFoundError:
        # Only a folder holding articles: programs keep seed data in ./seeds too (users.rb).
        articles = len(list(find_files(SEEDS))) if index_path is None else 0
        if not articles:
            raise
    click.echo(
        f"No index in ./{path} yet: building it from ./{SEEDS} (once): {articles} article "
        f"file{'s' if articles > 1 else ''} in {one_line(str(SEEDS.resolve()))}.",
        err=True,
    )
    # Built aside and moved in whole: a build cut short leaves no index, so the next
    # search builds it again (rather than find an empty one for ever).
    with drafted(path) as draft, Index(draft) as index:
        report = index.add_folder(SEEDS)
    warn_skipped(report.skipped)
    click.echo(f"Indexed ./{SEEDS}: {report}.", err=True)
    return Index(path, create=False, scheduler=scheduler)


def warn(message: str) -> None:
    """Print a warning on stderr."""
    click.echo(f"warning: {one_line(message)}", err=True)


def warn_skipped(skipped: list[tuple[str, str]]) -> None:
    """Print a warning for each skipped file."""
    for path, reason in skipped:
        warn(f"skipped {display_path(path)}: {reason}")


def display_path(path: str | None) -> str:
    """``path`` relative to the working directory when it is below it."""
    if not path:
        return ""
    try:
        return one_line(str(Path(path).relative_to(Path.cwd())))
    except ValueError:
        return one_line(str(path))
