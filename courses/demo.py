# ruff: noqa: E501 - Vietnamese prose in the data tables reads better unbroken.
"""Demo courses: four real Vietnamese digital-skills courses for the "Bình dân học vụ số"
campaign, each with text lessons, infographics drawn here with Pillow, and a short
captioned video made here with ffmpeg (imageio-ffmpeg's binary) and a WebVTT file.

Idempotent: a course whose slug exists is left as it is (an editor may have changed it);
media are found again by title. Demo media stay small (PNG infographics of a few dozen KB,
8-second 320x180 clips).
"""

from __future__ import annotations

import io
import subprocess
import tempfile
import uuid
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile

from assessments.demo import ESSAY_QUIZ_SLUG
from assessments.h5p.models import H5PPackage
from assessments.models import Quiz
from assessments.scorm.demo import demo_package as scorm_demo_package
from cms.demo import demo_font, ensure_home_page, text_wrap
from cms.models import Video
from courses.models import CourseAudience, CourseIndexPage, CoursePage, LessonPage
from courses.services import course_workflow_ensure


def draw_infographic(title: str, steps: list[str], color: tuple[int, int, int]) -> bytes:
    """An 800 px wide infographic: a title band and numbered steps (PNG, flat colours)."""
    from PIL import Image, ImageDraw

    width, pad = 800, 32
    title_font, step_font, num_font = demo_font(34, True), demo_font(24), demo_font(26, True)
    probe = ImageDraw.Draw(Image.new("RGB", (10, 10)))
    title_lines = text_wrap(probe, title, title_font, width - 2 * pad)
    step_lines = [text_wrap(probe, s, step_font, width - 2 * pad - 70) for s in steps]
    height = pad + 44 * len(title_lines) + pad + sum(max(2, len(x)) * 32 + 24 for x in step_lines)
    image = Image.new("RGB", (width, height + pad), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    band = pad + 44 * len(title_lines) + pad // 2
    draw.rectangle([0, 0, width, band], fill=color)
    y = pad
    for line in title_lines:
        draw.text((pad, y), line, font=title_font, fill=(255, 255, 255))
        y += 44
    y = band + pad // 2
    for number, lines in enumerate(step_lines, 1):
        draw.ellipse([pad, y, pad + 48, y + 48], fill=color)
        draw.text((pad + 24, y + 24), str(number), font=num_font, fill="white", anchor="mm")
        for i, line in enumerate(lines):
            draw.text((pad + 70, y + 6 + 32 * i), line, font=step_font, fill=(20, 33, 61))
        y += max(2, len(lines)) * 32 + 24
    out = io.BytesIO()
    image.convert("P", palette=Image.Palette.ADAPTIVE, colors=32).save(out, "PNG", optimize=True)
    return out.getvalue()


def make_clip(slides: list[str], color: tuple[int, int, int]) -> tuple[bytes, bytes]:
    """An 8-second 320x180 H.264 clip, one slide per 2 seconds; returns (mp4, poster png)."""
    import imageio_ffmpeg
    from PIL import Image, ImageDraw

    font = demo_font(20, True)
    with tempfile.TemporaryDirectory() as tmp:
        frames = []
        for i, text in enumerate(slides[:4], 1):
            image = Image.new("RGB", (320, 180), color)
            draw = ImageDraw.Draw(image)
            lines = text_wrap(draw, text, font, 280)
            top = 90 - 14 * len(lines)
            for j, line in enumerate(lines):
                draw.text((160, top + 28 * j + 14), line, font=font, fill="white", anchor="mm")
            path = Path(tmp) / f"slide{i}.png"
            image.save(path)
            frames.append(path)
        out = Path(tmp) / "clip.mp4"
        subprocess.run(  # noqa: S603 - a fixed argument list, no outside input
            [
                imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
                "-framerate", "0.5", "-i", str(Path(tmp) / "slide%d.png"),
                "-vf", "fps=10,format=yuv420p", "-c:v", "libx264", "-preset", "veryfast",
                "-crf", "32", "-t", "8", "-movflags", "+faststart", str(out),
            ],
            check=True,
            timeout=120,
        )  # fmt: skip
        return out.read_bytes(), frames[0].read_bytes()


def webvtt(cues: list[str], seconds_each: int = 2) -> bytes:
    parts = ["WEBVTT", ""]
    for i, cue in enumerate(cues):
        start, end = i * seconds_each, (i + 1) * seconds_each
        parts += [f"00:00:{start:02d}.000 --> 00:00:{end:02d}.000", cue, ""]
    return "\n".join(parts).encode("utf-8")


def ensure_image(title: str, data: bytes):
    from wagtail.images import get_image_model

    model = get_image_model()
    image = model.objects.filter(title=title).first()
    if image is None:
        image = model(title=title)
        image.file = ImageFile(io.BytesIO(data), name=f"demo-{uuid.uuid4().hex[:8]}.png")
        image.save()
    return image


def ensure_video(title: str, slides: list[str], color, transcript: str):
    video = Video.objects.filter(title=title).first()
    if video is not None:
        return video
    mp4, poster_png = make_clip(slides, color)
    video = Video(
        title=title,
        duration_seconds=8,
        captions_language="vi",
        transcript=transcript,
        poster=ensure_image(f"{title} (ảnh đại diện)", poster_png),
    )
    video.file.save(f"demo-{uuid.uuid4().hex[:8]}.mp4", ContentFile(mp4), save=False)
    video.captions.save(f"demo-{uuid.uuid4().hex[:8]}.vtt", ContentFile(webvtt(slides)), save=False)
    video.full_clean()
    video.save()
    return video


def p(*paragraphs: str) -> str:
    return "".join(f"<p>{x}</p>" for x in paragraphs)


def ul(*items: str) -> str:
    return "<ul>" + "".join(f"<li>{x}</li>" for x in items) + "</ul>"


def ol(*items: str) -> str:
    return "<ol>" + "".join(f"<li>{x}</li>" for x in items) + "</ol>"


# Each course: slug, fields, audiences, colour, video (title, 4 slides), lessons.
# A lesson: (section, title, minutes, [blocks]) with blocks as ("text", html),
# ("callout", kind, title, html), ("infographic", title, [steps], alt), ("video",).
COURSES = [
    {
        "slug": "dien-thoai-thong-minh-va-internet",
        "title": "Sử dụng điện thoại thông minh và Internet an toàn",
        "summary": "Làm quen với điện thoại thông minh, kết nối Internet, cài ứng dụng đúng "
        "nguồn và giữ an toàn cho tài khoản của mình.",
        "topic": "smartphone_internet",
        "level": "basic",
        "minutes": 40,
        "featured": True,
        "audiences": ["citizens", "pupils", "enterprise_workers"],
        "color": (17, 94, 89),
        "video": (
            "Cập nhật phần mềm điện thoại",
            [
                "Mở Cài đặt trên điện thoại",
                "Chọn Hệ thống, rồi Cập nhật phần mềm",
                "Cắm sạc và bật Wi-Fi trước khi cập nhật",
                "Bấm Tải về và cài đặt, chờ máy khởi động lại",
            ],
        ),
        "lessons": [
            (
                "Làm quen",
                "Làm quen với điện thoại thông minh",
                8,
                [
                    (
                        "text",
                        p(
                            "Điện thoại thông minh là một chiếc máy tính nhỏ: gọi điện, nhắn tin, chụp "
                            "ảnh, học tập, làm thủ tục hành chính và thanh toán đều có thể làm trên đó.",
                            "Màn hình cảm ứng nhận các thao tác: <strong>chạm</strong> để mở, <strong>"
                            "chạm và giữ</strong> để xem thêm lựa chọn, <strong>vuốt</strong> để chuyển "
                            "trang, <strong>chụm hai ngón</strong> để thu nhỏ hoặc phóng to.",
                        ),
                    ),
                    (
                        "infographic",
                        "Cài đặt để dễ nhìn, dễ dùng",
                        [
                            "Tăng cỡ chữ: Cài đặt → Màn hình → Cỡ chữ.",
                            "Chỉnh độ sáng vừa mắt, bật chế độ tối vào buổi tối.",
                            "Bật Wi-Fi hoặc dữ liệu di động từ thanh thông báo (vuốt từ trên xuống).",
                            "Đặt khoá màn hình bằng mã PIN hoặc vân tay.",
                        ],
                        "Bốn bước cài đặt: tăng cỡ chữ, chỉnh độ sáng, bật kết nối, đặt khoá màn hình.",
                    ),
                    (
                        "callout",
                        "tip",
                        "Mẹo",
                        p(
                            "Nếu chữ quá nhỏ, hãy tăng cỡ chữ trong Cài đặt thay vì đeo kính sát màn "
                            "hình: mọi ứng dụng sẽ hiển thị chữ to hơn."
                        ),
                    ),
                ],
            ),
            (
                "Làm quen",
                "Kết nối Internet: Wi-Fi và 4G",
                7,
                [
                    (
                        "text",
                        p(
                            "Có hai cách vào mạng: <strong>Wi-Fi</strong> (mạng không dây ở nhà, cơ quan, "
                            "quán cà phê) và <strong>dữ liệu di động</strong> (3G/4G/5G của nhà mạng).",
                            "Ở nhà, nên dùng Wi-Fi để tiết kiệm dung lượng. Khi ra ngoài, dùng 4G cho các "
                            "việc quan trọng như ngân hàng hay dịch vụ công.",
                        )
                        + ul(
                            "Đặt mật khẩu Wi-Fi nhà mình đủ dài và không chia sẻ cho người lạ.",
                            "Không đăng nhập ngân hàng khi dùng Wi-Fi công cộng không có mật khẩu.",
                            "Tắt Wi-Fi và Bluetooth khi không dùng để đỡ tốn pin và an toàn hơn.",
                        ),
                    ),
                    (
                        "callout",
                        "warning",
                        "Cẩn thận với Wi-Fi miễn phí",
                        p(
                            "Mạng Wi-Fi công cộng có thể bị kẻ xấu theo dõi. Việc liên quan đến tiền và "
                            "giấy tờ hãy làm bằng 4G hoặc Wi-Fi tin cậy."
                        ),
                    ),
                ],
            ),
            (
                "Ứng dụng",
                "Cài ứng dụng từ kho chính thức",
                8,
                [
                    (
                        "text",
                        p(
                            "Chỉ cài ứng dụng từ <strong>CH Play</strong> (Android) hoặc <strong>App "
                            "Store</strong> (iPhone). Ứng dụng gửi qua tin nhắn, Zalo hay đường link lạ "
                            "(tệp .apk) có thể chứa mã độc chiếm quyền điều khiển điện thoại.",
                        )
                        + ol(
                            "Mở CH Play hoặc App Store, gõ tên ứng dụng.",
                            "Kiểm tra nhà phát triển (ví dụ VNeID do Bộ Công an phát hành).",
                            "Xem số lượt tải và đánh giá.",
                            "Bấm Cài đặt; khi ứng dụng xin quyền, chỉ cho phép quyền thật sự cần.",
                        ),
                    ),
                    (
                        "infographic",
                        "Ứng dụng đáng tin cậy",
                        [
                            "Tải từ CH Play hoặc App Store, không cài tệp .apk gửi qua tin nhắn.",
                            "Kiểm tra đúng tên nhà phát triển.",
                            "Ứng dụng đèn pin không cần quyền đọc tin nhắn: hãy từ chối.",
                        ],
                        "Ba dấu hiệu của ứng dụng đáng tin cậy.",
                    ),
                ],
            ),
            (
                "An toàn",
                "Mật khẩu mạnh và xác thực hai lớp",
                8,
                [
                    (
                        "text",
                        p(
                            "Mật khẩu mạnh có ít nhất 12 ký tự, gồm chữ hoa, chữ thường, số và ký hiệu. "
                            "Một cách dễ nhớ là ghép một câu: <em>Nha-toi-co-3-con-meo!</em>",
                            "Mỗi tài khoản quan trọng (thư điện tử, ngân hàng, Zalo, VNeID) nên có mật "
                            "khẩu riêng. Hãy bật <strong>xác thực hai lớp</strong>: ngoài mật khẩu, "
                            "tài khoản còn cần mã gửi về điện thoại của bạn.",
                        ),
                    ),
                    (
                        "callout",
                        "remember",
                        "Ghi nhớ",
                        p(
                            "Không ai có quyền hỏi mật khẩu hay mã OTP của bạn, kể cả người xưng là nhân "
                            "viên ngân hàng hay công an."
                        ),
                    ),
                ],
            ),
            (
                "An toàn",
                "Video: cập nhật phần mềm",
                5,
                [
                    (
                        "text",
                        p(
                            "Bản cập nhật vá các lỗ hổng bảo mật. Xem video ngắn dưới đây rồi kiểm tra "
                            "điện thoại của bạn đã được cập nhật chưa."
                        ),
                    ),
                    ("video",),
                ],
            ),
        ],
    },
    {
        "slug": "vneid-va-dich-vu-cong-truc-tuyen",
        "title": "VNeID và dịch vụ công trực tuyến",
        "summary": "Kích hoạt tài khoản định danh điện tử VNeID, tích hợp giấy tờ và nộp hồ "
        "sơ trên Cổng Dịch vụ công quốc gia mà không phải đến cơ quan.",
        "topic": "public_services",
        "level": "basic",
        "minutes": 45,
        "featured": True,
        "sequential": True,
        "audiences": ["citizens", "civil_servants"],
        "color": (153, 27, 27),
        "video": (
            "Nộp hồ sơ trên Cổng Dịch vụ công quốc gia",
            [
                "Vào dichvucong.gov.vn, chọn Đăng nhập",
                "Chọn đăng nhập bằng tài khoản VNeID",
                "Tìm thủ tục, điền tờ khai, đính kèm giấy tờ",
                "Nộp hồ sơ và ghi lại mã hồ sơ để tra cứu",
            ],
        ),
        "lessons": [
            (
                "Tài khoản VNeID",
                "VNeID là gì?",
                6,
                [
                    (
                        "text",
                        p(
                            "VNeID là ứng dụng định danh và xác thực điện tử do Bộ Công an phát hành. "
                            "Tài khoản VNeID giúp chứng minh bạn là ai khi làm thủ tục trực tuyến, thay "
                            "cho việc mang nhiều giấy tờ.",
                        )
                        + ul(
                            "<strong>Mức 1</strong>: xác thực bằng thông tin cá nhân và ảnh chân dung; "
                            "dùng được một số tiện ích cơ bản.",
                            "<strong>Mức 2</strong>: đăng ký trực tiếp tại công an cấp xã, phường hoặc "
                            "khi làm căn cước; dùng được đầy đủ: tích hợp giấy tờ, đăng nhập dịch vụ "
                            "công, thay thế căn cước khi xuất trình.",
                        ),
                    ),
                    (
                        "callout",
                        "remember",
                        "Ghi nhớ",
                        p(
                            "VNeID chỉ tải từ CH Play hoặc App Store, nhà phát triển là Trung tâm dữ "
                            "liệu quốc gia về dân cư (Bộ Công an)."
                        ),
                    ),
                ],
            ),
            (
                "Tài khoản VNeID",
                "Kích hoạt tài khoản VNeID",
                8,
                [
                    (
                        "infographic",
                        "Kích hoạt tài khoản VNeID",
                        [
                            "Tải ứng dụng VNeID từ kho chính thức.",
                            "Nhập số định danh cá nhân (12 số trên căn cước) và số điện thoại chính chủ.",
                            "Nhập mã kích hoạt (OTP) gửi về điện thoại.",
                            "Đặt mật khẩu và mã bảo vệ (passcode) 6 số; không chia sẻ cho ai.",
                        ],
                        "Bốn bước kích hoạt tài khoản VNeID.",
                    ),
                    (
                        "text",
                        p(
                            "Số điện thoại phải đứng tên bạn. Nếu không nhận được mã kích hoạt, hãy kiểm "
                            "tra sóng điện thoại rồi bấm gửi lại sau vài phút, hoặc liên hệ công an cấp "
                            "xã nơi cư trú."
                        ),
                    ),
                ],
            ),
            (
                "Tài khoản VNeID",
                "Tích hợp giấy tờ vào VNeID",
                7,
                [
                    (
                        "text",
                        p(
                            "Với tài khoản mức 2, bạn có thể tích hợp thẻ bảo hiểm y tế, giấy phép lái "
                            "xe, đăng ký xe và một số giấy tờ khác. Khi đi khám bệnh hoặc bị kiểm tra "
                            "giấy tờ, chỉ cần mở VNeID.",
                        )
                        + ol(
                            "Mở VNeID, chọn Ví giấy tờ.",
                            "Chọn Tích hợp thông tin, rồi Tạo mới yêu cầu.",
                            "Chọn loại giấy tờ, nhập số giấy tờ, xác nhận và gửi yêu cầu.",
                            "Chờ cơ quan xác thực; giấy tờ hiện trong ví khi được duyệt.",
                        ),
                    ),
                ],
            ),
            (
                "Dịch vụ công",
                "Cổng Dịch vụ công quốc gia",
                9,
                [
                    (
                        "text",
                        p(
                            'Cổng Dịch vụ công quốc gia (<a href="https://dichvucong.gov.vn">'
                            "dichvucong.gov.vn</a>) là nơi nộp hồ sơ trực tuyến cho hàng nghìn thủ tục: "
                            "đăng ký khai sinh, cấp phiếu lý lịch tư pháp, đăng ký thường trú...",
                            "Đăng nhập bằng tài khoản VNeID, tìm thủ tục bằng ô tìm kiếm, điền tờ khai, "
                            "đính kèm ảnh chụp giấy tờ và nộp. Mỗi hồ sơ có <strong>mã hồ sơ</strong> để "
                            "tra cứu tiến độ; phí, lệ phí có thể thanh toán trực tuyến.",
                        ),
                    ),
                    (
                        "callout",
                        "tip",
                        "Mẹo",
                        p(
                            "Chụp giấy tờ ở nơi đủ sáng, đặt giấy trên nền tối và chụp thẳng để cán bộ "
                            "đọc được rõ."
                        ),
                    ),
                ],
            ),
            (
                "Dịch vụ công",
                "Video: các bước nộp hồ sơ",
                5,
                [
                    ("text", p("Xem video tóm tắt các bước nộp một hồ sơ trực tuyến.")),
                    ("video",),
                ],
            ),
        ],
    },
    {
        "slug": "nhan-biet-lua-dao-va-bao-ve-du-lieu-ca-nhan",
        "title": "Nhận biết lừa đảo trực tuyến và bảo vệ dữ liệu cá nhân",
        "summary": "Nhận ra các chiêu lừa đảo qua điện thoại và mạng xã hội, giữ kín mã OTP, "
        "bảo vệ dữ liệu cá nhân và biết phải làm gì khi bị lừa.",
        "topic": "online_safety",
        "level": "basic",
        "minutes": 45,
        "featured": True,
        "audiences": ["citizens", "pupils", "civil_servants", "enterprise_workers"],
        "color": (146, 64, 14),
        "video": (
            "Ba câu hỏi trước khi chuyển tiền",
            [
                "Người này có thật là người tôi biết?",
                "Vì sao họ cần tiền gấp như vậy?",
                "Tôi đã gọi lại bằng số quen thuộc chưa?",
                "Chưa chắc chắn: không chuyển tiền",
            ],
        ),
        "lessons": [
            (
                "Nhận biết",
                "Các chiêu lừa đảo thường gặp",
                9,
                [
                    (
                        "text",
                        ul(
                            "Giả danh công an, toà án, cơ quan thuế gọi điện báo bạn liên quan đến vụ án "
                            "và yêu cầu chuyển tiền “để xác minh”.",
                            "Tin nhắn báo trúng thưởng, nhận quà, hoàn tiền kèm đường link lạ.",
                            "Tuyển cộng tác viên “việc nhẹ lương cao”, yêu cầu nạp tiền trước.",
                            "Mời đầu tư tiền ảo, chứng khoán với lợi nhuận cao bất thường.",
                            "Giả giọng, giả hình người thân (deepfake) qua cuộc gọi video để vay tiền.",
                            "Giả nhân viên điện lực, nhà mạng dọa cắt điện, khoá sim nếu không cài ứng "
                            "dụng theo đường link.",
                        ),
                    ),
                    (
                        "infographic",
                        "Dấu hiệu của một cuộc gọi lừa đảo",
                        [
                            "Tạo áp lực, đòi làm ngay, dọa bắt giữ hoặc phạt.",
                            "Yêu cầu giữ bí mật, không nói với người nhà.",
                            "Đòi chuyển tiền, đọc mã OTP hoặc cài ứng dụng lạ.",
                        ],
                        "Ba dấu hiệu của cuộc gọi lừa đảo: tạo áp lực, đòi giữ bí mật, đòi tiền hoặc OTP.",
                    ),
                ],
            ),
            (
                "Nhận biết",
                "Đường link và tin nhắn giả",
                8,
                [
                    (
                        "text",
                        p(
                            "Kẻ gian làm trang web giống hệt trang ngân hàng hay dịch vụ công, chỉ khác vài "
                            "ký tự trong địa chỉ (ví dụ <em>vietcornbank</em> thay cho "
                            "<em>vietcombank</em>). Trang cơ quan nhà nước có đuôi <strong>.gov.vn</strong>.",
                        )
                        + ul(
                            "Không bấm link trong tin nhắn lạ; tự gõ địa chỉ hoặc mở ứng dụng chính thức.",
                            "Tin nhắn có tên thương hiệu vẫn có thể giả (trạm phát sóng giả): đừng tin chỉ "
                            "vì tên người gửi.",
                            "Báo tin nhắn rác đến 5656, cuộc gọi rác đến 156.",
                        ),
                    ),
                ],
            ),
            (
                "Nhận biết",
                "Không bao giờ đưa mã OTP",
                6,
                [
                    (
                        "text",
                        p(
                            "Mã OTP là chìa khoá dùng một lần để xác nhận giao dịch. Ai có mã OTP của bạn "
                            "có thể rút tiền hoặc chiếm tài khoản.",
                            "Cơ quan công an làm việc trực tiếp hoặc bằng giấy mời, <strong>không yêu cầu "
                            "chuyển tiền qua điện thoại</strong>. Ngân hàng không bao giờ hỏi mật khẩu hay "
                            "OTP.",
                        ),
                    ),
                    (
                        "callout",
                        "warning",
                        "Dừng lại",
                        p(
                            "Khi ai đó hỏi mã OTP: cúp máy. Gọi lại tổng đài in trên thẻ ngân hàng để hỏi."
                        ),
                    ),
                ],
            ),
            (
                "Dữ liệu cá nhân",
                "Bảo vệ dữ liệu cá nhân",
                9,
                [
                    (
                        "text",
                        p(
                            "Dữ liệu cá nhân gồm họ tên, ngày sinh, số định danh, số điện thoại, ảnh chân "
                            "dung, vị trí, tài khoản ngân hàng... Luật Bảo vệ dữ liệu cá nhân (có hiệu lực "
                            "từ 1/1/2026) cho bạn quyền được biết, đồng ý, xem, sửa, xoá, hạn chế xử lý và "
                            "rút lại sự đồng ý.",
                        )
                        + ul(
                            "Không đăng ảnh căn cước, vé máy bay, giấy tờ có mã vạch lên mạng xã hội.",
                            "Chỉ điền thông tin vào biểu mẫu của tổ chức bạn tin cậy; đọc họ dùng để làm gì.",
                            "Đặt chế độ riêng tư cho trang cá nhân; hạn chế công khai số điện thoại.",
                        ),
                    ),
                ],
            ),
            (
                "Khi bị lừa",
                "Khi bị lừa đảo: làm gì ngay",
                6,
                [
                    (
                        "infographic",
                        "Khi đã chuyển tiền cho kẻ lừa đảo",
                        [
                            "Gọi ngay tổng đài ngân hàng đề nghị tạm khoá tài khoản và tra soát giao dịch.",
                            "Báo công an xã, phường nơi gần nhất; mang theo ảnh chụp tin nhắn, số tài khoản.",
                            "Đổi mật khẩu các tài khoản liên quan, báo người thân đề phòng bị mượn danh.",
                            "Báo trang lừa đảo tại canhbao.khonggianmang.vn.",
                        ],
                        "Bốn việc cần làm ngay khi bị lừa chuyển tiền.",
                    ),
                    ("video",),
                ],
            ),
        ],
    },
    {
        "slug": "thanh-toan-khong-tien-mat",
        "title": "Thanh toán không tiền mặt an toàn",
        "summary": "Dùng ứng dụng ngân hàng, ví điện tử và mã QR để trả tiền chợ, tiền điện, "
        "học phí; xác thực sinh trắc học và xử lý khi chuyển nhầm.",
        "topic": "cashless_payment",
        "level": "basic",
        "minutes": 35,
        "audiences": ["citizens", "enterprise_workers", "civil_servants"],
        "color": (30, 64, 175),
        "video": (
            "Trả tiền bằng mã QR",
            [
                "Mở ứng dụng ngân hàng, chọn Quét QR",
                "Quét mã QR của người bán",
                "Kiểm tra đúng tên người nhận và số tiền",
                "Xác nhận bằng vân tay hoặc khuôn mặt",
            ],
        ),
        "lessons": [
            (
                "Cơ bản",
                "Các cách thanh toán không tiền mặt",
                8,
                [
                    (
                        "text",
                        ul(
                            "<strong>Thẻ ngân hàng</strong>: quẹt hoặc chạm thẻ tại máy POS.",
                            "<strong>Ứng dụng ngân hàng</strong> (mobile banking): chuyển khoản, trả "
                            "hoá đơn điện, nước, học phí.",
                            "<strong>Ví điện tử</strong> được Ngân hàng Nhà nước cấp phép, liên kết với "
                            "tài khoản ngân hàng.",
                            "<strong>Mã QR</strong>: quét mã của người bán để chuyển đúng số tài khoản, "
                            "không phải gõ tay.",
                        )
                        + p(
                            "Thanh toán không tiền mặt giúp không phải mang nhiều tiền, có lịch sử giao "
                            "dịch để đối chiếu, và nhận tiền trợ cấp, lương nhanh hơn."
                        ),
                    ),
                ],
            ),
            (
                "Cơ bản",
                "Thanh toán bằng mã QR",
                7,
                [
                    (
                        "infographic",
                        "Quét mã QR an toàn",
                        [
                            "Mở ứng dụng ngân hàng của bạn, chọn Quét QR.",
                            "Đưa camera vào mã QR của người bán.",
                            "Đọc kỹ tên người nhận hiện trên màn hình và số tiền.",
                            "Xác nhận; giữ màn hình “Giao dịch thành công” cho người bán xem.",
                        ],
                        "Bốn bước quét mã QR để thanh toán.",
                    ),
                    (
                        "callout",
                        "warning",
                        "Mã QR bị dán đè",
                        p(
                            "Kẻ gian có thể dán mã QR của họ đè lên mã của cửa hàng. Luôn kiểm tra tên "
                            "người nhận trước khi xác nhận."
                        ),
                    ),
                ],
            ),
            (
                "An toàn",
                "Xác thực sinh trắc học và hạn mức",
                7,
                [
                    (
                        "text",
                        p(
                            "Từ 1/7/2024, theo quy định của Ngân hàng Nhà nước, giao dịch chuyển tiền trực "
                            "tuyến trên 10 triệu đồng một lần, hoặc tổng trên 20 triệu đồng một ngày, phải "
                            "xác thực bằng khuôn mặt khớp với dữ liệu căn cước.",
                            "Việc này giúp kẻ gian không thể chuyển tiền lớn dù biết mật khẩu của bạn. "
                            "Hãy cập nhật sinh trắc học trong ứng dụng ngân hàng bằng căn cước gắn chip.",
                        ),
                    ),
                    (
                        "callout",
                        "remember",
                        "Ghi nhớ",
                        p("Không cho người khác mượn điện thoại để “xác thực khuôn mặt giúp”."),
                    ),
                ],
            ),
            (
                "An toàn",
                "Chuyển nhầm tiền: xử lý thế nào",
                6,
                [
                    (
                        "text",
                        ol(
                            "Liên hệ ngay ngân hàng của bạn, đề nghị tra soát giao dịch chuyển nhầm.",
                            "Không tự chuyển trả cho người lạ nhắn tin nhận là chủ số tiền: hãy để ngân "
                            "hàng xử lý.",
                            "Nếu bạn là người nhận nhầm, báo ngân hàng để hoàn trả đúng quy trình.",
                        ),
                    ),
                    ("video",),
                ],
            ),
        ],
    },
]


def ensure_catalogue(home) -> CourseIndexPage:
    index = CourseIndexPage.objects.first()
    if index is None:
        index = CourseIndexPage(
            title="Khoá học",
            slug="khoa-hoc",
            intro="Khoá học kỹ năng số miễn phí, bài ngắn, học trên điện thoại. Gõ không dấu "
            "cũng tìm được.",
        )
        home.add_child(instance=index)
        index.save_revision().publish()
    return index


def lesson_body(blocks, course_spec, video) -> list[dict]:
    body = []
    for block in blocks:
        kind = block[0]
        if kind == "text":
            body.append({"type": "text", "value": block[1]})
        elif kind == "callout":
            body.append(
                {
                    "type": "callout",
                    "value": {"kind": block[1], "title": block[2], "text": block[3]},
                }
            )
        elif kind == "infographic":
            title, steps, alt = block[1], block[2], block[3]
            image = ensure_image(title, draw_infographic(title, steps, course_spec["color"]))
            body.append(
                {
                    "type": "image",
                    "value": {
                        "image": image.pk,
                        "alt_text": alt,
                        "caption": title,
                        "allow_download": True,
                    },
                }  # fmt: skip
            )
        elif kind == "video":
            body.append(
                {"type": "video", "value": {"video": video.pk, "embed_url": "", "caption": ""}}
            )
    for child in body:
        child["id"] = str(uuid.uuid4())
    return body


def load(stdout) -> None:
    home = ensure_home_page()
    index = ensure_catalogue(home)
    course_workflow_ensure(index=index)
    created = 0
    for spec in COURSES:
        if CoursePage.objects.filter(slug=spec["slug"]).exists():
            continue
        video_title, slides = spec["video"]
        video = ensure_video(video_title, slides, spec["color"], transcript=". ".join(slides) + ".")
        cover = ensure_image(
            f"Ảnh bìa: {spec['title']}",
            draw_infographic(spec["title"], [spec["summary"]], spec["color"]),
        )
        course = CoursePage(
            title=spec["title"],
            slug=spec["slug"],
            summary=spec["summary"],
            topic=spec["topic"],
            level=spec["level"],
            estimated_minutes=spec["minutes"],
            featured=spec.get("featured", False),
            sequential=spec.get("sequential", False),
            cover_image=cover,
        )
        course.audience_links = [CourseAudience(audience=a) for a in spec["audiences"]]
        index.add_child(instance=course)
        course.save_revision().publish()
        for n, (section, title, minutes, blocks) in enumerate(spec["lessons"], 1):
            lesson = LessonPage(
                title=title,
                slug=f"bai-{n}",
                section=section,
                estimated_minutes=minutes,
                body=lesson_body(blocks, spec, video),
            )
            course.add_child(instance=lesson)
            lesson.save_revision().publish()
        created += 1
    for spec in COURSES:
        ensure_activity_lessons(CoursePage.objects.get(slug=spec["slug"]), spec)
    stdout.write(f"  courses: {created} created, {len(COURSES) - created} already there")


# Activities made by the lower floors' demo loaders (assessments.demo, assessments.h5p.demo,
# assessments.scorm.demo), found by their stable identities: each course has its final quiz;
# the scams course also has the project's own H5P question; the cashless course has the
# project's own SCORM 2004 package (a required practice lesson before its quiz) and, after
# its quiz, an optional lesson with an essay a person grades.
QUIZ_FOR_COURSE = {
    "dien-thoai-thong-minh-va-internet": "kiem-tra-dien-thoai-thong-minh-va-internet",
    "vneid-va-dich-vu-cong-truc-tuyen": "kiem-tra-vneid-va-dich-vu-cong",
    "nhan-biet-lua-dao-va-bao-ve-du-lieu-ca-nhan": "kiem-tra-lua-dao-va-du-lieu-ca-nhan",
    "thanh-toan-khong-tien-mat": "kiem-tra-thanh-toan-khong-tien-mat",
}
H5P_COURSE, H5P_PACKAGE_SLUG = "nhan-biet-lua-dao-va-bao-ve-du-lieu-ca-nhan", "hocso-demo-otp"
SCORM_COURSE = ESSAY_COURSE = "thanh-toan-khong-tien-mat"
SCORM_LESSON_SLUG, ESSAY_LESSON_SLUG = "thuc-hanh-quet-ma-qr", "bai-viet-thanh-toan-an-toan"
FINAL_QUIZ_SLUG = "kiem-tra-cuoi-khoa"


def _add_lesson(course, *, slug, title, section, minutes, body, required=True,
                before="") -> None:  # fmt: skip
    """A lesson at the end of the course, or just before its lesson `before` when that one
    exists (a demo seeded before this lesson existed keeps its final quiz last)."""
    if LessonPage.objects.child_of(course).filter(slug=slug).exists():
        return
    lesson = LessonPage(
        title=title, slug=slug, section=section, estimated_minutes=minutes, body=body,
        required=required,
    )  # fmt: skip
    course.add_child(instance=lesson)
    lesson.save_revision().publish()
    later = LessonPage.objects.child_of(course).filter(slug=before).first() if before else None
    if later is not None:
        lesson.move(later, pos="left")


def _blocks(*blocks: tuple[str, object]) -> list[dict]:
    return [{"id": str(uuid.uuid4()), "type": kind, "value": value} for kind, value in blocks]


# The activity lessons, in course order: (course slug, "" for every course; how to find its
# activity, given the course slug; the block kind and value; the lesson). Each is added once
# its activity exists.
ACTIVITY_LESSONS = [
    (H5P_COURSE, lambda _c: H5PPackage.objects.filter(slug=H5P_PACKAGE_SLUG).first(),
     "h5p", lambda a: {"package": a.pk, "pass_percent": 100, "required": True},
     {"slug": "cau-hoi-nhanh-otp", "title": "Câu hỏi nhanh: bảo vệ mã OTP",
      "section": "Luyện tập", "minutes": 2, "before": FINAL_QUIZ_SLUG,
      "intro": "Trả lời câu hỏi tương tác dưới đây để hoàn thành bài."}),
    (SCORM_COURSE, lambda _c: scorm_demo_package(),
     "scorm", lambda a: {"package": a.pk, "required": True},
     {"slug": SCORM_LESSON_SLUG, "title": "Thực hành: quét mã QR an toàn",
      "section": "Luyện tập", "minutes": 3, "before": FINAL_QUIZ_SLUG,
      "intro": "Bài thực hành dưới đây là một gói SCORM: đọc tình huống, chọn câu trả lời rồi "
               "bấm “Kiểm tra”. Trả lời đúng là hoàn thành bài; bấm “Hoàn thành” để đóng bài "
               "thực hành."}),
    ("", lambda c: Quiz.objects.filter(slug=QUIZ_FOR_COURSE.get(c, "")).first(),
     "quiz", lambda a: {"quiz": a.pk, "required": True},
     {"slug": FINAL_QUIZ_SLUG, "title": "Bài kiểm tra cuối khoá", "section": "Kiểm tra",
      "minutes": 10,
      "intro": "Làm bài kiểm tra để hoàn thành khoá học. Bạn được làm lại nếu chưa đạt."}),
    (ESSAY_COURSE, lambda _c: Quiz.objects.filter(slug=ESSAY_QUIZ_SLUG).first(),
     "quiz", lambda a: {"quiz": a.pk, "required": False},
     {"slug": ESSAY_LESSON_SLUG, "title": "Bài viết: thanh toán an toàn", "section": "Mở rộng",
      "minutes": 10, "required": False,
      "intro": "Bài này không bắt buộc. Viết vài câu về kinh nghiệm của bạn; cán bộ phụ trách "
               "sẽ đọc, chấm điểm và gửi nhận xét cho bạn."}),
]  # fmt: skip


def ensure_activity_lessons(course, spec) -> None:
    """Add the course's activity lessons (H5P, SCORM, final quiz, essay) whose activities
    exist."""
    for course_slug, find, kind, value, lesson in ACTIVITY_LESSONS:
        activity = find(spec["slug"]) if course_slug in ("", spec["slug"]) else None
        if activity is None:
            continue
        fields = {k: v for k, v in lesson.items() if k != "intro"}
        body = _blocks(("text", p(lesson["intro"])), (kind, value(activity)))
        _add_lesson(course, body=body, **fields)
