"""Fixtures: a running `certdesk sim` child process and the path of the certdesk binary."""

import json
import os
import subprocess

import pytest


def certdesk_bin():
    path = os.environ.get("CERTDESK_BIN")
    if not path or not os.path.exists(path):
        raise RuntimeError("set CERTDESK_BIN to the built certdesk binary (scripts/test does)")
    return path


@pytest.fixture
def sim():
    """Starts `certdesk sim --scale demo` and yields its JSON line as a dict."""
    proc = subprocess.Popen([certdesk_bin(), "sim", "--scale", "demo", "--seed", "11"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        info = json.loads(proc.stdout.readline())
        yield info
    finally:
        proc.kill()
        proc.wait()
