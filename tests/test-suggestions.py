#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""TAP test: `jonction-cli match --json --suggestions N` on an invented establishment whose
truth is known (tests/fixtures/gen-establishment.py: export.xml, directory.json, truth.json).

    test-suggestions.py JONCTION_CLI FIXTURE_DIR [--min-top1 PCT] [--min-top5 PCT]

Checks cli.md's contract: every ambiguous and unmatched entry keeps its fields and carries
"suggestions" (at most N, best first, ent_id of a directory account of its category and
establishment, score in 0..1, reasons a non-empty list of non-empty phrases); no account
matched automatically to another record is suggested; N is respected (N=1 is the head of
N=5); N < 1 is a usage error (exit 1); the document is the same run after run; `push
--dry-run --json --suggestions N` gives the same suggestions.

Measures, over the ambiguous and unmatched records whose true ENT account is in the
directory (an account of the establishment), how often that account is first and in the
top five, prints both and asserts them against the floors (percent).
Python 3.11, stdlib only.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scimtest import Tap  # noqa: E402

CATEGORIES = ["teachers", "students", "relatives", "internship_masters", "inspectors", "staff"]
EXT = "urn:ietf:params:scim:schemas:extension:ent:2.0:User"
USERTYPE_CATEGORY = {"eleve": "students", "enseignant": "teachers", "professeur": "teachers",
                     "responsable": "relatives", "parent": "relatives",
                     "maitredestage": "internship_masters", "maitrestage": "internship_masters",
                     "inspecteur": "inspectors", "inspecteurpedagogique": "inspectors",
                     "personnel": "staff"}
N = 5
TIMEOUT = float(os.environ.get("JN_MATCH_TIMEOUT", "300"))


def fold(text):
    import unicodedata
    text = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in text if c.isalnum() and not unicodedata.combining(c)).casefold()


def run(cli, args):
    env = dict(os.environ, LANG="C")
    env.pop("LANGUAGE", None)
    start = time.monotonic()
    proc = subprocess.run([cli] + args, capture_output=True, env=env, timeout=TIMEOUT, check=False)
    return proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "replace"), time.monotonic() - start


def entries(plan):
    """(category, state, entry) of every ambiguous and unmatched entry"""
    for c in CATEGORIES:
        for state in ("ambiguous", "unmatched"):
            for e in plan["categories"][c][state]:
                yield c, state, e


def strip_suggestions(plan):
    out = json.loads(json.dumps(plan))
    for _, _, e in entries(out):
        e.pop("suggestions", None)
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("cli")
    parser.add_argument("fixture")
    parser.add_argument("--min-top1", type=float, default=0.0)
    parser.add_argument("--min-top5", type=float, default=0.0)
    opts = parser.parse_args()

    tap = Tap()
    export = os.path.join(opts.fixture, "export.xml")
    snapshot = os.path.join(opts.fixture, "directory.json")
    with open(os.path.join(opts.fixture, "truth.json"), encoding="utf-8") as f:
        truth = json.load(f)
    uai = truth["uai"]
    with open(snapshot, encoding="utf-8") as f:
        users = {}
        for u in json.load(f)["Resources"]:
            ext = u.get(EXT) or {}
            users[u["id"]] = (USERTYPE_CATEGORY.get(fold(u.get("userType"))),
                              uai in (ext.get("structures") or []))

    base = ["match", "--json", export, "--directory", snapshot, "--mode", "complete"]

    # The plan without suggestions, then twice with
    code, out, err, _ = run(opts.cli, base)
    tap.ok(code == 0, "match --json: exits 0", err)
    plain = json.loads(out) if code == 0 else None
    code, out, err, seconds = run(opts.cli, base + ["--suggestions", str(N)])
    tap.ok(code == 0, f"match --json --suggestions {N}: exits 0", err)
    tap.diag(f"match --json --suggestions {N}: {seconds:.2f} s")
    code2, out2, _, _ = run(opts.cli, base + ["--suggestions", str(N)])
    tap.ok(code2 == 0 and out2 == out, "the same document run after run (deterministic)")
    if code != 0 or plain is None:
        print(f"1..{tap.n}")
        return 1
    plan = json.loads(out)

    tap.ok(strip_suggestions(plan) == plain,
           "entries keep their fields (pronote_id, candidates, cause…): the plan without "
           "\"suggestions\" is match --json's")

    # Shape
    problems = []
    n_entries = n_suggested = 0
    for c, state, e in entries(plan):
        n_entries += 1
        where = f"{c}.{state} {e.get('pronote_id')}"
        s = e.get("suggestions")
        if not isinstance(s, list):
            problems.append(f"{where}: no suggestions list")
            continue
        n_suggested += bool(s)
        if len(s) > N:
            problems.append(f"{where}: {len(s)} suggestions > {N}")
        ids = []
        last = 2.0
        for x in s:
            if not (isinstance(x, dict) and set(x) == {"ent_id", "score", "reasons"}):
                problems.append(f"{where}: suggestion {x!r} is not {{ent_id, score, reasons}}")
                continue
            ent, score, reasons = x["ent_id"], x["score"], x["reasons"]
            ids.append(ent)
            if not isinstance(ent, str) or ent not in users:
                problems.append(f"{where}: {ent!r} is not an account of the directory")
            elif users[ent] != (c, True):
                problems.append(f"{where}: {ent} is {users[ent]}, not a {c} account of {uai}")
            if not isinstance(score, (int, float)) or isinstance(score, bool) or not 0.0 <= score <= 1.0:
                problems.append(f"{where}: score {score!r} not in 0..1")
            elif score > last:
                problems.append(f"{where}: score {score} after {last}: not best first")
            else:
                last = score
            if not (isinstance(reasons, list) and reasons
                    and all(isinstance(r, str) and r.strip() for r in reasons)):
                problems.append(f"{where}: reasons {reasons!r} empty or not phrases")
            elif len(set(reasons)) != len(reasons):
                problems.append(f"{where}: reasons {reasons!r} repeat")
        if len(set(ids)) != len(ids):
            problems.append(f"{where}: an account twice in {ids}")
    tap.ok(n_entries > 0 and not problems,
           f"each of the {n_entries} ambiguous and unmatched entries has at most {N} "
           "suggestions of its category and establishment, best first, score in 0..1, reasons "
           "non-empty", "\n".join(problems))
    tap.diag(f"{n_suggested}/{n_entries} entries have at least one suggestion")

    # No account matched automatically to another record
    matched = {m["ent_id"]: m["pronote_id"] for c in CATEGORIES
               for m in plan["categories"][c]["matched"]}
    bad = [f"{c}.{state} {e['pronote_id']}: suggests {x['ent_id']}, matched to {matched[x['ent_id']]}"
           for c, state, e in entries(plan) for x in e["suggestions"] if x["ent_id"] in matched]
    tap.ok(not bad, "no account already matched automatically to another record is suggested",
           "\n".join(bad))

    # N respected: N=1 is the head of N=5
    code, out, err, _ = run(opts.cli, base + ["--suggestions", "1"])
    ok = code == 0
    if ok:
        one = json.loads(out)
        heads = [(e["pronote_id"], e["suggestions"]) for _, _, e in entries(one)]
        fives = [(e["pronote_id"], e["suggestions"][:1]) for _, _, e in entries(plan)]
        ok = heads == fives
    tap.ok(ok, "--suggestions 1: at most one, the first of --suggestions 5", err)

    # The human output lists them too, numbered, under each record
    first = next((x for _, _, e in entries(plan) for x in e["suggestions"][:1]), None)
    code, out, err, _ = run(opts.cli, base[:1] + base[2:] + ["--suggestions", "2"])
    text = out.decode("utf-8", "replace")
    tap.ok(code == 0 and first is not None and "1. " in text and f"({first['ent_id']})" in text
           and "3. " not in text,
           "match --suggestions 2 (human output): numbered, at most two per record", f"exit {code}\n{err}")

    # Usage errors
    for bad_n in ("0", "-2", "many"):
        code, out, err, _ = run(opts.cli, base + ["--suggestions", bad_n])
        tap.ok(code == 1 and not out.strip() and err.strip(),
               f"--suggestions {bad_n}: usage error, exit 1, nothing on stdout", f"exit {code}\n{err}")

    # push --dry-run --json --suggestions: the same suggestions (file ENT: a copy of the
    # snapshot; it reads only the establishment's accounts, so a cause may differ)
    with tempfile.TemporaryDirectory() as tmp:
        ent = os.path.join(tmp, "ent.json")
        shutil.copyfile(snapshot, ent)
        state = os.path.join(tmp, "state")
        push = ["push", export, "--ent", ent, "--state", state, "--mode", "complete",
                "--dry-run", "--json"]
        code, out, err, _ = run(opts.cli, push)
        code2, out2, err2, _ = run(opts.cli, push + ["--suggestions", str(N)])
        ok = code == 0 and code2 == 0
        if ok:
            pushed = json.loads(out2)
            ok = strip_suggestions(pushed) == json.loads(out) and \
                [(e["pronote_id"], e["suggestions"]) for _, _, e in entries(pushed)] == \
                [(e["pronote_id"], e["suggestions"]) for _, _, e in entries(plan)]
        tap.ok(ok, f"push --dry-run --json --suggestions {N}: push's plan with the same "
               "suggestions as match", f"exit {code}, {code2}\n{err}\n{err2}")
        code, out, err, _ = run(opts.cli, ["push", export, "--ent", ent, "--state", state,
                                           "--json", "--yes", "--suggestions", str(N)])
        tap.ok(code == 1 and not out.strip(),
               "push --yes --suggestions (not a dry run): usage error, exit 1", f"exit {code}\n{err}")

    # The figures: where the true account is ranked
    records = truth["records"]
    per = {}
    misses = []
    for c, state, e in entries(plan):
        rec = records.get(e["pronote_id"])
        if rec is None or not rec["ent_id"] or users.get(rec["ent_id"]) != (c, True):
            continue
        ids = [x["ent_id"] for x in e["suggestions"]]
        rank = ids.index(rec["ent_id"]) + 1 if rec["ent_id"] in ids else None
        for key in ("all", state, c):
            t = per.setdefault(key, [0, 0, 0])
            t[0] += 1
            t[1] += rank == 1
            t[2] += rank is not None
        if rank != 1:
            misses.append(f"{c} {e['pronote_id']} rank {rank}, tags {rec['tags']}, "
                          f"cause {e.get('cause')}")

    def pct(a, b):
        return 100.0 * a / b if b else 100.0

    for key in ["all", "ambiguous", "unmatched"] + CATEGORIES:
        if key in per:
            t = per[key]
            tap.diag(f"true account ranked, {key}: first {t[1]}/{t[0]} ({pct(t[1], t[0]):.1f} %), "
                     f"top {N} {t[2]}/{t[0]} ({pct(t[2], t[0]):.1f} %)")
    total, top1, top5 = per.get("all", [0, 0, 0])
    tags = {}
    for line in misses:
        for tag in line.split("tags [", 1)[1].split("]", 1)[0].replace("'", "").split(", "):
            tags[tag] = tags.get(tag, 0) + 1
    if tags:
        tap.diag("tags of the records whose true account is not first: " +
                 ", ".join(f"{k} {v}" for k, v in sorted(tags.items(), key=lambda kv: -kv[1])))
    tap.ok(total > 0, f"{total} ambiguous or unmatched records have their true account in the directory")
    tap.ok(pct(top1, total) >= opts.min_top1,
           f"true account first: {pct(top1, total):.1f} % >= {opts.min_top1:.1f} %", "\n".join(misses))
    tap.ok(pct(top5, total) >= opts.min_top5,
           f"true account in the top {N}: {pct(top5, total):.1f} % >= {opts.min_top5:.1f} %",
           "\n".join(m for m in misses if "rank None" in m))

    print(f"1..{tap.n}")
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
