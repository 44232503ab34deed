"""Make a PDF LibreOffice wrote the same bytes every time it is made from the same source.

LibreOffice stamps each PDF with the moment it was made (``/CreationDate`` in the
document information, ``xmp:CreateDate`` in the XMP metadata of a tagged export), a
random file identifier (``/ID``) and its own ``/DocChecksum`` over the lot. Each is
rewritten in place with a fixed date and a hash of the PDF's own content, keeping every
value's length, so that the cross-reference table's byte offsets stay valid and the
PDF is the same file it was, only reproducible (checked with pikepdf in the tests).
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

_INFO_DATE = re.compile(rb"(/(?:CreationDate|ModDate)\s*\(D:)(\d{4,14})")
_XMP_DATE = re.compile(rb"(<xmp:(?:CreateDate|ModifyDate|MetadataDate)>)(\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d)?)")
_ID = re.compile(rb"(/ID\s*\[\s*<)([0-9A-Fa-f]+)(>\s*<)([0-9A-Fa-f]+)(>)")
_CHECKSUM = re.compile(rb"(/DocChecksum\s*/)([0-9A-Fa-f]+)")


def reproducible_pdf(data: bytes, stamp: datetime) -> bytes:
    """`data` with its dates set to `stamp` and its /ID and /DocChecksum a hash of its content; same length, same layout."""
    info = stamp.strftime("%Y%m%d%H%M%S").encode()
    xmp = stamp.strftime("%Y-%m-%dT%H:%M:%S").encode()
    data = _INFO_DATE.sub(lambda m: m.group(1) + info[: len(m.group(2))], data)
    data = _XMP_DATE.sub(lambda m: m.group(1) + xmp[: len(m.group(2))], data)
    blank = _CHECKSUM.sub(lambda m: m.group(1) + b"0" * len(m.group(2)), _ID.sub(_zero_id, data))
    digest = hashlib.sha256(blank).hexdigest().upper().encode()
    data = _ID.sub(lambda m: m.group(1) + _fit(digest, m.group(2)) + m.group(3) + _fit(digest, m.group(4)) + m.group(5), data)
    return _CHECKSUM.sub(lambda m: m.group(1) + _fit(digest, m.group(2)), data)


def _zero_id(m: re.Match) -> bytes:
    return m.group(1) + b"0" * len(m.group(2)) + m.group(3) + b"0" * len(m.group(4)) + m.group(5)


def _fit(digest: bytes, old: bytes) -> bytes:
    return (digest * (len(old) // len(digest) + 1))[: len(old)]
