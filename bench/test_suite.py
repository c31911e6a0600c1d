"""Wall time of the whole test suite, as `make test` runs it, on this machine.

    .venv/bin/python bench/test_suite.py [extra pytest arguments]     (or: make bench-tests)

Prints the wall time, the machine's cores and its load average before and after (other work on
the machine slows the suite: read the figure with the load beside it), the CPU time the suite and
the processes it waited for used (builds, kernels; chromium only in part: its helper processes
are not waited for), the CPU time the whole machine was busy meanwhile (on an otherwise idle
machine, the suite's true CPU time; divided by the cores, the least wall time the suite could
take), the suite's summary line, its slowest tests, the tests and test files that used the most CPU
(bench/cpu_per_test.py), and a timeline: per half minute, how many cores the machine kept busy
and what each worker was running (where the cores idle, the order of the work can shorten the
suite; where they are full, only less work can). Times are printed, never asserted.
"""
from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import threading
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


TIMELINE_STEP = 30  # seconds


class BusySampler(threading.Thread):
    """The machine's busy CPU seconds at each TIMELINE_STEP of the run."""

    def __init__(self):
        super().__init__(daemon=True)
        self.samples: list[tuple[float, float]] = [(time.time(), machine_busy_seconds())]
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(TIMELINE_STEP):
            self.samples.append((time.time(), machine_busy_seconds()))

    def stop(self) -> None:
        self.done.set()
        self.join()
        self.samples.append((time.time(), machine_busy_seconds()))


def print_timeline(log: Path, samples: list[tuple[float, float]]) -> None:
    """Per step: the busy cores (machine-wide) and, for each worker, the test it spent most of the
    step in (its setup, which may be waiting for a shared build, counts)."""
    if not log.exists() or len(samples) < 2:
        return
    import pandas as pd

    rows = pd.read_json(log, lines=True)
    if "start" not in rows:
        return
    begin = samples[0][0]
    workers = sorted(rows["worker"].unique(), key=lambda name: (len(name), name))
    print(f"\nTimeline (per {TIMELINE_STEP} s: busy cores of {os.cpu_count()}; per worker, the test it spent most of the step in)")
    for (start, busy_start), (end, busy_end) in zip(samples, samples[1:]):
        cores = (busy_end - busy_start) / max(end - start, 1e-9)
        running = []
        for worker in workers:
            mine = rows[(rows["worker"] == worker) & (rows["end"] > start) & (rows["start"] < end)]
            if mine.empty:
                running.append("-")
                continue
            overlap = mine["end"].clip(upper=end) - mine["start"].clip(lower=start)
            longest = mine.assign(overlap=overlap).groupby("test")["overlap"].sum().idxmax()
            running.append(longest.removeprefix("tests/").split("[")[0][:48])
        print(f"{start - begin:5.0f} s  {cores:4.1f}  " + " | ".join(running))


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
    sampler = BusySampler()
    sampler.start()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
    sampler.stop()
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
    print_timeline(cpu_log, sampler.samples)
    if result.returncode != 0:
        print(output[-6000:])
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
