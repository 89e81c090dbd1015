"""Tests for articles as people save them: news pages (HTML), text saved from a page, and
Markdown; bylines, datelines, captions and credits."""

from __future__ import annotations

import doctest
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from types import ModuleType

import pytest

import searchlib
import searchlib.articles.bylines
import searchlib.articles.dates
import searchlib.articles.images
import searchlib.articles.mainbody
import searchlib.articles.markdown
import searchlib.articles.metadata
import searchlib.articles.pages
import searchlib.articles.webpages
from searchlib import Article, Index, parse_article, parse_page
from searchlib.articles.article import Image
from searchlib.articles.bylines import byline
from searchlib.articles.dates import dateline, parse_date
from searchlib.articles.images import credit_line, split_caption

NEWS = Path(__file__).resolve().parent / "fixtures" / "news"


# --- HTML ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kyiv() -> Article:
    return parse_page((NEWS / "kyiv.html").read_bytes(), url="https://example.org/kyiv")


def test_page_headline_is_the_h1_in_the_page_header(kyiv: Article) -> None:
    assert kyiv.headline == "Russia hits Kyiv with ballistic missile, damages buildings and schools"


def test_page_authors_come_from_json_ld_references(kyiv: Article) -> None:
    assert kyiv.authors == ["Samya Kullab", "Vasilisa Stepanenko"]


def test_page_date_is_json_ld_date_published_as_written(kyiv: Article) -> None:
    assert kyiv.date == datetime(2026, 5, 24, 10, 5, 10)


def test_page_every_figure_gives_a_caption_and_credit(kyiv: Article) -> None:
    assert kyiv.images == [
        Image("Rescuers at a damaged school in Kyiv on Sunday.", "AP Photo/Efrem Lukatsky"),
        Image("Smoke over the city.", "AP Photo/Evgeniy Maloletka"),
    ]
    assert (kyiv.caption, kyiv.credit) == (kyiv.images[0].caption, kyiv.images[0].credit)


def test_page_body_is_the_story_without_cards_ads_or_share_links(kyiv: Article) -> None:
    assert kyiv.body.split("\n\n") == [
        "A Russian ballistic missile hit Kyiv on Sunday, damaging buildings and schools,"
        " officials said.",
        "The attack came as residents slept, and emergency crews worked through the morning,"
        " the mayor said.",
        "“We heard a loud bang, and then the windows broke,” said Olena Petrenko, a teacher.",
    ]
    assert kyiv.summary == "A ballistic missile damaged buildings and schools."
    assert kyiv.quotes[0].speaker == "Olena Petrenko"


def test_page_title_loses_its_site_name_when_there_is_no_h1() -> None:
    page = parse_page("<title>Rain in Leeds - Daily Planet</title><p>It rained, a lot, today.</p>")
    assert page.headline == "Rain in Leeds"


def test_related_story_articles_are_not_the_story() -> None:
    card = "<article><h2><a href='/b'>Other story</a></h2><p><a href='/b'>{}</a></p></article>"
    teaser = card.format("A teaser that is a link to another story, with commas, and more.")
    story = "<div><p>{}</p><p>{}</p></div>".format(
        "The council met on Monday, and voted, after a long debate, to close the pool.",
        "Residents said they were sad, angry and surprised by the decision.",
    )
    page = parse_page(f"<h1>Pool to close</h1>{teaser}{story}{teaser}")
    assert page.body.startswith("The council met on Monday")
    assert "teaser" not in page.body


def test_parse_page_never_loads_html_dependencies_for_text() -> None:
    script = (
        "import sys; from searchlib import parse_article; parse_article('Rain\\n\\nIt rained.');"
        "print(' '.join(sorted(sys.modules)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split()
    assert "searchlib.articles.webpages" not in loaded
    assert "html.parser" not in loaded


# --- text --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dollar() -> Article:
    return parse_article((NEWS / "dollar_bill.txt").read_text(encoding="utf-8"))


def test_text_headline_of_many_words_above_a_menu(dollar: Article) -> None:
    assert dollar.headline == (
        "Your $1 bill could be worth up THOUSANDS - here's how to check if you have the rare buck"
    )


def test_text_byline_and_dateline_leave_the_body(dollar: Article) -> None:
    assert dollar.authors == ["Dolores Chang"]
    assert dollar.date == datetime(2024, 4, 27, 15, 56)
    assert "Dolores" not in dollar.body and "Published" not in dollar.body


def test_text_menu_prompts_and_teasers_leave_the_body(dollar: Article) -> None:
    paragraphs = dollar.body.split("\n\n")
    assert paragraphs[0].startswith("Think twice before you spend")
    assert paragraphs[-1].startswith("Only nine of these pairs have been matched")
    for furniture in ("Royals", "U.S.", "Login", "View comments", "Share or comment", "Walmart"):
        assert furniture not in dollar.body


@pytest.mark.parametrize(
    "label", ["World", "Log In", "Social Sharing", "Advertisement", "Show more sharing options"]
)
def test_a_label_above_the_headline_is_not_it(label: str) -> None:
    text = f"{label}\n\nCouncil backs new harbour plan for Portwick\n\nThe council met. It voted."
    article = parse_article(text)
    assert article.headline == "Council backs new harbour plan for Portwick"
    assert article.body == "The council met. It voted."


def test_captions_and_credits_anywhere_leave_the_body() -> None:
    text = (
        "Council backs new harbour plan\n\nThe council met on Monday.\n\n"
        "Boats in the harbour. (AP Photo/Jane Doe)\n\nIt voted to rebuild.\n\n"
        "Image source, Getty Images\n\nImage caption, The old pier\n\nWork starts soon.\n\n"
        "Crowds at the pier. Photograph: Jo Li/Reuters"
    )
    article = parse_article(text)
    assert article.images == [
        Image("Boats in the harbour.", "AP Photo/Jane Doe"),
        Image("The old pier", "Getty Images"),
        Image("Crowds at the pier.", "Jo Li/Reuters"),
    ]
    assert article.body == "The council met on Monday.\n\nIt voted to rebuild.\n\nWork starts soon."


@pytest.mark.parametrize(
    ("line", "caption", "credit"),
    [
        ("Rescuers in Kyiv (Picture: Getty)", "Rescuers in Kyiv", "Getty"),
        ("A rally. (Photos: Getty/AP)", "A rally.", "Getty/AP"),
        ("Ivy is easy to grow ( Image: Getty Images/iStockphoto)", "Ivy is easy to grow", None),
        ("Forests in Brazil.Credit: Pablo Porciuncula/AFP/Getty", "Forests in Brazil.", None),
        ("Traders in Toronto. Photo by David Kawai/Bloomberg", "Traders in Toronto.", None),
        ("Huang in Denver on July 29.The Associated Press", "Huang in Denver on July 29.", None),
    ],
)
def test_credit_forms(line: str, caption: str, credit: str | None) -> None:
    found = split_caption(line)
    assert found is not None and found[0] == caption
    assert credit is None or found[1] == credit


@pytest.mark.parametrize(
    ("line", "credit"),
    [("(AP Photo/Evan Vucci)", "AP Photo/Evan Vucci"), ("Photo: Jo Li", "Jo Li")],
)
def test_credit_lines(line: str, credit: str) -> None:
    assert credit_line(line) == credit


@pytest.mark.parametrize(
    ("line", "authors"),
    [
        ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
        ("Jane Doe, Reuters", ["Jane Doe"]),
        ("Jane Doe | Staff writer", ["Jane Doe"]),
        ("By Margot van der Velden in Brussels", ["Margot van der Velden"]),
        ("Politics", []),
        ("By the way, this is a sentence about something.", []),
    ],
)
def test_bylines(line: str, authors: list[str]) -> None:
    assert byline(line) == authors


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ("Published 3:45 PM EDT, Sept. 3, 2024", datetime(2024, 9, 3, 15, 45)),
        ("Updated 3 September 2024", datetime(2024, 9, 3)),
        ("14:00, 28 Apr 2024", datetime(2024, 4, 28, 14, 0)),
        ("The war began on 24 February 2022 and goes on, officials said in a statement.", None),
    ],
)
def test_datelines(line: str, date: datetime | None) -> None:
    assert dateline(line) == date


def test_iso_dates_keep_the_time_as_written() -> None:
    assert parse_date("2024-04-25 04:21:02.000000-0400") == datetime(2024, 4, 25, 4, 21, 2)
    assert parse_date("2024-02-30") is None


# --- Markdown ----------------------------------------------------------------------------


def test_markdown_headline_images_emphasis_links_lists() -> None:
    article = parse_article((NEWS / "rain.md").read_text(encoding="utf-8"), path="rain.md")
    assert article.headline == "Rain floods Leeds as rivers burst their banks"
    assert article.authors == ["Jane Doe"]
    assert article.images == [Image("Water covers a street in Leeds.", "Jon Super/Getty Images")]
    assert article.body == (
        "Heavy rain flooded Leeds on Monday, the council said.\n\n"
        "Schools closed across the city.\nTrains to York were cancelled."
    )


# --- the index ---------------------------------------------------------------------------


def test_authors_are_searched_and_counted_and_dates_found_are_dated(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "kyiv.html").write_bytes((NEWS / "kyiv.html").read_bytes())
    (folder / "rain.md").write_bytes((NEWS / "rain.md").read_bytes())
    with Index(tmp_path / "index") as index:
        index.add_folder(folder)
        assert [hit.id for hit in index.search("author:Kullab")] == ["news/kyiv"]
        assert [hit.id for hit in index.search("author:Doe")] == ["news/rain"]
        assert [hit.id for hit in index.search("date:2026-05-24")] == ["news/kyiv"]
        facets = index.search("Kyiv OR Leeds").facets["author"]
        assert ("Samya Kullab", 1) in facets and ("Jane Doe", 1) in facets
        stored = index.get("news/kyiv")
        assert stored.authors == ["Samya Kullab", "Vasilisa Stepanenko"]
        assert stored.images[1] == Image("Smoke over the city.", "AP Photo/Evgeniy Maloletka")
        assert [hit.id for hit in index.search("caption:smoke")] == ["news/kyiv"]


def test_public_api() -> None:
    assert {"parse_article", "parse_page"} <= set(searchlib.__all__)


@pytest.mark.parametrize(
    "module",
    [
        searchlib.articles.bylines,
        searchlib.articles.dates,
        searchlib.articles.images,
        searchlib.articles.mainbody,
        searchlib.articles.markdown,
        searchlib.articles.metadata,
        searchlib.articles.pages,
        searchlib.articles.webpages,
    ],
)
def test_docstring_examples(module: ModuleType) -> None:
    result = doctest.testmod(module)
    assert result.attempted and result.failed == 0


def test_bare_lines_after_a_photo_are_its_caption_and_credit() -> None:
    page = parse_page(
        "<h1>Chelsea win</h1><div><p>Chelsea beat Tottenham, two goals to nil, on a cold night"
        " in London, the club said.</p><div><picture><img src='c.jpg'></picture>"
        "<div>Chelsea fans produced a banner</div><div>REUTERS</div></div>"
        "<p>The fans sang, and sang, until the end of the match, a steward said.</p></div>"
    )
    assert page.images == [Image("Chelsea fans produced a banner", "REUTERS")]
    assert "banner" not in page.body


def test_a_byline_with_a_slash_is_no_caption() -> None:
    article = parse_article(
        "Leaders debate before election\n\n"
        "By Takeo Maeda and Tatsuya Tanoue / Yomiuri Shimbun Staff Writers\n\n"
        "The leaders of seven parties met, and debated, in Tokyo on Saturday."
    )
    assert article.authors == ["Takeo Maeda", "Tatsuya Tanoue"]
    assert article.images == []


def test_credits_waiting_for_a_caption_are_each_kept() -> None:
    text = (
        "Clean energy in China grows\n\nChina leads the world in solar power, officials said.\n\n"
        "Source: Repeat Project\n\nThe US exit will not be official until 2026, they said.\n\n"
        "Source: China Electricity Council\n\nEmissions fell in the year, a report said."
    )
    credits = [image.credit for image in parse_article(text).images]
    assert credits == ["Repeat Project", "China Electricity Council"]
