# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test helper of the reliability scenario, run on the nginx host (python3 FILE): what the host serves and
enforces, as one JSON object: the served leaf certificate (SHA-256 of its DER), whether it is the first
certificate of the installed fullchain, the X-Rel-State response header of the site, whether `nginx -t`
passes, the webedge.https nftables rules running and in the file loaded at boot (their comments), every file
under /etc holding a private key (path, mode, owner) and every backup copy (`*~`) under /etc/nginx."""

import hashlib
import json
import os
import re
import ssl
import subprocess
import urllib.error
import urllib.request

FULLCHAIN = "/etc/nginx/tls/site.fullchain.pem"
BOOT_FILE = "/etc/nftables.d/webedge-https.nft"
RULE = re.compile(r'comment "webedge[.]https: ([^"]+)"')
KEY_MARK = b"PRIVATE KEY-----"


def files_under(top: str):
    for root, _dirs, names in os.walk(top):
        for name in names:
            path = os.path.join(root, name)
            if os.path.isfile(path) and not os.path.islink(path):
                yield path


def private_keys() -> list:
    """[path, octal mode, uid, gid] of every regular file under /etc that holds a PEM private key."""
    found = []
    for path in files_under("/etc"):
        try:
            with open(path, "rb") as handle:
                data = handle.read(1_000_000)
        except OSError:
            continue
        if KEY_MARK in data:
            info = os.stat(path)
            found.append([path, format(info.st_mode & 0o7777, "04o"), info.st_uid, info.st_gid])
    return sorted(found)


def main() -> None:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    served = ssl.PEM_cert_to_DER_cert(ssl.get_server_certificate(("127.0.0.1", 443)))
    with open(FULLCHAIN, encoding="ascii") as handle:
        first = handle.read().split("-----END CERTIFICATE-----")[0] + "-----END CERTIFICATE-----"
    request = urllib.request.Request("https://127.0.0.1/", headers={"Host": "site.lab.test"})
    try:
        with urllib.request.urlopen(request, context=context, timeout=10) as response:
            header = response.headers.get("X-Rel-State")
    except urllib.error.HTTPError as error:  # the empty root answers 403/404; the header is sent "always"
        header = error.headers.get("X-Rel-State")
    keys = private_keys()
    test = subprocess.run(["nginx", "-t"], capture_output=True, text=True, check=False)
    running = subprocess.run(["nft", "list", "ruleset"], capture_output=True, text=True, check=True).stdout
    with open(BOOT_FILE, encoding="utf-8") as handle:
        boot = handle.read()
    print(
        json.dumps(
            {
                "certificate": hashlib.sha256(served).hexdigest(),
                "installed": served == ssl.PEM_cert_to_DER_cert(first.strip()),
                "header": header,
                "nginx_t": test.returncode,
                "nginx_t_output": test.stderr[-400:] if test.returncode else "",
                "running": sorted(RULE.findall(running)),
                "boot": sorted(RULE.findall(boot)),
                "key_files": [key[0] for key in keys],
                # open to anyone but root: group or other bits set, or not owned by root (0600 or stricter is fine)
                "keys_exposed": [key for key in keys if int(key[1], 8) & 0o077 or key[2] != 0],
                "backups": sorted(path for path in files_under("/etc/nginx") if path.endswith("~")),
            }
        )
    )


main()
