"""The OpenAI-native dialect: ``/v1/videos`` (SPEC 1)."""

NAME = "openai"

#: The contract each route's success body follows; ``None`` marks a binary body.
RESPONSE_CONTRACTS: dict[str, str | None] = {
    f"{NAME}.create_video": "openai/video",
    f"{NAME}.list_videos": "openai/video_list",
    f"{NAME}.retrieve_video": "openai/video",
    f"{NAME}.delete_video": "openai/video_deleted",
    f"{NAME}.video_content": None,
    f"{NAME}.remix_video": "openai/video",
}
#: The contract every error body of this dialect follows.
ERROR_CONTRACT = "openai/error"
