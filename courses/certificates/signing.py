"""Optional PAdES signature of a rendered certificate with pyHanko.

Active when settings.CERTIFICATE_SIGNING_PKCS12_PATH names a PKCS#12 file (private key plus
certificate chain; password in CERTIFICATE_SIGNING_PKCS12_PASSWORD). The signer is loaded
once per process and path. PDF readers then show who signed the certificate and that it
has not been changed since.
"""

from __future__ import annotations

import asyncio
import io
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_lock = threading.Lock()
_signer_cache: dict[tuple[str, str], object] = {}


class CertificateSigningError(ImproperlyConfigured):
    """The configured PKCS#12 file is missing or cannot be opened."""


def signing_enabled() -> bool:
    return bool(getattr(settings, "CERTIFICATE_SIGNING_PKCS12_PATH", ""))


def _signer():
    from pyhanko.sign import signers

    path = settings.CERTIFICATE_SIGNING_PKCS12_PATH
    password = settings.CERTIFICATE_SIGNING_PKCS12_PASSWORD or ""
    key = (path, password)
    with _lock:
        signer = _signer_cache.get(key)
        if signer is not None:
            return signer
        if not Path(path).is_file():
            raise CertificateSigningError(
                f"CERTIFICATE_SIGNING_PKCS12_PATH {path!r} does not exist: certificates "
                "cannot be signed. Unset it to issue unsigned certificates."
            )
        signer = signers.SimpleSigner.load_pkcs12(
            pfx_file=path, passphrase=password.encode() if password else None
        )
        if signer is None:
            raise CertificateSigningError(
                f"The PKCS#12 file {path!r} cannot be opened (wrong password or not a "
                "key with its certificate)."
            )
        _signer_cache.clear()
        _signer_cache[key] = signer
        return signer


def sign_pdf(pdf: bytes, *, reason: str, location: str = "") -> bytes:
    """The PDF with an invisible PAdES baseline signature appended (incremental update)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _sign_pdf(pdf, reason=reason, location=location)
    # pyHanko's synchronous API calls asyncio.run(), which refuses to run inside a thread
    # that already runs an event loop (an async server, Playwright's sync API in tests).
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_sign_pdf, pdf, reason=reason, location=location).result()


def _sign_pdf(pdf: bytes, *, reason: str, location: str) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name="HocSoCertificateSignature",
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location or None,
    )
    out = signers.sign_pdf(writer, meta, signer=_signer())
    return out.getvalue()
