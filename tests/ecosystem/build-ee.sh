#!/usr/bin/env bash
# Build the execution environment of execution-environment.yml with ansible-builder, from images
# made of Debian's packages (nothing is pulled):
#   localhost/webedge-ee-base:debian12  tests/ecosystem/ee/base.Containerfile on the lab's
#                                       localhost/webedge-debian:12-base (make images)
#   localhost/webedge-https-ee:VERSION  execution-environment.yml, with the collection built from
#                                       this checkout (ansible-galaxy collection build)
# Each image carries a label with the hash of its definition (for the EE: the definition, the hash
# of every file in the collection tarball, and the base image's hash) and is rebuilt only when it
# changes, like lab/build-images.sh. Prints the EE image name on stdout.
# Galaxy is unreachable here: the collection's dependencies, ansible.windows and microsoft.iis,
# are installed from the copies the `ansible` package of .venv ships (requirements-dev.txt).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/lab/lib.sh"
venv=${ECO_VENV:-$root/.build/venv-eco}
work=$root/.build/ee
here=$root/tests/ecosystem/ee
lab_base=localhost/webedge-debian:12-base
base=localhost/webedge-ee-base:debian12
version=$(sed -n 's/^version: *//p' "$root/galaxy.yml")
ee=localhost/webedge-https-ee:$version
image_hash() { podman image inspect --format '{{index .Labels "webedge.ee.hash"}}' "$1" 2>/dev/null || true; }
lab_hash() { podman image inspect --format '{{index .Labels "webedge.lab.hash"}}' "$1" 2>/dev/null || true; }

[ -n "$(lab_hash "$lab_base")" ] || die "$lab_base is missing: run make images first"
hash=$(cat "$here/base.Containerfile" "$here/apt-pkgmgr" <(lab_hash "$lab_base") | sha256sum | cut -c1-16)
if [ "$(image_hash "$base")" = "$hash" ]; then say "$base is up to date"; else
  # --network host: the build network has no working DNS here (see lab/build-images.sh).
  with_progress "building $base" \
    podman build --network host --build-arg "BASE=$lab_base" --label "webedge.ee.hash=$hash" \
      -t "$base" -f "$here/base.Containerfile" "$here"
fi

# pip in the build trusts what this machine trusts (a TLS-inspecting proxy's CA included): the
# machine's CA bundle is mounted over the image's for the RUN steps only, never stored in a layer.
bundle=/etc/ssl/certs/ca-certificates.crt
trust=""
[ -s "$bundle" ] && trust="--volume $bundle:$bundle:ro"

rm -rf "$work/context-files" "$work/context" && mkdir -p "$work/context-files"
"$venv/bin/ansible-galaxy" collection build --force --output-path "$work/context-files" "$root" >/dev/null
tarball=$(ls "$work"/context-files/webedge-https-*.tar.gz)
[ "$(basename "$tarball")" = "webedge-https-$version.tar.gz" ] || die "unexpected tarball $tarball"
# The collection's dependencies (galaxy.yml), from the copies the `ansible` package ships, and the
# requirements file the definition installs (dependencies.galaxy: context-files/requirements.yml).
"$root/.venv/bin/python" - "$root/galaxy.yml" "$work/context-files" "$(basename "$tarball")" <<'PY'
import json, os, shutil, sys
import ansible_collections
import yaml
galaxy, context, tarball = sys.argv[1:]
requirements = [{"name": f"context-files/{tarball}", "type": "file"}]
for dependency in sorted(yaml.safe_load(open(galaxy))["dependencies"] or {}):
    namespace, name = dependency.split(".")
    found = [os.path.join(p, namespace, name) for p in ansible_collections.__path__
             if os.path.isfile(os.path.join(p, namespace, name, "MANIFEST.json"))]
    if not found:
        sys.exit(f"dependency {dependency} of galaxy.yml is not in the ansible package of .venv")
    shutil.copytree(found[0], os.path.join(context, "collections", dependency))
    requirements.append({"name": f"context-files/collections/{dependency}", "type": "dir"})
with open(os.path.join(context, "requirements.yml"), "w") as handle:
    json.dump({"collections": requirements}, handle, indent=2)
PY
cp "$root/execution-environment.yml" "$work/execution-environment.yml"
hash=$(cat "$work/execution-environment.yml" <(tar -xzOf "$tarball" FILES.json) \
  "$work/context-files/requirements.yml" "$work"/context-files/collections/*/MANIFEST.json \
  <(image_hash "$base") \
  | sha256sum | cut -c1-16)
if [ "$(image_hash "$ee")" = "$hash" ]; then say "$ee is up to date"; else
  old=$(podman image inspect --format '{{.Id}}' "$ee" 2>/dev/null || true)
  with_progress "building $ee with ansible-builder" \
    "$venv/bin/ansible-builder" build -f "$work/execution-environment.yml" -c "$work/context" -t "$ee" \
      --container-runtime podman -v 2 \
      --extra-build-cli-args "--network host $trust --label webedge.ee.hash=$hash"
  # The image this one replaces (now untagged), unless a container still uses it.
  [ -n "$old" ] && [ "$old" != "$(podman image inspect --format '{{.Id}}' "$ee")" ] \
    && podman rmi "$old" >/dev/null 2>&1 || true
fi
echo "$ee"
