"""From bytes to ``Article``: the article type, reading files and records, and parsing text
and HTML pages into headline, caption, credit, body and quotations.

- ``article``: ``Article`` and ``Quote``;
- ``files``: finding article files, decoding them, reading them into articles;
- ``records``: JSON Lines and CSV files of records, an article each;
- ``parse``: the layout of raw text (caption and credit, headline, paragraphs);
- ``pages``: the headline, caption and text of an HTML page;
- ``boilerplate``: donation appeals and newsletter prompts that aren't the article;
- ``quotes`` and ``speakers``: quotations and who said them.
"""
