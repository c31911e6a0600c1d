"""`make linkcheck` (tools/linkcheck.py) finds every address the book gives readers and tells a
dead link from a live one and from an unreachable host: checked against a local HTTP server
(127.0.0.1) with one planted dead link, so the test needs no internet."""
from __future__ import annotations

import http.server
import socket
import sys
import threading

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import linkcheck  # noqa: E402


class Handler(http.server.BaseHTTPRequestHandler):
    def reply(self, body: bool) -> None:
        if self.path == "/live":
            self.send_response(200)
        elif self.path == "/no-head" and self.command == "HEAD":
            self.send_response(405)  # a server that refuses HEAD but serves the page
        elif self.path == "/no-head":
            self.send_response(200)
        elif self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/live")
        else:
            self.send_response(404)
        self.send_header("Content-Length", "2")
        self.end_headers()
        if body:
            self.wfile.write(b"ok")

    def do_HEAD(self):  # noqa: N802 (http.server's name)
        self.reply(body=False)

    def do_GET(self):  # noqa: N802
        self.reply(body=True)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_planted_dead_link_is_reported_and_the_live_one_is_not(server, tmp_path, capsys):
    live, dead = f"{server}/live", f"{server}/planted-dead-link"
    results = {r.url: r for r in linkcheck.check_all([live, dead, f"{server}/no-head", f"{server}/moved"], timeout=5)}
    assert results[dead].state == "dead" and results[dead].detail.startswith("404")
    assert results[live].state == "live"
    assert results[f"{server}/no-head"].state == "live", "a server refusing HEAD is asked with GET"
    assert results[f"{server}/moved"].state == "live", "redirects are followed"
    report = tmp_path / "report.md"
    status = linkcheck.main([live, dead, "--report", str(report), "--ignore-file", str(tmp_path / "none.txt")])
    assert status == 1, "a dead link fails make linkcheck"
    text = report.read_text(encoding="utf-8")
    assert f"- {dead} — 404" in text and f"- {live} " not in text
    assert "1 live, 1 dead, 0 unreachable" in text
    assert linkcheck.main([live, "--ignore-file", str(tmp_path / "none.txt")]) == 0


def test_an_unreachable_host_is_reported_as_such_not_as_dead(tmp_path):
    refused = f"http://127.0.0.1:{free_port()}/page"
    unresolved = "http://host.invalid/page"  # RFC 2606: .invalid never resolves
    results = {r.url: r for r in linkcheck.check_all([refused, unresolved], timeout=5)}
    assert results[refused].state == "unreachable" and "refused" in results[refused].detail
    assert results[unresolved].state == "unreachable"
    text = linkcheck.report(list(results.values()), {})
    assert "## Unreachable hosts" in text and "Dead links" not in text
    assert "offline" in text
    assert linkcheck.main([refused, "--ignore-file", str(tmp_path / "none.txt")]) == 0
    assert linkcheck.main([refused, "--strict", "--ignore-file", str(tmp_path / "none.txt")]) == 1


def test_known_false_positives_are_skipped(server, tmp_path):
    ignore = tmp_path / "ignore.txt"
    ignore.write_text(f"# comment\n{server}/planted   # a server that refuses robots\n", encoding="utf-8")
    report = tmp_path / "report.md"
    assert linkcheck.main([f"{server}/planted-dead-link", f"{server}/live", "--ignore-file", str(ignore),
                           "--report", str(report)]) == 0
    assert "1 known false positives skipped" in report.read_text(encoding="utf-8")
    assert linkcheck.ignored_patterns(linkcheck.IGNORE_FILE) is not None  # the committed list parses


def test_every_address_of_the_bibliography_and_the_tables_is_collected():
    found = linkcheck.collect(ROOT, built=False)
    bib = (ROOT / "data" / "references.bib").read_text(encoding="utf-8")
    entries_with_url = sum(1 for line in bib.splitlines() if line.strip().lower().startswith("url "))
    from_bib = {u for u, places in found.items() if any(p.startswith("references.bib") for p in places)}
    assert entries_with_url > 400 and len(from_bib) >= 0.8 * entries_with_url
    assert all(u.startswith(("http://", "https://")) and "\\" not in u for u in from_bib)
    from_tables = {u for u, places in found.items() if any(p.startswith("data/") and ".csv" in p for p in places)}
    assert from_tables, "addresses written in the tables' cells are checked too"
    assert any("chapters/" in p for places in found.values() for p in places), "and those in the pages"


def test_the_source_links_of_a_built_table_are_collected(tmp_path):
    site = tmp_path / "_build" / "html" / "chapters"
    site.mkdir(parents=True)
    (site / "page.html").write_text('<table><tr><td><a href="https://example.org/source" rel="noopener">'
                                    'Source 2022</a></td></tr></table><a href="#x">in page</a>', encoding="utf-8")
    found = linkcheck.built_page_urls(tmp_path / "_build" / "html")
    assert found == {"https://example.org/source": {"_build/html/chapters/page.html"}}


def test_a_weekly_workflow_keeps_one_issue_of_dead_links_and_blocks_nothing():
    import yaml

    path = ROOT / ".github" / "workflows" / "linkcheck.yml"
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    on = workflow.get("on", workflow.get(True))
    assert set(on) == {"schedule", "workflow_dispatch"}, "runs on a schedule, never in a push's or pull request's way"
    assert workflow["permissions"] == {}
    (job,) = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "read", "issues": "write"}
    runs = "\n".join(step.get("run", "") for step in job["steps"])
    assert "tools/linkcheck.py --report linkcheck.md || status=$?" in runs, "a dead link does not fail the run"
    assert "gh issue create" in runs and "gh issue edit" in runs, "one issue: opened once, then updated"
    assert "--state all" in runs, "a closed issue is found and reopened, not duplicated"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "tools/linkcheck.py" in makefile.split("\nlinkcheck:", 1)[1].split("\n\n", 1)[0]
