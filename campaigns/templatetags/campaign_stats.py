"""Campaign figures for pages of lower floors (the home page's counters).

`{% load campaign_stats %}{% campaign_headline as stats %}` gives a dict with the keys
learners, completions, certificates and agencies_at_target: aggregate counts only, never
personal data, cached for five minutes so the home page costs no query most of the time.
"""

from django import template

from campaigns.selectors import campaign_headline_cached

register = template.Library()


@register.simple_tag
def campaign_headline() -> dict:
    return campaign_headline_cached()
