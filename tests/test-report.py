#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""TAP test: `jonction-cli match --report FILE.csv`, the follow-up report (cli.md).

    test-report.py JONCTION_CLI FIXTURE_DIR

FIXTURE_DIR is the output of tests/fixtures/gen-establishment.py. The report is opened with
Python's csv module as LibreOffice would (delimiter ';', encoding 'utf-8-sig') and compared
with `match --json` of the same run: the header, one line per ambiguous, unmatched,
not-imported and cleared record, the same cause codes; the file is 0600, starts with a
byte-order mark, replaces an existing file, refuses a symbolic link, and a name a spreadsheet
would take for a formula is neutralised. Python 3.11, stdlib only.
"""

import csv
import io
import json
import os
import stat
import subprocess
import sys
import tempfile
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scimtest import Tap  # noqa: E402

CATEGORIES = ["teachers", "students", "relatives", "internship_masters", "inspectors", "staff"]
HEADER = ["category", "last_name", "first_name", "birth_date", "class", "pronote_id", "status",
          "cause", "advice"]
HOSTILE = '=HYPERLINK("http://evil.example";"x");1'
TIMEOUT = float(os.environ.get("JN_MATCH_TIMEOUT", "300"))


def run(cli, args):
    env = dict(os.environ, LANG="C")
    env.pop("LANGUAGE", None)
    return subprocess.run([cli] + args, capture_output=True, env=env, timeout=TIMEOUT, check=False)


def expected_lines(plan, skipped):
    """Counter of (category, pronote_id, status, cause) the report must hold"""
    lines = Counter()
    for c in CATEGORIES:
        cat = plan["categories"][c]
        for e in cat["ambiguous"]:
            lines[(c, e["pronote_id"], "ambiguous", e.get("cause", ""))] += 1
        for e in cat["unmatched"]:
            status = "not-imported" if e["pronote_id"] in skipped else "unmatched"
            lines[(c, e["pronote_id"], status, e.get("cause", ""))] += 1
        for e in cat["clear"]:
            lines[(c, e["old_pronote_id"], "clear", "")] += 1
    return lines


def read_report(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f, delimiter=";"))


def check_run(tap, cli, export, directory, tmp, name, extra, skipped):
    report = os.path.join(tmp, f"{name}.csv")
    base = [export, "--directory", directory] + extra
    proc = run(cli, ["match", "--json"] + base)
    if not tap.ok(proc.returncode == 0, f"{name}: match --json", proc.stderr.decode()):
        return None
    plan = json.loads(proc.stdout)
    proc = run(cli, ["match", "--report", report] + base)
    if not tap.ok(proc.returncode == 0 and os.path.isfile(report), f"{name}: match --report",
                  proc.stderr.decode()):
        return None
    with open(report, "rb") as f:
        raw = f.read()
    tap.ok(raw.startswith(b"\xef\xbb\xbf"), f"{name}: UTF-8 with a byte-order mark", raw[:20])
    mode = stat.S_IMODE(os.stat(report).st_mode)
    tap.ok(mode == 0o600, f"{name}: the report is 0600", oct(mode))
    rows = read_report(report)
    tap.ok(rows and rows[0] == HEADER, f"{name}: header", rows[:1])
    body = rows[1:]
    tap.ok(all(len(r) == len(HEADER) for r in body), f"{name}: every line has nine cells",
           [r for r in body if len(r) != len(HEADER)][:3])
    got = Counter((r[0], r[5], r[6], r[7]) for r in body if len(r) == len(HEADER))
    want = expected_lines(plan, skipped)
    tap.ok(got == want, f"{name}: one line per record left over, with match --json's cause "
           f"({sum(want.values())} lines)",
           f"missing {list((want - got).items())[:5]}\nextra {list((got - want).items())[:5]}")
    tap.ok(all(r[8].strip() for r in body), f"{name}: every line says what to do",
           [r for r in body if not r[8].strip()][:3])
    tap.ok(all(r[1] or r[2] for r in body), f"{name}: every line names someone",
           [r for r in body if not (r[1] or r[2])][:3])
    return plan, rows


def main():
    cli, fixture = sys.argv[1], sys.argv[2]
    export = os.path.join(fixture, "export.xml")
    directory = os.path.join(fixture, "directory.json")
    tap = Tap()
    tmp = tempfile.mkdtemp(prefix="jn-report-")
    os.chmod(tmp, 0o700)

    with open(os.path.join(fixture, "decisions-valid.json"), encoding="utf-8") as f:
        decisions = json.load(f)
    skipped = {k for k, v in decisions.items() if v is None}

    check_run(tap, cli, export, directory, tmp, "complete", ["--mode", "complete"], set())
    result = check_run(tap, cli, export, directory, tmp, "decisions",
                       ["--mode", "partial", "--decisions",
                        os.path.join(fixture, "decisions-valid.json")], skipped)
    if result is not None:
        tap.ok(skipped and any(r[6] == "not-imported" for r in result[1][1:]),
               "decisions: a record set to 'do not import' is listed as not-imported")

    # A name a spreadsheet would run as a formula (with the separator and quotes in it)
    with open(export, encoding="utf-8") as f:
        xml = f.read()
    proc = run(cli, ["match", "--json", export, "--directory", directory])
    plan = json.loads(proc.stdout)
    victim = next(e["pronote_id"] for c in CATEGORIES for e in plan["categories"][c]["unmatched"])
    start = xml.index(f'IDPN="{victim}"')
    line_start = xml.rindex("<", 0, start)
    nom = xml.index('Nom="', line_start) + len('Nom="')
    nom_end = xml.index('"', nom)
    hostile_attr = HOSTILE.replace("&", "&amp;").replace('"', "&quot;")
    hostile_export = os.path.join(tmp, "hostile.xml")
    with open(hostile_export, "w", encoding="utf-8") as f:
        f.write(xml[:nom] + hostile_attr + xml[nom_end:])
    report = os.path.join(tmp, "hostile.csv")
    proc = run(cli, ["match", "--report", report, hostile_export, "--directory", directory])
    if tap.ok(proc.returncode == 0, "hostile name: match --report", proc.stderr.decode()):
        rows = [r for r in read_report(report) if len(r) > 5 and r[5] == victim]
        tap.ok(len(rows) == 1 and rows[0][1] == "'" + HOSTILE,
               "hostile name: a leading '=' is neutralised with an apostrophe, the ';' and "
               "quotes kept in one cell", rows)

    # An existing report (0644) is replaced, private again
    existing = os.path.join(tmp, "existing.csv")
    with open(existing, "w", encoding="utf-8") as f:
        f.write("old\n")
    os.chmod(existing, 0o644)
    proc = run(cli, ["match", "--report", existing, export, "--directory", directory])
    with open(existing, "rb") as f:
        head = f.read(200)
    tap.ok(proc.returncode == 0 and head.startswith(b"\xef\xbb\xbfcategory;")
           and stat.S_IMODE(os.stat(existing).st_mode) == 0o600,
           "an existing file is replaced, 0600", (proc.returncode, head[:40]))

    # Never through a symbolic link
    target = os.path.join(tmp, "target.txt")
    with open(target, "w", encoding="utf-8") as f:
        f.write("keep me\n")
    link = os.path.join(tmp, "link.csv")
    os.symlink(target, link)
    proc = run(cli, ["match", "--report", link, export, "--directory", directory])
    with open(target, encoding="utf-8") as f:
        kept = f.read()
    tap.ok(proc.returncode != 0 and os.path.islink(link) and kept == "keep me\n",
           "a symbolic link at the report's path is refused, its target untouched",
           (proc.returncode, kept, proc.stderr.decode()))
    tap.ok(not [n for n in os.listdir(tmp) if n.startswith(".")],
           "no temporary file left behind", os.listdir(tmp))

    # A report in a folder that does not exist: an error naming it, exit 2
    missing = os.path.join(tmp, "no-such-folder", "r.csv")
    proc = run(cli, ["match", "--report", missing, export, "--directory", directory])
    tap.ok(proc.returncode == 2 and "no-such-folder" in proc.stderr.decode(),
           "an unwritable report: exit 2, the message names it",
           (proc.returncode, proc.stderr.decode()))

    print(f"1..{tap.n}")
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
