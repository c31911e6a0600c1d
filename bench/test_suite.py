"""Wall time of the whole test suite, as `make test` runs it, on this machine.

    .venv/bin/python bench/test_suite.py [extra pytest arguments]     (or: make bench-tests)

Prints the wall time, the machine's cores and its load average before and after (other work on
the machine slows the suite: read the figure with the load beside it), the CPU time the suite and
the processes it waited for used (builds, kernels; chromium only in part: its helper processes
are not waited for), the CPU time the whole machine was busy meanwhile (on an otherwise idle
machine, the suite's true CPU time; divided by the cores, the least wall time the suite could
take), the suite's summary line, its slowest tests, and the tests and test files that used the
most CPU (bench/cpu_per_test.py). Times are printed, never asserted.
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


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (/proc/stat, Linux): unlike the
    children's rusage, it counts processes their parent never waits for (chromium's helpers)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq = fields[:7]
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def print_cpu_per_test(log: Path, shown: int = 40) -> None:
    """The tests, and the test files, that used the most CPU (bench/cpu_per_test.py's log)."""
    if not log.exists():
        return
    import pandas as pd

    rows = pd.read_json(log, lines=True)
    rows["file"] = rows["test"].str.split("::").str[0]
    by_test = rows.groupby(["test", "phase"])["cpu"].sum().sort_values(ascending=False)
    by_file = rows.groupby("file")["cpu"].sum().sort_values(ascending=False)
    print(f"\nCPU seconds counted per test (setup includes the session fixtures it started): {rows['cpu'].sum():.0f} s")
    print(by_test.head(shown).round(1).to_string())
    print("\nCPU seconds per test file:")
    print(by_file.round(1).to_string())


def main() -> int:
    command = [*SUITE, "--durations=30", "-q", "-p", "cpu_per_test", *sys.argv[1:]]
    cpu_log = ROOT / "_build" / "bench-cpu-per-test.jsonl"
    cpu_log.parent.mkdir(exist_ok=True)
    cpu_log.unlink(missing_ok=True)
    env = {**os.environ, "CSTOBOOK_CPU_LOG": str(cpu_log),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "bench"), os.environ.get("PYTHONPATH")]))}
    print(f"{' '.join(command[2:])}  ({os.cpu_count()} cores; load average 1/5/15 min before: {load()})", flush=True)
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy_before = machine_busy_seconds()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy = machine_busy_seconds() - busy_before
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    output = result.stdout + result.stderr
    summary = next((line for line in reversed(output.splitlines()) if re.search(r"\b(passed|failed|error)", line)), "")
    durations = re.search(r"slowest \d+ durations =*\s*\n(.*?)(\n\n|\n=)", output, re.S)
    slowest = "\n" + durations.group(1) if durations else ""
    print(f"Slowest tests:{slowest}\n")
    print(f"Wall time of the suite: {seconds:.0f} s ({seconds / 60:.1f} min); exit {result.returncode}; {summary.strip('= ')}")
    print(f"CPU time of the suite and its processes: {cpu:.0f} s ({cpu / 60:.1f} min); on {os.cpu_count()} idle "
          f"cores at least {cpu / (os.cpu_count() or 1):.0f} s of wall time")
    print(f"CPU time the whole machine was busy meanwhile (the suite and anything else running): {busy:.0f} s "
          f"({busy / 60:.1f} min)")
    print(f"Load average after: {load()}")
    print_cpu_per_test(cpu_log)
    if result.returncode != 0:
        print(output[-6000:])
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
