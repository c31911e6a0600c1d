"""A pytest plugin for bench/test_suite.py: the CPU time of each test's setup, call and teardown,
in the worker that ran it (its own and its waited-for subprocesses': builds, kernels; chromium's
helpers are not waited for and so not counted), with when the phase started and ended (seconds
since the epoch) and the worker that ran it, written as JSON lines to CSTOBOOK_CPU_LOG."""
from __future__ import annotations

import json
import os
import resource
import time

import pytest


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _record(item, phase: str, cpu: float, start: float) -> None:
    row = {"test": item.nodeid, "phase": phase, "cpu": round(cpu, 2), "start": round(start, 2),
           "end": round(time.time(), 2), "worker": os.environ.get("PYTEST_XDIST_WORKER", "main")}
    with open(os.environ["CSTOBOOK_CPU_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps(row) + "\n")


def _timed(phase: str):
    @pytest.hookimpl(hookwrapper=True)
    def hook(item):
        cpu, start = _cpu(), time.time()
        yield
        _record(item, phase, _cpu() - cpu, start)
    return hook


pytest_runtest_setup = _timed("setup")
pytest_runtest_call = _timed("call")
pytest_runtest_teardown = _timed("teardown")
