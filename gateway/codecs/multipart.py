"""multipart/form-data bodies split into their parts, for every dialect (form fields, file uploads)."""
from __future__ import annotations

import io
from dataclasses import dataclass

from falcon.media.multipart import MultipartFormHandler

from ..problems import RequestProblem

_handler = MultipartFormHandler()
# The size limit is enforced on the body as a whole; a 500-row import easily has thousands of parts.
_handler.parse_options.max_body_part_count = 0
_handler.parse_options.max_body_part_buffer_size = 64 * 1024 * 1024


@dataclass(frozen=True)
class Part:
    name: str
    filename: str | None
    data: bytes


def is_multipart(content_type: str | None) -> bool:
    return (content_type or "").split(";", 1)[0].strip().lower() == "multipart/form-data"


def parts(body: bytes, content_type: str) -> list[Part]:
    """The parts in order; RequestProblem("malformed_multipart") for a body that is not multipart."""
    try:
        return [Part(part.name or "", part.filename or None, part.data)
                for part in _handler.deserialize(io.BytesIO(body), content_type, len(body))]
    except Exception as exc:  # noqa: BLE001 - falcon raises its own media errors for broken multipart bodies
        raise RequestProblem("malformed_multipart",
                             f"Malformed multipart body: {getattr(exc, 'description', exc)}") from None
