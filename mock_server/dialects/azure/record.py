"""Azure's Sora 2 record: the videos API under ``/openai/v1/videos`` (the plain ``OpenAI``
client) and ``/openai/videos?api-version=`` (the SDK's ``AzureOpenAI`` client), one store."""

from __future__ import annotations

from werkzeug.wrappers import Request

from mock_server import catalog
from mock_server.backend.kinds import JobKind, LimitGroup
from mock_server.dialects.azure import NAME, render
from mock_server.dialects.azure.deployments import Deployments
from mock_server.dialects.openai import render as openai_render
from mock_server.dialects.openai.models import ModelViews, model_routes
from mock_server.dialects.openai.record import video_routes
from mock_server.dialects.openai.views import VideoViews
from mock_server.dialects.record import JSON, MULTIPART, Dialect, query
from mock_server.rules import azure
from mock_server.wire.context import current_state

#: Both Azure surfaces count here: jobs per deployment, job requests per key and minute.
LIMITS = LimitGroup(
    NAME,
    "azure_concurrent_jobs",
    "azure_requests_per_minute",
    per_deployment=True,
    creates_only=True,
)
V1 = catalog.AZURE_V1_PREFIX
DATED = catalog.AZURE_DATED_PREFIX
VIDEO_ID = {"video_id": "A video_ id of this resource."}
CREATE_CONTRACTS = {JSON: "azure/create_request", MULTIPART: "azure/create_request_multipart"}
VIEWS = VideoViews(NAME, Deployments())
#: On Azure a client names deployments: they are the models it can discover.
MODELS = ModelViews(lambda: current_state().settings.deployments())
V1_VERSION = query("api-version", {"enum": list(catalog.AZURE_V1_API_VERSIONS)})
DATED_VERSION = query(
    "api-version", {"type": "string", "pattern": catalog.AZURE_DATED_API_VERSION}, required=True
)


def check_request(req: Request) -> None:
    """The ``api-version`` the path accepts (after the key, before the route)."""
    dated = not req.path.startswith(V1 + "/")
    azure.check_api_version(req.args.get("api-version"), dated=dated)


ROUTES = (
    *video_routes(
        VIEWS,
        base=V1 + "/videos",
        operation=lambda op: "azure" + op[0].upper() + op[1:],
        create_contracts=CREATE_CONTRACTS,
        video_id=VIDEO_ID,
        parameters=(V1_VERSION,),
    ),
    *video_routes(
        VIEWS,
        base=DATED + "/videos",
        operation=lambda op: "azureDated" + op[0].upper() + op[1:],
        create_contracts=CREATE_CONTRACTS,
        video_id=VIDEO_ID,
        parameters=(DATED_VERSION,),
        name=lambda view: "dated_" + view,
    ),
    *model_routes(
        MODELS,
        base=V1 + "/models",
        operation=lambda op: "azure" + op[0].upper() + op[1:],
        parameters=(V1_VERSION,),
    ),
    *model_routes(
        MODELS,
        base=DATED + "/models",
        operation=lambda op: "azureDated" + op[0].upper() + op[1:],
        parameters=(DATED_VERSION,),
        name=lambda view: "dated_" + view,
    ),
)

DIALECT = Dialect(
    name=NAME,
    title="Azure OpenAI Sora 2: /openai/v1/videos and /openai/videos?api-version=",
    routes=ROUTES,
    jobs=JobKind(
        NAME,
        catalog.ID_PREFIX_VIDEO,
        catalog.ID_HEX_VIDEO,
        catalog.AZURE_LIFETIME_SECONDS,
        catalog.generation_seconds,
        LIMITS,
    ),
    error_contract="azure/error",
    render_error=render.error,
    render_fault=openai_render.server_error,
    path_prefixes=(DATED + "/",),
    check_request=check_request,
)
