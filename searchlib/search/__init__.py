"""From query text to ranked articles: the grammar reads a query into a syntax tree
(``grammar``, ``syntax``, ``dates``), planning analyses it against the index's words
(``planning``), ranking scores the matches with BM25F (``ranking``), and the pipeline adds
the exact-form bonus and makes ``Results`` (``pipeline``); beside it, did-you-mean
(``suggestions``) and more-like-this (``similar``).
"""
