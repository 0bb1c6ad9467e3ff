#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""TAP test: what `meson install` puts in place, and that the installed programs start.

    test-install.py MESON BUILD_ROOT PREFIX BINDIR DATADIR LOCALEDIR PKGDATADIR APP_ID VERSION GUI

Installs the existing build into a temporary DESTDIR (`meson install --destdir --no-rebuild`),
then: `jonction-cli --version` and (GUI=true) `jonction --version` start from there and print
VERSION, the GUI without a display, finding its GSettings schema where GSettings looks (the
installed glib-2.0/schemas under XDG_DATA_DIRS, compiled as post-install would); the demo is in
PKGDATADIR/demo and the installed CLI reads it; the binaries carry the PKGDATADIR and LOCALEDIR
they were installed for; the French catalogue translates; the desktop file, its icon (scalable
and symbolic) and the AppStream metainfo are where a desktop looks, and agree on APP_ID.
Python 3.11, stdlib only.
"""

import configparser
import gettext
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scimtest import Tap  # noqa: E402


def run(args, env=None, timeout=120):
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=timeout,
                          check=False)


def main():
    (meson, build_root, prefix, bindir, datadir, localedir, pkgdatadir, app_id, version,
     gui) = sys.argv[1:11]
    gui = gui == "true"
    tap = Tap()
    destdir = tempfile.mkdtemp(prefix="jn-install-")

    def staged(path):
        path = path if os.path.isabs(path) else os.path.join(prefix, path)
        return os.path.join(destdir, path.lstrip("/"))

    try:
        proc = run([meson, "install", "-C", build_root, "--destdir", destdir, "--no-rebuild",
                    "--quiet"], timeout=300)
        if not tap.ok(proc.returncode == 0, "meson install --destdir",
                      proc.stdout + proc.stderr):
            print(f"1..{tap.n}")
            return 1

        env = dict(os.environ, LANG="C", LC_ALL="C.UTF-8")
        for name in ("DISPLAY", "WAYLAND_DISPLAY", "GSETTINGS_SCHEMA_DIR", "LANGUAGE"):
            env.pop(name, None)

        cli = staged(os.path.join(bindir, "jonction-cli"))
        proc = run([cli, "--version"], env=env)
        tap.ok(proc.returncode == 0 and proc.stdout.strip() == f"jonction-cli {version}",
               "the installed jonction-cli --version", (proc.returncode, proc.stdout, proc.stderr))

        # The demo where the programs look for it (PKGDATADIR is compiled in)
        demo = staged(os.path.join(pkgdatadir, "demo"))
        tap.ok(os.path.isfile(os.path.join(demo, "demo-export.xml"))
               and os.path.isfile(os.path.join(demo, "demo-directory.json")),
               "the demo's export and directory in PKGDATADIR/demo", demo)
        proc = run([cli, "inspect", "--json", os.path.join(demo, "demo-export.xml")], env=env)
        tap.ok(proc.returncode == 0 and '"uai"' in proc.stdout,
               "the installed CLI reads the installed demo", proc.stderr)

        # Translations where bindtextdomain (LOCALEDIR) looks
        mo = staged(os.path.join(localedir, "fr", "LC_MESSAGES", "jonction.mo"))
        tap.ok(os.path.isfile(mo), "the French catalogue in LOCALEDIR", mo)
        if os.path.isfile(mo):
            fr = gettext.translation("jonction", localedir=staged(localedir), languages=["fr"])
            tap.ok(fr.gettext("Failures") != "Failures",
                   "the installed catalogue translates", fr.gettext("Failures"))

        programs = [cli] + ([staged(os.path.join(bindir, "jonction"))] if gui else [])
        for program in programs:
            with open(program, "rb") as f:
                binary = f.read()
            tap.ok(pkgdatadir.encode() in binary and localedir.encode() in binary,
                   f"{os.path.basename(program)} looks in the PKGDATADIR and LOCALEDIR it is "
                   "installed for", (pkgdatadir, localedir))

        if not gui:
            tap.skip("the GUI's files", "built with -Dgui=disabled")
            print(f"1..{tap.n}")
            return 1 if tap.failed else 0

        # The schema: compiled as gnome.post_install would, found through XDG_DATA_DIRS
        schemas = staged(os.path.join(datadir, "glib-2.0", "schemas"))
        tap.ok(os.path.isfile(os.path.join(schemas, f"{app_id}.gschema.xml")),
               "the GSettings schema installed", schemas)
        proc = run(["glib-compile-schemas", schemas])
        tap.ok(proc.returncode == 0, "the installed schema compiles", proc.stderr)
        gui_env = dict(env, XDG_DATA_DIRS=staged(datadir) + ":/usr/local/share:/usr/share",
                       GSETTINGS_BACKEND="memory")
        gui_bin = staged(os.path.join(bindir, "jonction"))
        proc = run([gui_bin, "--version"], env=gui_env)
        tap.ok(proc.returncode == 0 and proc.stdout.strip() == f"jonction {version}",
               "the installed jonction --version, without a display, finds its schema",
               (proc.returncode, proc.stdout, proc.stderr))
        no_schema_env = dict(gui_env, XDG_DATA_DIRS="/nonexistent")
        proc = run([gui_bin, "--version"], env=no_schema_env)
        tap.ok(proc.returncode != 0 and app_id in proc.stderr,
               "(and says so when the schema is not there)", (proc.returncode, proc.stderr))

        # The desktop file, its icon, the metainfo
        desktop = staged(os.path.join(datadir, "applications", f"{app_id}.desktop"))
        if tap.ok(os.path.isfile(desktop), "the desktop file in share/applications", desktop):
            parser = configparser.ConfigParser(interpolation=None, strict=False)
            parser.optionxform = str
            parser.read(desktop, encoding="utf-8")
            entry = parser["Desktop Entry"]
            tap.ok(entry.get("Exec", "").split()[0] == "jonction"
                   and entry.get("Icon") == app_id,
                   "the desktop file starts jonction with the app's icon", dict(entry))
            if shutil.which("desktop-file-validate"):
                proc = run(["desktop-file-validate", desktop])
                tap.ok(proc.returncode == 0, "desktop-file-validate", proc.stdout + proc.stderr)
        icons = staged(os.path.join(datadir, "icons", "hicolor"))
        tap.ok(os.path.isfile(os.path.join(icons, "scalable", "apps", f"{app_id}.svg"))
               and os.path.isfile(os.path.join(icons, "symbolic", "apps", f"{app_id}-symbolic.svg")),
               "the icons in the hicolor theme (scalable and symbolic)", icons)
        doc = staged(os.path.join(datadir, "doc", "jonction"))
        metainfo = staged(os.path.join(datadir, "metainfo", f"{app_id}.metainfo.xml"))
        if tap.ok(os.path.isfile(metainfo), "the metainfo in share/metainfo", metainfo):
            root = ET.parse(metainfo).getroot()
            launchable = root.find("launchable")
            releases = [r.get("version") for r in root.iter("release")]
            tap.ok(root.findtext("id") == app_id and launchable is not None
                   and launchable.text == f"{app_id}.desktop",
                   "the metainfo names the app and its desktop file")
            tap.ok(version in releases, "the metainfo lists this version's release", releases)
            images = [i.text for i in root.iter("image")]
            homepage = root.findtext("url[@type='homepage']") or ""
            missing = [i for i in images
                       if not i.startswith(homepage + "screenshots/") or not os.path.isfile(
                           os.path.join(doc, "data", "screenshots", i.rsplit("/", 1)[-1]))]
            tap.ok(homepage.startswith("https://") and images and not missing,
                   "the metainfo's screenshots are published under its homepage, from the "
                   "installed copies of data/screenshots", (homepage, missing))

        # The user guide (the About window's link) and every image it shows
        guide = os.path.join(doc, "README.md")
        if tap.ok(os.path.isfile(guide), "the user guide in share/doc/jonction", guide):
            with open(guide, encoding="utf-8") as f:
                text = f.read()
            shown = re.findall(r"\]\((data/screenshots/[^)\s]+)\)", text)
            broken = [s for s in shown if not os.path.isfile(os.path.join(doc, s))]
            tap.ok(shown and not broken and "Guide d'utilisation" in text,
                   "the installed guide (French and English) finds every screenshot it shows",
                   broken or "no screenshot or no French guide")
    finally:
        shutil.rmtree(destdir, ignore_errors=True)

    print(f"1..{tap.n}")
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
