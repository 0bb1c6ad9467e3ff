#!/usr/bin/env python3
"""jonction-cli set-id against the SCIM test server, on hostile inputs: a UAI typed in
small letters must reach the same establishment (its holders, its entry), never write a
second entry that slips past the one-holder check.

Usage: test-set-id.py JONCTION_CLI SCIM_SERVER_DIR

SPDX-License-Identifier: GPL-3.0-or-later
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

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
        shutil.rmtree(work, ignore_errors=True)

    print(f"1..{tap.n}", flush=True)
    sys.exit(1 if tap.failed else 0)


if __name__ == "__main__":
    main()
