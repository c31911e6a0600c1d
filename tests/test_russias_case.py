"""The chapter on Russia's own case keeps its promises: every member of the alliance appears in its
table of the annexation votes with the vote recorded in data/unga_votes.csv, and its timeline shows
every step of data/russia_legal_case.csv."""
from __future__ import annotations

from bs4 import BeautifulSoup

from cstobook import data

PAGE = "chapters/russias-case.html"
MEMBERS = ["RUS", "BLR", "ARM", "KAZ", "KGZ", "TJK"]
VOTE_WORDS = {"Y": "Yes", "N": "No", "A": "Abstain", "X": "Absent"}


def members_table(html: str) -> dict[str, str]:
    """Member name -> vote shown, from the table whose header has 'Vote on ES-11/4'."""
    soup = BeautifulSoup(html, "html.parser")
    for table in soup.find_all("table"):
        headers = [th.get_text(strip=True) for th in table.find_all("th")]
        if "Vote on ES-11/4" in headers:
            member, vote = headers.index("Member"), headers.index("Vote on ES-11/4")
            rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in table.find_all("tr")]
            return {cells[member]: cells[vote] for cells in rows if cells}
    raise AssertionError(f"{PAGE}: no table of the ES-11/4 votes")


def test_every_member_vote_on_es11_4_is_shown(built_book):
    shown = members_table((built_book / PAGE).read_text(encoding="utf-8"))
    names = data.load_table("countries").set_index("iso3")["name"]
    votes = data.load_table("unga_votes")
    recorded = votes[votes["resolution"] == "A/RES/ES-11/4"].set_index("iso3")["vote"]
    expected = {names[iso3]: VOTE_WORDS[recorded[iso3]] for iso3 in MEMBERS}
    assert shown == expected


def test_members_table_reader_on_an_example():
    html = ("<table><tr><th>Member</th><th>Vote on ES-11/4</th></tr>"
            "<tr><td>Belarus</td><td>No</td></tr><tr><td>Armenia</td><td>Abstain</td></tr></table>")
    assert members_table(html) == {"Belarus": "No", "Armenia": "Abstain"}


def test_every_step_has_a_timeline_label_and_a_known_strand():
    steps = data.load_table("russia_legal_case")
    assert steps["label"].str.len().between(1, 60).all(), "timeline labels must be short and present"
    assert set(steps["strand"]) == {"Russia's case", "Answers in law", "The alliance"}
    dates = data.partial_dates(steps["date"])
    assert dates.is_monotonic_increasing, "steps are entered in date order"
