"""A pytest plugin for bench/test_suite.py: the CPU time of each test's setup, call and teardown,
in the worker that ran it (its own and its waited-for subprocesses': builds, kernels; chromium's
helpers are not waited for and so not counted), written as JSON lines to CSTOBOOK_CPU_LOG."""
from __future__ import annotations

import json
import os
import resource

import pytest


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _record(item, phase: str, seconds: float) -> None:
    with open(os.environ["CSTOBOOK_CPU_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps({"test": item.nodeid, "phase": phase, "cpu": round(seconds, 2)}) + "\n")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    start = _cpu()
    yield
    _record(item, "setup", _cpu() - start)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    start = _cpu()
    yield
    _record(item, "call", _cpu() - start)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item):
    start = _cpu()
    yield
    _record(item, "teardown", _cpu() - start)
