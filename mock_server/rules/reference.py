"""Rules for the reference image (``input_reference``; SPEC 1.2 and 5.2)."""

from __future__ import annotations

from mock_server import catalog, images
from mock_server.domain import ReferenceImage
from mock_server.rules.registry import RuleViolation, define

PARAM = "input_reference"

INVALID_SHAPE = define(
    "input_reference.invalid",
    400,
    "An object reference has exactly one of image_url and file_id, as strings; "
    "a multipart reference is a file part.",
    "SPEC 1.1 [public]",
)
TOO_LARGE = define(
    "input_reference.too_large",
    400,
    "The reference image has at most 20 MB, counted while the body streams in.",
    "SPEC 1.2, seed 002",
)
UNSUPPORTED_FORMAT = define(
    "input_reference.format",
    400,
    "The reference is JPEG, PNG or WebP, recognised by its bytes, not its name or type.",
    "SPEC 1.2, seeds 001, 002 [choice: wording]",
)
UNREADABLE = define(
    "input_reference.unreadable",
    400,
    "The reference's image header can be read and the file is whole (PNG chunks to IEND, JPEG "
    "segments to the end marker, WebP's RIFF size), checked without decoding pixels.",
    "SPEC 5.4 [choice]",
)
DECOMPRESSION_BOMB = define(
    "input_reference.decompression_bomb",
    400,
    "The reference does not claim more pixels than Pillow's safety limit.",
    "SPEC 1.2 [choice]",
)
DIMENSIONS = define(
    "input_reference.dimensions",
    400,
    "The reference's pixel size equals the requested size exactly, as displayed: a quarter-turn "
    "EXIF orientation swaps width and height.",
    "SPEC 1.2 [public message], seeds 001, 002 [choice: the displayed size]",
)
FACE = define(
    "input_reference.face",
    400,
    "The reference shows no real human face (the mock cannot see faces: forced only); the "
    "refusal is input moderation's, reason people-in-user-uploads.",
    "SPEC 1.2, seeds 001, 002; SPEC 5.3; SPEC 6 [live: public issues]",
)
FILE_NOT_FOUND = define(
    "input_reference.file_not_found",
    400,
    "A file_id names an asset stored on the mock.",
    "SPEC 1.1 [choice: OpenAI wording]",
)
URL_INVALID = define(
    "input_reference.url_invalid",
    400,
    "image_url is a base64 data: URL of an image or an http(s) URL.",
    "SPEC 1.1 [public], SPEC 5.2",
)
URL_PRIVATE = define(
    "input_reference.url_private",
    400,
    "image_url does not point at a private or special-purpose host, however it is spelled "
    "(loopback, RFC 1918, link-local, shared, reserved; localhost, single-label names, .local, "
    ".internal, .localhost, .home.arpa).",
    "SPEC 5.2, seed 003",
)


URL_EXPIRED = define(
    "input_reference.url_expired",
    400,
    "A presigned image URL (X-Amz-Date + X-Amz-Expires, X-Goog-*, or Expires=) has not expired "
    "on the mock clock.",
    "SPEC 5.2, seed 003",
)
URL_UNREACHABLE = define(
    "input_reference.url_unreachable",
    400,
    "The image URL can be fetched (a host under .invalid, one registered as unreachable, or a "
    "presigned URL whose X-Amz-Expires or X-Goog-Expires passes seven days, 604800 s, the most "
    "S3 and Cloud Storage sign for, cannot); on generateTask the task fails with "
    "INVALID_IMAGE_URL instead.",
    "SPEC 5.2, seed 004 [public: seven days, "
    "https://aws.amazon.com/premiumsupport/knowledge-center/presigned-url-s3-bucket-expiration/]",
)


def check_byte_size(size: int, limit: int) -> None:
    """The reference fits the byte limit."""
    if size > limit:
        raise RuleViolation(TOO_LARGE, param=PARAM, size=size, limit=limit)


def check_image(data: bytes, limit: int) -> ReferenceImage:
    """Recognise the image by its bytes and read its size from the header."""
    check_byte_size(len(data), limit)
    found = images.sniff_format(data)
    if found not in catalog.REFERENCE_FORMATS:
        raise RuleViolation(
            UNSUPPORTED_FORMAT, param=PARAM, found=found, supported=catalog.REFERENCE_FORMATS
        )
    try:
        header = images.read_header(data, found, catalog.REFERENCE_MAX_PIXELS)
    except images.ImageTooManyPixels as exc:
        raise RuleViolation(
            DECOMPRESSION_BOMB,
            param=PARAM,
            width=exc.width,
            height=exc.height,
            limit=catalog.REFERENCE_MAX_PIXELS,
        ) from exc
    except images.ImageHeaderError as exc:
        raise RuleViolation(UNREADABLE, param=PARAM, format=found, detail=str(exc)) from exc
    # The displayed size counts: a quarter-turn EXIF orientation swaps width and height.
    return ReferenceImage(data, header.format, header.width, header.height)


def check_dimensions(image: ReferenceImage, width: int, height: int) -> None:
    """The reference is exactly the requested size, to the pixel."""
    if (image.width, image.height) != (width, height):
        raise RuleViolation(
            DIMENSIONS,
            got=f"{image.width}x{image.height}",
            expected=f"{width}x{height}",
        )
