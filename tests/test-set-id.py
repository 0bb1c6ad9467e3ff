#!/usr/bin/env python3
"""jonction-cli set-id against the SCIM test server, on hostile inputs: a UAI typed in
small letters must reach the same establishment (its holders, its entry), never write a
second entry that slips past the one-holder check.

Usage: test-set-id.py JONCTION_CLI SCIM_SERVER_DIR

SPDX-License-Identifier: GPL-3.0-or-later
"""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scimtest import TOKEN, ScimServer, Tap  # noqa: E402

EXT = "urn:ietf:params:scim:schemas:extension:ent:2.0:User"
UAI = "0312609T"
HELD = "HUP2NFZQRYAD7EXS"
FREE = "Z9KXW4P7QRT2HMNE"


def user(uid, family, held=None):
    u = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", EXT], "id": uid, "userName": uid,
         "name": {"familyName": family, "givenName": "Léa"}, "userType": "Eleve", "active": True,
         EXT: {"structures": [UAI]}}
    if held:
        u[EXT]["pronoteIds"] = [{"uai": UAI, "value": held}]
    return u


def outcomes(cli, state, env):
    """The outcomes of the imports `history --json` lists, sorted (None if unreadable), and
    its output"""
    proc = subprocess.run([cli, "history", "--state", state, "--json"], capture_output=True, text=True,
                          env=env, timeout=60)
    try:
        return sorted(i["outcome"] for i in json.loads(proc.stdout)), proc.stdout
    except (ValueError, KeyError, TypeError):
        return None, proc.stdout


def op_states(state_dir):
    """The journal's operation states, read-only (the store is another process's)"""
    db = os.path.join(state_dir, "jonction.sqlite")
    if not os.path.exists(db):
        return []
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return [r[0] for r in con.execute("SELECT state FROM operations")]
        finally:
            con.close()
    except sqlite3.Error:
        return []


def killed_edit(tap, cli, server_dir, work, token_file):
    """set-id killed while its write is on its way (the server holds each write 1.5 s, then
    applies it): the next set-id finishes it first, without writing it again, says so on
    stderr, and history records it done"""
    seed = os.path.join(work, "seed-kill.json")
    with open(seed, "w", encoding="utf-8") as f:
        json.dump({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 2,
                   "Resources": [user("first", "Gamma"), user("second", "Delta")]}, f)
    server = ScimServer(server_dir, seed, "--write-delay-ms", "1500")
    state = os.path.join(work, "state-kill")
    base = ["--ent", server.url, "--token-file", token_file, "--state", state]
    env = dict(os.environ, LANG="C", LC_ALL="C")
    try:
        proc = subprocess.Popen([cli, "set-id", *base, "--user", "first", "--uai", UAI, "--pronote-id", FREE],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        deadline = time.monotonic() + 60
        while "sent" not in op_states(state) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        sent = "sent" in op_states(state)
        proc.kill()
        proc.communicate()
        tap.ok(sent, "set-id killed while its write is on its way", str(op_states(state)))
        # the server applies the held write after the kill
        time.sleep(2.5)

        _, before = outcomes(cli, state, env)
        proc = subprocess.run([cli, "set-id", *base, "--user", "second", "--uai", UAI, "--pronote-id",
                               "KVX8NTH4DPQ3SYU7"], capture_output=True, text=True, env=env, timeout=120)
        writes = [e for e in (server.log() or []) if e.get("userId") == "first"]
        ids = server.dump()["first"][EXT].get("pronoteIds") or []
        tap.ok(proc.returncode == 0 and "An interrupted edit was finished" in proc.stderr
               and "first" in proc.stderr,
               "the next set-id finishes the interrupted edit first and says so", proc.stdout + proc.stderr)
        tap.ok(ids == [{"uai": UAI, "value": FREE}] and len(writes) == 1,
               "the interrupted write landed once, never sent again",
               json.dumps(ids) + " " + json.dumps(writes))
        tap.ok((server.dump()["second"][EXT].get("pronoteIds") or []) == [{"uai": UAI, "value": "KVX8NTH4DPQ3SYU7"}],
               "then the new edit is made", proc.stderr)
        states, history = outcomes(cli, state, env)
        tap.ok(states == ["done", "done"], "history: both edits done (the first was running before)",
               before + " → " + history)
    finally:
        server.stop()


def hostile_journal(tap, cli, server_dir, work, token_file):
    """Unfinished edits a hand (or a broken disk) put in the journal: a value that is no
    PRONOTE identifier (terminal escapes, a newline) and an edit of another establishment's
    entry. The next set-id must send neither to the ENT, and print nothing raw on stderr."""
    seed = os.path.join(work, "seed-hostile.json")
    with open(seed, "w", encoding="utf-8") as f:
        json.dump({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 3,
                   "Resources": [user("first", "Gamma"), user("second", "Delta"), user("third", "Epsilon")]}, f)
    server = ScimServer(server_dir, seed)
    state = os.path.join(work, "state-hostile")
    base = ["--ent", server.url, "--token-file", token_file, "--state", state]
    env = dict(os.environ, LANG="C", LC_ALL="C")
    hostile = "\x1b]0;pwned\x07\x1b[2J\nQ4NPQRSTUVWXYZ23"
    other_uai = "0999999Z"
    try:
        for uid, value in (("first", FREE), ("second", "KVX8NTH4DPQ3SYU7")):
            proc = subprocess.run([cli, "set-id", *base, "--user", uid, "--uai", UAI, "--pronote-id", value],
                                  capture_output=True, text=True, env=env, timeout=120)
            tap.ok(proc.returncode == 0, f"set-id {uid} (journal to tamper with)", proc.stdout + proc.stderr)
        con = sqlite3.connect(os.path.join(state, "jonction.sqlite"))
        with con:
            con.execute("UPDATE imports SET state = 'interrupted', finished_at = NULL")
            con.execute("UPDATE operations SET state = 'planned', status = 0, detail = NULL, kind = 'replace', "
                        "old_pronote_id = pronote_id, pronote_id = ? WHERE ent_id = 'first'", (hostile,))
            con.execute("UPDATE operations SET state = 'planned', status = 0, detail = NULL, kind = 'set', "
                        "old_pronote_id = NULL, uai = ? WHERE ent_id = 'second'", (other_uai,))
        con.close()
        log_before = len(server.log() or [])

        proc = subprocess.run([cli, "set-id", *base, "--user", "third", "--uai", UAI, "--pronote-id",
                               "M4NPQRSTUVWXYZ23"], capture_output=True, text=True, env=env, timeout=120)
        first = server.dump()["first"][EXT].get("pronoteIds") or []
        second = server.dump()["second"][EXT].get("pronoteIds") or []
        writes = [e for e in (server.log() or [])[log_before:] if e.get("userId") in ("first", "second")]
        tap.ok(first == [{"uai": UAI, "value": FREE}], "a journalled value that is no identifier is never sent",
               json.dumps(first) + " " + json.dumps(writes))
        tap.ok(second == [{"uai": UAI, "value": "KVX8NTH4DPQ3SYU7"}],
               "a journalled edit of another establishment's entry is never sent",
               json.dumps(second) + " " + json.dumps(writes))
        tap.ok("\x1b" not in proc.stderr and "\x07" not in proc.stderr,
               "stderr carries no raw control character from the journal", repr(proc.stderr))
        tap.ok(proc.returncode == 0 and (server.dump()["third"][EXT].get("pronoteIds") or [])
               == [{"uai": UAI, "value": "M4NPQRSTUVWXYZ23"}], "then the new edit is made", repr(proc.stderr))
        proc = subprocess.run([cli, "set-id", *base, "--user", "third", "--uai", UAI, "--clear", "--yes"],
                              capture_output=True, text=True, env=env, timeout=120)
        tap.ok(proc.returncode == 0 and "interrupted" not in proc.stderr,
               "the refused edits are over: not tried again", repr(proc.stderr))
    finally:
        server.stop()


def old_edit(tap, cli, server_dir, work, token_file):
    """An edit interrupted weeks ago (the admin was told the ENT could not be reached) is not
    sent by an unrelated set-id today: the account may have gone through other values and
    back since (cleared at the start of the year, say). It ends failed, and is said so."""
    seed = os.path.join(work, "seed-old.json")
    with open(seed, "w", encoding="utf-8") as f:
        json.dump({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 2,
                   "Resources": [user("first", "Gamma"), user("second", "Delta")]}, f)
    server = ScimServer(server_dir, seed)
    state = os.path.join(work, "state-old")
    base = ["--ent", server.url, "--token-file", token_file, "--state", state]
    env = dict(os.environ, LANG="C", LC_ALL="C")
    try:
        proc = subprocess.run([cli, "set-id", *base, "--user", "first", "--uai", UAI, "--pronote-id", FREE],
                              capture_output=True, text=True, env=env, timeout=120)
        tap.ok(proc.returncode == 0, "set-id first (journal to age)", proc.stdout + proc.stderr)
        # As if, 30 days ago, it had planned to replace FREE and never reached the ENT
        con = sqlite3.connect(os.path.join(state, "jonction.sqlite"))
        with con:
            con.execute("UPDATE imports SET state = 'interrupted', finished_at = NULL, "
                        "started_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-30 days')")
            con.execute("UPDATE operations SET state = 'planned', status = 0, detail = NULL, kind = 'replace', "
                        "old_pronote_id = pronote_id, pronote_id = 'Q4NPQRSTUVWXYZ23'")
        con.close()

        proc = subprocess.run([cli, "set-id", *base, "--user", "second", "--uai", UAI, "--pronote-id",
                               "KVX8NTH4DPQ3SYU7"], capture_output=True, text=True, env=env, timeout=120)
        ids = server.dump()["first"][EXT].get("pronoteIds") or []
        tap.ok(ids == [{"uai": UAI, "value": FREE}], "an edit interrupted 30 days ago is not sent today",
               json.dumps(ids) + " " + proc.stderr)
        tap.ok(proc.returncode == 0 and "could not be finished" in proc.stderr and "first" in proc.stderr
               and re.search(r"interrupted on \d\d/\d\d/\d{4} at \d\d:\d\d", proc.stderr),
               "the admin is told it was not finished, and when it was interrupted (local time)", proc.stderr)
        states, history = outcomes(cli, state, env)
        tap.ok(states == ["done", "partial"], "history: the old edit failed, the new one done", history)
    finally:
        server.stop()


def forbidden_account(tap, cli, server_dir, work, token_file):
    """The ENT refuses (403) every write to one account the token may read: its edit fails.
    It must not stay unfinished and block every later edit of the establishment (each
    set-id first finishing it, refused again, the message blaming the token)."""
    seed = os.path.join(work, "seed-forbidden.json")
    with open(seed, "w", encoding="utf-8") as f:
        json.dump({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 3,
                   "Resources": [user("protected", "Gamma"), user("second", "Delta"), user("third", "Epsilon")]}, f)
    server = ScimServer(server_dir, seed, "--forbid-writes", "protected")
    state = os.path.join(work, "state-forbidden")
    base = ["--ent", server.url, "--token-file", token_file, "--state", state]
    env = dict(os.environ, LANG="C", LC_ALL="C")

    def run(uid, value):
        return subprocess.run([cli, "set-id", *base, "--user", uid, "--uai", UAI, "--pronote-id", value],
                              capture_output=True, text=True, env=env, timeout=120)
    try:
        proc = run("protected", FREE)
        tap.ok(proc.returncode != 0 and "403" in proc.stderr, "a write the ENT forbids fails", proc.stderr)
        proc = run("second", "KVX8NTH4DPQ3SYU7")
        ids = server.dump()["second"][EXT].get("pronoteIds") or []
        tap.ok(proc.returncode == 0 and ids == [{"uai": UAI, "value": "KVX8NTH4DPQ3SYU7"}],
               "the next edit of another account is made", proc.stderr + json.dumps(ids))
        tap.ok("could not be finished" in proc.stderr and "protected" in proc.stderr,
               "the admin is told the forbidden edit was not finished", proc.stderr)
        tap.ok((server.dump()["protected"][EXT].get("pronoteIds") or []) == [], "nothing written to it",
               json.dumps(server.dump()["protected"]))
        proc = run("third", "M4NPQRSTUVWXYZ23")
        tap.ok(proc.returncode == 0 and "interrupted" not in proc.stderr, "it is not tried again", proc.stderr)
        states, history = outcomes(cli, state, env)
        tap.ok(states == ["done", "done", "partial"], "history: the forbidden edit failed", history)
    finally:
        server.stop()


def main():
    cli, server_dir = sys.argv[1:3]
    tap = Tap()
    if not os.path.isdir(os.path.join(server_dir, "node_modules")) or shutil.which("node") is None:
        tap.skip("set-id against the SCIM server", "node or the server's modules are missing")
        print(f"1..{tap.n}", flush=True)
        return
    work = tempfile.mkdtemp(prefix="jn-set-id-")
    os.chmod(work, 0o700)
    seed = os.path.join(work, "seed.json")
    with open(seed, "w", encoding="utf-8") as f:
        json.dump({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 2,
                   "Resources": [user("holder", "Alpha", HELD), user("child", "Beta")]}, f)
    token_file = os.path.join(work, "token")
    with open(token_file, "w", encoding="utf-8") as f:
        f.write(TOKEN)
    os.chmod(token_file, 0o600)
    server = ScimServer(server_dir, seed)
    base = ["--ent", server.url, "--token-file", token_file, "--state", os.path.join(work, "state")]

    def run(*args):
        proc = subprocess.run([cli, "set-id", *base, *args], capture_output=True, text=True,
                              env=dict(os.environ, LANG="C", LC_ALL="C"), timeout=120)
        return proc.returncode, proc.stdout, proc.stderr

    def ids(uid):
        return server.dump()[uid][EXT].get("pronoteIds") or []

    try:
        rc, out, err = run("--user", "child", "--uai", UAI.lower(), "--pronote-id", HELD)
        tap.ok(rc != 0 and "Alpha".upper() in err,
               "a UAI in small letters: the holder of the establishment is found and named", out + err)
        tap.ok(ids("child") == [], "a UAI in small letters: nothing written to the child",
               json.dumps(ids("child")))

        rc, out, err = run("--user", "child", "--uai", UAI.lower(), "--pronote-id", FREE)
        tap.ok(rc == 0 and ids("child") == [{"uai": UAI, "value": FREE}],
               "a UAI in small letters writes the establishment's entry, as the ENT spells it",
               out + err + json.dumps(ids("child")))
        tap.ok(ids("holder") == [{"uai": UAI, "value": HELD}], "the holder is untouched",
               json.dumps(ids("holder")))
    finally:
        server.stop()

    try:
        killed_edit(tap, cli, server_dir, work, token_file)
        hostile_journal(tap, cli, server_dir, work, token_file)
        old_edit(tap, cli, server_dir, work, token_file)
        forbidden_account(tap, cli, server_dir, work, token_file)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"1..{tap.n}", flush=True)
    sys.exit(1 if tap.failed else 0)


if __name__ == "__main__":
    main()
