"""Fixtures: a live Hotdesk server for the whole session.

`make test-clients` starts one (server/internal/testserver) and names its JSON description in
HOTDESK_TEST_SERVER; without it, the fixture builds and starts its own with `go run`.
"""

import json
import os
import pathlib
import subprocess
import sys

import pytest

import hotdesk

ROOT = pathlib.Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def server():
    path = os.environ.get("HOTDESK_TEST_SERVER")
    if path:
        yield json.loads(pathlib.Path(path).read_text())
        return
    proc = subprocess.Popen(
        ["go", "run", "./server/internal/testserver", "--exit-on-stdin-eof"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=sys.stderr, text=True,
    )
    line = proc.stdout.readline()
    if not line:
        proc.wait()
        pytest.fail("the test server did not start")
    try:
        yield json.loads(line)
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)


@pytest.fixture
def client(server):
    with hotdesk.Client(server["base_url"], api_key=server["api_key"]) as c:
        yield c
