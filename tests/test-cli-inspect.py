#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs `jonction-cli inspect` on every fixture of a manifest and prints TAP.

    test-cli-inspect.py JONCTION_CLI FIXTURES_DIR

FIXTURES_DIR is what `gen-fixtures.py --output` wrote. For each manifest entry the test runs
`JONCTION_CLI inspect --json ARGS FILE` (LANG=C, 20 s timeout) and checks the exit status, the
JSON on stdout (exactly equal; nothing at all when the expectation is null), the stderr
substrings, the strings that must never be printed and the time limit. Entries marked "human"
are run once more without --json: same exit status, and the UAI on stdout.
Then special files, made here: a FIFO without writer (as the export and as the key) is
refused within a second, a device and a folder are refused, and bash's process substitution
`<(cat FILE)` is read like the file.
Exit status 0 only when every test passed.
"""

import json
import os
import subprocess
import sys
import tempfile
import time

TIMEOUT = 20.0
# Options whose value is a path relative to FIXTURES_DIR
PATH_OPTIONS = {"--key", "--token-file", "--directory", "--decisions", "--state"}


class Tap:
    def __init__(self, planned):
        self.number = 0
        self.failed = 0
        print(f"1..{planned}", flush=True)

    def result(self, name, problems, notes=()):
        self.number += 1
        if problems:
            self.failed += 1
            print(f"not ok {self.number} - {name}")
        else:
            print(f"ok {self.number} - {name}")
        for line in list(problems) + list(notes):
            for part in str(line).splitlines() or [""]:
                print(f"# {part}")
        sys.stdout.flush()


def absolute_args(args, base):
    out = []
    for i, arg in enumerate(args):
        if i > 0 and args[i - 1] in PATH_OPTIONS and not os.path.isabs(arg):
            arg = os.path.join(base, arg)
        out.append(arg)
    return out


def run(cmd, env):
    start = time.monotonic()
    try:
        proc = subprocess.run(cmd, capture_output=True, env=env, timeout=TIMEOUT,
                              stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired as e:
        return None, e.stdout or b"", e.stderr or b"", time.monotonic() - start
    except OSError as e:
        return e, b"", b"", 0.0
    return proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start


def shorten(text, limit=1500):
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters)"


def check_entry(entry, cli, base, env):
    problems, notes = [], []
    path = entry["file"] if os.path.isabs(entry["file"]) else os.path.join(base, entry["file"])
    cmd = [cli, "inspect", "--json", *absolute_args(entry.get("args", []), base), path]
    code, out_b, err_b, seconds = run(cmd, env)
    out = out_b.decode("utf-8", errors="replace")
    err = err_b.decode("utf-8", errors="replace")
    notes.append("command: " + " ".join(cmd[1:]))

    if isinstance(code, OSError):
        return [f"cannot run {cli}: {code}"], notes
    if code is None:
        problems.append(f"timed out after {TIMEOUT:.0f} s")
    elif code != entry["exit"]:
        problems.append(f"exit status {code}, expected {entry['exit']}")

    expected = entry.get("json")
    if expected is None:
        if out.strip():
            problems.append("stdout should be empty, got: " + shorten(out))
    else:
        try:
            got = json.loads(out_b.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            problems.append(f"stdout is not one UTF-8 JSON document ({e}): " + shorten(out))
        else:
            if got != expected:
                problems.append("stdout JSON differs")
                problems.append("  expected: " + json.dumps(expected, ensure_ascii=False,
                                                             sort_keys=True))
                problems.append("  got:      " + json.dumps(got, ensure_ascii=False,
                                                             sort_keys=True))

    for text in entry.get("stderr_contains", []):
        if text not in err:
            problems.append(f"stderr lacks {text!r}")
    for text in entry.get("never_contains", []):
        if text in out or text in err:
            problems.append(f"output contains the forbidden {text!r}")
    limit = entry.get("max_seconds")
    if limit is not None and seconds > limit:
        problems.append(f"took {seconds:.2f} s, limit {limit} s")
    if problems and err:
        notes.append("stderr: " + shorten(err))
    return problems, notes


def check_human(entry, cli, base, env):
    problems, notes = [], []
    path = entry["file"] if os.path.isabs(entry["file"]) else os.path.join(base, entry["file"])
    cmd = [cli, "inspect", *absolute_args(entry.get("args", []), base), path]
    code, out_b, err_b, _ = run(cmd, env)
    out = out_b.decode("utf-8", errors="replace")
    err = err_b.decode("utf-8", errors="replace")
    notes.append("command: " + " ".join(cmd[1:]))
    if isinstance(code, OSError):
        return [f"cannot run {cli}: {code}"], notes
    if code is None:
        problems.append(f"timed out after {TIMEOUT:.0f} s")
    elif code != entry["exit"]:
        problems.append(f"exit status {code}, expected {entry['exit']}")
    uai = (entry.get("json") or {}).get("uai")
    if uai and uai not in out:
        problems.append(f"stdout does not show the UAI {uai}: " + shorten(out))
    for text in entry.get("never_contains", []):
        if text in out or text in err:
            problems.append(f"output contains the forbidden {text!r}")
    if problems and err:
        notes.append("stderr: " + shorten(err))
    return problems, notes


def check_special(cli, base, env, manifest):
    """(name, problems, notes) for each special-file case."""
    results = []
    canonical = next(e for e in manifest if e["name"] == "canonical")
    with tempfile.TemporaryDirectory(prefix="jonction-special-") as tmp:
        fifo = os.path.join(tmp, "export.xml")
        os.mkfifo(fifo)
        key_pem = os.path.join(base, "keys", "partner.pem")
        env_kosmos = os.path.join(base, "env-kosmos.xml")
        cases = [
            ("a FIFO without writer as the export", [cli, "inspect", fifo], 2,
             ["export.xml", "named pipe"], 1.0),
            ("a FIFO without writer as the key", [cli, "inspect", "--key", fifo, env_kosmos], 2,
             ["export.xml", "named pipe"], 1.0),
            ("a device as the export", [cli, "inspect", "/dev/zero"], 2, ["zero", "device"], 1.0),
            ("a folder as the export", [cli, "inspect", tmp], 2, ["folder"], 1.0),
        ]
        for name, cmd, exit_code, stderr, limit in cases:
            code, _, err_b, seconds = run(cmd, env)
            err = err_b.decode("utf-8", errors="replace")
            problems = []
            if code != exit_code:
                problems.append(f"exit status {code}, expected {exit_code}")
            for text in stderr:
                if text not in err:
                    problems.append(f"stderr lacks {text!r}: {shorten(err)}")
            if seconds > limit:
                problems.append(f"took {seconds:.2f} s, limit {limit} s")
            results.append((name, problems, ["command: " + " ".join(cmd[1:])]))

        # <(cat FILE): an anonymous pipe, /dev/fd/N, read like the file itself
        path = os.path.join(base, canonical["file"])
        script = f'exec "$0" inspect --json <(cat "$1") --key "$2"'
        code, out_b, err_b, _ = run(["bash", "-c", script, cli, path, key_pem], env)
        problems = []
        if code != 0:
            problems.append(f"exit status {code}: {shorten(err_b.decode(errors='replace'))}")
        else:
            try:
                got = json.loads(out_b.decode("utf-8"))
            except ValueError as e:
                got = None
                problems.append(f"stdout is not JSON: {e}")
            if got is not None and got != canonical["json"]:
                problems.append(f"differs from the file read directly: {got}")
        results.append(("<(cat canonical.xml) is read like the file", problems, []))
    return results


def main():
    if len(sys.argv) != 3:
        print("usage: test-cli-inspect.py JONCTION_CLI FIXTURES_DIR", file=sys.stderr)
        return 1
    cli = os.path.abspath(sys.argv[1])
    base = os.path.abspath(sys.argv[2])
    with open(os.path.join(base, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)

    human = [e for e in manifest if e.get("human")]
    n_special = 5
    tap = Tap(1 + len(manifest) + len(human) + n_special)

    setup = []
    if not manifest:
        setup.append("the manifest is empty")
    for entry in manifest:
        path = entry["file"] if os.path.isabs(entry["file"]) else os.path.join(base, entry["file"])
        if not os.path.exists(path):
            setup.append(f"{entry['name']}: missing fixture {path}")
    if not os.access(cli, os.X_OK):
        setup.append(f"{cli} is not an executable")
    tap.result(f"manifest: {len(manifest)} cases, CLI present", setup)

    with tempfile.TemporaryDirectory(prefix="jonction-inspect-") as home:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("LC_", "JONCTION_")) and k not in ("LANGUAGE",)}
        env.update({"LANG": "C", "LC_ALL": "C", "HOME": home,
                    "XDG_DATA_HOME": os.path.join(home, "data"),
                    "XDG_CONFIG_HOME": os.path.join(home, "config"),
                    "XDG_CACHE_HOME": os.path.join(home, "cache"),
                    "XDG_STATE_HOME": os.path.join(home, "state")})
        for entry in manifest:
            problems, notes = check_entry(entry, cli, base, env)
            about = f" ({entry['about']})" if entry.get("about") else ""
            tap.result(f"inspect --json {entry['name']}{about}", problems,
                       notes if problems else ())
        for entry in human:
            problems, notes = check_human(entry, cli, base, env)
            tap.result(f"inspect (human) {entry['name']}", problems, notes if problems else ())
        special = check_special(cli, base, env, manifest)
        assert len(special) == n_special
        for name, problems, notes in special:
            tap.result(f"special file: {name}", problems, notes if problems else ())
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
