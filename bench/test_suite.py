"""Wall time of the whole test suite, as `make test` runs it, on this machine.

    .venv/bin/python bench/test_suite.py [extra pytest arguments]     (or: make bench-tests)

Prints the wall time, the machine's cores and its load average before and after (other work on
the machine slows the suite: read the figure with the load beside it), the CPU time the suite and
every process it started used (builds, kernels, chromium: a figure other work on the machine
barely changes; divided by the cores, it is the least wall time the suite could take), the
suite's summary line and its slowest tests. Times are printed, never asserted.
"""
from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUITE = [sys.executable, "-m", "pytest", "-n", "4"]  # as the Makefile's `test`


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> int:
    command = [*SUITE, "--durations=15", "-q", *sys.argv[1:]]
    print(f"{' '.join(command[2:])}  ({os.cpu_count()} cores; load average 1/5/15 min before: {load()})", flush=True)
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    output = result.stdout + result.stderr
    summary = next((line for line in reversed(output.splitlines()) if re.search(r"\b(passed|failed|error)", line)), "")
    slowest = output.split("slowest 15 durations", 1)[-1].split("\n\n", 1)[0] if "slowest 15" in output else ""
    print(f"Slowest tests:{slowest}\n")
    print(f"Wall time of the suite: {seconds:.0f} s ({seconds / 60:.1f} min); exit {result.returncode}; {summary.strip('= ')}")
    print(f"CPU time of the suite and its processes: {cpu:.0f} s ({cpu / 60:.1f} min); on {os.cpu_count()} idle "
          f"cores at least {cpu / (os.cpu_count() or 1):.0f} s of wall time")
    print(f"Load average after: {load()}")
    if result.returncode != 0:
        print(output[-6000:])
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
