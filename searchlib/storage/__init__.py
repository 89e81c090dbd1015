"""The index folder as a whole: the engine's files and, beside them, a SQLite database of the
index's word forms and stems and what it was built with (``vocabulary``); opening, creating
and committing to it (``folder``), and checking it for damage (``integrity``).
"""
