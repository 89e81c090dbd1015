"""The engine adapter: the only package that imports Whoosh.

Whoosh is frozen upstream; everything searchlib needs from it passes through the small
surface here, so it can be replaced without touching the rest:

- ``fields``: searchlib's fields as Whoosh field types (text arrives as term lists);
- ``postings`` and ``codec``: postings pooled by term, spilled to sorted runs, and written a
  term at a time in Whoosh's file format;
- ``writing``: the writer of one commit, and the segment builder of worker processes;
- ``reading``: a searcher over one commit (postings, lengths, stored fields);
- ``files``, ``directory``: an index's files, opening and creating it;
- ``integrity``: checking its segments for damage.

Importing the package imports Whoosh once, without the modules Whoosh loads at start-up
but searchlib never uses (see ``searchlib.deferred_imports``); every module here imports
Whoosh's parts after that.
"""

import inspect

from searchlib.deferred_imports import deferring, forwarder

# asyncio.iscoroutinefunction is inspect's since Python 3.11.
_UNUSED_BY_WHOOSH = {
    "urllib.request": {"urlretrieve": forwarder("urllib.request", "urlretrieve")},
    "asyncio": {
        "iscoroutinefunction": inspect.iscoroutinefunction,
        "ensure_future": forwarder("asyncio", "ensure_future"),
    },
}
with deferring(_UNUSED_BY_WHOOSH):
    import whoosh.analysis
    import whoosh.codec.whoosh3
    import whoosh.columns
    import whoosh.fields
    import whoosh.filedb.filestore
    import whoosh.filedb.structfile
    import whoosh.formats
    import whoosh.index
    import whoosh.lang.porter2
    import whoosh.query
    import whoosh.reading
    import whoosh.system
    import whoosh.util.numeric
    import whoosh.writing  # noqa: F401
