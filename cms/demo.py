"""Demo data of the cms floor: the home page and one account per role.

Every app that has demo content keeps it in its own `<app>/demo.py` with a `load(stdout)`
function; `manage.py seed_demo` calls them in the order of settings.DEMO_LOADERS. Each
loader is idempotent: running it twice changes nothing.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from cms.models import HomePage

DEMO_PASSWORD = "hocso-demo-2026"

DEMO_USERS = [
    # (e-mail, full name, role)
    ("admin@hocso.local", "Quản Trị Viên", "admin"),
    ("editor@hocso.local", "Trần Thị Biên Tập", "editor"),
    ("manager@hocso.local", "Lê Văn Quản Lý", "manager"),
    ("learner@hocso.local", "Nguyễn Thị Hồng Nhung", "learner"),
]


def ensure_home_page() -> HomePage:
    """A HomePage at the root of the default Site, replacing Wagtail's welcome page."""
    home = HomePage.objects.first()
    if home is None:
        # A flushed database (transactional tests) has lost Wagtail's migration-made rows.
        Locale.objects.get_or_create(
            language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
        )
        root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
        home = HomePage(
            title="Bình dân học vụ số",
            slug="trang-chu",
            lead=(
                "Học kỹ năng số miễn phí, từng bài ngắn trên điện thoại: dùng điện thoại "
                "thông minh an toàn, VNeID và dịch vụ công trực tuyến, thanh toán không "
                "tiền mặt, nhận biết lừa đảo trên mạng."
            ),
        )
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="HọcSố"
        )
    elif site.root_page_id != home.id:
        old_root = site.root_page
        site.root_page = home
        site.site_name = "HọcSố"
        site.save()
        if old_root.specific_class is Page and old_root.depth == 2:
            old_root.delete()  # Wagtail's "Welcome to your new Wagtail site!" page
    return home


def ensure_user(email: str, full_name: str, role: str):
    User = get_user_model()
    user = User.objects.filter(email=email).first()
    if user is None:
        if role == "admin":
            user = User.objects.create_superuser(email, DEMO_PASSWORD, full_name=full_name)
        else:
            user = User.objects.create_user(email, DEMO_PASSWORD, full_name=full_name)
    if role == "editor":
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        editors = Group.objects.filter(name="Editors").first()
        if editors:
            user.groups.add(editors)
    # allauth: a verified primary address, so log-in needs no confirmation mail in the demo.
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def load(stdout) -> None:
    ensure_home_page()
    for email, full_name, role in DEMO_USERS:
        ensure_user(email, full_name, role)


def print_accounts(stdout) -> None:
    stdout.write("Demo accounts (one password for all):")
    for email, full_name, role in DEMO_USERS:
        stdout.write(f"  {role:<8} {email:<22} {DEMO_PASSWORD}   ({full_name})")
