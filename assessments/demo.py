# ruff: noqa: E501 - GIFT source text: one question per line, as editors write it
"""Demo quizzes: one real Vietnamese quiz per demo course topic, written in GIFT and loaded
through the project's own importer (so the demo also proves the importer).

Stable identities (Quiz.slug) for courses/demo.py, which places the quiz blocks with
`Quiz.objects.filter(slug=...)`:

- "kiem-tra-dien-thoai-thong-minh-va-internet"  basic smartphone and internet skills
- "kiem-tra-vneid-va-dich-vu-cong"              VNeID and online public services
- "kiem-tra-lua-dao-va-du-lieu-ca-nhan"         online scams and personal data
- "kiem-tra-thanh-toan-khong-tien-mat"          cashless payment

Each quiz draws its 10 questions from its own category, shuffled, with 15 minutes, at most
3 attempts, a pass mark of 70% and the answers shown after each attempt.

One more quiz holds the demo's essay (graded by a person, issue 18), for courses/demo.py's
optional lesson of the cashless course:

- "bai-viet-thanh-toan-an-toan"                 one essay question, its own category

A learner's submitted essay waits in the grading queue ("Chấm bài tự luận") of the graders
of their agency: the demo manager (campaigns.demo puts them in "Người chấm bài").
Idempotent: a quiz whose slug exists is left as it is (an editor may have changed it).
"""

from django.contrib.auth.models import Group, Permission

from assessments.interchange import parse_gift
from assessments.models import QuestionCategory, Quiz, QuizSlot
from assessments.services import bank_import

QUIZ_SLUGS = {
    "smartphone_internet": "kiem-tra-dien-thoai-thong-minh-va-internet",
    "public_services": "kiem-tra-vneid-va-dich-vu-cong",
    "online_safety": "kiem-tra-lua-dao-va-du-lieu-ca-nhan",
    "cashless_payment": "kiem-tra-thanh-toan-khong-tien-mat",
}

SMARTPHONE = """
$CATEGORY: Kỹ năng số/Điện thoại thông minh và Internet

::Kết nối ở nhà::Ở nhà có mạng Internet cáp quang, muốn dùng Internet trên điện thoại mà không tốn dung lượng 4G, bạn bật gì? {
  =Wi-Fi và chọn mạng của gia đình#Đúng. Wi-Fi dùng đường truyền Internet của gia đình.
  ~Chế độ máy bay#Chế độ máy bay tắt mọi kết nối, kể cả Wi-Fi (trừ khi bật lại riêng).
  ~Bluetooth#Bluetooth dùng để nối tai nghe, loa, không phải để vào Internet.
  ~Đèn pin
}

::Wi-Fi công cộng::Đăng nhập tài khoản ngân hàng khi đang dùng Wi-Fi miễn phí ở quán cà phê là an toàn.{F#Wi-Fi công cộng có thể bị kẻ gian theo dõi. Hãy dùng dữ liệu di động cho giao dịch ngân hàng.#Đúng. Nên dùng dữ liệu di động khi giao dịch ngân hàng.}

::Khi mất máy::Những việc nào giúp bảo vệ dữ liệu nếu chẳng may mất điện thoại? (Chọn tất cả đáp án đúng) {
  ~%50%Đặt mã khóa màn hình hoặc vân tay, khuôn mặt
  ~%50%Bật tính năng tìm thiết bị (Tìm thiết bị của Google hoặc Tìm của Apple)
  ~%-100%Ghi mật khẩu lên ốp lưng điện thoại#Ai nhặt được máy cũng đọc được mật khẩu.
}

::Tên mạng không dây::Mạng không dây phổ biến ở gia đình, quán cà phê, cơ quan thường được gọi là gì? (Viết một từ) {
  =Wi-Fi
  =Wifi
  =Wi Fi
  ####Wi-Fi là mạng không dây, thường được phát từ bộ phát (modem) của nhà mạng.
}

// [hocso:ordering] [hocso:partial]
::Cài ứng dụng::Sắp xếp các bước cài một ứng dụng an toàn từ kho ứng dụng chính thức. {
  =Mở CH Play (Android) hoặc App Store (iPhone)
  =Gõ tên ứng dụng vào ô tìm kiếm
  =Kiểm tra tên nhà phát triển, số lượt tải và đánh giá
  =Bấm Cài đặt và chờ tải xong
}

// [hocso:partial]
::Các kết nối::Ghép mỗi cài đặt với việc nó làm. {
  =Wi-Fi -> Kết nối Internet qua mạng không dây
  =Dữ liệu di động -> Dùng Internet qua sóng của nhà mạng (4G, 5G)
  =Chế độ máy bay -> Tắt mọi kết nối sóng của điện thoại
  =Bluetooth -> Kết nối tai nghe, loa không dây ở gần
}

::Cập nhật::Điện thoại báo có bản cập nhật hệ điều hành từ nhà sản xuất. Bạn nên làm gì? {
  =Cập nhật khi có Wi-Fi và pin còn trên 50%#Đúng. Bản cập nhật vá các lỗ hổng bảo mật.
  ~Bỏ qua mãi mãi cho đỡ tốn dung lượng#Máy không cập nhật dễ bị kẻ gian lợi dụng lỗ hổng.
  ~Tải bản cập nhật từ đường link người lạ gửi qua tin nhắn#Đường link lạ có thể cài phần mềm độc hại.
}

::Nguồn ứng dụng::Chỉ nên tải ứng dụng từ kho ứng dụng chính thức (CH Play, App Store), không cài tệp APK do người lạ gửi.{T#Tệp cài đặt do người lạ gửi thường chứa mã độc chiếm quyền điều khiển điện thoại.#Đúng.}

::Ổ khóa trên trình duyệt::Địa chỉ trang web bắt đầu bằng https và có biểu tượng ổ khóa nghĩa là gì? {
  =Dữ liệu giữa bạn và trang web được mã hóa trên đường truyền
  ~Trang web chắc chắn không lừa đảo#Trang lừa đảo cũng có thể có ổ khóa. Hãy kiểm tra kỹ tên miền.
  ~Trang web thuộc cơ quan Nhà nước#Trang của cơ quan Nhà nước thường có tên miền .gov.vn.
  ####Ổ khóa chỉ cho biết kết nối được mã hóa; luôn kiểm tra đúng tên miền trước khi nhập thông tin.
}

::Tiết kiệm dữ liệu::Những việc nào giúp tiết kiệm dung lượng 4G? (Chọn tất cả đáp án đúng) {
  =Dùng Wi-Fi khi có thể
  =Tắt tự động phát video trên mạng xã hội
  ~Cho ứng dụng tự cập nhật bằng dữ liệu di động#Việc này làm tốn thêm dung lượng.
}
"""

PUBLIC_SERVICES = """
$CATEGORY: Kỹ năng số/VNeID và dịch vụ công trực tuyến

::Ai làm VNeID::Ứng dụng định danh điện tử quốc gia VNeID do cơ quan nào xây dựng và quản lý? {
  =Bộ Công an
  ~Bộ Y tế
  ~Một công ty quảng cáo
  ~Các ngân hàng thương mại
  ####VNeID do Trung tâm dữ liệu quốc gia về dân cư (Bộ Công an) quản lý. Chỉ tải VNeID từ CH Play hoặc App Store.
}

::Tài khoản mức 2::Tài khoản định danh điện tử mức độ 2 có thể dùng để xuất trình thẻ căn cước điện tử thay cho thẻ căn cước giấy trong nhiều giao dịch.{T#Tài khoản mức 2 có giá trị như xuất trình thẻ căn cước trong các giao dịch chấp nhận định danh điện tử.#Đúng.}

::Tên cổng::Tên của cổng thông tin để nộp hồ sơ thủ tục hành chính trực tuyến trên toàn quốc là gì? {
  =Cổng Dịch vụ công quốc gia
  =Dịch vụ công quốc gia
  =dichvucong.gov.vn
}

::OTP kích hoạt::Cán bộ công an có thể gọi điện nhờ bạn đọc mã OTP để kích hoạt tài khoản VNeID giúp bạn.{F#Không ai được yêu cầu bạn đọc mã OTP. Đây là thủ đoạn lừa đảo chiếm tài khoản.#Đúng. Mã OTP chỉ nhập trên ứng dụng, không đọc cho ai.}

// [hocso:ordering] [hocso:partial]
::Nộp hồ sơ trực tuyến::Sắp xếp các bước nộp một hồ sơ trên Cổng Dịch vụ công quốc gia. {
  =Đăng nhập bằng tài khoản định danh điện tử VNeID
  =Tìm đúng thủ tục cần làm
  =Điền tờ khai và đính kèm giấy tờ
  =Nộp hồ sơ và theo dõi trạng thái xử lý
}

::Địa chỉ chính thức::Địa chỉ chính thức của Cổng Dịch vụ công quốc gia là: {
  =dichvucong.gov.vn#Đúng. Trang của cơ quan Nhà nước có đuôi .gov.vn.
  ~dichvucong.com#Đuôi .com không phải tên miền của cơ quan Nhà nước.
  ~dvc-vn.net#Đây không phải tên miền chính thức.
  ~vneid-online.com#Đây là kiểu tên miền giả mạo hay gặp.
}

::Chức năng của VNeID::Ứng dụng VNeID có những chức năng nào dưới đây? (Chọn tất cả đáp án đúng) {
  ~%34%Xuất trình thẻ căn cước điện tử
  ~%33%Tích hợp giấy phép lái xe, thẻ bảo hiểm y tế
  ~%33%Thông báo lưu trú
  ~%-100%Rút tiền mặt tại quầy#VNeID không phải ứng dụng ngân hàng.
}

// [hocso:partial]
::Các khái niệm::Ghép mỗi tên với ý nghĩa của nó. {
  =VNeID -> Ứng dụng định danh điện tử quốc gia
  =Cổng Dịch vụ công quốc gia -> Nơi nộp hồ sơ thủ tục hành chính trực tuyến
  =Mã OTP -> Mã xác thực dùng một lần, không đọc cho ai
  =Thẻ căn cước điện tử -> Thẻ căn cước hiển thị trên ứng dụng VNeID
}

::Quên mật khẩu::Bạn quên mật khẩu đăng nhập VNeID. Bạn nên làm gì? {
  =Dùng chức năng “Quên mật khẩu” trên ứng dụng VNeID, hoặc nhờ Công an xã, phường hỗ trợ
  ~Nhờ một người lạ trên mạng xã hội lấy lại giúp#Người lạ có thể chiếm tài khoản của bạn.
  ~Cài một ứng dụng VNeID khác tải từ đường link lạ#Ứng dụng giả mạo sẽ lấy cắp thông tin của bạn.
}

::Theo dõi hồ sơ::Sau khi nộp hồ sơ trực tuyến, bạn có thể theo dõi tình trạng xử lý hồ sơ ngay trên Cổng Dịch vụ công.{T}
"""

SAFETY = """
$CATEGORY: Kỹ năng số/Nhận biết lừa đảo và bảo vệ dữ liệu cá nhân

::Tin nhắn khóa tài khoản::Bạn nhận tin nhắn: “Tài khoản ngân hàng của quý khách bị khóa, bấm vào đường link để mở lại”. Bạn nên làm gì? {
  =Không bấm link; gọi tổng đài chính thức của ngân hàng (số in trên thẻ hoặc trong ứng dụng) để hỏi#Đúng.
  ~Bấm link và đăng nhập ngay cho kịp#Link giả sẽ lấy mật khẩu và mã OTP của bạn.
  ~Nhắn tin trả lời để xin hướng dẫn#Kẻ gian sẽ tiếp tục dẫn dụ bạn.
}

::OTP ngân hàng::Ngân hàng không bao giờ yêu cầu khách hàng cung cấp mã OTP qua điện thoại, tin nhắn hay mạng xã hội.{T#Ngân hàng không bao giờ hỏi mã OTP. Ai hỏi mã OTP là kẻ lừa đảo.#Đúng.}

::Dấu hiệu cuộc gọi lừa đảo::Những dấu hiệu nào cho thấy một cuộc gọi là lừa đảo? (Chọn tất cả đáp án đúng) {
  ~%34%Người gọi tự xưng công an, tòa án và đe dọa bạn liên quan đến một vụ án
  ~%33%Yêu cầu chuyển tiền vào “tài khoản tạm giữ” để chứng minh trong sạch
  ~%33%Hối thúc, yêu cầu bạn giữ bí mật, không được kể với ai
  ~%-100%Mời bạn đến trụ sở cơ quan bằng giấy mời chính thức#Cơ quan chức năng làm việc trực tiếp bằng giấy mời, không qua điện thoại.
}

::Phản ánh tin nhắn rác::Đầu số nào dùng để nhắn tin phản ánh tin nhắn rác, cuộc gọi rác? (Chỉ ghi số) {
  =5656#Đúng. Ví dụ: soạn S [số điện thoại gửi tin rác] [nội dung] gửi 5656.
}

// [hocso:ordering] [hocso:partial]
::Lỡ chuyển tiền::Bạn phát hiện mình vừa chuyển tiền cho kẻ lừa đảo. Sắp xếp việc cần làm theo thứ tự ưu tiên. {
  =Gọi ngay tổng đài ngân hàng để yêu cầu tra soát, tạm khóa giao dịch
  =Lưu lại bằng chứng: tin nhắn, số tài khoản, biên lai chuyển tiền
  =Trình báo cơ quan Công an nơi gần nhất
}

// [hocso:partial]
::Tình huống và cách xử lý::Ghép mỗi tình huống với cách xử lý đúng. {
  =Tin nhắn báo trúng thưởng, yêu cầu nộp phí nhận quà -> Bỏ qua, không chuyển bất kỳ khoản phí nào
  =Người thân nhắn tin qua mạng xã hội mượn tiền gấp -> Gọi điện trực tiếp cho người thân để kiểm tra
  =Cuộc gọi tự xưng công an yêu cầu chuyển tiền -> Dập máy, báo Công an xã, phường nơi cư trú
  =Đường link lạ yêu cầu đăng nhập ngân hàng -> Không bấm, chỉ đăng nhập qua ứng dụng chính thức
}

::Đăng ảnh giấy tờ::Đăng ảnh thẻ căn cước hoặc vé máy bay có mã lên mạng xã hội là vô hại.{F#Kẻ gian dùng thông tin trên giấy tờ để mạo danh, vay tiền, làm giả hồ sơ.#Đúng. Không đăng ảnh giấy tờ cá nhân lên mạng.}

::Dữ liệu cá nhân::Những thông tin nào là dữ liệu cá nhân cần giữ kín? (Chọn tất cả đáp án đúng) {
  =Số thẻ căn cước
  =Số điện thoại và địa chỉ nhà
  =Ảnh chân dung rõ mặt kèm họ tên
  ~Giờ mở cửa của chợ trong xã#Đây là thông tin công khai, không phải dữ liệu cá nhân.
}

::Mật khẩu mạnh::Mật khẩu nào dưới đây mạnh nhất? {
  ~123456#Đây là một trong những mật khẩu bị dò ra nhanh nhất.
  ~01011990#Ngày sinh rất dễ đoán.
  ~matkhau
  =Toi-Trong3Cay*Cam!#Đúng. Dài, có chữ hoa, chữ thường, số và ký hiệu.
}

::Một mật khẩu cho mọi nơi::Nên dùng cùng một mật khẩu cho mọi tài khoản để dễ nhớ.{F#Nếu một nơi bị lộ, kẻ gian vào được mọi tài khoản. Mỗi tài khoản quan trọng nên có mật khẩu riêng.#Đúng.}
"""

CASHLESS = """
$CATEGORY: Kỹ năng số/Thanh toán không tiền mặt

::Kiểm tra trước khi chuyển::Trước khi bấm xác nhận chuyển khoản bằng mã QR, bạn cần kiểm tra điều gì? {
  =Tên người nhận và số tiền hiển thị trên ứng dụng#Đúng. Mã QR có thể bị dán đè bằng mã của kẻ gian.
  ~Màu sắc của mã QR
  ~Không cần kiểm tra gì vì mã QR luôn đúng#Mã QR có thể bị dán đè.
}

::Mã PIN::Có thể đọc mã PIN hoặc mật khẩu ứng dụng ngân hàng cho nhân viên ngân hàng khi họ gọi điện hỏi.{F#Nhân viên ngân hàng không bao giờ hỏi mã PIN hay mật khẩu.#Đúng.}

::Các cách thanh toán::Những cách nào là thanh toán không tiền mặt? (Chọn tất cả đáp án đúng) {
  ~%34%Quét mã QR bằng ứng dụng ngân hàng
  ~%33%Chạm hoặc quẹt thẻ ngân hàng
  ~%33%Thanh toán bằng ví điện tử
  ~%-100%Đưa tiền mặt cho người bán
}

::Mã hai chiều::Mã vạch hình vuông dùng để quét chuyển tiền được gọi là mã gì? {
  =QR
  =Mã QR
  =QR code
}

// [hocso:ordering] [hocso:partial]
::Các bước thanh toán QR::Sắp xếp các bước thanh toán bằng mã QR. {
  =Mở ứng dụng ngân hàng và chọn quét mã QR
  =Quét mã QR của người bán
  =Kiểm tra tên người nhận và nhập số tiền
  =Xác nhận bằng mã PIN, vân tay hoặc khuôn mặt
}

// [hocso:partial]
::Thuật ngữ::Ghép mỗi thuật ngữ với ý nghĩa của nó. {
  =Mã OTP -> Mã xác thực gửi qua tin nhắn hoặc ứng dụng, chỉ dùng một lần
  =Xác thực sinh trắc học -> Xác thực bằng khuôn mặt hoặc vân tay
  =Ví điện tử -> Ứng dụng giữ tiền để thanh toán, liên kết với tài khoản ngân hàng
  =Chuyển khoản nhanh 24/7 -> Tiền đến người nhận gần như ngay, cả ngày nghỉ
}

::Sinh trắc học::Từ ngày 01/7/2024, chuyển khoản trên 10 triệu đồng một lần qua ứng dụng ngân hàng phải xác thực sinh trắc học (khuôn mặt).{T#Theo Quyết định 2345/QĐ-NHNN, giao dịch trên 10 triệu đồng một lần phải xác thực sinh trắc học.#Đúng. Đây là quy định của Ngân hàng Nhà nước.}

::Chuyển nhầm::Bạn chuyển nhầm tiền vào tài khoản của người khác. Bạn nên làm gì? {
  =Liên hệ ngân hàng của mình để được hỗ trợ tra soát và liên hệ người nhận
  ~Đăng số tài khoản người nhận lên mạng xã hội để bêu tên#Việc này có thể vi phạm quy định về dữ liệu cá nhân.
  ~Bỏ qua, coi như mất#Ngân hàng có thể giúp bạn liên hệ người nhận để lấy lại tiền.
}

::Người bán kiểm tra::Khi nhận tiền bằng mã QR, người bán nên kiểm tra thông báo tiền đã vào tài khoản trên ứng dụng hoặc loa báo, không chỉ nhìn ảnh chụp màn hình của khách.{T#Ảnh chụp màn hình có thể là giả.#Đúng. Ảnh chụp màn hình có thể bị làm giả.}

::An toàn ứng dụng ngân hàng::Khi dùng ứng dụng ngân hàng trên điện thoại, bạn nên làm gì? (Chọn tất cả đáp án đúng) {
  =Đặt khóa màn hình cho điện thoại
  =Chỉ tải ứng dụng ngân hàng từ kho ứng dụng chính thức
  ~Lưu mật khẩu ngân hàng trong ghi chú không khóa#Ai cầm máy cũng đọc được.
}
"""

QUIZZES = [
    # (slug, title, intro, GIFT source)
    (QUIZ_SLUGS["smartphone_internet"], "Kiểm tra: Điện thoại thông minh và Internet",
     "10 câu hỏi về dùng điện thoại và Internet an toàn. Cần đạt 70% để hoàn thành.", SMARTPHONE),
    (QUIZ_SLUGS["public_services"], "Kiểm tra: VNeID và dịch vụ công trực tuyến",
     "10 câu hỏi về VNeID và Cổng Dịch vụ công quốc gia. Cần đạt 70% để hoàn thành.",
     PUBLIC_SERVICES),
    (QUIZ_SLUGS["online_safety"], "Kiểm tra: Nhận biết lừa đảo và bảo vệ dữ liệu cá nhân",
     "10 câu hỏi về các thủ đoạn lừa đảo trên mạng và cách giữ an toàn thông tin cá nhân. "
     "Cần đạt 70% để hoàn thành.", SAFETY),
    (QUIZ_SLUGS["cashless_payment"], "Kiểm tra: Thanh toán không tiền mặt",
     "10 câu hỏi về chuyển khoản, mã QR và ví điện tử an toàn. Cần đạt 70% để hoàn thành.",
     CASHLESS),
]  # fmt: skip

ESSAY_QUIZ_SLUG = "bai-viet-thanh-toan-an-toan"

ESSAY = """
$CATEGORY: Kỹ năng số/Tự luận

// [hocso:rubric=Mỗi điều kiểm tra đúng được 1 điểm (tối đa 3): tên người nhận, số tiền, nhận tiền qua ứng dụng chứ không qua ảnh chụp màn hình, không đọc mã OTP hay mã PIN cho ai, chỉ dùng ứng dụng ngân hàng chính thức.] [hocso:min-words=20] [hocso:max-words=300] [hocso:points=3]
::Kinh nghiệm thanh toán an toàn::Hãy kể một lần bạn (hoặc người thân) trả tiền bằng mã QR hoặc chuyển khoản. Trước khi xác nhận, bạn đã kiểm tra những gì để chắc chắn an toàn? Nếu chưa từng làm, hãy nêu ba điều cần kiểm tra trước khi chuyển tiền. {}
"""

ESSAY_QUIZ = {
    "title": "Bài viết: thanh toán an toàn",
    "intro": "Một câu hỏi tự luận, người chấm đọc và cho điểm. Bài này không bắt buộc để "
    "hoàn thành khoá học.",
    "max_attempts": 2,
    "pass_mark_percent": 50,
}

EDITOR_PERMISSIONS = [
    f"{action}_{model}"
    for model in ("quiz", "question", "questioncategory")
    for action in ("add", "change", "delete", "view")
]


QUIZ_RULES = {"time_limit_minutes": 15, "max_attempts": 3, "pass_mark_percent": 70,
              "grading_method": "highest", "review_policy": "pass_or_last"}  # fmt: skip


def quiz_ensure(stdout, slug: str, gift: str, *, draw_count: int, **fields) -> Quiz:
    """The quiz `slug` drawing `draw_count` questions from the category of its GIFT source
    (imported once through the bank importer), made once."""
    quiz = Quiz.objects.filter(slug=slug).first()
    if quiz is not None:
        return quiz
    result = parse_gift(gift.strip().encode())
    if not result.ok:  # the demo's own content: a mistake here is a bug
        raise ValueError(f"demo quiz {slug}: {[str(p) for p in result.problems]}")
    category_name = result.questions[0].category
    if not QuestionCategory.objects.filter(name=category_name).exists():
        bank_import(questions=result.questions)
    category = QuestionCategory.objects.get(name=category_name)
    quiz = Quiz.objects.create(slug=slug, **fields)
    QuizSlot.objects.create(quiz=quiz, category=category, draw_count=draw_count, sort_order=0)
    stdout.write(f"  quiz {slug}: {category.questions.count()} questions")
    return quiz


def load(stdout) -> None:
    for slug, title, intro, gift in QUIZZES:
        quiz_ensure(stdout, slug, gift, draw_count=10, title=title, intro=intro, **QUIZ_RULES)
    quiz_ensure(stdout, ESSAY_QUIZ_SLUG, ESSAY, draw_count=1, **ESSAY_QUIZ)
    editors = Group.objects.filter(name="Editors").first()
    if editors is not None:
        editors.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="assessments", codename__in=EDITOR_PERMISSIONS
            )
        )
