"""Reading a Sora 1 job body, JSON or multipart, into fields and uploaded files (SPEC 4.2)."""

from __future__ import annotations

from typing import Any

from mock_server.rules import azure_jobs, protocol
from mock_server.rules.registry import RuleViolation
from mock_server.wire.bodies import ParsedBody, file_bytes

FILES = "files"


def job_request(body: ParsedBody) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The body's fields (multipart values as strings) and its files by file name."""
    names = list(dict.fromkeys([*body.fields.keys(), *body.files.keys()]))
    azure_jobs.check_fields(names, multipart=body.multipart)
    if not body.multipart:
        return {key: body.fields[key] for key in body.fields}, {}
    protocol.check_single_values(
        {key: body.fields.getlist(key) + body.files.getlist(key) for key in names if key != FILES}
    )
    if FILES in body.fields:
        raise RuleViolation(
            azure_jobs.INPAINT_ITEMS, param=FILES, detail="files are file parts, not text"
        )
    files = {upload.filename or "": file_bytes(upload) for upload in body.files.getlist(FILES)}
    return {key: body.fields[key] for key in body.fields}, files
