"""From bytes to ``Article``: the article type, reading files and records, and parsing text,
Markdown and HTML pages into headline, authors, date, photos, summary, body and quotations.

- ``article``: ``Article``, ``Image`` and ``Quote``;
- ``files``: finding article files, decoding them, reading them into articles;
- ``records``: JSON Lines and CSV files of records, an article each;
- ``parse``: the layout of text as people save it (headline, byline, dateline, photos,
  paragraphs); ``markdown``: Markdown read as plain text and photos;
- ``bylines``, ``dates``, ``images``: authors, publication dates, captions and credits;
  ``captions``: captions that carry no credit (an agency's dated caption, an echoed line);
- ``boilerplate``: menus, prompts, teasers and appeals that aren't the article;
- ``markup``: an HTML page read into blocks and metadata; ``mainbody``: the article's text
  among the blocks; ``metadata``: titles, authors and dates a page declares; ``pages``:
  headline, photos and body of a page; ``webpages``: ``parse_page``;
- ``quotes`` and ``speakers``: quotations and who said them.
"""
