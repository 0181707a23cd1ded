"""Query counts of the media pages: exact, and the same for few or many items.

Each count is taken on a second view: the first makes the image renditions (written once,
then read back through the prefetches) and fills the campaign counters' cache.
"""

import pytest
from django.template import engines

pytestmark = pytest.mark.django_db

# Routing and serving any Wagtail page here, on the second view (issue 16): the page itself,
# its specific row in one query (cms.middleware's route memo: no Site query, no walk down
# the tree; view restrictions from the cached table of cms.pages: none). A page inside an
# index also reads its parent (1, the breadcrumb link; Wagtail's walk used to have it).
SERVE_HOME, SERVE_INDEX, SERVE_LEAF = 1, 1, 2


def featured_courses_queries() -> int:
    """The courses floor's `featured_courses` tag: its course query (1; `.public()` from the
    cached restrictions), when that app defines the tag library (the home page loads it only
    then)."""
    return 1 if "courses_tags" in engines["django"].engine.template_libraries else 0


@pytest.fixture
def second_view(client, django_assert_num_queries, settings, monkeypatch):
    # A cache of this test's own: with Redis (CI) other processes share the server, and a
    # flushed "site root paths" entry would add one query that is not the page's.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "media-query-counts"}}  # fmt: skip
    # That cache lives as long as the test process: start it empty (an earlier test's pages
    # generation and rows would be read here), and keep what the first view cached for the
    # second one (a local cache keeps pages 10 s, which a loaded machine can outlast between
    # the two views; expiry is not what these counts are about).
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setattr("cms.cache.LOCAL_CACHE_SECONDS", 600)

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
    # SERVE_HOME (1)
    # + 0 view-restriction checks for the latest-items lists (`.public()` from the cached
    #   restrictions, cms.pages.public_q)
    # + 1 the three library index pages (their links), in one query
    # + 3 latest infographics: pages, their images with the image rows, the card renditions
    # + 3 latest videos: pages, the videos with their posters, the posters' card renditions
    # + 1 latest news with their categories
    # + featured courses (courses floor), + 0 campaign counters (cached by campaigns)
    second_view("/", SERVE_HOME + 1 + 3 + 3 + 1 + featured_courses_queries())


@pytest.mark.parametrize("images", [1, 3])
def test_infographic_page(second_view, add_infographic, images):
    page = add_infographic(images=images)
    # SERVE_LEAF (2) + the images with their image rows (1) + their renditions: srcset and
    # Open Graph card (1) + the topic tags (1)
    second_view(page.url, SERVE_LEAF + 3)


@pytest.mark.parametrize("items", [2, 5])
def test_infographic_library(second_view, add_infographic, items):
    for i in range(items):
        add_infographic(title=f"Infographic {i}", slug=f"ig{i}", tags=(f"Chủ đề {i}",))
    # SERVE_INDEX (1) + the paginator's count (1) + the topics used (1) + the page of
    # cards: pages (1), images with image rows (1), card renditions (1); `.public()` from
    # the cached restrictions (0)
    second_view("/infographic/", SERVE_INDEX + 5)


@pytest.mark.parametrize("items", [2, 5])
def test_video_library_and_page(second_view, add_video_page, items):
    pages = [add_video_page(title=f"Video {i}", slug=f"v{i}") for i in range(items)]
    # SERVE_INDEX (1) + count (1) + topics (1) + pages (1) + videos with posters (1) +
    # poster renditions (1)
    second_view("/video/", SERVE_INDEX + 5)
    # SERVE_LEAF (2) + the video with its poster (1) + its renditions (1) + the poster's
    # player rendition (1) + the topic tags (1)
    second_view(pages[0].url, SERVE_LEAF + 4)


@pytest.mark.parametrize("items", [2, 5])
def test_news_index_and_article(second_view, add_news, items):
    pages = [add_news(title=f"Tin {i}", slug=f"t{i}") for i in range(items)]
    # SERVE_INDEX (1) + count (1) + categories used (1) + pages with their categories (1)
    second_view("/tin-tuc/", SERVE_INDEX + 3)
    # SERVE_LEAF (2) + the category (1)
    second_view(pages[0].url, SERVE_LEAF + 1)


def test_a_page_made_private_leaves_the_lists_at_once(client, add_news):
    """The lists' `.public()` comes from the cached restrictions (cms.pages.public_q): a
    restriction saved after the cache is warm takes the page out of the next list."""
    from wagtail.models import PageViewRestriction

    page = add_news(title="Tin riêng tư", slug="tin-rieng")
    assert "Tin riêng tư" in client.get("/tin-tuc/").content.decode()
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.LOGIN
    )
    assert "Tin riêng tư" not in client.get("/tin-tuc/").content.decode()
    restriction.delete()
    assert "Tin riêng tư" in client.get("/tin-tuc/").content.decode()
