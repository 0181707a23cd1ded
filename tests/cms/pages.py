"""What every test of a rendered page checks first: its status and the language of its
<html> element; then the test reads the page's text."""


def html_of(response, *, status: int = 200, lang: str = "vi") -> str:
    """The decoded page of `response`, asserting its status code and `<html lang=...>`."""
    assert response.status_code == status
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    return html
