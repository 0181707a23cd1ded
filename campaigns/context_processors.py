from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

from campaigns.agencies.selectors import is_manager
from cms.cache import ahead_get, forget, read_ahead_register

# Whether a person holds a manager role, for the "Manage" link only (every page shows the
# navigation; the manager pages check the role themselves, through the database). Deleted
# when one of their roles is saved or deleted (CampaignsConfig.ready); the time limit
# bounds what a role changed outside the ORM's signals could leave behind.
MANAGER_FLAG_KEY = "campaigns:manager-nav:v1:{}"
MANAGER_FLAG_SECONDS = 300


def _flag_key(user_id) -> str:
    return MANAGER_FLAG_KEY.format(user_id)


# Read with the person's row on their pages, in one round trip (cms.cache.read_ahead).
read_ahead_register(_flag_key)


def manager_nav_flag(user) -> bool:
    """is_manager(user), its role query answered from the cache: a learner's pages ask the
    database nothing for the navigation."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    key = _flag_key(user.pk)
    flag = ahead_get(key)
    if flag is None:
        flag = is_manager(user)
        cache.set(key, flag, MANAGER_FLAG_SECONDS)
    return flag


def manager_nav_forget(sender, instance, **kwargs) -> None:
    """Receiver of ManagerRole's post_save and post_delete."""
    forget([_flag_key(instance.user_id)])


def manager_nav(request):
    """`campaign_manager`: whether to show the "Manage" link (asked only when a template
    does, i.e. for signed-in users; from the cache, see manager_nav_flag)."""

    def check():
        return manager_nav_flag(getattr(request, "user", None))

    return {"campaign_manager": SimpleLazyObject(check)}
