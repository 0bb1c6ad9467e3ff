#!/usr/bin/env python3
"""Kill loop: `jonction-cli push --yes` killed (SIGKILL) at random points, then resumed.

Usage: test-kill-loop.py JONCTION_CLI ESTABLISHMENT_DIR SCIM_SERVER_DIR

ESTABLISHMENT_DIR is the output of tests/fixtures/gen-establishment.py; the test trims it to
about one record in eight (and the ENT users that go with them) so that a push is short.
Half of the kills hit a push to a file ENT (a snapshot given as --ent), half a push to the
SCIM test server (tests/scim-server, started on 127.0.0.1, --write-delay-ms to lengthen
the pushes). Each round starts from the same ENT and a new local store, then repeats: run
the push, SIGKILL it at a random point (file ENT: after a random delay; SCIM: once the
server has applied a random number of writes), until a push finishes on its own.

After each kill: the store passes `PRAGMA integrity_check`, the ENT is readable and no
identifier of the UAI is held by two users (nor twice by one). After the push that
finishes: exit 0, the ENT holds exactly what the `match --json` plan computed at the start
says, each planned change was applied once (SCIM: the server's write log) and the history
shows one import, done.

Environment: JN_KILL_SEED (default 20261129) makes the kill points reproducible (the seed
is printed); JN_KILLS (default 50) the number of kills, split between the two ENTs.
Prints TAP.
"""

import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import zlib

from scimtest import TOKEN, ScimServer, Tap

UAI = "0312609T"
EXT = "urn:ietf:params:scim:schemas:extension:ent:2.0:User"
KEEP_ONE_IN = 8
# Rounds stop as soon as the kills wanted are reached: the bound only matters when pushes
# end before their kill (a file ENT push of the trimmed establishment takes about 0.1 s, so
# about half the kills land after it ended: 60 rounds once gave 23 kills of 25)
MAX_ROUNDS = 200



def pronote_ids(user, uai=UAI):
    ext = user.get(EXT, {}) or {}
    return [e.get("value") for e in ext.get("pronoteIds", []) or [] if e.get("uai") == uai]


def trim(est_dir, out_dir):
    """One top-level record in KEEP_ONE_IN (a student with her relatives), and the ENT users
    that are the truth of a kept record, hold a kept or stale identifier, or are no one's."""
    with open(os.path.join(est_dir, "export.xml"), encoding="utf-8") as f:
        lines = f.read().splitlines(keepends=True)
    out, index, skipping = [], 0, None
    for line in lines:
        if skipping is not None:
            if line.startswith("    </" + skipping):
                skipping = None
            continue
        m = re.match(r"    <(\w+) ", line)
        if m:
            index += 1
            if index % KEEP_ONE_IN != 1:
                if not line.rstrip().endswith("/>"):
                    skipping = m.group(1)
                continue
        out.append(line)
    export_text = "".join(out)
    kept = set(re.findall(r'IDPN="([^"]*)"', export_text))

    with open(os.path.join(est_dir, "truth.json"), encoding="utf-8") as f:
        truth = json.load(f)
    with open(os.path.join(est_dir, "directory.json"), encoding="utf-8") as f:
        directory = json.load(f)
    truth_of_kept = {r["ent_id"] for p, r in truth["records"].items() if p in kept and r["ent_id"]}
    truth_of_dropped = {r["ent_id"] for p, r in truth["records"].items()
                        if p not in kept and r["ent_id"]}
    stale = {s["ent_id"] for s in truth["stale"]}
    users = [u for u in directory["Resources"]
             if u["id"] in truth_of_kept
             or (u["id"] in stale and u["id"] not in truth_of_dropped and zlib.crc32(u["id"].encode()) % 3 == 0)
             or (u["id"] not in truth_of_dropped and u["id"] not in stale)]
    directory = dict(directory, Resources=users, totalResults=len(users), itemsPerPage=len(users))

    export = os.path.join(out_dir, "export.xml")
    snapshot = os.path.join(out_dir, "directory.json")
    with open(export, "w", encoding="utf-8") as f:
        f.write(export_text)
    with open(snapshot, "w", encoding="utf-8") as f:
        json.dump(directory, f, ensure_ascii=False)
    return export, snapshot, directory


def run(cli, *args, timeout=300):
    env = dict(os.environ, LANG="C", LC_ALL="C")
    env.pop("JONCTION_TOKEN", None)
    proc = subprocess.run([cli, *args], capture_output=True, text=True, env=env, timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr


def expected_state(plan, users):
    """The identifier each ENT user of the UAI must hold after applying @plan."""
    state = {}
    for u in users:
        if UAI in (u.get(EXT, {}) or {}).get("structures", []):
            ids = pronote_ids(u)
            state[u["id"]] = ids[0] if ids else None
    for cat in plan["categories"].values():
        for m in cat["matched"]:
            state[m["ent_id"]] = m["pronote_id"]
        for c in cat["clear"]:
            state[c["ent_id"]] = None
    return state


def planned_changes(plan):
    return {m["ent_id"] for c in plan["categories"].values() for m in c["matched"]
            if m["action"] in ("set", "replace")} | \
           {c["ent_id"] for cat in plan["categories"].values() for c in cat["clear"]}


def store_integrity(state_dir):
    path = os.path.join(state_dir, "jonction.sqlite")
    if not os.path.exists(path):
        return "ok"   # killed before the store was created
    db = sqlite3.connect(path, timeout=10)
    try:
        return "; ".join(row[0] for row in db.execute("PRAGMA integrity_check"))
    finally:
        db.close()


def consistency(users):
    """Problems that must never be visible, even between a kill and its resume."""
    problems, holders = [], {}
    ids = [u.get("id") for u in users]
    if len(ids) != len(set(ids)):
        problems.append("two users share an id")
    for u in users:
        values = pronote_ids(u)
        if len(values) > 1:
            problems.append(f"user {u['id']} holds {len(values)} identifiers for {UAI}: {values}")
        for v in values:
            holders.setdefault(v, []).append(u["id"])
    problems += [f"identifier {v} held by {h}" for v, h in holders.items() if len(h) > 1]
    return problems


def differences(users, expected):
    now = {u["id"]: u for u in users}
    wrong = []
    for uid, value in expected.items():
        if uid not in now:
            wrong.append(f"{uid}: gone")
        else:
            held = pronote_ids(now[uid])
            if held != ([value] if value else []):
                wrong.append(f"{uid}: {held} instead of {value}")
    return wrong


class FileEnt:
    name = "file ENT"

    def __init__(self, work, snapshot):
        self.snapshot = snapshot
        self.path = os.path.join(work, "ent.json")
        self.full_time = None
        self.kill_points = []   # seconds after the start

    def reset(self):
        shutil.copyfile(self.snapshot, self.path)

    def url(self):
        return self.path

    def users(self):
        with open(self.path, encoding="utf-8") as f:
            return json.load(f)["Resources"]

    def start_writes(self):
        return None

    def wait_and_kill(self, proc, rng):
        """Kills @proc after a random delay within a whole push's duration; False when the
        push ended first."""
        delay = rng.uniform(0.0, self.full_time)
        try:
            proc.wait(timeout=delay)
            return False
        except subprocess.TimeoutExpired:
            self.kill_points.append(round(delay, 2))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return True

    def writes_applied_once(self, plan, expected):
        return []   # a file has no write log: the final state says it all


class ScimEnt:
    name = "SCIM server"

    def __init__(self, server, directory, n_changes):
        self.server = server
        self.directory = directory
        self.n_changes = n_changes
        self.kill_points = []   # writes this run had made (at least) when killed

    def reset(self):
        self.server.reset(self.directory)

    def url(self):
        return self.server.url

    def users(self):
        return self.server.users()

    def applied(self):
        return [e for e in self.server.log() if e.get("applied") and e.get("userId")]

    def wait_and_kill(self, proc, rng):
        """Kills @proc once the server has applied a random number of further writes (0: at
        once, while it reads the directory or matches), plus up to 20 ms; False when the push
        ended first."""
        done = len(self.applied())
        target = done + rng.randint(0, max(self.n_changes - done, 1))
        extra = rng.uniform(0.0, 0.02)
        while proc.poll() is None:
            if len(self.applied()) >= target:
                time.sleep(extra)
                self.kill_points.append(target - done)
                if proc.poll() is not None:
                    break
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                return True
            time.sleep(0.005)
        return False

    def writes_applied_once(self, plan, expected):
        counts = {}
        for e in self.applied():
            if e.get("changed", True):
                counts[e["userId"]] = counts.get(e["userId"], 0) + 1
        planned = planned_changes(plan)
        problems = [f"{uid} changed {n} times" for uid, n in counts.items() if n != 1]
        problems += [f"{uid} changed but not in the plan" for uid in counts if uid not in planned]
        problems += [f"{uid} in the plan, never changed" for uid in planned if uid not in counts]
        return problems


def kill_rounds(tap, cli, export, token_file, work, ent, plan, expected, kills_wanted, rng):
    """Rounds of kills and resumes on @ent until @kills_wanted kills hit a running push."""
    kills = rounds = 0
    t0 = time.time()
    while kills < kills_wanted and rounds < MAX_ROUNDS:
        rounds += 1
        ent.reset()
        state = os.path.join(work, f"state-{ent.name.split()[0]}-{rounds}")
        args = [cli, "push", export, "--ent", ent.url(), "--state", state, "--mode", "complete",
                "--yes", "--json"]
        if isinstance(ent, ScimEnt):
            args += ["--token-file", token_file]
        runs = 0
        while True:
            runs += 1
            env = dict(os.environ, LANG="C", LC_ALL="C")
            env.pop("JONCTION_TOKEN", None)
            if kills >= kills_wanted:
                proc = None
            else:
                proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True, env=env)
            if proc is not None and ent.wait_and_kill(proc, rng):
                kills += 1
                proc.communicate()
                integrity = store_integrity(state)
                try:
                    problems = consistency(ent.users())
                except (ValueError, OSError) as e:
                    problems = [f"the ENT cannot be read: {e}"]
                if integrity != "ok" or problems:
                    tap.ok(False, f"{ent.name}: kill {kills} (round {rounds}, run {runs}) leaves "
                           "the store and the ENT consistent",
                           f"integrity_check: {integrity}\n" + "\n".join(problems[:20]))
                continue

            # The push ended on its own (or no kills are left: one last run to the end)
            if proc is None:
                proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True, env=env)
            out, err = proc.communicate(timeout=300)
            break

        report = {}
        try:
            report = json.loads(out) if out.strip() else {}
        except ValueError:
            pass
        final_ok = proc.returncode == 0 and report.get("failed") == []
        integrity = store_integrity(state)
        users = ent.users()
        problems = consistency(users) + differences(users, expected) + \
            ent.writes_applied_once(plan, expected)
        rc, hist, herr = run(cli, "history", "--state", state, "--json")
        try:
            history = json.loads(hist)
        except ValueError:
            history = []
        # A kill that lands after the import was recorded done (the process was exiting)
        # makes the next run a new import with nothing left to change: fine. Every import
        # must be done, and the changes they counted add up to the plan's.
        counted = sum(h.get("set", 0) + h.get("replaced", 0) + h.get("cleared", 0) for h in history)
        history_ok = bool(history) and all(h.get("outcome") == "done" for h in history) \
            and counted == len(planned_changes(plan))
        if not (final_ok and integrity == "ok" and not problems and history_ok):
            tap.ok(False, f"{ent.name}: round {rounds} ({runs} runs) ends in the planned state",
                   f"exit {proc.returncode}: {err}\nintegrity_check: {integrity}\n"
                   + "\n".join(problems[:20]) + f"\nhistory: {hist[:500]}")
    tap.diag(f"{ent.name}: kill points: {ent.kill_points}")
    tap.ok(kills >= kills_wanted,
           f"{ent.name}: {kills} pushes killed mid-way in {rounds} rounds, each resumed to the "
           f"planned state ({time.time() - t0:.0f} s)")
    return kills


def main():
    cli, est_dir, server_dir = sys.argv[1:4]
    seed = int(os.environ.get("JN_KILL_SEED", "20261129"))
    kills_total = int(os.environ.get("JN_KILLS", "50"))
    rng = random.Random(seed)
    tap = Tap()
    tap.diag(f"seed {seed} (JN_KILL_SEED), {kills_total} kills (JN_KILLS)")

    work = tempfile.mkdtemp(prefix="jn-kill-loop-")
    try:
        export, snapshot, directory = trim(est_dir, work)
        token_file = os.path.join(work, "token")
        with open(token_file, "w") as f:
            f.write(TOKEN + "\n")

        rc, out, err = run(cli, "match", export, "--directory", snapshot, "--mode", "complete",
                           "--json")
        if not tap.ok(rc == 0, "the plan of the trimmed establishment is computed", err):
            print(f"1..{tap.n}")
            return 1
        plan = json.loads(out)
        expected = expected_state(plan, directory["Resources"])
        n_changes = len(planned_changes(plan))
        tap.ok(n_changes >= 50, f"the plan has {n_changes} changes to kill in the middle of")

        # File ENT: time one whole push to spread the kills over it
        ent = FileEnt(work, snapshot)
        ent.reset()
        t = time.time()
        rc, out, err = run(cli, "push", export, "--ent", ent.url(), "--state",
                           os.path.join(work, "state-calibration"), "--mode", "complete", "--yes")
        ent.full_time = max(time.time() - t, 0.2)
        tap.ok(rc == 0 and not differences(ent.users(), expected),
               f"file ENT: an uninterrupted push ({ent.full_time:.1f} s) gives the planned state", err)
        kill_rounds(tap, cli, export, token_file, work, ent, plan, expected, kills_total // 2, rng)

        server = ScimServer(server_dir, snapshot, "--write-delay-ms", "3")
        try:
            scim = ScimEnt(server, directory, n_changes)
            kill_rounds(tap, cli, export, token_file, work, scim, plan, expected,
                        kills_total - kills_total // 2, rng)
        finally:
            server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"1..{tap.n}")
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
