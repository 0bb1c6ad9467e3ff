#!/usr/bin/env python3
# Checks the Flatpak manifest without flatpak-builder (no runtime can be fetched here):
# well-formed JSON, the application id, the runtime, the permissions and the project module.
import json
import sys


def fail(message):
    print(f"not ok: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    if len(sys.argv) != 3:
        fail("usage: check-manifest.py MANIFEST APP_ID")
    path, app_id = sys.argv[1], sys.argv[2]

    try:
        with open(path, encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        fail(f"{path}: {e}")

    if manifest.get("id", manifest.get("app-id")) != app_id:
        fail(f"id is {manifest.get('id')!r}, expected {app_id!r}")
    if path.rsplit("/", 1)[-1] != app_id + ".json":
        fail(f"the manifest must be named {app_id}.json")
    for key, expected in (("runtime", "org.gnome.Platform"), ("sdk", "org.gnome.Sdk"),
                          ("command", "jonction")):
        if manifest.get(key) != expected:
            fail(f"{key} is {manifest.get(key)!r}, expected {expected!r}")
    if not str(manifest.get("runtime-version", "")).strip():
        fail("runtime-version is missing")

    finish_args = manifest.get("finish-args", [])
    for arg in ("--share=network", "--share=ipc", "--socket=wayland", "--socket=fallback-x11",
                "--device=dri", "--talk-name=org.freedesktop.secrets"):
        if arg not in finish_args:
            fail(f"finish-args lacks {arg}")
    if any(a.startswith(("--filesystem=home", "--filesystem=host")) for a in finish_args):
        fail("the file chooser portal is enough: no home or host filesystem access")

    modules = manifest.get("modules", [])
    if not modules or not isinstance(modules[-1], dict):
        fail("the last module must be the project itself")
    project = modules[-1]
    if project.get("buildsystem") != "meson":
        fail("the project module must build with meson")
    if {"type": "dir", "path": ".."} not in project.get("sources", []):
        fail('the project module must use the source {"type": "dir", "path": ".."}')

    print(f"ok: {path}")


if __name__ == "__main__":
    main()
