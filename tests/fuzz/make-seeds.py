#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the seed corpora of the fuzzers (tests/fuzz/corpus/<harness>/) and the small
export and snapshot the match harnesses use (tests/fuzz/match-export.xml,
match-directory.json). All data is invented: it comes from tests/fixtures (gen-fixtures.py,
gen-establishment.py), trimmed. The envelopes are sealed for envelope-key.pem, a test-only
RSA key made for the fuzzers (`openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024`).

    tests/fuzz/make-seeds.py          (from the source tree; needs openssl)

The committed corpus is the output of this script; rerun it after changing the formats.
"""

import importlib.util
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(TOP, "tests", "fixtures")
EXT = "urn:ietf:params:scim:schemas:extension:ent:2.0:User"
UAI = "0312609T"


def load_module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write(directory, name, data):
    os.makedirs(directory, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def trim_export(text, per_category=3):
    """Keeps the first @per_category elements of each container (students with their
    relatives)."""
    out, kept = [], {}
    depth_skip = None
    for line in text.splitlines(keepends=True):
        m = re.match(r"\s*<(/?)(\w+)", line)
        if depth_skip is not None:
            if m and m.group(1) == "/" and m.group(2) == depth_skip:
                depth_skip = None
            continue
        if m and not m.group(1) and line.strip().startswith("<") and line.count("<") == 1 \
                and m.group(2) not in ("ExportIdentifiants", "Professeurs", "Eleves",
                                       "Personnels", "MaitresDeStage",
                                       "InspecteursPedagogiques", "Responsable") \
                and not line.lstrip().startswith("<?"):
            tag = m.group(2)
            kept[tag] = kept.get(tag, 0) + 1
            if kept[tag] > per_category:
                if not line.rstrip().endswith("/>"):
                    depth_skip = tag
                continue
        out.append(line)
    return "".join(out)


def main():
    corpus = os.path.join(HERE, "corpus")
    shutil.rmtree(corpus, ignore_errors=True)
    tmp = tempfile.mkdtemp(prefix="jn-seeds-")
    try:
        fixtures = os.path.join(tmp, "fixtures")
        establishment = os.path.join(tmp, "establishment")
        subprocess.run([sys.executable, os.path.join(FIXTURES, "gen-fixtures.py"),
                        "--output", fixtures], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([sys.executable, os.path.join(FIXTURES, "gen-establishment.py"),
                        "--output", establishment], check=True, stdout=subprocess.DEVNULL)
        gen = load_module("gen_fixtures", os.path.join(FIXTURES, "gen-fixtures.py"))

        # Record reader: every small cleartext fixture
        rr = os.path.join(corpus, "record-reader")
        for name in sorted(os.listdir(fixtures)):
            path = os.path.join(fixtures, name)
            if os.path.isfile(path) and name.endswith(".xml") and not name.startswith("env-") \
                    and os.path.getsize(path) < 8000 and "envelope" not in name:
                shutil.copy(path, os.path.join(rr, name) if os.path.isdir(rr) else
                            (os.makedirs(rr) or os.path.join(rr, name)))
        with open(os.path.join(establishment, "export.xml"), encoding="utf-8") as f:
            small_export = trim_export(f.read())
        write(rr, "establishment-trimmed.xml", small_export)
        write(HERE, "match-export.xml", small_export)

        # Envelope: sealed for the fuzzers' key, plus the fixtures' own (parse only)
        env = os.path.join(corpus, "envelope")
        rng = random.Random(11)
        pub = os.path.join(HERE, "envelope-key.pub.pem")
        meta = {"software": "PRONOTE 2026", "date": "2026-09-01 08:00", "uai": UAI,
                "establishment": "Collège des Tilleuls (invented)", "city": "31000 TOULOUSE"}
        with open(os.path.join(fixtures, "dates.xml"), "rb") as f:
            clear = f.read()
        cases = {
            "sealed-compressed.xml": dict(),
            "sealed-uncompressed.xml": dict(compressed=False),
            "sealed-indented.xml": dict(indented=True),
            "sealed-no-attribute.xml": dict(attribute=False),
            "sealed-not-zlib.xml": dict(tamper="not-zlib"),
        }
        for name, options in cases.items():
            data, _ = gen.make_envelope(rng, clear, [("KOSMOS", pub)], meta, **options)
            write(env, name, data)
        data, _ = gen.make_envelope(rng, clear, [("AUTRE", pub), ("KOSMOS", pub)], meta)
        write(env, "sealed-two-partners.xml", data)
        data, _ = gen.make_envelope(rng, small_export.encode("utf-8")[:1500], [("KOSMOS", pub)],
                                    meta)
        write(env, "sealed-truncated-cleartext.xml", data)
        for name in ("env-bom.xml", "env-two-partners.xml", "truncated-envelope.xml",
                     "env-xxe.xml"):
            shutil.copy(os.path.join(fixtures, name), os.path.join(env, "fixture-" + name))

        # Snapshot: a trimmed ListResponse and small variants
        with open(os.path.join(establishment, "directory.json"), encoding="utf-8") as f:
            directory = json.load(f)
        resources = directory["Resources"]
        # one of each userType, then the first ones
        picked, seen = [], set()
        for user in resources:
            if user.get("userType") not in seen:
                seen.add(user.get("userType"))
                picked.append(user)
        picked += [u for u in resources[:12] if u not in picked]
        small = dict(directory, totalResults=len(picked), itemsPerPage=len(picked),
                     Resources=picked)
        snap = os.path.join(corpus, "snapshot")
        write(snap, "trimmed.json", json.dumps(small, ensure_ascii=False, indent=1))
        write(snap, "compact.json", json.dumps(dict(small, Resources=picked[:3]),
                                               ensure_ascii=False, separators=(",", ":")))
        write(snap, "empty.json", '{"schemas":["urn:ietf:params:scim:api:messages:2.0:'
                                  'ListResponse"],"totalResults":0}')
        write(snap, "minimal-user.json", '{"Resources":[{"id":"u1","userName":"a",'
              '"name":{"familyName":"A","givenName":"B"},"userType":"Eleve",'
              '"%s":{"structures":["%s"],"pronoteIds":[{"uai":"%s","value":'
              '"2345789ABCDEFGHJ"}]}}]}' % (EXT, UAI, UAI))
        write(HERE, "match-directory.json", json.dumps(small, ensure_ascii=False, indent=1))

        # Decisions: the establishment's files and a few shapes
        dec = os.path.join(corpus, "decisions")
        for name in ("decisions-valid.json", "decisions-invalid.json"):
            shutil.copy(os.path.join(establishment, name), os.path.join(dec, name)
                        if os.path.isdir(dec) else (os.makedirs(dec) or os.path.join(dec, name)))
        students = [u for u in picked if u.get("userType") == "Eleve"]
        ids = re.findall(r'IDPN="([^"]+)"', small_export)
        write(dec, "match.json", json.dumps({ids[0]: picked[0]["id"], ids[1]: None}))
        write(dec, "empty.json", "{}")
        write(dec, "unicode.json", '{"\\u00e9\\ud83d\\ude00": "x", "A": null}')

        # SCIM responses: see fuzz-scim.c for the layout (op byte, then parts split by \0)
        scim = os.path.join(corpus, "scim")
        user = picked[0]
        user_json = json.dumps(user, ensure_ascii=False)
        page = json.dumps(dict(small, Resources=picked[:4], totalResults=4), ensure_ascii=False)
        error = json.dumps({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                            "status": "409", "scimType": "uniqueness",
                            "detail": "identifier already held"})
        written = json.loads(user_json)
        written.setdefault(EXT, {})["pronoteIds"] = [{"uai": UAI, "value": "2345789ABCDEFGHJ"}]
        bulk = json.dumps({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkResponse"],
                           "Operations": [{"method": "PATCH", "bulkId": "w0",
                                           "location": "/Users/" + user["id"],
                                           "version": "W/\"3\"", "status": "200",
                                           "response": written}]}, ensure_ascii=False)
        config = json.dumps({"etag": {"supported": True}, "bulk": {"supported": True,
                             "maxOperations": 100, "maxPayloadSize": 1048576}})
        schemas = json.dumps({"Resources": [{"id": EXT}]})

        def part(status, body, etag=""):
            return ("%d\n%s\n" % (status, etag)).encode() + body.encode("utf-8")

        def case(op, *parts):
            return bytes([op]) + b"\0".join(parts)

        write(scim, "directory.bin", case(0, part(200, page)))
        write(scim, "directory-two-pages.bin",
              case(0, part(200, json.dumps(dict(small, Resources=picked[:2], totalResults=4))),
                   part(200, json.dumps(dict(small, Resources=picked[2:4], totalResults=4)))))
        write(scim, "directory-error.bin", case(0, part(403, error)))
        write(scim, "read-user.bin", case(1, part(200, user_json, 'W/"2"')))
        write(scim, "read-user-404.bin", case(1, part(404, error)))
        write(scim, "write.bin", case(2, part(200, json.dumps(written, ensure_ascii=False),
                                              'W/"3"')))
        write(scim, "write-409.bin", case(2, part(409, error)))
        write(scim, "write-412-reread.bin", case(2, part(412, error), part(200, user_json, 'W/"4"'),
                                                 part(200, json.dumps(written), 'W/"5"')))
        write(scim, "discover.bin", case(3, part(200, config), part(200, schemas)))
        write(scim, "bulk.bin", case(4, part(200, config), part(200, schemas), part(200, bulk)))

        # Names
        names = os.path.join(corpus, "names")
        for i, pair in enumerate([("D'ALMEIDA", "d almeida"), ("de la Tour", "DELATOUR"),
                                  ("Œdipe-Ærø", "oedipe aero"), ("Marie-Désirée", "Marie Desiree"),
                                  ("GARCIA LOPEZ", "Garcia"), ("Nguyễn", "NGUYEN"),
                                  ("ﬁlle Ǆ", "fille dz"), ("O\u2019Neil", "ONEIL"),
                                  ("", " - ' "), ("İstanbul ß", "istanbul ss")]):
            write(names, "pair-%02d" % i, (pair[0] + "\0" + pair[1]).encode("utf-8"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
