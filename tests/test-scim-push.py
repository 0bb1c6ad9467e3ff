#!/usr/bin/env python3
"""jonction-cli against a real SCIM 2.0 server (scimmy + scimmy-routers, tests/scim-server).

Usage: test-scim-push.py JONCTION_CLI ESTABLISHMENT_DIR SCIM_SERVER_DIR

ESTABLISHMENT_DIR is the output of tests/fixtures/gen-establishment.py (export.xml,
directory.json). The server is started on 127.0.0.1 on a free port and stopped by PID.
Prints TAP.
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time

from scimtest import TOKEN, ScimServer, Tap

UAI = "0312609T"



def pronote_id(user, uai=UAI):
    ext = user.get("urn:ietf:params:scim:schemas:extension:ent:2.0:User", {})
    for entry in ext.get("pronoteIds", []) or []:
        if entry.get("uai") == uai:
            return entry.get("value")
    return None


def run(cli, *args, env_extra=None, timeout=300):
    env = dict(os.environ, LANG="C", LC_ALL="C")
    env.pop("JONCTION_TOKEN", None)
    env.update(env_extra or {})
    proc = subprocess.run([cli, *args], capture_output=True, text=True, env=env, timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr


def expected_state(plan, users):
    """The identifier each ENT user of the UAI must hold after applying @plan."""
    state = {uid: pronote_id(u) for uid, u in users.items()
             if UAI in u.get("urn:ietf:params:scim:schemas:extension:ent:2.0:User", {}).get("structures", [])}
    for cat in plan["categories"].values():
        for m in cat["matched"]:
            state[m["ent_id"]] = m["pronote_id"]
        for c in cat["clear"]:
            state[c["ent_id"]] = None
    return state


def check_state(tap, name, server, expected):
    now = server.dump()
    wrong = [f"{uid}: {pronote_id(now[uid]) if uid in now else 'gone'} instead of {value}"
             for uid, value in expected.items() if uid not in now or pronote_id(now[uid]) != value]
    return tap.ok(not wrong, name, "\n".join(wrong))


def applied_writes(server):
    """User id -> number of writes that changed it (applied and changed)."""
    counts = {}
    for entry in server.log():
        if entry.get("applied") and entry.get("changed", True) and entry.get("userId"):
            counts[entry["userId"]] = counts.get(entry["userId"], 0) + 1
    return counts


def main():
    cli, est_dir, server_dir = sys.argv[1:4]
    export = os.path.join(est_dir, "export.xml")
    seed = os.path.join(est_dir, "directory.json")
    work = tempfile.mkdtemp(prefix="jn-scim-push-")
    token_file = os.path.join(work, "token")
    with open(token_file, "w") as f:
        f.write(TOKEN + "\n")
    seed_users = {u["id"]: u for u in json.load(open(seed))["Resources"]}
    tap = Tap()

    def push(server, state, *extra, **kw):
        return run(cli, "push", export, "--ent", server.url, "--token-file", token_file,
                   "--state", state, *extra, **kw)

    # 1. Complete mode: preview, then push, then a re-read confirms every identifier.
    server = ScimServer(server_dir, seed)
    try:
        state = os.path.join(work, "state-complete")
        rc, out, err = push(server, state, "--mode", "complete", "--dry-run", "--json")
        tap.ok(rc == 0, "complete: push --dry-run --json exits 0", err)
        plan = json.loads(out)
        tap.ok(set(plan["categories"]) == {"teachers", "students", "relatives", "internship_masters",
                                           "inspectors", "staff"}, "complete: the dry run prints the plan")
        tap.ok(not server.log(), "complete: the dry run sent nothing")
        rc, out, err = push(server, state, "--mode", "complete")
        tap.ok(rc == 0 and not server.log(), "complete: push without --yes is a preview and sends nothing",
               err)

        rc, out, err = push(server, state, "--mode", "complete", "--yes", "--json")
        tap.ok(rc == 0, "complete: push --yes exits 0", err)
        report = json.loads(out) if out.strip() else {}
        n_set = sum(1 for c in plan["categories"].values() for m in c["matched"] if m["action"] == "set")
        n_replace = sum(1 for c in plan["categories"].values() for m in c["matched"] if m["action"] == "replace")
        n_clear = sum(len(c["clear"]) for c in plan["categories"].values())
        tap.ok(report.get("set") == n_set and report.get("replaced") == n_replace
               and report.get("cleared") == n_clear and report.get("failed") == [],
               f"complete: report counts {n_set} set, {n_replace} replaced, {n_clear} cleared",
               json.dumps({k: v for k, v in report.items() if k != "failed"}))
        check_state(tap, "complete: the server holds exactly the planned identifiers", server,
                    expected_state(plan, seed_users))
        counts = applied_writes(server)
        twice = [uid for uid, n in counts.items() if n != 1]
        tap.ok(len(counts) == n_set + n_replace + n_clear and not twice,
               "complete: each operation was applied exactly once", f"{len(counts)} users written; twice: {twice[:5]}")

        snapshot = os.path.join(work, "after.json")
        rc, out, err = run(cli, "directory", "--ent", server.url, "--token-file", token_file,
                           "--uai", UAI, "-o", snapshot)
        tap.ok(rc == 0 and os.stat(snapshot).st_mode & 0o777 == 0o600,
               "directory: the establishment is saved as a private snapshot", err)
        rc, out, err = run(cli, "match", export, "--directory", snapshot, "--mode", "complete", "--json")
        again = json.loads(out)
        actions = {m["action"] for c in again["categories"].values() for m in c["matched"]}
        clears = sum(len(c["clear"]) for c in again["categories"].values())
        tap.ok(actions == {"unchanged"} and clears == 0,
               "complete: matching the re-read directory finds every identifier in place", f"{actions} {clears}")

        rc, out, err = run(cli, "history", "--state", state, "--json")
        history = json.loads(out)
        tap.ok(len(history) == 1 and history[0]["outcome"] == "done" and history[0]["mode"] == "complete"
               and history[0]["set"] == n_set, "history: the import is recorded as done", out)
    finally:
        server.stop()

    # 2. Partial mode never clears.
    server = ScimServer(server_dir, seed)
    try:
        state = os.path.join(work, "state-partial")
        rc, out, err = push(server, state, "--mode", "partial", "--dry-run", "--json")
        plan = json.loads(out)
        tap.ok(all(not c["clear"] for c in plan["categories"].values()), "partial: the plan clears nothing")
        rc, out, err = push(server, state, "--mode", "partial", "--yes", "--json")
        report = json.loads(out) if out.strip() else {}
        tap.ok(rc == 0 and report.get("cleared") == 0 and report.get("failed") == [],
               "partial: push --yes exits 0 and removes nothing", err)
        check_state(tap, "partial: the server holds the planned identifiers, stale ones kept", server,
                    expected_state(plan, seed_users))
    finally:
        server.stop()

    # 2b. The same through SCIM Bulk (opt-in): each batch in one request, confirmed.
    server = ScimServer(server_dir, seed)
    try:
        state = os.path.join(work, "state-bulk")
        rc, out, err = push(server, state, "--mode", "complete", "--dry-run", "--json")
        plan = json.loads(out)
        rc, out, err = push(server, state, "--mode", "complete", "--yes", "--json", "--bulk")
        report = json.loads(out) if out.strip() else {}
        tap.ok(rc == 0 and report.get("failed") == [], "bulk: push --bulk exits 0 without failure", err)
        tap.ok(any(e.get("source") == "bulk" for e in server.log()), "bulk: the writes went through /Bulk")
        check_state(tap, "bulk: the server holds exactly the planned identifiers", server,
                    expected_state(plan, seed_users))
        twice = [uid for uid, n in applied_writes(server).items() if n != 1]
        tap.ok(not twice, "bulk: each operation was applied exactly once", str(twice[:5]))
    finally:
        server.stop()

    # 3. Errors of the ENT: 401, 409, 404, 412.
    server = ScimServer(server_dir, seed, "--write-delay-ms", "10")
    try:
        state = os.path.join(work, "state-errors")
        bad_token = os.path.join(work, "bad-token")
        with open(bad_token, "w") as f:
            f.write("wrong\n")
        rc, out, err = run(cli, "push", export, "--ent", server.url, "--token-file", bad_token,
                           "--state", state, "--yes")
        tap.ok(rc == 3 and "credentials" in err, "401: wrong token exits 3 naming the credentials", err)
        rc, out, err = run(cli, "push", export, "--ent", server.url, "--state", state, "--yes")
        tap.ok(rc == 1 and "token" in err, "no token at all is a usage error naming the token", err)

        holders = [(uid, pronote_id(u)) for uid, u in seed_users.items()
                   if pronote_id(u) and UAI in u["urn:ietf:params:scim:schemas:extension:ent:2.0:User"]["structures"]]
        (holder, held), (other, _) = holders[0], holders[1]
        rc, out, err = run(cli, "set-id", "--ent", server.url, "--token-file", token_file, "--state", state,
                           "--user", other, "--uai", UAI, "--pronote-id", held, "--yes", "--json")
        report = json.loads(out) if out.strip() else {}
        failed = report.get("failed") or [{}]
        tap.ok(rc == 4 and failed[0].get("status") == "409" and holder in failed[0].get("detail", ""),
               "409: an identifier held by another user is reported with both users, not forced",
               out + err)
        tap.ok(pronote_id(server.dump()[holder]) == held, "409: the holder keeps its identifier")
        family = seed_users[holder]["name"]["familyName"].upper()
        tap.ok(family in err and holder in err,
               "409: set-id names the holder (name and ENT account) before sending anything", err)

        rc, out, err = run(cli, "set-id", "--ent", server.url, "--token-file", token_file, "--state", state,
                           "--user", "no-such-user", "--uai", UAI, "--pronote-id", "HUP2NFZQRYAD7EXS")
        tap.ok(rc == 3 and "no-such-user" not in out, "404: set-id on a missing user exits 3", err)

        # During a push (writes slowed down), a staff user disappears and another is changed by
        # someone else: the first is reported 404, the second 412, the rest is applied.
        rc, out, err = push(server, state, "--mode", "partial", "--dry-run", "--json")
        plan = json.loads(out)
        staff = [m for m in plan["categories"]["staff"]["matched"] if m["action"] in ("set", "replace")]
        gone, changed = staff[0]["ent_id"], staff[1]["ent_id"]
        logged_before = len(server.log())
        proc = subprocess.Popen([cli, "push", export, "--ent", server.url, "--token-file", token_file,
                                 "--state", state, "--mode", "partial", "--yes", "--json", "--concurrency", "1"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=dict(os.environ, LANG="C", LC_ALL="C"))
        deadline = time.time() + 60
        while len(server.log()) == logged_before and time.time() < deadline:
            time.sleep(0.1)
        status_delete, _ = server.request("DELETE", f"/Users/{gone}")
        status_patch, _ = server.request("PATCH", f"/Users/{changed}", {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "add", "path": "urn:ietf:params:scim:schemas:extension:ent:2.0:User:pronoteIds",
                            "value": [{"uai": UAI, "value": "ZZZZZZZZZZZZZZZZ"}]}]})
        out, err = proc.communicate(timeout=300)
        report = json.loads(out) if out.strip() else {}
        failed = {f["ent_id"]: f for f in report.get("failed", [])}
        tap.ok(proc.returncode == 4, "push with failures exits 4", err)
        tap.ok(failed.get(gone, {}).get("status") == "404", "404: a user gone during the push is reported",
               json.dumps(report.get("failed")))
        tap.ok(failed.get(changed, {}).get("status") == "412", "412: a user changed meanwhile is reported",
               json.dumps(report.get("failed")))
        tap.ok(pronote_id(server.dump()[changed]) == "ZZZZZZZZZZZZZZZZ",
               "412: the other writer's value is not overwritten")
        tap.ok(status_delete == 204 and status_patch == 200 and len(failed) == 2,
               "only those two operations failed", json.dumps(report.get("failed")))
    finally:
        server.stop()

    # 4. Killed in the middle of a push (SIGKILL), then run again: exact final state, each
    # operation applied once, history right.
    server = ScimServer(server_dir, seed, "--write-delay-ms", "15")
    try:
        state = os.path.join(work, "state-kill")
        rc, out, err = push(server, state, "--mode", "complete", "--dry-run", "--json")
        plan = json.loads(out)
        expected = expected_state(plan, seed_users)
        n_ops = sum(1 for c in plan["categories"].values() for m in c["matched"]
                    if m["action"] in ("set", "replace")) + sum(len(c["clear"]) for c in plan["categories"].values())
        proc = subprocess.Popen([cli, "push", export, "--ent", server.url, "--token-file", token_file,
                                 "--state", state, "--mode", "complete", "--yes"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=dict(os.environ, LANG="C", LC_ALL="C"))
        deadline = time.time() + 120
        while len(applied_writes(server)) < n_ops // 3 and time.time() < deadline:
            time.sleep(0.1)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        written_before = len(applied_writes(server))
        tap.ok(0 < written_before < n_ops, f"kill: the push was killed after {written_before} of {n_ops} writes")

        rc, out, err = run(cli, "history", "--state", state, "--json")
        history = json.loads(out)
        tap.ok(len(history) == 1 and history[0]["outcome"] in ("running", "interrupted"),
               "kill: history shows the import unfinished", out)

        rc, out, err = push(server, state, "--mode", "complete", "--yes", "--json")
        report = json.loads(out) if out.strip() else {}
        tap.ok(rc == 0 and report.get("failed") == [] and "Resuming" in err,
               "kill: running again resumes the import and finishes it", err)
        check_state(tap, "kill: the final ENT state is exact", server, expected)
        counts = applied_writes(server)
        twice = {uid: n for uid, n in counts.items() if n != 1}
        tap.ok(len(counts) == n_ops and not twice, "kill: every operation was applied exactly once",
               f"{len(counts)} users written of {n_ops}; more than once: {list(twice.items())[:5]}")
        rc, out, err = run(cli, "history", "--state", state, "--json")
        history = json.loads(out)
        tap.ok(len(history) == 1 and history[0]["outcome"] == "done"
               and history[0]["set"] + history[0]["replaced"] + history[0]["cleared"] == n_ops,
               "kill: history shows one import, done, with every operation", out)
    finally:
        server.stop()

    # 5. Ctrl+C: the push stops between operations, says so, and the same command resumes.
    server = ScimServer(server_dir, seed, "--write-delay-ms", "15")
    try:
        state = os.path.join(work, "state-sigint")
        proc = subprocess.Popen([cli, "push", export, "--ent", server.url, "--token-file", token_file,
                                 "--state", state, "--mode", "partial", "--yes"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=dict(os.environ, LANG="C", LC_ALL="C"))
        deadline = time.time() + 120
        while len(applied_writes(server)) < 50 and time.time() < deadline:
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        tap.ok(proc.returncode == 3 and "run the same command again" in err,
               "Ctrl+C: the push stops, exits 3 and says how to resume", err)
        rc, out, err = run(cli, "history", "--state", state, "--json")
        history = json.loads(out)
        tap.ok(history and history[0]["outcome"] == "interrupted", "Ctrl+C: history shows it interrupted", out)
        rc, out, err = push(server, state, "--mode", "partial", "--yes", "--json")
        report = json.loads(out) if out.strip() else {}
        twice = [uid for uid, n in applied_writes(server).items() if n != 1]
        tap.ok(rc == 0 and "Resuming" in err and not twice,
               "Ctrl+C: the same command resumes, each operation applied once", err + str(twice[:5]))
    finally:
        server.stop()

    print(f"1..{tap.n}")
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
