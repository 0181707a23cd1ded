from django import template

from accounts.phones import phone_display as _phone_display

register = template.Library()


@register.filter
def phone_display(value):
    """+84912345678 as 0912 345 678."""
    return _phone_display(value)
