"""What kind of file is this? Video containers, still images and audio-only files, by content.

`core/video.py` uses these to say precisely why a file cannot be tracked ("is a PNG image", "is an
MP4/MOV file with audio only", "looks like a Matroska/WebM video but is corrupt") instead of one
generic "cannot open". Only the first bytes (and for MP4 the index, for Matroska the first few MB)
are read; nothing here decodes a frame.
"""
from __future__ import annotations

import re
import struct
from pathlib import Path


def image_kind(head: bytes) -> str | None:
    """Name of a still-image format from the first bytes, else None (OpenCV would decode such a
    file as a one-frame 'video')."""
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if head[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if head[:2] == b"BM" and len(head) >= 26:
        return "BMP"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"avif", b"mif1"):
        return "HEIF/AVIF"
    return None


_MP3_KBPS = {3: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),      # MPEG-1 layer III
             2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)}       # MPEG-2/2.5
_MP3_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _frame_length(head: bytes, i: int) -> int:
    """Length of the MP3 (layer III) or ADTS (AAC) frame whose header starts at `head[i]`, else 0."""
    if i + 7 > len(head) or head[i] != 0xFF or head[i + 1] & 0xE0 != 0xE0:
        return 0
    b1, b2 = head[i + 1], head[i + 2]
    if b1 & 0xF6 == 0xF0:                                         # ADTS: 13-bit frame length
        return ((head[i + 3] & 0x03) << 11) | (head[i + 4] << 3) | (head[i + 5] >> 5)
    version, layer = (b1 >> 3) & 3, (b1 >> 1) & 3
    bitrate, rate = b2 >> 4, (b2 >> 2) & 3
    if layer != 1 or version == 1 or bitrate in (0, 15) or rate == 3:
        return 0
    kbps = _MP3_KBPS[3 if version == 3 else 2][bitrate]
    return (144 if version == 3 else 72) * kbps * 1000 // _MP3_RATES[version][rate] + ((b2 >> 1) & 1)


def _mpeg_audio_frames(head: bytes) -> bool:
    """Raw MP3/AAC: a frame header at 0 and the next one exactly where the first frame ends
    (one header alone happens in random bytes)."""
    n = _frame_length(head, 0)
    return n >= 7 and _frame_length(head, n) >= 7


def audio_kind(head: bytes) -> str | None:
    """Name of an audio-only format from the first bytes (a few KB), else None."""
    if head[:3] == b"ID3" or _mpeg_audio_frames(head):
        return "MP3/AAC"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "WAV"
    if head[:4] == b"fLaC":
        return "FLAC"
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "AIFF"
    if head[:5] == b"#!AMR":
        return "AMR"
    if head[:4] == b"OggS" and (b"\x01vorbis" in head[:128] or b"OpusHead" in head[:128]
                                or b"\x7fFLAC" in head[:128]):
        return "Ogg Vorbis/Opus/FLAC"
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in (b"M4A ", b"M4B ", b"M4P "):
        return "M4A"
    return None


def mp4_handlers(path: Path, limit: int = 64 << 20) -> set[bytes] | None:
    """Handler types (b"vide", b"soun", ...) of the tracks of an MP4/MOV file, or None when its
    index cannot be found (truncated, not MP4)."""
    def boxes(data: bytes, start: int, end: int):
        i = start
        while i + 8 <= end:
            size, kind = struct.unpack(">I4s", data[i:i + 8])
            head = 8
            if size == 1 and i + 16 <= end:
                size, head = struct.unpack(">Q", data[i + 8:i + 16])[0], 16
            elif size == 0:
                size = end - i
            if size < head or i + size > end:
                return
            yield kind, i + head, i + size
            i += size

    try:
        with open(path, "rb") as f:
            total = f.seek(0, 2)
            pos, moov = 0, None
            while pos + 8 <= total:
                f.seek(pos)
                hdr = f.read(16)
                size, kind = struct.unpack(">I4s", hdr[:8])
                head = 8
                if size == 1 and len(hdr) >= 16:
                    size, head = struct.unpack(">Q", hdr[8:16])[0], 16
                elif size == 0:
                    size = total - pos
                if size < head:
                    return None
                if kind == b"moov":
                    if size > limit or pos + size > total:
                        return None
                    f.seek(pos + head)
                    moov = f.read(size - head)
                    break
                pos += size
    except OSError:
        return None
    if moov is None:
        return None
    found: set[bytes] = set()
    for kind, a, b in boxes(moov, 0, len(moov)):
        if kind != b"trak":
            continue
        for kind2, a2, b2 in boxes(moov, a, b):
            if kind2 != b"mdia":
                continue
            for kind3, a3, b3 in boxes(moov, a2, b2):
                if kind3 == b"hdlr" and b3 - a3 >= 12:
                    found.add(moov[a3 + 8:a3 + 12])
    return found


def no_video_stream(path: Path, head: bytes, kind: str | None) -> str | None:
    """'an MP4/MOV file with audio only' and the like when the file holds no video track."""
    try:
        with open(path, "rb") as f:
            audio = audio_kind(f.read(4096))
    except OSError:
        audio = audio_kind(head)
    if audio is not None:
        return f"an audio file ({audio})"
    if kind == "MP4/MOV":
        handlers = mp4_handlers(path)
        if handlers is not None and b"vide" not in handlers:
            return "an MP4/MOV file with audio only" if b"soun" in handlers else "an MP4/MOV file without a video track"
    if kind == "Matroska/WebM":
        try:
            with open(path, "rb") as f:
                data = f.read(4 << 20)
        except OSError:
            return None
        codecs = {m.group(1) for m in re.finditer(rb"\x86[\x81-\xbf](V_|A_|S_)", data)}
        if codecs and b"V_" not in codecs:
            return "a Matroska/WebM file with audio only" if b"A_" in codecs else "a Matroska/WebM file without video"
    return None


def container_kind(head: bytes) -> str | None:
    """Name of a known video container from the first bytes, else None."""
    if len(head) >= 8 and head[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip"):
        return "MP4/MOV"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "AVI"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "Matroska/WebM"
    if head[:3] == b"FLV":
        return "FLV"
    if head[:4] == b"OggS":
        return "Ogg"
    if head[:4] == b"\x30\x26\xb2\x75":
        return "ASF/WMV"
    if head[:4] in (b"\x00\x00\x01\xba", b"\x00\x00\x01\xb3"):
        return "MPEG"
    if len(head) > 188 and head[0] == 0x47 and head[188] == 0x47:
        return "MPEG-TS"
    if head[:4] == b"GIF8":
        return "GIF"
    return None


__all__ = ["audio_kind", "container_kind", "image_kind", "mp4_handlers", "no_video_stream"]
