#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""jonction-cli: one push at a time, token files, output that cannot lie, privacy.

Usage: test-cli-safety.py JONCTION_CLI ESTABLISHMENT_DIR SCIM_SERVER_DIR

Every class is a table of cases. The SCIM server (tests/scim-server) is started on
127.0.0.1 by the test and stopped by PID; its cases are skipped when node_modules is absent.
Prints TAP.
"""

import fcntl
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import datetime

from scimtest import TOKEN, ScimServer, Tap

UAI = "0312609T"
EXT = "urn:ietf:params:scim:schemas:extension:ent:2.0:User"
# What a terminal obeys rather than shows
UNSAFE = [chr(c) for c in list(range(0x00, 0x20)) + list(range(0x7f, 0xa0))] + \
    ["\u061c", "\u200b", "\u200e", "\u200f", "\u2028", "\u2029", "\u202a", "\u202b", "\u202c",
     "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\ufeff"]


def run(cli, *args, env_extra=None, timeout=120):
    env = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8")
    env.pop("JONCTION_TOKEN", None)
    env.update(env_extra or {})
    start = time.monotonic()
    try:
        proc = subprocess.run([cli, *args], capture_output=True, env=env, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return -1, "", "timeout", timeout
    return (proc.returncode, proc.stdout.decode("utf-8", "replace"),
            proc.stderr.decode("utf-8", "replace"), time.monotonic() - start)


def unsafe_in(text):
    """The unsafe characters of @text, outside the line ends the program writes itself."""
    return sorted({hex(ord(c)) for c in text if c in UNSAFE and c != "\n"})


def store_contains(state, needle):
    for name in ("jonction.sqlite", "jonction.sqlite-wal"):
        path = os.path.join(state, name)
        if os.path.exists(path) and needle.encode() in open(path, "rb").read():
            return True
    return False


class LockHolder:
    """Another program holding the store's lock, as the app would: flock + who/since."""

    def __init__(self, state, program="jonction (the app)"):
        os.makedirs(state, mode=0o700, exist_ok=True)
        path = os.path.join(state, "jonction.lock")
        code = ("import fcntl, os, sys, time\n"
                f"fd = os.open({path!r}, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)\n"
                "fcntl.flock(fd, fcntl.LOCK_EX)\n"
                "os.ftruncate(fd, 0)\n"
                f"os.write(fd, ('pid=%d\\nprogram={program}\\nsince=2026-11-29T10:00:00Z\\n' % os.getpid()).encode())\n"
                "print('locked', flush=True)\n"
                "time.sleep(600)\n")
        self.proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "locked"

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()


def applied(server):
    """How many changes the server applied to each user"""
    counts = {}
    for entry in server.log():
        if entry.get("applied") and entry.get("changed", True) and entry.get("userId"):
            counts[entry["userId"]] = counts.get(entry["userId"], 0) + 1
    return counts


def test_tokens(tap, cli, work):
    """Class 3: the token file is bounded, one line of visible ASCII, never echoed."""
    secret = "s3cr3t-T0KEN"
    fifo = os.path.join(work, "token-fifo")
    os.mkfifo(fifo)
    cases = [
        # name, contents (bytes) or a path, expected status, words in stderr
        ("token with a newline at the end", secret.encode() + b"\n", 3, ""),
        ("token with CRLF", secret.encode() + b"\r\n", 3, ""),
        ("token with spaces around", b"  " + secret.encode() + b"  \n\n", 3, ""),
        ("empty token file", b"", 1, "empty"),
        ("token file of one newline", b"\n", 1, "empty"),
        ("escape sequence in the token", secret.encode() + b"\x1b[2J", 1, "control"),
        ("two lines", secret.encode() + b"\nX-Injected: 1\n", 1, "control"),
        ("NUL byte", secret.encode() + b"\x00tail", 1, "NUL"),
        ("space inside", b"s3cr3t T0KEN", 1, "space"),
        ("non-ASCII", "s3cr3t-TÖKEN".encode(), 1, "non-ASCII"),
        ("DEL", secret.encode() + b"\x7f", 1, "control"),
        ("100 KiB", b"A" * (100 * 1024), 1, "64 KiB"),
        ("a device", "/dev/zero", 1, "token"),
        ("a folder", work, 1, "token"),
    ]
    for name, contents, status, words in cases:
        if isinstance(contents, bytes):
            path = os.path.join(work, "token")
            with open(path, "wb") as f:
                f.write(contents)
        else:
            path = contents
        rc, out, err, elapsed = run(cli, "directory", "--ent", "http://127.0.0.1:9/scim/v2", "--uai", UAI,
                                    "-o", os.path.join(work, "out.json"), "--token-file", path,
                                    env_extra={"JONCTION_TIMEOUT": "2", "JONCTION_RETRY_DELAY_MS": "1"},
                                    timeout=30)
        tap.ok(rc == status and words in err and secret not in out + err and "TÖKEN" not in err,
               f"token file: {name} → exit {status}", f"rc={rc} {err}")

    for name, value, status in [("escape in JONCTION_TOKEN", secret + "\x1b[31m", 1),
                                ("newline in JONCTION_TOKEN", secret + "\nX: y", 1),
                                ("plain JONCTION_TOKEN", secret + "\n", 3)]:
        rc, out, err, _ = run(cli, "directory", "--ent", "http://127.0.0.1:9/scim/v2", "--uai", UAI,
                              "-o", os.path.join(work, "out.json"),
                              env_extra={"JONCTION_TOKEN": value, "JONCTION_TIMEOUT": "2",
                                         "JONCTION_RETRY_DELAY_MS": "1"}, timeout=30)
        tap.ok(rc == status and secret not in out + err, f"token: {name} → exit {status}", f"rc={rc} {err}")


def write_export(path, establishment, student):
    with open(path, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<ExportIdentifiants UAI="{UAI}" NomEtablissement="{establishment}" DateExport="2026-09-01" '
                'Logiciel="PRONOTE 2026">'
                f'<Eleves><Eleve Nom="{student}" Prenom="Zoé" DateNaissance="2012-01-02" IDPN="X4JZRCU3PQQ94P7D"/>'
                '</Eleves></ExportIdentifiants>\n')


def test_output(tap, cli, work):
    """Class 5: names, establishment names, file names and the store's words cannot forge
    a line nor drive the terminal, in human output and in JSON."""
    forged = "&#10;UAI                        0000000X"
    cases = [
        # name, XML attribute text, the text it stands for
        ("newline forging a line", "Collège" + forged, "Collège\nUAI                        0000000X"),
        ("CR rewriting the line", "Collège&#13;Lycée", "Collège\rLycée"),
        ("tab", "Coll&#9;ège", "Coll\tège"),
        ("right-to-left override", "Coll\u202eègelleT", "Coll\u202eègelleT"),
        ("isolates", "\u2066Collège\u2069", "\u2066Collège\u2069"),
        ("C1 CSI", "Coll\u009b31mège", "Coll\u009b31mège"),
        ("next line (NEL)", "Coll\u0085ège", "Coll\u0085ège"),
        ("line separator", "Coll\u2028ège", "Coll\u2028ège"),
        ("DEL", "Coll\u007fège", "Coll\u007fège"),
        ("zero width space", "Coll\u200bège", "Coll\u200bège"),
    ]
    snapshot = os.path.join(work, "empty-directory.json")
    with open(snapshot, "w") as f:
        json.dump({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "Resources": []}, f)

    for name, xml_text, value in cases:
        path = os.path.join(work, "export.xml")
        write_export(path, xml_text, "EVIL" + xml_text)

        rc, out, err, _ = run(cli, "inspect", path)
        lines = out.splitlines()
        tap.ok(rc == 0 and not unsafe_in(out + err) and sum(1 for l in lines if l.startswith("UAI")) == 1
               and len(lines) == 14, f"inspect: {name} escaped, no forged line", out + err)

        rc, out, err, _ = run(cli, "inspect", "--json", path)
        doc = json.loads(out) if rc == 0 else {}
        tap.ok(rc == 0 and not unsafe_in(out) and out.count("\n") == 1 and doc.get("establishment") == value,
               f"inspect --json: {name} \\u-escaped, same value", out)

        # An empty directory is refused unless forced: forced, so that the names are printed
        rc, out, err, _ = run(cli, "match", path, "--directory", snapshot, "--force-small-directory")
        tap.ok(rc == 0 and not unsafe_in(out + err) and "0000000X" not in "".join(
            l for l in out.splitlines() if l.startswith("UAI")),
            f"match: a name with {name} is escaped", out + err)

    # File names and values quoted in error messages
    for name, fname in [("newline", "bad\nUAI 0000000X.xml"), ("escape", "bad\x1b[2J.xml"),
                        ("RLO", "bad\u202elmx.exe"), ("invalid UTF-8", b"bad\xff\xfe.xml")]:
        path = os.path.join(work.encode() if isinstance(fname, bytes) else work, fname)
        with open(path, "wb") as f:
            f.write(b"not xml at all")
        proc = subprocess.run([cli, "inspect", path], capture_output=True,
                              env=dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8"))
        err = proc.stderr.decode("utf-8", "replace")
        tap.ok(proc.returncode == 2 and err.count("\n") == 1 and not unsafe_in(err)
               and "\ufffd" not in err, f"error message: a file name with {name} stays on one line", err)

    for name, value in [("newline", "0312609T\n2099-01-01  forged"), ("escape", "0312609\x1b[31mT")]:
        rc, out, err, _ = run(cli, "match", os.path.join(work, "export.xml"), "--directory", snapshot,
                              "--uai", value)
        tap.ok(rc == 1 and err.count("\n") == 1 and not unsafe_in(err),
               f"usage error: a --uai with {name} is escaped", err)


ALPHABET = "2345789ABCDEFGHJKMNPQRSTUVWXYZ"
N_STUDENTS = 12


def student_id(i):
    return "SAFE" + "".join(ALPHABET[(i * 7 + k) % len(ALPHABET)] for k in range(10)) + ALPHABET[i // 30] + ALPHABET[i % 30]


def make_small_establishment(work):
    """A few students, each with their ENT account, and one stale identifier to clear: the
    file-ENT cases stay fast, even under AddressSanitizer."""
    est = os.path.join(work, "small")
    os.makedirs(est)
    records, users = [], []
    for i in range(N_STUDENTS):
        family = "ELEVE" + chr(65 + i // 26) + chr(65 + i % 26)
        birth = f"2012-01-{1 + i % 28:02d}"
        records.append(f'<Eleve Nom="{family}" Prenom="Zoé" DateNaissance="{birth}" IDPN="{student_id(i)}"/>')
        users.append({"id": f"s{i}", "userType": "Eleve", "userName": f"s{i}",
                      "name": {"familyName": family.capitalize(), "givenName": "Zoe"},
                      "meta": {"version": 'W/"1"'}, EXT: {"birthDate": birth, "structures": [UAI]}})
    users.append({"id": "gone", "userType": "Eleve", "userName": "gone",
                  "name": {"familyName": "Parti", "givenName": "Paul"}, "meta": {"version": 'W/"1"'},
                  EXT: {"birthDate": "2011-02-03", "structures": [UAI],
                        "pronoteIds": [{"uai": UAI, "value": "STALE22222222222"}]}})
    with open(os.path.join(est, "export.xml"), "w", encoding="utf-8") as f:
        f.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<ExportIdentifiants UAI="{UAI}" '
                f'NomEtablissement="Collège" DateExport="2026-09-01"><Eleves>{"".join(records)}</Eleves>'
                '</ExportIdentifiants>\n')
    with open(os.path.join(est, "directory.json"), "w") as f:
        json.dump({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                   "totalResults": len(users), "Resources": users}, f)
    return est


def file_push(cli, est_dir, work, state, *extra):
    snapshot = os.path.join(work, "snapshot-" + os.path.basename(state) + ".json")
    if not os.path.exists(snapshot):
        shutil.copy(os.path.join(est_dir, "directory.json"), snapshot)
    return snapshot, run(cli, "push", os.path.join(est_dir, "export.xml"), "--ent", snapshot,
                         "--state", state, "--mode", "complete", *extra)


def loads(text):
    try:
        return json.loads(text)
    except ValueError:
        return None


def test_new_store_together(tap, cli, work):
    """Two pushes started together on a new --state both create its store: neither may fail
    on the other's half-made tables ("table imports already exists", "database is locked")."""
    env = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8")
    failures = []
    for round_ in range(10):
        state = os.path.join(work, f"state-new-{round_}")
        procs = [subprocess.Popen([cli, "history", "--state", state, "--json"], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, env=env) for _ in range(6)]
        for p in procs:
            out, err = p.communicate()
            if p.returncode != 0:
                failures.append(f"round {round_}: rc={p.returncode} {err.strip()}")
    tap.ok(not failures, "six commands opening one new local store together all succeed", "\n".join(failures))


def test_lock_file_ent(tap, cli, est_dir, work):
    """Class 8 on the file ENT: another program holds the lock → refused at once."""
    state = os.path.join(work, "state-lock")
    snapshot, _ = file_push(cli, est_dir, work, state, "--dry-run")
    before = open(snapshot, "rb").read()
    holder = LockHolder(state)
    pid = holder.proc.pid
    cases = [
        ("push --yes", ["push", os.path.join(est_dir, "export.xml"), "--ent", snapshot, "--state", state,
                        "--mode", "complete", "--yes"], 1),
        ("push --yes --json", ["push", os.path.join(est_dir, "export.xml"), "--ent", snapshot, "--state", state,
                               "--yes", "--json"], 1),
        ("set-id", ["set-id", "--ent", snapshot, "--state", state, "--user", "none", "--uai", UAI,
                    "--pronote-id", "F4JZRCU3PQQ94P7D"], 1),
        ("forget --yes", ["forget", "--yes", "--state", state], 1),
    ]
    try:
        for name, args, status in cases:
            rc, out, err, elapsed = run(cli, *args, timeout=60)
            tap.ok(rc == status and elapsed < 8 and f"process {pid} (jonction (the app)) since 2026-11-29T10:00:00Z"
                   in err and "another push" in err and err.count("\n") == 1,
                   f"lock held: {name} refused at once (exit {status}), naming the holder",
                   f"rc={rc} {elapsed:.1f}s {err}")
        tap.ok(open(snapshot, "rb").read() == before, "lock held: the ENT was not touched")
        for name, args in [("history", ["history", "--state", state]),
                           ("push --dry-run", ["push", os.path.join(est_dir, "export.xml"), "--ent", snapshot,
                                               "--state", state, "--dry-run"]),
                           ("forget without --yes", ["forget", "--state", state])]:
            rc, out, err, _ = run(cli, *args)
            tap.ok(rc == 0, f"lock held: {name} (writes nothing) still runs", err)
    finally:
        holder.kill()

    rc, out, err, _ = run(cli, "push", os.path.join(est_dir, "export.xml"), "--ent", snapshot, "--state", state,
                          "--mode", "complete", "--yes", "--json")
    tap.ok(rc == 0, "lock of a killed process (SIGKILL): the push runs", err)
    rc, out, err, _ = run(cli, "history", "--state", state, "--json")
    tap.ok(rc == 0 and len(loads(out) or []) == 1, "killed holder: one import recorded", out)

    # A symlinked database is never followed, whatever the command
    for name, target in [("database", "jonction.sqlite"), ("WAL", "jonction.sqlite-wal"),
                         ("lock file", "jonction.lock")]:
        evil = os.path.join(work, "state-symlink-" + target)
        os.makedirs(evil, mode=0o700)
        victim = os.path.join(work, "victim-" + target)
        with open(victim, "w") as f:
            f.write("precious")
        os.chmod(victim, 0o644)
        os.symlink(victim, os.path.join(evil, target))
        if target == "jonction.lock":
            snapshot_evil, (rc, out, err, _) = file_push(cli, est_dir, work, evil, "--yes")
        else:
            rc, out, err, _ = run(cli, "history", "--state", evil)
        tap.ok(rc == 2 and "symbolic link" in err and open(victim).read() == "precious"
               and oct(os.stat(victim).st_mode & 0o777) == "0o644",
               f"symlink at the {name}: refused, target untouched", f"rc={rc} {err}")

    loose = os.path.join(work, "state-loose")
    os.makedirs(loose, mode=0o700)
    shutil.copy(os.path.join(state, "jonction.sqlite"), os.path.join(loose, "jonction.sqlite"))
    os.chmod(os.path.join(loose, "jonction.sqlite"), 0o644)
    rc, out, err, _ = run(cli, "history", "--state", loose)
    tap.ok(rc == 2 and "chmod 600" in err and os.stat(os.path.join(loose, "jonction.sqlite")).st_mode & 0o777 == 0o644,
           "a store others can read: refused, its mode left alone", err)


def test_lock_scim(tap, cli, est_dir, server_dir, work):
    """Class 8 on a slow SCIM server: two pushes started together, one refused at once,
    every change written once; kill -9 the first, the resume is not blocked."""
    if not os.path.isdir(os.path.join(server_dir, "node_modules")) or shutil.which("node") is None:
        for name in ("together", "once", "two stores together", "two stores once", "kill"):
            tap.skip(f"SCIM lock: {name}", "the SCIM test server is not installed (npm ci)")
        return
    export = os.path.join(est_dir, "export.xml")
    seed = os.path.join(est_dir, "directory.json")
    token_file = os.path.join(work, "scim-token")
    with open(token_file, "w") as f:
        f.write(TOKEN + "\n")
    env = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8")

    def start(server, state):
        return subprocess.Popen([cli, "push", export, "--ent", server.url, "--token-file", token_file,
                                 "--state", state, "--mode", "complete", "--yes", "--json"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)

    # Without ETags nothing on the server side stops the second push: only the locks do, the
    # store's and, for two stores (the app's and a CLI's --state), the ENT's
    for variant, states, words in [
            ("one store", ("state-scim-together", "state-scim-together"), "another push"),
            ("two stores", ("state-scim-a", "state-scim-b"), "another push to this ENT")]:
        server = ScimServer(server_dir, seed, "--write-delay-ms", "15", "--no-etag")
        try:
            state, state_b = (os.path.join(work, name) for name in states)
            rc, out, err, _ = run(cli, "push", export, "--ent", server.url, "--token-file", token_file,
                                  "--state", state, "--mode", "complete", "--dry-run", "--json")
            plan = loads(out) or {"categories": {}}
            n_ops = sum(1 for c in plan["categories"].values() for m in c["matched"]
                        if m["action"] in ("set", "replace")) + sum(len(c["clear"]) for c in plan["categories"].values())
            first, second = start(server, state), start(server, state_b)
            t0 = time.monotonic()
            procs = {first: None, second: None}
            refused = None
            while any(p.poll() is None for p in procs) and time.monotonic() - t0 < 240:
                for p in procs:
                    if p.poll() is not None and procs[p] is None:
                        procs[p] = time.monotonic() - t0
                        if refused is None and p.returncode != 0:
                            refused = p
                time.sleep(0.05)
            for p in procs:
                p.wait()
                if procs[p] is None:
                    procs[p] = time.monotonic() - t0
            outputs = {p: p.communicate() for p in procs}
            other = second if refused is first else first
            ok = (refused is not None and refused.returncode == 1 and procs[refused] < 10
                  and f"process {other.pid} (jonction-cli push)" in outputs[refused][1]
                  and words in outputs[refused][1] and other.returncode == 0)
            tap.ok(ok, f"SCIM, {variant}: two pushes started together, the second refused at once (exit 1) naming the first",
                   "\n".join(f"pid {p.pid}: rc={p.returncode} after {procs[p]:.1f}s {outputs[p][1]}" for p in procs))
            counts = applied(server)
            twice = {u: n for u, n in counts.items() if n != 1}
            tap.ok(len(counts) == n_ops and not twice, f"SCIM, {variant}: every change was written exactly once",
                   f"{len(counts)} of {n_ops}; twice: {list(twice.items())[:5]}")
        finally:
            server.stop()

    server = ScimServer(server_dir, seed, "--write-delay-ms", "15")
    try:
        state = os.path.join(work, "state-scim-kill")
        first = start(server, state)
        deadline = time.time() + 120
        while len(applied(server)) < 20 and time.time() < deadline:
            time.sleep(0.1)
        first.send_signal(signal.SIGKILL)
        first.wait()
        rc, out, err, elapsed = run(cli, "push", export, "--ent", server.url, "--token-file", token_file,
                                    "--state", state, "--mode", "complete", "--yes", "--json", timeout=240)
        counts = applied(server)
        twice = {u: n for u, n in counts.items() if n != 1}
        tap.ok(rc == 0 and "Resuming" in err and not twice,
               "SCIM: after kill -9 of the push, the same command resumes at once, each change once",
               f"rc={rc} {err} twice: {list(twice.items())[:5]}")
    finally:
        server.stop()


def age_store(state, days):
    then = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
    db = sqlite3.connect(os.path.join(state, "jonction.sqlite"))
    db.execute("UPDATE imports SET started_at = ?, finished_at = ?", (then, then))
    db.commit()
    db.close()


def test_privacy(tap, cli, est_dir, work):
    """Retention and forget: the personal data leave the file itself."""
    # A PRONOTE identifier the push writes
    probe = student_id(3)

    # Retention: age (days), expected purge
    for age, purged in [(40, True), (31, True), (29, False), (1, False)]:
        state = os.path.join(work, f"state-retention-{age}")
        _, (rc, out, err, _) = file_push(cli, est_dir, work, state, "--yes", "--json")
        report = loads(out) or {}
        tap.ok(rc == 0 and report.get("set") == N_STUDENTS and report.get("cleared") == 1
               and store_contains(state, probe), f"retention {age} days: the journal holds the identifiers",
               f"rc={rc} {out} {err}")
        age_store(state, age)
        rc, out, err, _ = run(cli, "history", "--state", state, "--json")
        history = loads(out) or []
        line = history[0] if history else {}
        tap.ok(rc == 0 and line.get("purged") == purged and store_contains(state, probe) != purged
               and line.get("set") == N_STUDENTS and line.get("cleared") == 1
               and line.get("uai") == UAI and line.get("outcome") == "done",
               f"retention: an import finished {age} days ago is {'purged, its history line kept' if purged else 'kept'}",
               out)

    # forget: table of (arguments, removed?)
    state = os.path.join(work, "state-forget")
    _, (rc, out, err, _) = file_push(cli, est_dir, work, state, "--yes")
    for step, args, removed in [("forget (preview)", [], False),
                                ("forget --json (preview)", ["--json"], False),
                                ("forget --yes", ["--yes"], True),
                                ("forget --yes again", ["--yes", "--json"], True)]:
        rc, out, err, _ = run(cli, "forget", "--state", state, *args)
        tap.ok(rc == 0 and store_contains(state, probe) != removed and
               (("--yes" in " ".join(args)) or "--yes" in out or '"removed":false' in out),
               f"{step}: {'the identifiers are gone from the file' if removed else 'says what would go, removes nothing'}",
               out + err)
    rc, out, err, _ = run(cli, "history", "--state", state, "--json")
    tap.ok(rc == 0 and loads(out) == [], "after forget the history is empty", out)
    db = sqlite3.connect(os.path.join(state, "jonction.sqlite"))
    check = db.execute("PRAGMA integrity_check").fetchone()[0]
    db.close()
    tap.ok(check == "ok", "after forget the store is sound", check)

    # The history line is escaped too (the store is a file anyone with access can edit)
    state = os.path.join(work, "state-history")
    file_push(cli, est_dir, work, state, "--yes")
    db = sqlite3.connect(os.path.join(state, "jonction.sqlite"))
    db.execute("UPDATE imports SET uai = ?, state = ?", (UAI + "\n2099-01-01T00:00:00Z  forged", "done\x1b[31m\u202e"))
    db.commit()
    db.close()
    rc, out, err, _ = run(cli, "history", "--state", state)
    tap.ok(rc == 0 and len(out.splitlines()) == 1 and not unsafe_in(out), "history: the store's words are escaped", out)


def main():
    cli, est_dir, server_dir = sys.argv[1:4]
    work = tempfile.mkdtemp(prefix="jn-cli-safety-")
    os.chmod(work, 0o700)
    tap = Tap(repr_diag=True)
    test_tokens(tap, cli, work)
    test_output(tap, cli, work)
    test_new_store_together(tap, cli, work)
    small = make_small_establishment(work)
    test_lock_file_ent(tap, cli, small, work)
    test_privacy(tap, cli, small, work)
    test_lock_scim(tap, cli, est_dir, server_dir, work)
    print(f"1..{tap.n}", flush=True)
    shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if tap.failed else 0)


if __name__ == "__main__":
    main()
