import pytest
from django.core.cache import cache
from django.template import Context, Template


@pytest.mark.django_db
def test_campaign_headline_tag_gives_the_four_counters():
    cache.clear()
    html = Template(
        "{% load campaign_stats %}{% campaign_headline as stats %}"
        "{{ stats.learners }}|{{ stats.completions }}|{{ stats.certificates }}|"
        "{{ stats.agencies_at_target }}"
    ).render(Context({}))
    assert html.count("|") == 3
    assert all(part.isdigit() for part in html.split("|"))
