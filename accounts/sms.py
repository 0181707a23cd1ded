"""Text messages (SMS) through a backend chosen by the SMS_URL setting.

- ``console://``: printed on the server's standard output (the demo; codes appear there).
- ``locmem://``: kept in ``accounts.sms.outbox`` (unit tests).
- ``file:///a/folder``: one JSON file per message in the folder (browser tests read it).
- ``https://gateway.example.vn/send?to={to}&text={text}`` (or ``http://``): a generic HTTP
  gateway as Vietnamese brand-name SMS providers expose. The URL is a template;
  SMS_HTTP_METHOD (POST by default), SMS_HTTP_AUTH_HEADER ("Authorization: Bearer ..."),
  SMS_HTTP_BODY (a template of the body, JSON by default), SMS_SENDER (the brand name) and
  SMS_NUMBER_FORMAT (e164, digits or national) describe the gateway. {to}, {text} and
  {sender} are replaced (URL-encoded in the URL, JSON-escaped in a JSON body).

`sms_send` is what the app calls. Sending runs as a Celery task with retries; when the
message cannot be handed over (the gateway refuses it with no worker to retry, or the
broker is down) it raises SMSNotSent, and the page says so instead of failing.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

from django.conf import settings

log = logging.getLogger(__name__)

outbox: list[dict] = []  # locmem://


class SMSNotSent(Exception):
    """The message could not be sent now (the caller tells the person to try again)."""


def _url() -> str:
    return getattr(settings, "SMS_URL", "console://")


def number_for_gateway(to: str) -> str:
    fmt = getattr(settings, "SMS_NUMBER_FORMAT", "e164")
    if fmt == "digits":
        return to.lstrip("+")
    if fmt == "national" and to.startswith("+84"):
        return "0" + to[3:]
    return to


def _http_send(url: str, to: str, text: str) -> None:
    from urllib.error import URLError
    from urllib.request import Request, urlopen

    sender = getattr(settings, "SMS_SENDER", "")
    number = number_for_gateway(to)
    values = {"to": quote(number, safe=""), "text": quote(text, safe=""),
              "sender": quote(sender, safe="")}  # fmt: skip
    target = url
    for key, value in values.items():
        target = target.replace("{" + key + "}", value)
    method = getattr(settings, "SMS_HTTP_METHOD", "POST").upper()
    headers = {}
    auth = getattr(settings, "SMS_HTTP_AUTH_HEADER", "")
    if auth and ":" in auth:
        name, value = auth.split(":", 1)
        headers[name.strip()] = value.strip()
    body = None
    if method != "GET":
        template = getattr(settings, "SMS_HTTP_BODY", "") or (
            '{"to": "{to}", "text": "{text}", "sender": "{sender}"}'
        )
        is_json = template.lstrip().startswith("{")
        escape = (lambda s: json.dumps(s)[1:-1]) if is_json else (lambda s: quote(s, safe=""))
        body = template
        for key, value in {"to": number, "text": text, "sender": sender}.items():
            body = body.replace("{" + key + "}", escape(value))
        headers.setdefault(
            "Content-Type",
            "application/json" if is_json else "application/x-www-form-urlencoded",
        )
        body = body.encode()
    if urlparse(target).scheme not in ("http", "https"):
        raise SMSNotSent("the gateway URL must be http or https")
    request = Request(target, data=body, headers=headers, method=method)  # noqa: S310 -- http(s) checked above
    try:
        with urlopen(request, timeout=10) as response:  # noqa: S310
            status = response.status
    except URLError as exc:  # HTTPError (4xx, 5xx) included
        raise SMSNotSent(f"gateway error: {exc}") from exc
    except (TimeoutError, OSError) as exc:
        raise SMSNotSent(f"gateway unreachable: {exc.__class__.__name__}") from exc
    if status >= 300:
        raise SMSNotSent(f"gateway answered {status}")


def deliver(to: str, text: str) -> None:
    """Hand one message to the configured backend now (the task calls this)."""
    url = _url()
    scheme = urlparse(url).scheme
    message = {"to": to, "text": text, "sent_at": time.time()}
    if scheme == "console":
        sys.stdout.write(f"SMS to {to}: {text}\n")
        sys.stdout.flush()
    elif scheme == "locmem":
        outbox.append(message)
    elif scheme == "file":
        folder = Path(unquote(urlparse(url).path))
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.json"
        tmp = folder / (name + ".tmp")
        tmp.write_text(json.dumps(message, ensure_ascii=False), encoding="utf-8")
        tmp.rename(folder / name)  # readers never see half a message
    elif scheme in ("http", "https"):
        _http_send(url, to, text)
    else:
        raise SMSNotSent(f"unknown SMS_URL scheme {scheme!r}")


def sms_send(to: str, text: str) -> None:
    """Send `text` to the E.164 number `to` through a Celery task (retries on the
    worker). Raises SMSNotSent when it cannot be handed over now."""
    from accounts.tasks import sms_deliver

    try:
        sms_deliver.delay(to, text)
    except SMSNotSent:
        raise
    except Exception as exc:  # broker down, or eager retries used up
        log.warning("SMS to %s not sent: %s", to[:-4] + "****", exc)
        raise SMSNotSent(str(exc)) from exc


def file_messages(folder: str | Path) -> list[dict]:
    """The messages a file:// backend wrote, oldest first (tests)."""
    paths = sorted(Path(folder).glob("*.json"))
    return [json.loads(p.read_text(encoding="utf-8")) for p in paths]
