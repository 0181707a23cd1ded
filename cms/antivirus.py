"""Antivirus: uploads scanned by ClamAV (Debian's clamav-daemon) over clamd's socket.

`CLAMAV_SOCKET` is a Unix socket path (/run/clamav/clamd.ctl) or tcp://host:port; empty
(the default) turns scanning off. `scan_file(path)` streams the file with clamd's INSTREAM
command and returns the signature name when ClamAV finds one, else None; clamd looks inside
zips, so a package is scanned whole, member by member.

When the scanner is down (no socket, refused, timed out, or clamd answers an error) it raises
`ScannerUnavailable` (an OSError). What follows is the caller's, and is the same rule
everywhere: nothing unscanned is ever served.
* H5P packages stay "pending" (waiting to be checked): their task retries with backoff
  (OSError), and a pending package is never played.
* Single uploads the person is waiting for are refused with "the virus scanner is not
  available, try again in a few minutes" (`scan_refusal`): documents (Wagtail serves a
  document as soon as it is saved: it has no pending state), videos and their captions (the
  original is offered to the player as soon as it is saved), and imports (learners, question
  banks, rosters: read at once, nothing to keep waiting).
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

CHUNK = 64 * 1024


class ScannerUnavailable(OSError):
    """clamd could not give a verdict; the upload must wait or be refused, never served."""


def enabled() -> bool:
    return bool(getattr(settings, "CLAMAV_SOCKET", ""))


def _connect() -> socket.socket:
    address = settings.CLAMAV_SOCKET
    timeout = getattr(settings, "CLAMAV_TIMEOUT", 60)
    try:
        if address.startswith("tcp://"):
            host, _, port = address[len("tcp://") :].rpartition(":")
            return socket.create_connection((host, int(port)), timeout=timeout)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(address)
        return sock
    except (OSError, ValueError) as exc:
        raise ScannerUnavailable(f"clamd at {address}: {exc}") from exc


def _reply(sock: socket.socket) -> str:
    data = b""
    while not data.endswith(b"\0"):
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.rstrip(b"\0").decode("utf-8", "replace").strip()


def scan_stream(fileobj) -> str | None:
    """The signature ClamAV finds in the stream's bytes, or None. Raises ScannerUnavailable."""
    try:
        with _connect() as sock:
            sock.sendall(b"zINSTREAM\0")
            for chunk in iter(lambda: fileobj.read(CHUNK), b""):
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            answer = _reply(sock)
    except ScannerUnavailable:
        raise
    except OSError as exc:
        raise ScannerUnavailable(f"clamd: {exc}") from exc
    # "stream: OK", "stream: Eicar-Test-Signature FOUND", "... ERROR"
    verdict = answer.split(":", 1)[-1].strip()
    if verdict == "OK":
        return None
    if verdict.endswith(" FOUND"):
        return verdict[: -len(" FOUND")].strip() or "unknown"
    raise ScannerUnavailable(f"clamd: {answer[:200]}")


def scan_file(path) -> str | None:
    with Path(path).open("rb") as fh:
        return scan_stream(fh)


def ping() -> bool:
    """True when clamd answers PONG (health and test set-up)."""
    try:
        with _connect() as sock:
            sock.sendall(b"zPING\0")
            return _reply(sock) == "PONG"
    except OSError:
        return False


def infected_message(signature: str) -> str:
    return _("The virus scanner found “%(signature)s” in the file: it is refused.") % {
        "signature": signature
    }


def infected_reason(path, *, while_down: Callable[[], object]) -> str | None:
    """The refusal when ClamAV finds something in the file, else None (also when scanning
    is off). Scanner down: `while_down()` (a package goes back to pending), then
    ScannerUnavailable is raised again for the task to retry."""
    if not enabled():
        return None
    try:
        signature = scan_file(path)
    except ScannerUnavailable:
        while_down()
        raise
    return infected_message(signature) if signature else None


def scan_refusal(fileobj) -> str | None:
    """ClamAV's refusal of an upload the person is waiting for (module docstring), or None
    (also when scanning is off): the signature found, or "try again" while the scanner is
    down. Reads the file from the start and rewinds it."""
    if not enabled():
        return None
    try:
        fileobj.seek(0)
        signature = scan_stream(fileobj)
    except ScannerUnavailable:
        return _("The virus scanner is not available: try again in a few minutes.")
    finally:
        fileobj.seek(0)
    return infected_message(signature) if signature else None
