from django.utils.functional import SimpleLazyObject


def manager_nav(request):
    """`campaign_manager`: whether to show the "Manage" link (a query only when a template
    asks, i.e. for signed-in users)."""

    def check():
        from campaigns.selectors import is_manager

        return is_manager(getattr(request, "user", None))

    return {"campaign_manager": SimpleLazyObject(check)}
