"""From ranked documents to what people read: ``Results`` and each ``Hit`` (``hits``), their
snippets (``snippets``), facet counts (``facets``) and score explanations (``explanation``).
"""
