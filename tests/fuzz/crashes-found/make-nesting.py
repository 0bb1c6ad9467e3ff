#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the JSON nesting-bomb reproducers (200 KB each, so generated rather than committed):
100,000 nested arrays overflow the stack in json-glib 1.6's recursive parser.

    make-nesting.py [DIR]     (default: this folder)
    _build-fuzz/tests/fuzz/fuzz-snapshot DIR/snapshot-nesting.json   → stack-overflow
"""
import os
import sys

DEPTH = 100_000
out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
bomb = b"[" * DEPTH + b"]" * DEPTH
files = {
    "snapshot-nesting.json": b'{"Resources":' + bomb + b"}",
    "decisions-nesting.json": b'{"A":' + bomb + b"}",
    # fuzz-scim: operation 1 (read a user), one answer "200\n\n" + body
    "scim-nesting.bin": bytes([1]) + b"200\n\n" + bomb,
}
for name, data in files.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
