"""The UniAll task format: ``POST /v1/video/generations``, ``GET /v1/videos/gen_...`` (SPEC 2)."""

NAME = "uniall"

RESPONSE_CONTRACTS: dict[str, str | None] = {f"{NAME}.create_generation": "uniall/submit_response"}
#: The contract of a status read (``GET /v1/videos/gen_...``, routed by the native blueprint).
TASK_CONTRACT = "uniall/task"
ERROR_CONTRACT = "uniall/error"
