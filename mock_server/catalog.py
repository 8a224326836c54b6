"""Every fact and every choice the mock relies on, in one place.

Each entry says where it comes from:

- ``SPEC``: ``shared/spec/SORA_APIS.md`` section, which in turn cites seeds and public sources;
- ``CHOICE``: nothing public says it; the project decided. The README lists these.

Rules, the backend and the dialect renderers read facts from here; nothing else
writes a model name, a size, a limit or a duration down a second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

# --- models and sizes (SPEC 1.2) -------------------------------------------------------------

BASE_MODELS: Final = ("sora-2", "sora-2-pro")
DEFAULT_MODEL: Final = "sora-2"

#: Snapshot ids accepted on create, each treated as its base model (SPEC 1.2, public).
MODEL_SNAPSHOTS: Final = MappingProxyType(
    {
        "sora-2-2025-10-06": "sora-2",
        "sora-2-pro-2025-10-06": "sora-2-pro",
        "sora-2-2025-12-08": "sora-2",
    }
)

#: Every model id the create endpoint accepts, in the order the public enum lists them.
ACCEPTED_MODELS: Final = (*BASE_MODELS, *MODEL_SNAPSHOTS)

STANDARD_SIZES: Final = ("720x1280", "1280x720")
PRO_ONLY_SIZES: Final = ("1024x1792", "1792x1024")
ALL_SIZES: Final = (*STANDARD_SIZES, *PRO_ONLY_SIZES)
DEFAULT_SIZE: Final = "720x1280"

#: Which sizes each base model renders (SPEC 1.2, seeds 000-002).
SIZES_BY_MODEL: Final = MappingProxyType(
    {"sora-2": STANDARD_SIZES, "sora-2-pro": ALL_SIZES},
)

#: Durations are strings on the native wire (SPEC 1.2, public).
SECONDS_VALUES: Final = ("4", "8", "12")
DEFAULT_SECONDS: Final = "4"

PROMPT_MAX_CHARS: Final = 32000

#: Fields the native create endpoint accepts; anything else is an unknown parameter.
CREATE_FIELDS: Final = ("prompt", "model", "seconds", "size", "input_reference")
REMIX_FIELDS: Final = ("prompt",)


def base_model(model: str) -> str:
    """Return the base model a model id or snapshot id stands for."""
    return MODEL_SNAPSHOTS.get(model, model)


def parse_size(size: str) -> tuple[int, int]:
    """Split a catalog size such as ``1280x720`` into ``(width, height)``."""
    width, height = size.split("x")
    return int(width), int(height)


# --- reference images (SPEC 1.2) -------------------------------------------------------------

#: Formats accepted as a reference image, recognised by their bytes (seeds 001, 002).
REFERENCE_FORMATS: Final = ("jpeg", "png", "webp")
#: The most bytes a reference image may have (seed 002).
REFERENCE_MAX_BYTES: Final = 20 * 1024 * 1024
#: Pixel count past which an image is treated as a decompression bomb [CHOICE]: Pillow's own
#: default, far above the largest legal reference (1792x1024).
REFERENCE_MAX_PIXELS: Final = 89_478_485
#: Extra room a request body may take beyond the reference bytes before it is cut off while
#: streaming: the other form fields, multipart framing, and base64 growth of a data URL [CHOICE].
BODY_OVERHEAD_BYTES: Final = 1024 * 1024

# --- the job lifecycle (SPEC 1.3) ------------------------------------------------------------

QUEUED: Final = "queued"
IN_PROGRESS: Final = "in_progress"
COMPLETED: Final = "completed"
FAILED: Final = "failed"
JOB_STATUSES: Final = (QUEUED, IN_PROGRESS, COMPLETED, FAILED)
TERMINAL_STATUSES: Final = (COMPLETED, FAILED)

#: Seconds between completion and expiry of the assets (SPEC 1.3, public sample).
ASSET_LIFETIME_SECONDS: Final = 86400

#: Generation time of a 4-second video per base model, the middle of the seeds' ranges
#: (SPEC 1.6: 60-70 s for sora-2, 80-90 s for sora-2-pro).
GENERATION_SECONDS_PER_4S: Final = MappingProxyType({"sora-2": 65.0, "sora-2-pro": 85.0})

#: Share of a job's run spent queued before it starts [CHOICE].
QUEUED_SHARE: Final = 0.1

#: In ``polls`` mode, how many status reads take a job from queued to terminal [CHOICE].
POLL_STEPS: Final = 4

#: A ``slow`` job (magic prompt) takes this many times as long [CHOICE].
SLOW_FACTOR: Final = 10

PROGRESSIONS: Final = ("instant", "polls", "time", "manual")

#: ``openai-poll-after-ms`` sent in the fast modes, where waiting is pointless [CHOICE].
FAST_POLL_AFTER_MS: Final = 10
#: Bounds for ``openai-poll-after-ms`` in ``time`` mode, where it follows the remaining time.
TIME_POLL_AFTER_MS_BOUNDS: Final = (10, 2000)


def generation_seconds(model: str, seconds: int) -> float:
    """Seconds a real job of this model and length takes (longer videos proportionally)."""
    return GENERATION_SECONDS_PER_4S[base_model(model)] * seconds / 4


# --- failures (SPEC 1.3) ---------------------------------------------------------------------


@dataclass(frozen=True)
class FailureKind:
    """A way a job can fail: its neutral code, its message, and when in the run it strikes."""

    code: str
    message: str
    #: Fraction of the run at which the job turns ``failed`` (0 = as soon as it leaves the queue).
    at_fraction: float


MODERATION_BLOCKED: Final = FailureKind(
    "moderation_blocked", "Your request was blocked by our moderation system.", 0.0
)
INTERNAL_ERROR: Final = FailureKind(
    "internal_error", "The video could not be generated because of an internal error.", 0.5
)
#: The public message for a reference of the wrong size (SPEC 1.2, seed 001).
INPAINT_MISMATCH_MESSAGE: Final = "Inpaint image must match the requested width and height"

INVALID_REFERENCE_IMAGE: Final = FailureKind(
    "invalid_reference_image", INPAINT_MISMATCH_MESSAGE, 0.0
)
FAILURES: Final = MappingProxyType(
    {kind.code: kind for kind in (MODERATION_BLOCKED, INTERNAL_ERROR, INVALID_REFERENCE_IMAGE)}
)

# --- forced outcomes and magic prompt markers (SPEC 5.3) [CHOICE] ----------------------------


@dataclass(frozen=True)
class Outcome:
    """A result a test can force on the next job, by control API or by a prompt marker."""

    name: str
    description: str
    #: The job fails with this code.
    failure: str | None = None
    #: The create is refused by this rule (only when it carries a reference image).
    reject_rule: str | None = None
    #: The run takes :data:`SLOW_FACTOR` times as long.
    slow: bool = False


OUTCOMES: Final = MappingProxyType(
    {
        outcome.name: outcome
        for outcome in (
            Outcome(
                "moderation_blocked",
                "The job fails as blocked by moderation.",
                failure="moderation_blocked",
            ),
            Outcome(
                "internal_error",
                "The job fails half-way with an internal error.",
                failure="internal_error",
            ),
            Outcome(
                "face_rejected",
                "A create with a reference image is refused: the image shows a face.",
                reject_rule="input_reference.face",
            ),
            Outcome("slow", "The job takes ten times as long.", slow=True),
        )
    }
)

MAGIC_MARKER_FORMAT: Final = "[mock:{name}]"


def magic_marker(name: str) -> str:
    """The prompt marker that forces an outcome."""
    return MAGIC_MARKER_FORMAT.format(name=name)


def outcomes_in_prompt(prompt: str) -> list[Outcome]:
    """The outcomes a prompt's magic markers ask for, in catalog order."""
    return [outcome for name, outcome in OUTCOMES.items() if magic_marker(name) in prompt]


# --- limits and identity (SPEC 1.5) ----------------------------------------------------------

#: Concurrent unfinished jobs per API key; the real range is 2 to 5 by tier [CHOICE: 5].
DEFAULT_CONCURRENT_JOBS: Final = 5
#: Requests per minute per key; 0 means no limit [CHOICE: none is published for videos].
DEFAULT_REQUESTS_PER_MINUTE: Final = 0
RATE_WINDOW_SECONDS: Final = 60.0

#: List defaults [CHOICE: as other OpenAI list endpoints].
LIST_DEFAULT_LIMIT: Final = 20
LIST_MAX_LIMIT: Final = 100
LIST_ORDERS: Final = ("asc", "desc")
LIST_DEFAULT_ORDER: Final = "desc"

CONTENT_VARIANTS: Final = MappingProxyType(
    {"video": "video/mp4", "thumbnail": "image/webp", "spritesheet": "image/jpeg"}
)
DEFAULT_VARIANT: Final = "video"

ID_PREFIX_VIDEO: Final = "video_"
ID_HEX_VIDEO: Final = 32
ID_PREFIX_FILE: Final = "file-"
ID_PREFIX_REQUEST: Final = "req_"
ID_PREFIX_EVENT: Final = "evt_"
ID_PREFIX_WEBHOOK_MESSAGE: Final = "msg_"

#: Host names that count as private besides private addresses (SPEC 5.2).
PRIVATE_HOST_NAMES: Final = ("localhost",)
PRIVATE_HOST_SUFFIXES: Final = (".local", ".internal", ".localhost")

#: The documented default webhook secret, Standard Webhooks form [CHOICE].
DEFAULT_WEBHOOK_SECRET: Final = "whsec_c29yYS1tb2NrLWRldmVsb3BtZW50LXNlY3JldA=="

#: Webhook events (SPEC 1.5).
WEBHOOK_EVENT_BY_STATUS: Final = MappingProxyType(
    {COMPLETED: "video.completed", FAILED: "video.failed"}
)
#: Delivery attempts for one webhook and the mock-clock delays between them [CHOICE].
WEBHOOK_RETRY_DELAYS: Final = (5.0, 30.0)
WEBHOOK_TIMEOUT_SECONDS: Final = 5.0

# --- media (SPEC 1.4) [CHOICE] ---------------------------------------------------------------

VIDEO_FPS: Final = 24
SPRITESHEET_GRID: Final = (3, 3)
SPRITESHEET_TILE_WIDTH: Final = 256
THUMBNAIL_MAX_SIDE: Final = 640
