"""Query counts of the media pages: exact, and the same for few or many items.

Each count is taken on a second view: the first makes the image renditions (written once,
then read back through the prefetches) and fills the campaign counters' cache.
"""

import pytest
from django.template import engines

pytestmark = pytest.mark.django_db

# Routing and serving any Wagtail page here: the Site (1), the page tree from the site
# root down to the page (one query per level below the root page: 1 for the home page,
# 3 for an index page, 5 for a page inside an index: a child lookup and its specific row
# per level), the alias check on the ancestors (1) and the view restrictions (1).
SERVE_HOME, SERVE_INDEX, SERVE_LEAF = 4, 6, 8


def featured_courses_queries() -> int:
    """The courses floor's `featured_courses` tag: its view-restriction check and its course
    query (2), when that app defines the tag library (the home page loads it only then)."""
    return 2 if "courses_tags" in engines["django"].engine.template_libraries else 0


@pytest.fixture
def second_view(client, django_assert_num_queries, settings):
    # A cache of this test's own: with Redis (CI) other processes share the server, and a
    # flushed "site root paths" entry would add one query that is not the page's.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "media-query-counts"}}  # fmt: skip

    def view(url, expected):
        assert client.get(url).status_code == 200
        with django_assert_num_queries(expected):
            response = client.get(url)
        assert response.status_code == 200
        return response

    return view


@pytest.mark.parametrize("items", [1, 4])
def test_home_page(second_view, add_infographic, add_video_page, add_news, items):
    for i in range(items):
        add_infographic(title=f"Infographic {i}", slug=f"ig{i}")
        add_video_page(title=f"Video {i}", slug=f"v{i}")
        add_news(title=f"Tin {i}", slug=f"t{i}")
    # SERVE_HOME (4)
    # + 3 view-restriction checks, one per latest-items list (`.public()`)
    # + 1 the three library index pages (their links), in one query
    # + 3 latest infographics: pages, their images with the image rows, the card renditions
    # + 3 latest videos: pages, the videos with their posters, the posters' card renditions
    # + 1 latest news with their categories
    # + featured courses (courses floor), + 0 campaign counters (cached by campaigns)
    second_view("/", SERVE_HOME + 3 + 1 + 3 + 3 + 1 + featured_courses_queries())


@pytest.mark.parametrize("images", [1, 3])
def test_infographic_page(second_view, add_infographic, images):
    page = add_infographic(images=images)
    # SERVE_LEAF (8) + the images with their image rows (1) + their renditions: srcset and
    # Open Graph card (1) + the topic tags (1)
    second_view(page.url, SERVE_LEAF + 3)


@pytest.mark.parametrize("items", [2, 5])
def test_infographic_library(second_view, add_infographic, items):
    for i in range(items):
        add_infographic(title=f"Infographic {i}", slug=f"ig{i}", tags=(f"Chủ đề {i}",))
    # SERVE_INDEX (6) + `.public()` (1) + the paginator's count (1) + the topics used (1)
    # + the page of cards: pages (1), images with image rows (1), card renditions (1)
    second_view("/infographic/", SERVE_INDEX + 6)


@pytest.mark.parametrize("items", [2, 5])
def test_video_library_and_page(second_view, add_video_page, items):
    pages = [add_video_page(title=f"Video {i}", slug=f"v{i}") for i in range(items)]
    # SERVE_INDEX (6) + `.public()` (1) + count (1) + topics (1) + pages (1) + videos with
    # posters (1) + poster renditions (1)
    second_view("/video/", SERVE_INDEX + 6)
    # SERVE_LEAF (8) + the video with its poster (1) + its renditions (1) + the poster's
    # player rendition (1) + the topic tags (1)
    second_view(pages[0].url, SERVE_LEAF + 4)


@pytest.mark.parametrize("items", [2, 5])
def test_news_index_and_article(second_view, add_news, items):
    pages = [add_news(title=f"Tin {i}", slug=f"t{i}") for i in range(items)]
    # SERVE_INDEX (6) + `.public()` (1) + count (1) + categories used (1) + pages with
    # their categories (1)
    second_view("/tin-tuc/", SERVE_INDEX + 4)
    # SERVE_LEAF (8) + the category (1)
    second_view(pages[0].url, SERVE_LEAF + 1)
