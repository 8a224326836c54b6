"""The public pages behind the sources the rules, outcomes and catalog name.

Inside the project a source names a section of the specification (``SPEC 1.2``) or one of the
source documents it was written from (``seed 004``). Those are public pages: the documentation
names the pages, through :func:`public_source`, never the internal numbers.
"""

from __future__ import annotations

import re

#: A page: its title and its address.
Page = tuple[str, str]

OPENAI_REFERENCE: Page = (
    "OpenAI API reference: Videos",
    "https://developers.openai.com/api/reference/go/resources/videos",
)
OPENAI_GUIDE: Page = (
    "OpenAI: video generation guide",
    "https://developers.openai.com/api/docs/guides/video-generation",
)
OPENAI_SDK: Page = ("openai-python", "https://github.com/openai/openai-python")
STANDARD_WEBHOOKS: Page = ("Standard Webhooks", "https://www.standardwebhooks.com/")
UNIALL_QUERY: Page = (
    "UniAll: query a task",
    "https://docs.uniall.ai/models/video/sora-2/query-task",
)
APIXO_ERRORS: Page = ("APIXO: errors", "https://apixo.ai/docs/api-reference/errors")
APIXO_RESPONSES: Page = (
    "APIXO: response format",
    "https://apixo.ai/docs/api-reference/response-format",
)
AZURE_DOCS: Page = (
    "Azure OpenAI: video generation",
    "https://learn.microsoft.com/en-us/azure/ai-foundry/openai/concepts/video-generation",
)
AZURE_REST_SPEC: Page = (
    "Azure REST API specs: OpenAI v1",
    "https://github.com/Azure/azure-rest-api-specs/tree/main/specification/ai/data-plane/OpenAI.v1",
)
AZURE_LAB_ISSUE: Page = (
    "mslearn-ai-vision issue 81 (a live Azure 404)",
    "https://github.com/MicrosoftLearning/mslearn-ai-vision/issues/81",
)

#: The source documents, by number: guides and providers' pages the spec was written from.
SEEDS: dict[str, Page] = {
    "000": ("yingtu.ai: Sora 2 API size errors", "https://yingtu.ai/blog/sora2-api-size-error"),
    "001": (
        "APIYI: Sora 2 reference image dimension errors",
        "https://help.apiyi.com/en/sora-2-api-inpaint-image-size-error-solution-en.html",
    ),
    "002": (
        "aifreeapi: Sora 2 inpaint image size error",
        "https://www.aifreeapi.com/en/posts/sora-2-api-inpaint-image-size-error-fix",
    ),
    "003": ("UniAll: Sora 2 Video Generation", "https://docs.uniall.ai/models/video/sora-2"),
    "004": ("APIXO: Sora 2 Pro", "https://apixo.ai/docs/models/video/sora-2-pro"),
}

#: The pages each section of the specification rests on; a subsection not listed takes its
#: section's. Sections 5 and 6 are the project's choices and bodies seen live, which name their
#: own sources beside the section.
SECTIONS: dict[str, tuple[Page, ...]] = {
    "1": (OPENAI_REFERENCE, OPENAI_GUIDE, OPENAI_SDK),
    "1.1": (OPENAI_REFERENCE, OPENAI_SDK),
    "1.2": (OPENAI_REFERENCE, SEEDS["000"], SEEDS["001"], SEEDS["002"]),
    "1.5": (OPENAI_REFERENCE, OPENAI_SDK, STANDARD_WEBHOOKS),
    "1.6": (SEEDS["000"], SEEDS["002"]),
    "1.7": (OPENAI_REFERENCE, OPENAI_GUIDE),
    "2": (SEEDS["003"], UNIALL_QUERY),
    "3": (SEEDS["004"], APIXO_ERRORS, APIXO_RESPONSES),
    "4": (AZURE_DOCS, AZURE_REST_SPEC, SEEDS["000"], SEEDS["002"]),
    "4.1": (AZURE_DOCS, AZURE_LAB_ISSUE),
    "4.2": (AZURE_DOCS, AZURE_REST_SPEC, SEEDS["000"]),
    "5": (),
    "5.1": (SEEDS["000"], SEEDS["002"], SEEDS["004"]),
    "5.2": (SEEDS["003"], SEEDS["004"]),
    "6": (),
}

_SPEC = re.compile(r"SPEC (\d(?:\.\d)?(?:, \d(?:\.\d)?(?!\d))*)")
_SEED = re.compile(r"\bseeds? (\d{3}(?:(?:, | and |-)\d{3})*)")


def pages_of_section(section: str) -> tuple[Page, ...]:
    """The pages a section (``"1.2"``) of the specification rests on."""
    if section in SECTIONS:
        return SECTIONS[section]
    return SECTIONS.get(section.partition(".")[0], ())


def _seeds(named: str) -> list[str]:
    """``000-002`` and ``001, 002`` as the seed numbers they name."""
    numbers: list[str] = []
    for part in re.split(r", | and ", named):
        first, _, last = part.partition("-")
        numbers += [f"{n:03d}" for n in range(int(first), int(last or first) + 1)]
    return numbers


def pages_named(source: str) -> list[Page]:
    """Every page a source text names, through its sections and seeds, once each, in order."""
    found: list[Page] = []
    for match in re.finditer(f"{_SPEC.pattern}|{_SEED.pattern}", source):
        if match.group(1):
            for section in match.group(1).split(", "):
                found += pages_of_section(section)
        else:
            found += [SEEDS[number] for number in _seeds(match.group(2))]
    return list(dict.fromkeys(found))


def public_source(source: str) -> str:
    """A source as the documentation gives it: links to its pages, then what it adds.

    ``SPEC 1.2, seed 001 [public; choice: OpenAI wording]`` becomes the section's and the
    seed's pages as Markdown links, followed by ``(public; choice: OpenAI wording)``.
    """
    links = ", ".join(f"[{title}]({url})" for title, url in pages_named(source))
    rest = _SEED.sub("", _SPEC.sub("", source)).replace("()", "")
    notes = " ".join(re.findall(r"\[([^\]]*)\]", rest))
    plain = re.sub(r"\[[^\]]*\]", "", rest).strip(" ,;:")
    plain = re.sub(r"\s*;\s*(;\s*)+", "; ", plain)
    extra = re.sub(r"\s+", " ", "; ".join(part for part in (plain, notes) if part))
    if links and extra:
        return f"{links} ({extra})"
    return links or extra
