"""Every fact and every choice the mock relies on, in one place.

Each entry says where it comes from:

- ``SPEC``: ``shared/spec/SORA_APIS.md`` section, which in turn cites seeds and public sources;
- ``CHOICE``: nothing public says it; the project decided. docs/reference/sources.md lists them.

Rules, the backend and the dialect renderers read facts from here; nothing else
writes a model name, a size, a limit or a duration down a second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
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

#: ``GET /v1/models``: the model object's fields ``id``, ``object``, ``created`` and
#: ``owned_by`` [public: https://developers.openai.com/api/reference/resources/models]; who owns
#: the Sora models and when each was made are [CHOICE]: ``system``, and the day the API first
#: served it (a snapshot's date is in its name).
MODEL_OWNER: Final = "system"
MODEL_CREATED: Final = MappingProxyType(
    {
        "sora-2": 1759708800,
        "sora-2-pro": 1759708800,
        "sora-2-2025-10-06": 1759708800,
        "sora-2-pro-2025-10-06": 1759708800,
        "sora-2-2025-12-08": 1765152000,
        "sora": 1746662400,
    }
)
#: Every Sora 2 model's ``shutdown_date`` on OpenAI (the SDK's ``Model.shutdown_date``, "the date
#: when the model will shut down, or null if not announced"): "The Sora 2 video generation models
#: and Videos API are deprecated and will shut down on September 24, 2026" [public:
#: https://developers.openai.com/api/docs/guides/video-generation]; as an ISO date [CHOICE].
MODEL_SHUTDOWN_DATE: Final = "2026-09-24"

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
CREATE_FIELDS: Final = ("prompt", "model", "seconds", "size", "input_reference", "characters")
REMIX_FIELDS: Final = ("prompt",)


def base_model(model: str) -> str:
    """Return the base model a model id or snapshot id stands for."""
    return MODEL_SNAPSHOTS.get(model, model)


def parse_size(size: str) -> tuple[int, int]:
    """Split a catalog size such as ``1280x720`` into ``(width, height)``."""
    width, height = size.split("x")
    return int(width), int(height)


#: Native sizes by their wire form.
NATIVE_SIZES: Final = MappingProxyType({size: parse_size(size) for size in ALL_SIZES})


# --- edits and extensions (SPEC 1.7) --------------------------------------------------------

#: Fields of an edit body, and of an extension body.
EDIT_FIELDS: Final = ("prompt", "video")
EXTENSION_FIELDS: Final = ("prompt", "video", "seconds")
#: Seconds one extension adds: the description's five values, as strings (SDK types say 4/8/12).
EXTENSION_SECONDS: Final = ("4", "8", "12", "16", "20")
#: At most this many extensions of one video, and this many seconds in all (public docs).
EXTENSIONS_MAX: Final = 6
EXTENDED_MAX_SECONDS: Final = 120

# --- characters (SPEC 1.7) ------------------------------------------------------------------

#: Character ids: ``char_`` + 32 hex [CHOICE: the public example is ``char_123``].
ID_PREFIX_CHARACTER: Final = "char_"
ID_HEX_CHARACTER: Final = 32
#: A character's name has 1..80 characters (public contract).
CHARACTER_NAME_MAX_CHARS: Final = 80
#: Characters one create may name (public docs).
CHARACTERS_PER_VIDEO: Final = 2
#: Fields of the character body (multipart only).
CHARACTER_FIELDS: Final = ("name", "video")
#: The largest character video accepted, counted while it streams in [CHOICE].
CHARACTER_VIDEO_MAX_BYTES: Final = 50 * 1024 * 1024
#: Uploaded videos are MP4 or QuickTime, recognised by their ``ftyp`` box [CHOICE].
VIDEO_UPLOAD_FORMATS: Final = ("mp4", "quicktime")

# --- reference images (SPEC 1.2) -------------------------------------------------------------

#: Formats accepted as a reference image, recognised by their bytes (seeds 001, 002).
REFERENCE_FORMATS: Final = ("jpeg", "png", "webp")
#: The most bytes a reference image may have (seed 002).
REFERENCE_MAX_BYTES: Final = 20 * 1024 * 1024
#: The longest a presigned URL can live, in seconds: seven days, for AWS Signature Version 4
#: ("IAM user: Valid up to seven days when using AWS Signature Version 4",
#: https://aws.amazon.com/premiumsupport/knowledge-center/presigned-url-s3-bucket-expiration/)
#: and Google Cloud Storage's V4 signing alike. A URL that claims longer is refused by the store,
#: so no provider could fetch the image.
PRESIGNED_MAX_SECONDS: Final = 7 * 24 * 3600
#: Pixel count past which an image is treated as a decompression bomb [CHOICE]: Pillow's own
#: default, far above the largest legal reference (1792x1024).
REFERENCE_MAX_PIXELS: Final = 89_478_485
#: Multipart limits [CHOICE]: parts per body, and bytes per text field (room for a prompt of
#: 32000 four-byte characters).
MULTIPART_MAX_PARTS: Final = 64
MULTIPART_MAX_FIELD_BYTES: Final = 192 * 1024
#: JSON limits [CHOICE]: the deepest nesting a body may have (the APIs' own bodies nest three
#: levels), and the longest number it may write (far past any value a field takes).
JSON_MAX_DEPTH: Final = 32
JSON_MAX_NUMBER_CHARS: Final = 64
#: The journal's excerpt of a body [CHOICE]: strings past this many characters keep their
#: start, length and digest; objects and arrays keep this many members each, and the whole
#: excerpt this many values, so any body's entry is a few tens of kilobytes at most.
JOURNAL_STRING_CHARS: Final = 512
JOURNAL_MEMBERS: Final = 64
JOURNAL_VALUES: Final = 1024
#: The most contract violations the journal keeps of one body [CHOICE].
JOURNAL_VIOLATIONS: Final = 32
#: What a change answers when the database's disk is full: 507 Insufficient Storage, in the
#: dialect's envelope, with ``retry-after: 60`` [CHOICE]. Reads keep answering.
STORAGE_FULL_STATUS: Final = 507
#: Seconds a request's line and headers may take to arrive, and an idle keep-alive connection
#: stays open; a body gets these seconds too, then must keep up its minimum rate [CHOICE].
DEFAULT_READ_TIMEOUT_SECONDS: Final = 30.0
#: The request line's longest length in bytes; longer is a 414 (as gunicorn's default) [CHOICE].
REQUEST_LINE_LIMIT: Final = 4094
#: Header fields a request may have; more is a 431 (hyper's limit, as gunicorn's) [CHOICE].
HEADER_FIELDS_LIMIT: Final = 100
#: A header field's longest length in bytes; longer is a 431 (as gunicorn's default) [CHOICE].
HEADER_FIELD_SIZE_LIMIT: Final = 8190
#: Seconds the requests under way get to finish once the server is told to stop [CHOICE].
GRACEFUL_STOP_SECONDS: Final = 10
#: The most of a refused request's unread body the server reads and drops to keep the
#: connection open; a longer rest closes it [CHOICE].
UNREAD_BODY_DRAIN_BYTES: Final = 64 * 1024
#: A body up to this size is parsed on the server's event loop; a longer one on a thread
#: [CHOICE].
INLINE_BODY_BYTES: Final = 64 * 1024
#: The slowest a request body may arrive, on average, once the read timeout's first seconds
#: are spent: a body is due in full ``read_timeout + length / this`` seconds after its head,
#: or it is cut off with a 408 (512 kbit/s: a 50 MB upload in under 14 minutes) [CHOICE].
MIN_BODY_BYTES_PER_SECOND: Final = 64 * 1024
#: The largest JSON body a control call takes [CHOICE].
CONTROL_JSON_MAX_BYTES: Final = 1024 * 1024
#: Extra room a request body may take beyond the reference bytes before it is cut off while
#: streaming: the other form fields, multipart framing, and base64 growth of a data URL [CHOICE].
BODY_OVERHEAD_BYTES: Final = 1024 * 1024

# --- the job lifecycle (SPEC 1.3) ------------------------------------------------------------

QUEUED: Final = "queued"
IN_PROGRESS: Final = "in_progress"
COMPLETED: Final = "completed"
FAILED: Final = "failed"
#: A job stopped before it finished; only Azure's Sora 1 jobs API shows it (its REST spec's
#: JobStatus; the docs' client stops polling on it), so only that dialect's jobs end so.
CANCELLED: Final = "cancelled"
#: The states every dialect shows (in its own words), and those a history may script.
JOB_STATUSES: Final = (QUEUED, IN_PROGRESS, COMPLETED, FAILED)
SCRIPTABLE_STATUSES: Final = (*JOB_STATUSES, CANCELLED)
TERMINAL_STATUSES: Final = (COMPLETED, FAILED, CANCELLED)

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


#: Price per second of video by base model (SPEC 1.6 [seeds 000, 002]): sora-2 $0.10;
#: sora-2-pro $0.30 at 720x1280 and 1280x720, $0.50 at its Pro-only sizes.
PRICE_PER_SECOND: Final = MappingProxyType({"sora-2": 0.10, "sora-2-pro": 0.30})
PRO_ONLY_PRICE_PER_SECOND: Final = 0.50


def price_of(model: str, width: int, height: int, seconds: int) -> float:
    """What a video would cost on OpenAI's service; 0 for a model without a published price
    (Azure's Sora 1, ``sora``). The providers' own prices are not published in the seeds:
    OpenAI's stand for them [CHOICE]."""
    base = base_model(model) if model in ACCEPTED_MODELS else model
    per_second = PRICE_PER_SECOND.get(base)
    if per_second is None:
        return 0.0
    if base == "sora-2-pro" and f"{width}x{height}" in PRO_ONLY_SIZES:
        per_second = PRO_ONLY_PRICE_PER_SECOND
    return round(per_second * seconds, 2)


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
IMAGE_UNREACHABLE: Final = FailureKind(
    "image_unreachable", "The reference image URL could not be fetched.", 0.0
)
#: A Pro-only size on an Azure sora-2 deployment: accepted at create, then the job fails
#: (SPEC 4.1 [public: seen live]; the message is a [CHOICE] that says why).
AZURE_SIZE_UNSUPPORTED: Final = FailureKind(
    "unsupported_size",
    "sora-2 on Azure renders only 1280x720 and 720x1280; the sizes 1024x1792 and 1792x1024 "
    "need a sora-2-pro deployment.",
    0.0,
)
#: The failures of the generateTask provider's list, each with its description as the message
#: (SPEC 6 [public: APIXO api-reference/error-codes]); when in the run each strikes [CHOICE].
PROVIDER_FAILURES: Final = (
    FailureKind("nsfw_detected", "NSFW content detected", 0.0),
    FailureKind("prompt_too_long", "Prompt exceeds character limit", 0.0),
    FailureKind("invalid_prompt", "Prompt is empty or malformed", 0.0),
    FailureKind("image_too_large", "Input image exceeds size limit", 0.0),
    FailureKind("unsupported_format", "Image format not supported", 0.0),
    FailureKind("image_download_failed", "Failed to download reference image", 0.0),
    FailureKind("processing_timeout", "Generation took too long", 0.95),
    FailureKind("model_unavailable", "Model is temporarily offline", 0.0),
    FailureKind("insufficient_credits", "Account has no credits", 0.0),
    FailureKind("generation_failed", "Generic generation failure", 0.5),
)
FAILURES: Final = MappingProxyType(
    {
        kind.code: kind
        for kind in (
            MODERATION_BLOCKED,
            INTERNAL_ERROR,
            INVALID_REFERENCE_IMAGE,
            IMAGE_UNREACHABLE,
            AZURE_SIZE_UNSUPPORTED,
            *PROVIDER_FAILURES,
        )
    }
)
#: Failures any dialect's job may meet (the others belong to one provider's rules).
COMMON_FAILURES: Final = tuple(code for code in FAILURES if code != AZURE_SIZE_UNSUPPORTED.code)
#: A forced cancellation strikes while the job runs [CHOICE: half-way, so that a poller has
#: seen it queued and running first].
CANCELLATION: Final = FailureKind(CANCELLED, "The job was cancelled.", 0.5)
#: How a job can end other than completed: every failure, and the cancellation.
ENDINGS: Final = MappingProxyType({**FAILURES, CANCELLATION.code: CANCELLATION})

# --- forced outcomes and magic prompt markers (SPEC 5.3, SPEC 6) ----------------------------

#: The input-moderation refusal's live message; the reasons vary (SPEC 6 [live: public
#: issues; a face in the reference gives people-in-user-uploads]).
INPUT_MODERATION_MESSAGE: Final = (
    "The request is blocked by our moderation system when checking inputs. Possible reasons: "
    "{reason}."
)
#: The reason a face in the reference is refused for, and the others seen live.
FACE_REASON: Final = "people-in-user-uploads"
INPUT_MODERATION_REASONS: Final = ("sexual", "violence", "graphic-violence", "self-harm")
#: The organisation-verification refusal's live message (SPEC 6 [live: public issues]).
ORG_UNVERIFIED_MESSAGE: Final = (
    "Your organization must be verified to use the model `{model}`. Please go to: "
    "https://platform.openai.com/settings/organization/general and click on Verify "
    "Organization. If you just verified, it can take up to 15 minutes for access to propagate."
)

#: Where a behaviour comes from, as the provenance table groups them.
SEED, PUBLIC, LIVE, CHOICE = "seed", "public document", "seen live", "choice"


@dataclass(frozen=True)
class Outcome:
    """A result a test can force on the next job, by control API or by a prompt marker."""

    name: str
    description: str
    #: Where it comes from: ``SEED``, ``PUBLIC``, ``LIVE`` or ``CHOICE``, and the reference.
    kind: str
    source: str
    #: The job fails with this code.
    failure: str | None = None
    #: The create is refused by this rule, naming ``reason`` when given.
    reject_rule: str | None = None
    reason: str | None = None
    #: Applies only to a create that carries a reference image (a face is in an image).
    needs_reference: bool = False
    #: The create is refused with this HTTP status, in the dialect's error envelope.
    refuse_status: int | None = None
    #: The run takes :data:`SLOW_FACTOR` times as long.
    slow: bool = False
    #: Applies only to the jobs of a dialect that shows a cancelled job (``JobKind.cancellable``).
    cancellable_only: bool = False


_ERRORS_PAGE = "APIXO api-reference/error-codes and errors"
_INPUT_MODERATION = "SPEC 6: public issues quoting the live 400"

OUTCOMES: Final = MappingProxyType(
    {
        outcome.name: outcome
        for outcome in (
            Outcome(
                "moderation_blocked",
                "The job fails as blocked by moderation (CONTENT_VIOLATION on generateTask).",
                LIVE,
                "SPEC 6: public issues; seed 004 for CONTENT_VIOLATION",
                failure="moderation_blocked",
            ),
            Outcome(
                "internal_error",
                "The job fails half-way with an internal error (GENERATION_FAILED).",
                CHOICE,
                "SPEC 1.3 [choice: the message]",
                failure="internal_error",
            ),
            Outcome(
                "face_rejected",
                "A create with a reference image is refused: input moderation, "
                "people-in-user-uploads (a face).",
                LIVE,
                _INPUT_MODERATION,
                reject_rule="input_reference.face",
                reason=FACE_REASON,
                needs_reference=True,
            ),
            *(
                Outcome(
                    "input_blocked_" + reason.replace("-", "_"),
                    f"A create is refused by input moderation, reason {reason}.",
                    LIVE,
                    _INPUT_MODERATION,
                    reject_rule="moderation.input",
                    reason=reason,
                )
                for reason in INPUT_MODERATION_REASONS
            ),
            Outcome(
                "org_unverified",
                "A create is refused with 403: the organisation must be verified.",
                LIVE,
                "SPEC 6: public issues quoting the live 403",
                reject_rule="access.org_unverified",
            ),
            Outcome(
                "image_unreachable",
                "The job fails: its image could not be fetched (INVALID_IMAGE_URL).",
                SEED,
                "seed 004",
                failure="image_unreachable",
            ),
            *(
                Outcome(
                    kind.code,
                    f"The job fails: {kind.message} ({kind.code.upper()} on generateTask).",
                    PUBLIC,
                    _ERRORS_PAGE,
                    failure=kind.code,
                )
                for kind in PROVIDER_FAILURES
            ),
            Outcome(
                "insufficient_balance",
                "A create is refused with 402: insufficient balance.",
                PUBLIC,
                _ERRORS_PAGE,
                refuse_status=402,
            ),
            Outcome(
                "forbidden",
                "A create is refused with 403: content violates policy.",
                PUBLIC,
                _ERRORS_PAGE,
                refuse_status=403,
            ),
            Outcome(
                "service_unavailable",
                "A create is refused with 503: the model is temporarily unavailable.",
                PUBLIC,
                _ERRORS_PAGE,
                refuse_status=503,
            ),
            Outcome(
                "cancelled",
                "The job is cancelled half-way (Azure's Sora 1 jobs API: the only one that shows "
                "a cancelled job; another dialect's job leaves it queued for the next such job).",
                PUBLIC,
                "Azure REST spec: JobStatus `cancelled`; the docs' client polls until "
                "succeeded, failed or cancelled",
                failure=CANCELLED,
                cancellable_only=True,
            ),
            Outcome(
                "slow",
                "The job takes ten times as long.",
                CHOICE,
                "SPEC 5.3 [choice]",
                slow=True,
            ),
        )
    }
)

MAGIC_MARKER_FORMAT: Final = "[mock:{name}]"


def magic_marker(name: str) -> str:
    """The prompt marker that forces an outcome."""
    return MAGIC_MARKER_FORMAT.format(name=name)


def outcomes_in_prompt(prompt: str) -> list[Outcome]:
    """The outcomes a prompt's magic markers ask for, in catalog order."""
    if MAGIC_MARKER_FORMAT.split("{", 1)[0] not in prompt:  # most prompts have no marker
        return []
    return [outcome for name, outcome in OUTCOMES.items() if magic_marker(name) in prompt]


# --- limits and identity (SPEC 1.5) ----------------------------------------------------------

#: The type OpenAI's and Azure's video errors carry where the live services were seen using it
#: (SPEC 4.1, 6 [live: the concurrency cap, Azure's unknown deployment]).
AZURE_USER_ERROR_TYPE: Final = "video_generation_user_error"
#: The concurrency cap's live message: 429, that type, ``param`` and ``code`` null (SPEC 6
#: [live: a public test fixture quoting the bodies a client met; an Azure probe tool]).
TOO_MANY_RUNNING_TASKS: Final = "Too many running tasks"

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

#: Host names that count as private besides private addresses and single-label names such as
#: ``metadata`` (SPEC 5.2; RFC 6761, 6762, 8375; ICANN's reserved ``.internal``).
PRIVATE_HOST_NAMES: Final = ("localhost",)
PRIVATE_HOST_SUFFIXES: Final = (".local", ".internal", ".localhost", ".home.arpa", ".localdomain")
#: Special-purpose address blocks no image or webhook of a client's lives in (IANA's IPv4 and
#: IPv6 special-purpose registries, RFC 6890), besides what ``ipaddress`` flags as private,
#: loopback, link-local, multicast or reserved: the whole of each block counts [CHOICE].
SPECIAL_NETWORKS: Final = (
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.88.99.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",
    "240.0.0.0/4",
    "::/128",
    "::1/128",
    "::ffff:0:0/96",
    "64:ff9b::/96",
    "64:ff9b:1::/48",
    "100::/64",
    "2001::/23",
    "2001:db8::/32",
    "3fff::/20",
    "5f00::/16",
    "fc00::/7",
    "fe80::/10",
    "ff00::/8",
)
#: Where the control API lives; no webhook or callback is ever delivered under it [CHOICE].
CONTROL_PREFIX: Final = "/_mock"

#: Webhook secrets have the Standard Webhooks form: this prefix, then base64 (SPEC 1.5).
WEBHOOK_SECRET_PREFIX: Final = "whsec_"
#: The documented default webhook secret, Standard Webhooks form [CHOICE].
DEFAULT_WEBHOOK_SECRET: Final = "whsec_c29yYS1tb2NrLWRldmVsb3BtZW50LXNlY3JldA=="

#: Webhook events (SPEC 1.5).
WEBHOOK_EVENT_BY_STATUS: Final = MappingProxyType(
    {COMPLETED: "video.completed", FAILED: "video.failed"}
)
#: Delivery attempts for one webhook and the mock-clock delays between them [CHOICE].
WEBHOOK_RETRY_DELAYS: Final = (5.0, 30.0)
#: How long one webhook or callback attempt may take [CHOICE].
DELIVERY_TIMEOUT_SECONDS: Final = 5.0

# --- media (SPEC 1.4) [CHOICE] ---------------------------------------------------------------

VIDEO_FPS: Final = 24
SPRITESHEET_GRID: Final = (3, 3)
SPRITESHEET_TILE_WIDTH: Final = 256
THUMBNAIL_MAX_SIDE: Final = 640
#: x264's rate factor for a ``quality=low`` video (Azure's Sora 1) [CHOICE].
LOW_QUALITY_CRF: Final = 44


# --- ids and result lifetimes per dialect (each dialect's JobKind reads these) -------------

# SPEC 1.3: expires_at = completed_at + 86400 (public sample).
# SPEC 2: gen_ ids; result lifetime not published [CHOICE: as OpenAI's].
UNIALL_ID_PREFIX: Final = "gen_"
UNIALL_ID_HEX: Final = 24  # seed 003's sample id [CHOICE: its length]
UNIALL_RESULT_LIFETIME_SECONDS: Final = ASSET_LIFETIME_SECONDS  # SPEC 2 [CHOICE: OpenAI's]
# SPEC 3: task_ ids; result URLs valid 15 days (seed 004).
GT_ID_PREFIX: Final = "task_"
GT_ID_HEX: Final = 24  # seed 004's sample id [CHOICE: its length]
GT_RESULT_LIFETIME_SECONDS: Final = 15 * 86400  # seed 004: "valid for 15 days"
#: The provider's general page says result URLs "expire after 24 hours" [public: APIXO
#: api-reference/response-format]; seed 004 wins by default, this is the setting's other value.
GT_PROVIDER_PAGE_RESULT_LIFETIME_SECONDS: Final = 86400

# --- dialect uniall (SPEC 2, seed 003) -------------------------------------------------------

LANDSCAPE: Final = "landscape"
PORTRAIT: Final = "portrait"
#: aspect_ratio values and the orientation each means.
ORIENTATION_BY_ASPECT: Final = MappingProxyType({"16:9": LANDSCAPE, "9:16": PORTRAIT})
UNIALL_DEFAULT_ASPECT: Final = "16:9"  # [CHOICE]
UNIALL_DURATIONS: Final = (4, 8, 12, 16, 20)
UNIALL_DEFAULT_DURATION: Final = 4  # [CHOICE]
#: The wait between status reads a careful client keeps: none published [CHOICE: the SDK's
#: default of 1 s, as UniAll speaks OpenAI's format].
UNIALL_POLL_INTERVAL_SECONDS: Final = 1.0
#: Fields of the UniAll create body.
UNIALL_FIELDS: Final = ("model", "prompt", "image_url", "aspect_ratio", "duration")


@dataclass(frozen=True)
class UniAllModel:
    """One row of the UniAll model table."""

    id: str
    #: The model family the submit response names (``sora2`` in seed 003's sample) [CHOICE].
    family: str
    #: The native model whose generation time applies.
    base_model: str
    #: Fixed by the name, or ``None`` when ``aspect_ratio`` decides.
    orientation: str | None
    #: Fixed by the name, or ``None`` when ``duration`` decides.
    seconds: int | None
    #: (width, height) per orientation.
    sizes: MappingProxyType[str, tuple[int, int]]
    #: Served only when the server setting ``uniall_true_1080p`` is on.
    switched: bool = False


_720P = MappingProxyType({LANDSCAPE: (1280, 720), PORTRAIT: (720, 1280)})
_PRO_1080P = MappingProxyType({LANDSCAPE: (1792, 1024), PORTRAIT: (1024, 1792)})  # [CHOICE]
_TRUE_1080P = MappingProxyType({LANDSCAPE: (1920, 1080), PORTRAIT: (1080, 1920)})  # [CHOICE]

UNIALL_MODELS: Final = MappingProxyType(
    {
        model.id: model
        for model in (
            *(
                UniAllModel(
                    f"sora2-{orientation}-{seconds}s",
                    "sora2",
                    "sora-2",
                    orientation,
                    seconds,
                    _720P,
                )
                for orientation in (LANDSCAPE, PORTRAIT)
                for seconds in (4, 8, 12)
            ),
            UniAllModel("sora2-pro-720p", "sora2-pro", "sora-2-pro", None, None, _720P),
            UniAllModel("sora2-pro-1080p", "sora2-pro", "sora-2-pro", None, None, _PRO_1080P),
            UniAllModel(
                "sora2-pro-true-1080p",
                "sora2-pro",
                "sora-2-pro",
                None,
                None,
                _TRUE_1080P,
                switched=True,
            ),
        )
    }
)
#: Fields that belong to the native format, refused on the UniAll endpoint (seed 003).
NATIVE_ONLY_FIELDS: Final = ("size", "seconds", "input_reference")

# --- dialect generatetask (SPEC 3, seed 004) -------------------------------------------------

GT_MODEL: Final = "sora-2-pro"
GT_REQUEST_TYPES: Final = ("async", "callback")
GT_DEFAULT_REQUEST_TYPE: Final = "async"
GT_PROVIDERS: Final = ("auto", "value", "official")
GT_DEFAULT_PROVIDER: Final = "auto"
#: With ``provider=official`` every video is 12 s, whatever ``duration`` says.
GT_OFFICIAL_SECONDS: Final = 12
GT_MODES: Final = ("text-to-video", "image-to-video")
GT_TEXT_TO_VIDEO, GT_IMAGE_TO_VIDEO = GT_MODES
GT_PROMPT_MAX_CHARS: Final = 5000
GT_DURATIONS: Final = (10, 15)
GT_DEFAULT_DURATION: Final = 10  # [CHOICE]
#: Sizes of text-to-video, with ``*`` (seed 004).
GT_SIZES: Final = MappingProxyType(
    {
        "720*1280": (720, 1280),
        "1280*720": (1280, 720),
        "1024*1792": (1024, 1792),
        "1792*1024": (1792, 1024),
    }
)
GT_DEFAULT_SIZE: Final = "720*1280"  # [CHOICE: as the native default]
#: Resolutions of image-to-video; the orientation follows the image [CHOICE].
GT_RESOLUTIONS: Final = MappingProxyType({"720p": _720P, "1080p": _PRO_1080P})
GT_DEFAULT_RESOLUTION: Final = "720p"  # [CHOICE]
GT_IMAGE_URLS_COUNT: Final = 1
GT_IMAGE_MAX_BYTES: Final = 10 * 1024 * 1024
#: "Average ~3 minutes per video" (seed 004).
GT_GENERATION_SECONDS: Final = 180.0
#: "Wait 120 s, then poll every 5 s" (seed 004).
GT_POLL_INTERVAL_SECONDS: Final = 5.0
GT_REQUESTS_PER_MINUTE: Final = 60
GT_CONCURRENT_TASKS: Final = 10
#: The ``message`` of an error body by status: the provider's error pages (the 400 body's
#: "Invalid request" verbatim; the others its table's descriptions; 405, 408, 413, 415
#: [CHOICE]; any other status its standard reason phrase [CHOICE]).
#: The detail goes in ``data.error`` (SPEC 6 [public: APIXO api-reference/error-codes]).
GT_STATUS_MESSAGES: Final = MappingProxyType(
    {
        400: "Invalid request",
        401: "Invalid or missing API key",
        402: "Insufficient balance",
        403: "Content violates policy",
        404: "Resource not found",
        405: "Method not allowed",
        408: "Request timeout",
        413: "Request too large",
        415: "Unsupported media type",
        429: "Rate limit exceeded",
        500: "Internal server error",
        503: "Service temporarily unavailable",
    }
)


def gt_status_message(status: int) -> str:
    """The ``message`` of a generateTask error body with this status."""
    found = GT_STATUS_MESSAGES.get(status)
    if found is not None:
        return found
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Internal server error" if status >= 500 else "Request failed"


#: A 401 is the documented body alone, ``{"code": 401, "message": ...}``, no ``data``
#: (APIXO concepts/authentication).
GT_BARE_STATUSES: Final = (401,)
#: Top-level and ``input`` fields of the create body.
#: ``source`` is optional, accepted and ignored: the provider's own MCP client sends it
#: (SPEC 6 [live: the provider's client]).
GT_FIELDS: Final = ("request_type", "callback_url", "provider", "source", "input")
GT_INPUT_FIELDS: Final = ("mode", "prompt", "duration", "size", "resolution", "image_urls")
#: Callback attempts: one, then up to three retries after 30 s, 2 min and 10 min of mock time,
#: then abandoned (SPEC 6 [public: APIXO guides/polling-vs-webhooks]).
CALLBACK_RETRY_DELAYS: Final = (30.0, 120.0, 600.0)
#: The receiver has 30 seconds to answer 200 (SPEC 6 [public: APIXO api-reference/webhooks]).
CALLBACK_ANSWER_SECONDS: Final = 30.0

# --- dialect azure: Sora 2 under Azure OpenAI's paths (SPEC 4.1, seeds 000 and 002) ---------

#: The plain ``OpenAI`` client's base URL ends here (Azure's v1 API).
AZURE_V1_PREFIX: Final = "/openai/v1"
#: The ``AzureOpenAI`` client calls ``{endpoint}/openai/videos?api-version=...`` (SDK lib/azure.py).
AZURE_DATED_PREFIX: Final = "/openai"
#: ``api-version`` values the v1 paths accept; absent is accepted too (SPEC 4.1).
AZURE_V1_API_VERSIONS: Final = ("v1", "preview")
#: Versions the dated paths accept: ``preview``, or a date with an optional ``-preview``
#: (``2025-04-01-preview``) [CHOICE: any the SDK may send].
AZURE_DATED_API_VERSION: Final = r"^(preview|\d{4}-\d{2}-\d{2}(-preview)?)$"
#: Base models a deployment may run; ``sora`` is Sora 1, served by the jobs API only.
AZURE_VIDEOS_MODELS: Final = BASE_MODELS
AZURE_JOBS_MODEL: Final = "sora"
AZURE_DEPLOYABLE_MODELS: Final = (*AZURE_VIDEOS_MODELS, AZURE_JOBS_MODEL)
#: Deployments every resource has unless switched off: named after their model (SPEC 4.1,
#: 4.2: the public samples call ``sora``) [CHOICE].
AZURE_DEFAULT_DEPLOYMENTS: Final = MappingProxyType({m: m for m in AZURE_DEPLOYABLE_MODELS})
#: "Two video job requests per minute" [public docs]; 2 running jobs per deployment
#: [public: seen live]. Jobs and their content last 24 h [public docs].
AZURE_REQUESTS_PER_MINUTE: Final = 2
AZURE_CONCURRENT_JOBS: Final = 2
AZURE_LIFETIME_SECONDS: Final = 86400
#: Azure's answer to a missing or wrong key, as its gateway words it [public: widely quoted].
AZURE_ACCESS_DENIED: Final = (
    "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide "
    "a valid key for an active subscription and use a correct regional API endpoint for your "
    "resource."
)
#: The body of a path Azure does not serve (SPEC 4.1 [public: seen live]).
AZURE_UNKNOWN_PATH_BODY: Final = MappingProxyType({"detail": "Not Found"})

# --- dialect azure_jobs: Azure's Sora 1 video generation jobs API (SPEC 4.2, seed 000) --------

AZURE_JOBS_PREFIX: Final = "/openai/v1/video/generations"
#: The nine sizes, ``(width, height)`` (seed 000; the Azure concepts page).
AZURE_JOBS_SIZES: Final = (
    (480, 480),
    (480, 854),
    (854, 480),
    (720, 720),
    (720, 1280),
    (1280, 720),
    (1080, 1080),
    (1080, 1920),
    (1920, 1080),
)
AZURE_JOBS_SECONDS_RANGE: Final = (1, 20)
AZURE_JOBS_DEFAULT_SECONDS: Final = 5
AZURE_JOBS_VARIANTS_RANGE: Final = (1, 5)
AZURE_JOBS_DEFAULT_VARIANTS: Final = 1
#: The most variants by the size's shorter side: "disabled at 1080p, at most 2 at 720p, at
#: most 4 otherwise" [public docs].
AZURE_JOBS_VARIANTS_BY_SIDE: Final = MappingProxyType({1080: 1, 720: 2, 0: 4})
#: Fields of the create body (the REST spec), and those of an inpaint item and its crop.
AZURE_JOBS_FIELDS: Final = ("model", "prompt", "width", "height", "n_seconds", "n_variants")
AZURE_JOBS_MULTIPART_FIELDS: Final = (*AZURE_JOBS_FIELDS, "files", "inpaint_items")
AZURE_INPAINT_FIELDS: Final = ("frame_index", "type", "file_name", "crop_bounds")
AZURE_INPAINT_TYPES: Final = ("image", "video")
AZURE_CROP_FIELDS: Final = ("left_fraction", "top_fraction", "right_fraction", "bottom_fraction")
#: Up to 2 input images or one input video of at most 5 seconds [public docs].
AZURE_INPAINT_MAX_IMAGES: Final = 2
AZURE_INPAINT_MAX_VIDEO_SECONDS: Final = 5
#: The message for an inpaint image whose size is not the output's (seed 002).
INPUT_SIZE_MISMATCH_MESSAGE: Final = "Input must match the output size"
#: The job's states in order, and where a job's run turns each (fractions of the run).
AZURE_JOB_QUEUED: Final = "queued"
AZURE_JOB_WALK: Final = (("preprocessing", 0.0), ("running", 0.34), ("processing", 0.67))
AZURE_JOB_SUCCEEDED: Final = "succeeded"
AZURE_JOB_FAILED: Final = "failed"
#: A cancelled job shows ``finished_at`` (when it stopped), no generations, no expiry and no
#: ``failure_reason`` [CHOICE: the REST spec marks them optional and gives no sample].
AZURE_JOB_CANCELLED: Final = CANCELLED
AZURE_JOB_STATUSES: Final = (
    AZURE_JOB_QUEUED,
    *(status for status, _ in AZURE_JOB_WALK),
    AZURE_JOB_SUCCEEDED,
    AZURE_JOB_FAILED,
    AZURE_JOB_CANCELLED,
)
#: Status reads a job takes at least in ``polls`` mode, so that a poller sees every state.
AZURE_JOBS_MIN_POLL_STEPS: Final = 4
#: ``failure_reason`` by the mock's failure code [public: the REST spec's known values].
AZURE_FAILURE_REASONS: Final = MappingProxyType(
    {"moderation_blocked": "input_moderation", "nsfw_detected": "input_moderation"}
)
AZURE_DEFAULT_FAILURE_REASON: Final = "internal_error"
#: ``task_`` + 26 lowercase Crockford base32 characters, as the public samples [CHOICE: the
#: last character 0, so that generation N's id is the job's with N in its place].
AZURE_JOB_ID_PREFIX: Final = "task_"
AZURE_GENERATION_ID_PREFIX: Final = "gen_"
AZURE_ID_ALPHABET: Final = "0123456789abcdefghjkmnpqrstvwxyz"
AZURE_ID_LENGTH: Final = 26
AZURE_JOBS_LIST_DEFAULT_LIMIT: Final = 10
#: The docs' client polls a job every 5 s [public: Azure docs].
AZURE_JOBS_POLL_INTERVAL_SECONDS: Final = 5.0
#: ``quality`` of a generation's video: the MP4 variant each names [CHOICE: low is encoded
#: at a lower quality, same size and length].
AZURE_VIDEO_QUALITIES: Final = MappingProxyType({"high": "video", "low": "video_low"})
AZURE_DEFAULT_QUALITY: Final = "high"
#: The thumbnail's media type, as the REST spec writes it.
AZURE_THUMBNAIL_TYPE: Final = "image/jpg"
#: Mock seconds a Sora 1 job takes per second of video [CHOICE].
AZURE_JOBS_SECONDS_PER_SECOND: Final = 12.0


def azure_jobs_generation_seconds(model: str, seconds: int) -> float:
    """Seconds a Sora 1 job of this length takes."""
    return AZURE_JOBS_SECONDS_PER_SECOND * seconds


def azure_jobs_max_variants(width: int, height: int) -> int:
    """The most variants a size allows (by its shorter side)."""
    side = min(width, height)
    return next(most for floor, most in AZURE_JOBS_VARIANTS_BY_SIDE.items() if side >= floor)
