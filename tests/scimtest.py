# SPDX-License-Identifier: GPL-3.0-or-later
"""What the Python tests share: TAP output and the SCIM test server (tests/scim-server).

The server runs on 127.0.0.1 (a port chosen by the system); besides SCIM it answers the
test routes /_test/log (every write, applied or not), /_test/dump (every user) and
/_test/reset (a new directory). Needs `npm ci` in its folder (build-aux/run-tests.sh).
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

TOKEN = "jonction-test-token"


class Tap:
    """TAP lines; with repr_diag, the diagnostics are printed as Python literals (control
    characters visible)."""

    def __init__(self, repr_diag=False):
        self.n = 0
        self.failed = 0
        self.repr_diag = repr_diag

    def ok(self, cond, name, diag=None):
        self.n += 1
        print(f"{'ok' if cond else 'not ok'} {self.n} - {name}", flush=True)
        if not cond:
            self.failed += 1
            for line in str(diag or "").splitlines()[:40]:
                print(f"# {line!r}" if self.repr_diag else f"# {line}", flush=True)
            # meson prints a failed test's stderr, not its TAP comments: CI logs show why
            print(f"not ok {self.n} - {name}", file=sys.stderr, flush=True)
            for line in str(diag or "").splitlines()[:40]:
                print(f"# {line!r}" if self.repr_diag else f"# {line}", file=sys.stderr, flush=True)
        return cond

    def skip(self, name, why):
        self.n += 1
        print(f"ok {self.n} - {name} # SKIP {why}", flush=True)

    def diag(self, text):
        for line in text.splitlines():
            print(f"# {line}", flush=True)


class ScimServer:
    """The SCIM test server, seeded with a ListResponse file; stop() ends it."""

    def __init__(self, server_dir, seed, *extra):
        node_modules = os.path.join(server_dir, "node_modules")
        if not os.path.isdir(node_modules):
            raise RuntimeError(f"{node_modules} is missing: run 'npm ci' in {server_dir}")
        self.dir = tempfile.mkdtemp(prefix="jn-scim-")
        self.proc = subprocess.Popen(
            ["node", os.path.join(server_dir, "server.js"), "--port", "0", "--token", TOKEN,
             "--seed", seed, "--port-file", os.path.join(self.dir, "port"), *extra],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("listening"):
            raise RuntimeError(f"the SCIM server did not start: {line}{self.proc.stdout.read()}")
        self.url = line.split()[1]
        self.root = self.url.rsplit("/scim/v2", 1)[0]

    def request(self, method, path, body=None, root=False):
        """(status, JSON answer or None); @path under the SCIM base, or the server's root"""
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request((self.root if root else self.url) + path, data=data, method=method,
                                     headers={"Authorization": f"Bearer {TOKEN}",
                                              "Content-Type": "application/scim+json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                text = resp.read().decode()
                return resp.status, json.loads(text) if text else None
        except urllib.error.HTTPError as e:
            text = e.read().decode()
            return e.code, json.loads(text) if text else None

    def log(self):
        return self.request("GET", "/_test/log", root=True)[1]

    def users(self):
        return self.request("GET", "/_test/dump", root=True)[1]["Resources"]

    def dump(self):
        return {u["id"]: u for u in self.users()}

    def reset(self, list_response):
        self.request("POST", "/_test/reset", list_response, root=True)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)
