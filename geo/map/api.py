"""The live map's server side: read-only JSON routes mounted beside the Streamlit page (``st.App``).

``GET {prefix}/view?<the page's query>&bbox=S,W,N,E&zoom=Z[&until=DAY][&density=1][&places=1]`` answers what
the view shows (:func:`geo.map.live.view_payload`); ``GET {prefix}/summary?<the page's query>`` the count, the
player's steps and the legend of the filters; ``GET {prefix}/event?id=ID`` one event's marker; ``GET
{prefix}/version`` the store's version (the map asks for it every few seconds, to follow new events). They read the
store the page reads (``$GEO_STORE``), take only these parameters, answer bad ones with 400 and a message,
and are never cached by the browser.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from geo.errors import DataFormatError
from geo.map.live import event_payload, parse_view_request, summary_payload, version_payload, view_payload
from geo.store.eventstore import StorePath, default_store_path
from geo.store.location import StoreError
from geo.store.query import EventQuery, shared_query

__all__ = ["API_PREFIX", "map_routes", "mounted"]

API_PREFIX: Final = "/api/map"
_HEADERS: Final = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
#: Query strings longer than this are refused (the page's own are far shorter).
MAX_QUERY_BYTES: Final = 8_192


def _reply(status: int, body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=_HEADERS)


def _params(request: Request) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    return params


async def _answer(
    request: Request, store: Callable[[], StorePath], work: Callable[[EventQuery, dict[str, list[str]]], Any]
) -> JSONResponse:
    """Run ``work`` on the shared query of the store in a worker thread; errors become a status and a message."""
    if len(request.url.query.encode()) > MAX_QUERY_BYTES:
        return _reply(414, {"error": "the request is too long"})
    params = _params(request)
    try:
        found = await run_in_threadpool(lambda: work(shared_query(store()), params))
    except DataFormatError as err:
        return _reply(400, {"error": str(err)})
    except StoreError as err:
        return _reply(503, {"error": str(err)})
    if found is None:
        return _reply(404, {"error": "no such event on the map"})
    return _reply(200, found)


_MOUNTED: list[bool] = []


def mounted() -> bool:
    """Whether this process serves the map's routes (the page was started with ``streamlit run app.py``)."""
    return bool(_MOUNTED)


def map_routes(store: Callable[[], StorePath] = default_store_path, prefix: str = API_PREFIX) -> list[Route]:
    """The live map's routes, reading the store ``store()`` names (by default ``$GEO_STORE``'s)."""
    _MOUNTED.append(True)

    async def view(request: Request) -> JSONResponse:
        return await _answer(request, store, lambda query, params: view_payload(query, parse_view_request(params)))

    async def summary(request: Request) -> JSONResponse:
        return await _answer(request, store, summary_payload)

    async def event(request: Request) -> JSONResponse:
        return await _answer(request, store, lambda query, params: event_payload(query, (params.get("id") or [""])[-1]))

    async def version(request: Request) -> JSONResponse:
        return await _answer(request, store, version_payload)

    return [
        Route(f"{prefix}/version", version, methods=["GET"]),
        Route(f"{prefix}/view", view, methods=["GET"]),
        Route(f"{prefix}/summary", summary, methods=["GET"]),
        Route(f"{prefix}/event", event, methods=["GET"]),
    ]
