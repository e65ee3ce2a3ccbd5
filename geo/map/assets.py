"""Leaflet and Leaflet.markercluster from the installed XStatic packages, and the map's own script and
style (``geo/map/static``), so the map needs no CDN.

The dashboard serves copies from ``static/vendor`` (Streamlit's static file serving: ``/app/static/vendor/...``)
and the basemap tiles from ``static/basemap``; a standalone HTML export embeds the files instead.
"""

from __future__ import annotations

import base64
import filecmp
import importlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from geo.errors import GeoError
from geo.settings import PROJECT_DIR

__all__ = ["ASSET_DIR", "AssetError", "AssetUrls", "asset_urls", "inline_assets", "install_assets"]

#: Where the dashboard serves the assets from: ``static/`` beside ``dashboard.py``, under ``vendor/``.
ASSET_DIR: Final = PROJECT_DIR / "static" / "vendor"
#: The URL of ``ASSET_DIR`` in a Streamlit page with ``server.enableStaticServing = true``.
DEFAULT_BASE_URL: Final = "/app/static/vendor"
#: The URL of the basemap tiles (``geo.settings.TILE_DIR``).
DEFAULT_BASEMAP_URL: Final = "/app/static/basemap"


class AssetError(GeoError, FileNotFoundError):
    """A package that provides a map asset is not installed, or lacks the file."""


@dataclass(frozen=True, slots=True)
class Asset:
    """One file (or folder) of an XStatic package and where it goes under the asset folder."""

    package: str
    source: str
    target: str
    kind: Literal["js", "css", "dir"]


#: The package whose ``static`` folder holds the map's own script and style.
OWN: Final = "geo.map"


#: In load order: Leaflet before the plugin that extends it, and the map's own script last.
ASSETS: Final = (
    Asset("xstatic.pkg.leaflet", "leaflet.js", "leaflet/leaflet.js", "js"),
    Asset("xstatic.pkg.leaflet", "leaflet.css", "leaflet/leaflet.css", "css"),
    Asset("xstatic.pkg.leaflet", "images", "leaflet/images", "dir"),
    Asset(
        "xstatic.pkg.leaflet_markercluster", "leaflet.markercluster.js", "markercluster/leaflet.markercluster.js", "js"
    ),
    Asset("xstatic.pkg.leaflet_markercluster", "MarkerCluster.css", "markercluster/MarkerCluster.css", "css"),
    Asset(OWN, "geomap.js", "geo/geomap.js", "js"),
    Asset(OWN, "geomap.css", "geo/geomap.css", "css"),
)


@dataclass(frozen=True, slots=True)
class AssetUrls:
    """Where the page loads each asset from."""

    leaflet_js: str
    leaflet_css: str
    markercluster_js: str
    markercluster_css: str
    geomap_js: str
    geomap_css: str
    #: Where the basemap's tiles and labels are served (``geo.map.tiles``).
    basemap_base: str


def _source(asset: Asset) -> Path:
    """The asset's path inside its installed package."""
    if asset.package == OWN:
        return Path(__file__).resolve().parent / "static" / asset.source
    try:
        module = importlib.import_module(asset.package)
    except ImportError as err:
        raise AssetError(
            f"{asset.package} is not installed, so the map cannot load {asset.source}: "
            "run `pip install -r requirements.txt`"
        ) from err
    path = Path(module.BASE_DIR) / asset.source
    if not path.exists():
        raise AssetError(f"{path} is missing from the installed {asset.package}: reinstall it")
    return path


def _copy_if_changed(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` unless it holds the same bytes; the replace is atomic for readers."""
    if target.is_file() and filecmp.cmp(source, target, shallow=False):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(handle)
    try:
        shutil.copyfile(source, temp)
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    finally:
        Path(temp).unlink(missing_ok=True)


def install_assets(target: Path = ASSET_DIR) -> Path:
    """Copy the map's JavaScript, CSS and images into ``target``; files already up to date are left alone."""
    for asset in ASSETS:
        source = _source(asset)
        files = sorted(source.iterdir()) if asset.kind == "dir" else [source]
        for file in files:
            relative = Path(asset.target) / file.name if asset.kind == "dir" else Path(asset.target)
            _copy_if_changed(file, target / relative)
    return target


def asset_urls(base: str = DEFAULT_BASE_URL, basemap: str = DEFAULT_BASEMAP_URL) -> AssetUrls:
    """The asset URLs under ``base`` (the URL at which ``install_assets``' folder is served), and ``basemap``."""
    root = base.rstrip("/")
    url = {asset.source: f"{root}/{asset.target}" for asset in ASSETS}
    return AssetUrls(
        leaflet_js=url["leaflet.js"],
        leaflet_css=url["leaflet.css"],
        markercluster_js=url["leaflet.markercluster.js"],
        markercluster_css=url["MarkerCluster.css"],
        geomap_js=url["geomap.js"],
        geomap_css=url["geomap.css"],
        basemap_base=basemap.rstrip("/"),
    )


_SOURCE_MAP = re.compile(r"^\s*/[/*]# sourceMappingURL=.*$", re.MULTILINE)
_IMAGE_URL = re.compile(r"url\((['\"]?)images/([\w.-]+\.png)\1\)")


def _embedded_images(css: str, images: Path) -> str:
    """The CSS with each ``url(images/x.png)`` replaced by a data: URL of the file (unknown files dropped)."""

    def data_url(match: re.Match[str]) -> str:
        path = images / match.group(2)
        if not path.is_file():
            return "none"
        return f"url(data:image/png;base64,{base64.b64encode(path.read_bytes()).decode('ascii')})"

    return _IMAGE_URL.sub(data_url, css)


def inline_assets() -> str:
    """``<style>`` and ``<script>`` tags holding every asset, for a page that must work from disk, offline."""
    tags = []
    for asset in ASSETS:
        if asset.kind == "dir":
            continue
        source = _source(asset)
        text = _SOURCE_MAP.sub("", source.read_text(encoding="utf-8"))
        if asset.kind == "css":
            text = _embedded_images(text, source.parent / "images").replace("</", "<\\/")
            tags.append(f"<style>/* {asset.source} */\n{text}\n</style>")
        else:
            text = text.replace("</script", "<\\/script")
            tags.append(f"<script>/* {asset.source} */\n{text}\n</script>")
    return "\n".join(tags)
