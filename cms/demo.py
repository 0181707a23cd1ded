"""Demo data of the cms floor: the home page, one account per role, and the campaign media
(infographics drawn with Pillow, two short captioned videos made with ffmpeg, three news
items), with the editorial workflow on the media pages.

Every app that has demo content keeps it in its own `<app>/demo.py` with a `load(stdout)`
function; `manage.py seed_demo` calls them in the order of settings.DEMO_LOADERS. Each
loader is idempotent: running it twice changes nothing.
"""

import datetime
import functools
import io
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import GroupApprovalTask, Locale, Page, Site
from wagtail.rich_text import RichText

from cms.media import ffmpeg_exe
from cms.models import (
    HomePage,
    InfographicImage,
    InfographicIndexPage,
    InfographicPage,
    NewsCategory,
    NewsIndexPage,
    NewsPage,
    Video,
    VideoIndexPage,
    VideoPage,
)
from cms.services import moderation_workflow_ensure, video_create

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
    home = ensure_home_page()
    for email, full_name, role in DEMO_USERS:
        ensure_user(email, full_name, role)
    ensure_media(home)


def print_accounts(stdout) -> None:
    stdout.write("Demo accounts (one password for all):")
    for email, full_name, role in DEMO_USERS:
        stdout.write(f"  {role:<8} {email:<22} {DEMO_PASSWORD}   ({full_name})")
    stdout.write(
        "admin, editor and manager use two-factor authentication: at their first log-in the"
        " site asks them to add HọcSố to an authenticator app (Google Authenticator, Aegis,"
        " FreeOTP...) by its QR code or secret, then for the app's 6-digit code at each log-in."
    )


# --- Campaign media ---------------------------------------------------------------------
# Everything below is made here, for this project: infographics drawn with Pillow, videos
# made with the bundled ffmpeg from drawn cards and a sine tone, Vietnamese captions. Each
# item is looked up by its slug or title first, so a second run changes nothing.

INFOGRAPHICS = [
    {
        "slug": "5-dau-hieu-cuoc-goi-lua-dao",
        "title": "5 dấu hiệu nhận biết cuộc gọi lừa đảo",
        "description": (
            "Kẻ gian giả danh công an, ngân hàng, điện lực để dọa và hối thúc bạn chuyển "
            "tiền. Nhớ 5 dấu hiệu này và cúp máy ngay."
        ),
        "audience": "",
        "tags": ["Lừa đảo trực tuyến", "An toàn thông tin"],
        "colour": (164, 22, 26),
        "points": [
            "Tự xưng công an, tòa án, ngân hàng, điện lực và đe dọa bạn",
            "Hối thúc: phải làm ngay, nếu không sẽ bị khóa tài khoản hoặc bị bắt",
            "Yêu cầu chuyển tiền vào “tài khoản tạm giữ” hay nạp tiền để “xác minh”",
            "Đòi mã OTP, mật khẩu, số thẻ hoặc ảnh căn cước của bạn",
            "Gửi đường link lạ, bảo cài ứng dụng để “hỗ trợ” qua điện thoại",
        ],
        "footer": "Cúp máy. Gọi lại số tổng đài chính thức. Báo công an nơi gần nhất.",
        "alt": (
            "Năm dấu hiệu cuộc gọi lừa đảo: tự xưng cơ quan chức năng và đe dọa; hối thúc "
            "làm ngay; yêu cầu chuyển tiền vào tài khoản tạm giữ; đòi mã OTP, mật khẩu, số "
            "thẻ hoặc ảnh căn cước; gửi link lạ hoặc bảo cài ứng dụng. Lời khuyên: cúp máy, "
            "gọi lại tổng đài chính thức, báo công an."
        ),
    },
    {
        "slug": "kich-hoat-vneid-muc-2",
        "title": "Kích hoạt tài khoản định danh điện tử VNeID mức 2",
        "description": (
            "Tài khoản mức 2 dùng thay căn cước khi làm thủ tục và đăng nhập Cổng dịch vụ "
            "công quốc gia. Đăng ký một lần ở công an, kích hoạt trên điện thoại."
        ),
        "audience": "citizens",
        "tags": ["VNeID", "Dịch vụ công trực tuyến"],
        "colour": (11, 92, 173),
        "points": [
            "Mang thẻ căn cước gắn chip và điện thoại có số chính chủ đến công an cấp xã",
            "Đề nghị đăng ký tài khoản định danh điện tử mức 2; cán bộ chụp ảnh, lấy vân tay",
            "Chờ tin nhắn SMS báo kết quả và mã kích hoạt gửi về số điện thoại",
            "Tải ứng dụng VNeID từ CH Play hoặc App Store (nhà phát triển: Bộ Công an)",
            "Đăng nhập bằng số định danh, nhập mã kích hoạt, đặt mật khẩu và mã bảo vệ 6 số",
        ],
        "footer": "Không cho ai mượn tài khoản VNeID. Không đọc mã kích hoạt qua điện thoại.",
        "alt": (
            "Năm bước kích hoạt VNeID mức 2: mang căn cước gắn chip và điện thoại chính chủ "
            "đến công an cấp xã; đăng ký, chụp ảnh, lấy vân tay; nhận tin nhắn kích hoạt; tải "
            "ứng dụng VNeID của Bộ Công an; đăng nhập, nhập mã kích hoạt, đặt mật khẩu và "
            "mã bảo vệ. Không cho mượn tài khoản, không đọc mã qua điện thoại."
        ),
    },
    {
        "slug": "mat-khau-an-toan",
        "title": "Đặt mật khẩu an toàn",
        "description": (
            "Một mật khẩu bị lộ có thể mở cả e-mail, mạng xã hội và ví điện tử. Sáu thói "
            "quen giữ tài khoản của bạn an toàn."
        ),
        "audience": "",
        "tags": ["An toàn thông tin"],
        "colour": (23, 107, 50),
        "points": [
            "Dài ít nhất 12 ký tự: dùng một câu dễ nhớ, khó đoán",
            "Mỗi tài khoản một mật khẩu riêng, nhất là e-mail và ngân hàng",
            "Bật xác thực hai lớp (mã trên ứng dụng hoặc tin nhắn)",
            "Không dùng ngày sinh, số điện thoại, tên người thân",
            "Không bao giờ đưa mật khẩu hay mã OTP cho bất kỳ ai",
            "Nghi bị lộ: đổi mật khẩu ngay và đăng xuất các thiết bị lạ",
        ],
        "footer": "Có thể dùng trình quản lý mật khẩu để nhớ thay bạn.",
        "alt": (
            "Sáu thói quen mật khẩu an toàn: dài ít nhất 12 ký tự; mỗi tài khoản một mật khẩu; "
            "bật xác thực hai lớp; không dùng ngày sinh hay số điện thoại; không đưa mật khẩu "
            "hoặc OTP cho ai; nghi lộ thì đổi ngay và đăng xuất thiết bị lạ."
        ),
    },
    {
        "slug": "thanh-toan-bang-ma-qr",
        "title": "Thanh toán bằng mã QR an toàn",
        "description": (
            "Quét mã QR để trả tiền nhanh, không cần tiền mặt. Kiểm tra người nhận và số "
            "tiền trước khi xác nhận."
        ),
        "audience": "enterprise_workers",
        "tags": ["Thanh toán không tiền mặt"],
        "colour": (106, 27, 154),
        "points": [
            "Mở ứng dụng ngân hàng hoặc ví điện tử chính thức trên điện thoại",
            "Chọn “Quét mã QR” và đưa camera vào mã của cửa hàng",
            "Kiểm tra đúng tên người nhận và số tiền trước khi xác nhận",
            "Xác thực bằng vân tay, khuôn mặt hoặc mã OTP của chính bạn",
            "Chờ thông báo thành công; người bán kiểm tra tiền đã vào tài khoản",
        ],
        "footer": "Cẩn thận mã QR dán đè và mã QR gửi qua tin nhắn lạ.",
        "alt": (
            "Năm bước thanh toán bằng mã QR: mở ứng dụng ngân hàng chính thức; quét mã của "
            "cửa hàng; kiểm tra tên người nhận và số tiền; xác thực bằng vân tay, khuôn mặt "
            "hoặc OTP; chờ thông báo thành công. Cẩn thận mã QR dán đè và mã gửi qua tin nhắn."
        ),
    },
]

VIDEOS = [
    {
        "slug": "cup-may-khi-nghi-lua-dao",
        "title": "Nghi lừa đảo? Cúp máy, gọi lại số chính thức",
        "intro": "Ba việc cần làm ngay khi nhận cuộc gọi tự xưng cơ quan chức năng.",
        "tags": ["Lừa đảo trực tuyến"],
        "colour": (164, 22, 26),
        "cards": [
            "Cuộc gọi tự xưng công an, đòi chuyển tiền?",
            "Cúp máy. Không làm theo.",
            "Gọi lại số tổng đài chính thức, báo công an.",
        ],
        "tone": 440,
    },
    {
        "slug": "quet-ma-qr-an-toan",
        "title": "Quét mã QR thanh toán an toàn",
        "intro": "Trước khi bấm xác nhận, hãy nhìn kỹ tên người nhận và số tiền.",
        "tags": ["Thanh toán không tiền mặt"],
        "colour": (106, 27, 154),
        "cards": [
            "Mở ứng dụng ngân hàng chính thức.",
            "Quét mã QR của cửa hàng.",
            "Kiểm tra tên người nhận và số tiền, rồi xác nhận.",
        ],
        "tone": 523,
    },
]
VIDEO_CARD_SECONDS = 2

NEWS = [
    {
        "slug": "ra-quan-binh-dan-hoc-vu-so",
        "title": "Toàn tỉnh ra quân phong trào “Bình dân học vụ số”",
        "category": ("Tin tức", "tin-tuc"),
        "days_ago": 2,
        "intro": (
            "Các sở, ngành và xã, phường cùng ra quân đưa kỹ năng số đến cán bộ và người "
            "dân; mọi khóa học trên HọcSố đều miễn phí."
        ),
        "body": [
            "<p>Sáng nay, Ban Chỉ đạo tỉnh phát động phong trào “Bình dân học vụ số”. Mục "
            "tiêu là mỗi cán bộ, công chức và mỗi người dân đều biết dùng điện thoại thông "
            "minh an toàn, làm thủ tục trên dịch vụ công trực tuyến và thanh toán không "
            "tiền mặt.</p>",
            "<p>Người dân học trên nền tảng HọcSố bằng điện thoại: mỗi bài chỉ vài phút, có "
            "video phụ đề và bài kiểm tra ngắn. Học xong khóa học, người học nhận chứng "
            "nhận điện tử có mã QR để kiểm tra.</p>",
        ],
        "callout": "Tổ công nghệ số cộng đồng ở mỗi thôn, tổ dân phố sẵn sàng hướng dẫn "
        "người cao tuổi đăng ký và học.",
    },
    {
        "slug": "ban-tin-so-1-huong-dan-dang-ky-hoc",
        "title": "Bản tin số 1: đăng ký học trên HọcSố trong 3 bước",
        "category": ("Bản tin", "ban-tin"),
        "days_ago": 1,
        "intro": "Tạo tài khoản bằng e-mail, chọn khóa học, học từng bài trên điện thoại.",
        "body": [
            "<p><strong>Bước 1.</strong> Bấm “Đăng ký”, nhập họ tên, e-mail, mật khẩu và "
            "đồng ý với thông báo bảo vệ dữ liệu cá nhân.</p>",
            "<p><strong>Bước 2.</strong> Mở mục “Khóa học”, chọn khóa phù hợp, bấm “Đăng ký "
            "học”.</p>",
            "<p><strong>Bước 3.</strong> Học từng bài; hệ thống tự ghi nhớ bài bạn đã học để "
            "lần sau học tiếp.</p>",
        ],
        "callout": "Mạng yếu? Video tự chọn bản nhỏ (360p) để tiết kiệm dữ liệu.",
    },
    {
        "slug": "canh-bao-gia-danh-co-quan-thue",
        "title": "Cảnh báo: giả danh cơ quan thuế gọi điện bắt cài ứng dụng",
        "category": ("Tin tức", "tin-tuc"),
        "days_ago": 0,
        "intro": (
            "Kẻ gian gọi điện, tự xưng cán bộ thuế, yêu cầu cài ứng dụng “thuế điện tử” "
            "giả để chiếm quyền điều khiển điện thoại và rút tiền."
        ),
        "body": [
            "<p>Cơ quan thuế không gọi điện yêu cầu người dân cài ứng dụng qua đường link. "
            "Ứng dụng chính thức chỉ tải từ CH Play hoặc App Store.</p>",
            "<p>Nếu đã lỡ cài ứng dụng lạ: tắt mạng, gọi ngay tổng đài ngân hàng để khóa "
            "tài khoản, rồi báo công an nơi gần nhất.</p>",
        ],
        "callout": "Không bấm vào đường link lạ; không cài ứng dụng theo hướng dẫn qua điện thoại.",
    },
]

MEDIA_WORKFLOW_NAME = "Duyệt nội dung truyền thông"
MEDIA_TASK_NAME = "Biên tập viên trưởng duyệt"


# Fonts that cover Vietnamese, the first found wins: Debian's fonts-dejavu-core, then
# Liberation or Noto; Pillow's default font is the fallback on a machine without any.
REGULAR_FONTS = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
]
BOLD_FONTS = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
]


def demo_font(size: int, bold: bool = False):
    """The font the demo draws its pictures with (cms and courses demos)."""
    from PIL import ImageFont

    for path in (BOLD_FONTS if bold else []) + REGULAR_FONTS:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def text_wrap(draw, text: str, font, width: int) -> list[str]:
    """`text` in lines no wider than `width` pixels in `font` (a word never breaks)."""
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font) <= width:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


@functools.lru_cache(maxsize=8)
def draw_infographic(slug: str) -> bytes:
    """A 1080x1350 PNG (4:5, what social networks show best) of one INFOGRAPHICS entry."""
    from PIL import Image, ImageDraw

    spec = next(item for item in INFOGRAPHICS if item["slug"] == slug)
    width, height, margin = 1080, 1350, 64
    colour = spec["colour"]
    img = Image.new("RGB", (width, height), (248, 249, 251))
    draw = ImageDraw.Draw(img)
    draw.rectangle([0, 0, width, 300], fill=colour)
    title_font, body_font, small = demo_font(58, bold=True), demo_font(36), demo_font(30, bold=True)
    y = 56
    for line in text_wrap(draw, spec["title"], title_font, width - 2 * margin):
        draw.text((margin, y), line, font=title_font, fill="white")
        y += 72
    y = 340
    for number, point in enumerate(spec["points"], start=1):
        draw.ellipse([margin, y, margin + 64, y + 64], fill=colour)
        label = str(number)
        draw.text(
            (margin + 32 - draw.textlength(label, font=small) / 2, y + 14),
            label,
            font=small,
            fill="white",
        )
        lines = text_wrap(draw, point, body_font, width - 2 * margin - 96)
        for i, line in enumerate(lines):
            draw.text((margin + 96, y + 8 + i * 46), line, font=body_font, fill=(27, 31, 36))
        y += max(96, 46 * len(lines) + 40)
    draw.rectangle([0, height - 190, width, height], fill=(27, 31, 36))
    fy = height - 160
    for line in text_wrap(draw, spec["footer"], small, width - 2 * margin)[:3]:
        draw.text((margin, fy), line, font=small, fill="white")
        fy += 42
    draw.text((margin, height - 50), "HọcSố · Bình dân học vụ số", font=demo_font(24), fill="white")
    out = io.BytesIO()
    img.quantize(colors=64).save(out, format="PNG", optimize=True)
    return out.getvalue()


def _draw_card(text: str, colour, index: int, total: int) -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (1280, 720), colour)
    draw = ImageDraw.Draw(img)
    font = demo_font(64, bold=True)
    lines = text_wrap(draw, text, font, 1100)
    y = 360 - len(lines) * 40
    for line in lines:
        draw.text((640 - draw.textlength(line, font=font) / 2, y), line, font=font, fill="white")
        y += 80
    draw.text((60, 640), f"HọcSố · {index}/{total}", font=demo_font(32), fill="white")
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


@functools.lru_cache(maxsize=4)
def make_video(slug: str) -> tuple[bytes, bytes, bytes]:
    """(MP4 bytes, WebVTT bytes, poster PNG bytes) of one VIDEOS entry: a card per caption,
    VIDEO_CARD_SECONDS each, with a quiet sine tone, 1280x720 at 10 frames per second."""
    spec = next(item for item in VIDEOS if item["slug"] == slug)
    cards = spec["cards"]
    seconds = VIDEO_CARD_SECONDS * len(cards)
    with tempfile.TemporaryDirectory(prefix="hocso-demo-video-") as tmp:
        folder = Path(tmp)
        pngs = []
        for i, text in enumerate(cards, start=1):
            png = _draw_card(text, spec["colour"], i, len(cards))
            (folder / f"card{i}.png").write_bytes(png)
            pngs.append(png)
        target = folder / "video.mp4"
        subprocess.run(  # noqa: S603 - fixed argv
            [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y",
             "-framerate", f"1/{VIDEO_CARD_SECONDS}", "-i", str(folder / "card%d.png"),
             "-f", "lavfi", "-i", f"sine=frequency={spec['tone']}:duration={seconds}",
             "-filter:a", "volume=0.2", "-vf", "fps=10,format=yuv420p",
             "-c:v", "libx264", "-preset", "veryfast", "-crf", "30",
             "-c:a", "aac", "-b:a", "48k", "-t", str(seconds), "-shortest", str(target)],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        video = target.read_bytes()
    cues = ["WEBVTT", ""]
    for i, text in enumerate(cards):
        start, end = i * VIDEO_CARD_SECONDS, (i + 1) * VIDEO_CARD_SECONDS
        cues += [str(i + 1), f"00:00:{start:02d}.000 --> 00:00:{end:02d}.000", text, ""]
    return video, "\n".join(cues).encode("utf-8"), pngs[0]


def _ensure_image(title: str, filename: str, data: bytes):
    from django.core.files.images import ImageFile
    from wagtail.images import get_image_model
    from wagtail.models import Collection

    Image = get_image_model()
    image = Image.objects.filter(title=title).first()
    if image is None:
        if Collection.get_first_root_node() is None:  # a flushed database (transactional tests)
            Collection.add_root(name="Root")
        image = Image(title=title, file=ImageFile(io.BytesIO(data), name=filename))
        image.save()
    return image


def _ensure_index(home, model, slug: str, title: str, intro: str):
    index = model.objects.filter(slug=slug).first()
    if index is None:
        index = model(title=title, slug=slug, intro=intro)
        home.add_child(instance=index)
        index.save_revision().publish()
    return index


def ensure_media_workflow(pages):
    """Wagtail's moderation workflow on the media sections: a change by an editor goes to
    the Moderators group for approval before it is published."""
    return moderation_workflow_ensure(
        name=MEDIA_WORKFLOW_NAME, task_class=GroupApprovalTask, task_name=MEDIA_TASK_NAME,
        pages=pages,
    )  # fmt: skip


def ensure_media(home) -> None:
    infographics = _ensure_index(
        home, InfographicIndexPage, "infographic", "Infographic kỹ năng số",
        "Mỗi hình một kỹ năng: xem trên điện thoại, tải về, chia sẻ cho người thân.",
    )  # fmt: skip
    videos = _ensure_index(
        home, VideoIndexPage, "video", "Video ngắn",
        "Video vài chục giây, có phụ đề tiếng Việt; mạng yếu tự chọn bản nhỏ.",
    )  # fmt: skip
    news = _ensure_index(
        home, NewsIndexPage, "tin-tuc", "Tin tức và bản tin",
        "Tin hoạt động của phong trào Bình dân học vụ số trong tỉnh.",
    )  # fmt: skip
    ensure_media_workflow([infographics, videos, news])

    for spec in INFOGRAPHICS:
        if InfographicPage.objects.filter(slug=spec["slug"]).exists():
            continue
        image = _ensure_image(spec["title"], f"{spec['slug']}.png", draw_infographic(spec["slug"]))
        page = InfographicPage(
            title=spec["title"], slug=spec["slug"], description=spec["description"],
            audience=spec["audience"],
        )  # fmt: skip
        page.images = [InfographicImage(image=image, alt_text=spec["alt"])]
        page.tags.add(*spec["tags"])
        infographics.add_child(instance=page)
        page.save_revision().publish()

    for spec in VIDEOS:
        if VideoPage.objects.filter(slug=spec["slug"]).exists():
            continue
        video = Video.objects.filter(title=spec["title"]).first()
        if video is None:
            mp4, vtt, poster_png = make_video(spec["slug"])
            poster = _ensure_image(f"Ảnh bìa: {spec['title']}", f"{spec['slug']}.png", poster_png)
            video = video_create(
                title=spec["title"],
                file=ContentFile(mp4, name=f"{spec['slug']}.mp4"),
                captions=ContentFile(vtt, name=f"{spec['slug']}.vi.vtt"),
                poster=poster,
                transcript="\n".join(spec["cards"]),
            )
        page = VideoPage(title=spec["title"], slug=spec["slug"], intro=spec["intro"], video=video)
        page.tags.add(*spec["tags"])
        videos.add_child(instance=page)
        page.save_revision().publish()

    today = timezone.localdate()
    for spec in NEWS:
        if NewsPage.objects.filter(slug=spec["slug"]).exists():
            continue
        name, slug = spec["category"]
        category, _created = NewsCategory.objects.get_or_create(slug=slug, defaults={"name": name})
        body = [("paragraph", RichText(html)) for html in spec["body"]]
        body.append(("callout", {"kind": "tip", "text": spec["callout"]}))
        page = NewsPage(
            title=spec["title"], slug=spec["slug"], intro=spec["intro"], category=category,
            date=today - datetime.timedelta(days=spec["days_ago"]), body=body,
        )  # fmt: skip
        news.add_child(instance=page)
        page.save_revision().publish()
