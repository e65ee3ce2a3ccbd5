"""The processes the tests start reach nothing but localhost: `geo` commands, Dask's workers (and the Streamlit
server, started the same way) run ``tests/offline/sitecustomize.py`` through the PYTHONPATH conftest sets."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Callable

import pytest
from distributed import Client, LocalCluster

from geo import settings

RunGeo = Callable[..., subprocess.CompletedProcess[str]]

REACH = """
import socket, sys
host, port = sys.argv[1], int(sys.argv[2])
try:
    socket.create_connection((host, port), timeout=5).close()
except OSError as err:
    print("refused:", err)
else:
    print("reached")
"""


def reach(host: str, port: int) -> str:
    """What a Python process started by a test says when it connects to ``host:port``."""
    done = subprocess.run(
        [sys.executable, "-c", REACH, host, str(port)], capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout.strip()


@pytest.mark.parametrize("host", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "example.org"])
def test_a_subprocess_reaches_no_internet_address(host: str) -> None:
    assert "the tests are offline" in reach(host, 80)


def test_a_subprocess_reaches_localhost() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        assert reach("127.0.0.1", port) == "reached"
        assert reach("localhost", port) == "reached"


def test_the_online_fallback_of_a_geo_command_says_it_cannot_reach_nominatim(run_geo: RunGeo) -> None:
    done = run_geo("geocode", "Xyzzyville Nowhere", "--online")
    assert done.returncode == 2
    assert "Nominatim could not be reached" in done.stderr and "the tests are offline" in done.stderr
    assert "Traceback" not in done.stderr


def _connect_out() -> str:
    try:
        socket.create_connection(("93.184.215.14", 80), timeout=5).close()
    except OSError as err:
        return str(err)
    return "reached"


def test_a_dask_worker_reaches_no_internet_address() -> None:
    with (
        LocalCluster(
            n_workers=1, processes=True, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        assert "the tests are offline" in client.submit(_connect_out, pure=False).result(timeout=60)


def test_the_offline_folder_is_on_the_path_of_started_processes() -> None:
    """A process started without the tests' environment is not guarded: the guard comes from the PYTHONPATH."""
    code = "import sys; print(any(p.endswith('offline') for p in sys.path))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "True"
    bare = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={},
        cwd=settings.PROJECT_DIR,
    )
    assert bare.stdout.strip() == "False"
