"""Video files on disk: probing, renditions and MP4 atom checks with the bundled ffmpeg.

The ffmpeg binary comes from the imageio-ffmpeg wheel, so a fresh `pip install` has it.
Everything here works on local paths; callers copy from and to the storage backend (which may
be S3) around these calls. No Django models here: services.py owns the writes.
"""

import re
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg

# Time limits: a probe decodes one frame; a rendition of a few-minute campaign clip at
# "veryfast" takes well under this on one core.
PROBE_TIMEOUT_SECONDS = 60
ENCODE_TIMEOUT_SECONDS = 30 * 60

# (quality, target height, x264 CRF, audio bitrate). 360p is the weak-link default.
RENDITION_SPECS = {
    "360p": (360, 28, "64k"),
    "720p": (720, 23, "128k"),
}

# Magic bytes of the containers we accept: ISO BMFF (mp4/mov/m4v: "ftyp" at offset 4) and
# Matroska/WebM (EBML header).
_EBML = b"\x1a\x45\xdf\xa3"


class VideoUnreadable(Exception):
    """ffmpeg cannot read this file as a video: a permanent failure, never retried."""


class EncodeFailed(Exception):
    """ffmpeg read the source but could not write a rendition: may be transient (retried)."""


@dataclass(frozen=True)
class VideoProbe:
    duration_seconds: float
    width: int
    height: int
    has_audio: bool


def ffmpeg_exe() -> str:
    return imageio_ffmpeg.get_ffmpeg_exe()


def looks_like_video(head: bytes) -> bool:
    """True when the first bytes carry an MP4/MOV ("ftyp" box) or WebM/Matroska signature."""
    return (len(head) >= 8 and head[4:8] == b"ftyp") or head.startswith(_EBML)


_DURATION = re.compile(r"Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)")
_VIDEO_STREAM = re.compile(r"Stream #\d+:\d+.*?: Video: .*?, (\d{2,5})x(\d{2,5})")
_AUDIO_STREAM = re.compile(r"Stream #\d+:\d+.*?: Audio: ")


def probe(path: Path | str) -> VideoProbe:
    """Read the container and decode the first video frame; raise VideoUnreadable if either
    fails (garbage, a truncated file, an audio-only file, a picture renamed .mp4)."""
    try:
        result = subprocess.run(  # noqa: S603 - fixed argv, no shell; path is our temp file
            [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path),
             "-map", "0:v:0", "-frames:v", "1", "-f", "null", "-"],
            capture_output=True, timeout=PROBE_TIMEOUT_SECONDS, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        raise VideoUnreadable("probe timed out") from exc
    log = result.stderr.decode("utf-8", "replace")
    duration = _DURATION.search(log)
    stream = _VIDEO_STREAM.search(log)
    if result.returncode != 0 or not duration or not stream:
        raise VideoUnreadable(log.strip().splitlines()[-1] if log.strip() else "no output")
    hours, minutes, seconds = duration.groups()
    total = int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    if total <= 0:
        raise VideoUnreadable("zero duration")
    return VideoProbe(
        duration_seconds=total,
        width=int(stream.group(1)),
        height=int(stream.group(2)),
        has_audio=bool(_AUDIO_STREAM.search(log)),
    )


def make_rendition(source: Path, target: Path, quality: str) -> None:
    """Encode an H.264/AAC MP4 no taller than the quality's height (never upscaled), with
    the moov atom moved to the front (faststart) so playback starts before the download ends."""
    height, crf, audio_bitrate = RENDITION_SPECS[quality]
    scale = f"scale=-2:'min({height},trunc(ih/2)*2)',format=yuv420p"
    argv = [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-i", str(source),
        "-map", "0:v:0", "-map", "0:a:0?", "-vf", scale,
        "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "main", "-crf", str(crf),
        "-c:a", "aac", "-b:a", audio_bitrate, "-ac", "2",
        "-movflags", "+faststart", "-f", "mp4", str(target),
    ]  # fmt: skip
    try:
        result = subprocess.run(  # noqa: S603 - fixed argv, no shell
            argv, capture_output=True, timeout=ENCODE_TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise EncodeFailed(f"{quality}: timed out") from exc
    if result.returncode != 0 or not target.exists() or target.stat().st_size == 0:
        tail = result.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise EncodeFailed(f"{quality}: " + " | ".join(tail))
    if not is_faststart(target):
        raise EncodeFailed(f"{quality}: moov atom is not before mdat")


def top_level_atoms(path: Path | str) -> list[str]:
    """The MP4's top-level box types in file order (ftyp, moov, mdat ...)."""
    atoms = []
    with open(path, "rb") as fh:
        fh.seek(0, 2)
        end = fh.tell()
        offset = 0
        while offset + 8 <= end:
            fh.seek(offset)
            size, kind = struct.unpack(">I4s", fh.read(8))
            if size == 1:  # 64-bit "largesize" follows the type
                size = struct.unpack(">Q", fh.read(8))[0]
            elif size == 0:  # box runs to the end of the file
                size = end - offset
            if size < 8:
                break
            atoms.append(kind.decode("latin-1"))
            offset += size
    return atoms


def is_faststart(path: Path | str) -> bool:
    atoms = top_level_atoms(path)
    return "moov" in atoms and "mdat" in atoms and atoms.index("moov") < atoms.index("mdat")
