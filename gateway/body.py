"""Reading a request body within a byte limit, undoing Content-Encoding without decompression bombs."""
from __future__ import annotations

import bz2
import zlib

from .problems import RequestProblem


def read_body(req, limit: int) -> bytes:
    """The raw body; refuses anything over `limit` bytes before or after decompression."""
    length = req.content_length
    if length is not None and length > limit:
        raise RequestProblem("body_too_large", f"Request body is too large: {length} bytes, the limit is {limit}",
                             limit=limit)
    data = req.bounded_stream.read(limit + 1) if (length or req.get_header("Transfer-Encoding")) else b""
    if len(data) > limit:
        raise RequestProblem("body_too_large", f"Request body is too large, the limit is {limit} bytes", limit=limit)
    encoding = (req.get_header("Content-Encoding") or "").strip().lower()
    if encoding in ("gzip", "x-gzip"):
        data = decompress(data, "gzip", limit)
    elif encoding == "deflate":
        data = decompress(data, "deflate", limit)
    return data


def decompress(data: bytes, method: str, limit: int) -> bytes:
    """gzip/deflate/bzip2 data, stopping at `limit` output bytes.

    A body labelled gzip that is not gzip is passed through: one Java client sets the header
    without compressing, and refusing it would break that client for no gain.
    """
    if method in ("gzip", "deflate"):
        if not data.startswith(b"\x1f\x8b") and method == "gzip":
            return data
        # zlib-wrapped (what HTTP's "deflate" means) and gzip are told apart by their header; bare
        # deflate streams, which some clients send under that name, have none.
        wrapped = data[:2].startswith(b"\x1f\x8b") or (len(data) > 1 and (data[0] & 0x0F) == 8
                                                       and ((data[0] << 8) | data[1]) % 31 == 0)
        decoder = zlib.decompressobj(zlib.MAX_WBITS | 32 if wrapped else -zlib.MAX_WBITS)
        try:
            out = decoder.decompress(data, limit + 1)
        except zlib.error as exc:
            raise RequestProblem("malformed", f"Body is not valid {method} data: {exc}") from None
    elif method == "bzip2":
        decoder = bz2.BZ2Decompressor()
        try:
            out = decoder.decompress(data, limit + 1)
        except (OSError, ValueError) as exc:
            raise RequestProblem("malformed", f"Body is not valid bzip2 data: {exc}") from None
    else:
        raise RequestProblem("malformed", f"Unsupported compression: {method}")
    if len(out) > limit:
        raise RequestProblem("body_too_large", f"Decompressed body is over the limit of {limit} bytes", limit=limit)
    return out
