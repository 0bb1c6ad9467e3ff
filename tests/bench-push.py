#!/usr/bin/env python3
"""Benchmark: push the bench establishment's changes to the embedded file ENT, then 10,000
changes to the local SCIM test server.

Usage: bench-push.py JONCTION_CLI BENCH_ESTABLISHMENT_DIR [SCIM_SERVER_DIR]

File ENT: a copy of the establishment's directory.json is the ENT; the whole import is
pushed in complete mode (jonction-cli push --ent COPY --mode complete --yes), about 8,400
changes, and the seconds are printed. Without SCIM_SERVER_DIR only this part runs.

SCIM: for each setting (sequential baseline, then the default concurrency and a higher
one) the server is started afresh from the same seed, the plan's operations are pushed with
jonction-cli push --yes, and the operations per second are printed. Not a test: it asserts
only that the push succeeded.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scimtest import TOKEN, ScimServer  # noqa: E402

UAI = "0312609T"


def push_file_ent(cli, export, est_dir, work):
    """The whole import into a copy of the snapshot: the file ENT's figures"""
    ent = os.path.join(work, "file-ent.json")
    shutil.copyfile(os.path.join(est_dir, "directory.json"), ent)
    start = time.monotonic()
    proc = subprocess.run([cli, "push", export, "--ent", ent, "--state", os.path.join(work, "state-file"),
                           "--mode", "complete", "--yes", "--json"],
                          capture_output=True, text=True, env=dict(os.environ, LANG="C"))
    elapsed = time.monotonic() - start
    if proc.returncode not in (0, 4):
        print(proc.stderr)
        return False
    report = json.loads(proc.stdout)
    n = report["set"] + report["replaced"] + report["cleared"]
    print(f"{'file ENT, complete mode':<30} {n:>10} {elapsed:>8.1f} {n / elapsed:>8.0f}"
          f"{'' if not report['failed'] else '  (' + str(len(report['failed'])) + ' failed)'}",
          flush=True)
    return True


def main():
    cli, est_dir = sys.argv[1:3]
    server_dir = sys.argv[3] if len(sys.argv) > 3 else None
    export = os.path.join(est_dir, "export.xml")
    work = tempfile.mkdtemp(prefix="jn-bench-push-")
    try:
        return run(cli, export, est_dir, server_dir, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(cli, export, est_dir, server_dir, work):
    seed = os.path.join(work, "seed.json")

    print(f"{'setting':<30} {'operations':>10} {'seconds':>8} {'ops/s':>8}")
    if not push_file_ent(cli, export, est_dir, work):
        return 1
    if server_dir is None:
        return 0

    # 10,000 changes: every matched record without its identifier yet, so the ENT starts
    # with no identifier for this establishment except the preset ones.
    with open(os.path.join(est_dir, "directory.json")) as f:
        directory = json.load(f)
    for user in directory["Resources"]:
        ext = user.get("urn:ietf:params:scim:schemas:extension:ent:2.0:User", {})
        ext["pronoteIds"] = [p for p in ext.get("pronoteIds", []) or [] if p.get("uai") != UAI]
    with open(seed, "w") as f:
        json.dump(directory, f)

    token_file = os.path.join(work, "token")
    with open(token_file, "w") as f:
        f.write(TOKEN)

    for label, concurrency, bulk in (("sequential PATCH (baseline)", 1, False),
                                     ("4 parallel PATCH", 4, False),
                                     ("8 parallel PATCH", 8, False),
                                     ("Bulk, 32 per request (--bulk)", 4, True)):
        server = ScimServer(server_dir, seed, "--page-size", "500")
        try:
            state = os.path.join(work, f"state-{concurrency}")
            start = time.monotonic()
            proc = subprocess.run([cli, "push", export, "--ent", server.url, "--token-file", token_file,
                                   "--state", state, "--mode", "partial", "--yes", "--json",
                                   "--concurrency", str(concurrency), *(["--bulk"] if bulk else [])],
                                  capture_output=True, text=True, env=dict(os.environ, LANG="C"))
            elapsed = time.monotonic() - start
            if proc.returncode not in (0, 4):
                print(proc.stderr)
                return 1
            report = json.loads(proc.stdout)
            n = report["set"] + report["replaced"] + report["cleared"]
            print(f"{label:<30} {n:>10} {elapsed:>8.1f} {n / elapsed:>8.0f}"
                  f"{'' if not report['failed'] else '  (' + str(len(report['failed'])) + ' failed)'}",
                  flush=True)
        finally:
            server.stop()
    print("The figures include reading the directory, matching and journalling every operation.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
