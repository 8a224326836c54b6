"""The generateTask format: ``/api/v1/generateTask/sora-2-pro`` and ``statusTask`` (SPEC 3)."""

NAME = "generatetask"

RESPONSE_CONTRACTS: dict[str, str | None] = {
    f"{NAME}.create_task": "generatetask/submit_response",
    f"{NAME}.task_status": "generatetask/status_response",
}
ERROR_CONTRACT = "generatetask/error"
CALLBACK_CONTRACT = "generatetask/status_response"
