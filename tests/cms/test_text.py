import unicodedata

from cms.text import fold, nfc, person_sort_key, sanitize_html


def test_fold_removes_marks_and_maps_d_with_stroke():
    assert fold("Kỹ năng số") == "ky nang so"
    assert fold("Đăng ký dịch vụ công") == "dang ky dich vu cong"
    assert fold("  ĐỒNG   đội ") == "dong doi"


def test_fold_treats_decomposed_input_like_composed():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Thuỷ")
    assert fold(decomposed) == fold("Nguyễn Thị Thuỷ") == "nguyen thi thuy"


def test_nfc_composes():
    decomposed = unicodedata.normalize("NFD", "Lò Thị Ửng")
    assert decomposed != "Lò Thị Ửng"
    assert nfc(decomposed) == "Lò Thị Ửng"


def test_people_sort_by_given_then_middle_then_family_name():
    names = ["Trần Văn Bình", "Nguyễn Thị An", "Lê An", "Đặng Văn An"]
    assert sorted(names, key=person_sort_key) == [
        "Lê An", "Nguyễn Thị An", "Đặng Văn An", "Trần Văn Bình",
    ]  # fmt: skip


def test_people_sort_in_the_vietnamese_alphabet_then_by_tone():
    # Đ after D, Ă and Â after A, Ư after U, Ơ after Ô after O; tones break ties only
    # (none, huyền, hỏi, ngã, sắc, nặng).
    names = ["Lê Đức", "Lê Dũng", "Trần Âu", "Trần Ăn", "Trần Anh", "Vũ Ưng", "Vũ Uyên",
             "Hà Ơn", "Hà Ôn", "Hà On", "Lê Hạnh", "Lê Hà", "Lê Hải", "Lê Ha"]  # fmt: skip
    assert sorted(names, key=person_sort_key) == [
        "Trần Anh", "Trần Ăn", "Trần Âu", "Lê Dũng", "Lê Đức", "Lê Ha", "Lê Hà", "Lê Hải",
        "Lê Hạnh", "Hà On", "Hà Ôn", "Hà Ơn", "Vũ Uyên", "Vũ Ưng",
    ]  # fmt: skip
    decomposed = unicodedata.normalize("NFD", "Lê Đức")
    assert person_sort_key(decomposed) == person_sort_key("Lê Đức")


def test_sanitize_html_drops_scripts_handlers_and_javascript_links():
    dirty = (
        '<p onclick="steal()">Xin chào<script>alert(1)</script></p>'
        '<a href="javascript:alert(1)">x</a><img src="x.png" onerror="alert(1)" alt="ảnh">'
        '<a href="https://dichvucong.gov.vn">DVC</a>'
    )
    clean = sanitize_html(dirty)
    assert "<script" not in clean and "alert(1)" not in clean.replace("&", "")
    assert "onclick" not in clean and "onerror" not in clean
    assert "javascript:" not in clean
    assert '<a href="https://dichvucong.gov.vn" rel="noopener noreferrer">DVC</a>' in clean
    assert "<p>Xin chào</p>" in clean
