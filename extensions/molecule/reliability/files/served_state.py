# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test helper of the reliability scenario, run on a web host (python3 FILE nginx|apache [NAME]): what the host serves
and enforces, as one JSON object: the served leaf certificate (SHA-256 of its DER), whether it is the first
certificate of the installed fullchain, the X-Rel-State response header of the site, whether the server's
configuration test passes, the webedge.https firewall rules running and in the files loaded at boot (their
comments; nftables on the nginx host, iptables on the Apache host), the certificate the tls role issued from
the lab CA (source ca: its names, whether the key and the fullchain belong to it), every file under /etc
holding a private key (path, mode, owner) and every backup copy (`*~`) under the server's directory and
/etc/ssl/webedge. NAME (ignored here) is the file on the controller the rel_kill callback writes the output to."""

import hashlib
import json
import os
import re
import ssl
import subprocess
import sys
import urllib.error
import urllib.request

SERVERS = {
    "nginx": {
        "dir": "/etc/nginx",
        "test": ["nginx", "-t"],
        "running": [["nft", "list", "ruleset"]],
        "boot": ["/etc/nftables.d/webedge-https.nft"],
    },
    "apache": {
        "dir": "/etc/apache2",
        "test": ["apache2ctl", "-t"],
        "running": [["iptables-legacy-save", "-t", "filter"], ["ip6tables-legacy-save", "-t", "filter"]],
        "boot": ["/etc/iptables/rules.v4", "/etc/iptables/rules.v6"],
    },
}
RULE = re.compile(r'comment "webedge[.]https: ([^"]+)"')
KEY_MARK = b"PRIVATE KEY-----"
CA_ENTRY = "/etc/ssl/webedge/rel-ca"
CA_KEY = "/etc/ssl/webedge/private/rel-ca.key"
END = "-----END CERTIFICATE-----"


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


def openssl(*args: str) -> str:
    return subprocess.run(["openssl", *args], capture_output=True, text=True, check=False).stdout


def ca_entry():
    """The tls role's certificate from the lab CA: its SHA-256, names, and whether key and fullchain match it."""
    if not os.path.exists(CA_ENTRY + ".crt"):
        return None
    with open(CA_ENTRY + ".crt", encoding="ascii") as handle:
        certificate = handle.read()
    with open(CA_ENTRY + ".fullchain.pem", encoding="ascii") as handle:
        fullchain = handle.read()
    names = re.findall(r"DNS:([^,\s]+)", openssl("x509", "-in", CA_ENTRY + ".crt", "-noout", "-ext", "subjectAltName"))
    public = openssl("x509", "-in", CA_ENTRY + ".crt", "-noout", "-pubkey")
    return {
        "sha256": hashlib.sha256(certificate.encode()).hexdigest(),
        "names": sorted(names),
        # the public half only: whether the key changed from one state to the next (tls_key_rotate)
        "key_public": hashlib.sha256(public.encode()).hexdigest()[:16],
        "key_matches": bool(public) and public == openssl("pkey", "-in", CA_KEY, "-pubout"),
        "fullchain_matches": fullchain.split(END)[0] == certificate.split(END)[0],
    }


def main() -> None:
    server = SERVERS[sys.argv[1]]
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    served = ssl.PEM_cert_to_DER_cert(ssl.get_server_certificate(("127.0.0.1", 443)))
    fullchain_path = server["dir"] + "/tls/site.fullchain.pem"
    with open(fullchain_path, encoding="ascii") as handle:
        fullchain = handle.read()
    first = fullchain.split(END)[0] + END
    request = urllib.request.Request("https://127.0.0.1/", headers={"Host": "site.lab.test"})
    try:
        with urllib.request.urlopen(request, context=context, timeout=10) as response:
            header = response.headers.get("X-Rel-State")
    except urllib.error.HTTPError as error:  # the empty root answers 403/404; the header is sent "always"
        header = error.headers.get("X-Rel-State")
    keys = private_keys()
    test = subprocess.run(server["test"], capture_output=True, text=True, check=False)
    running = "".join(
        subprocess.run(argv, capture_output=True, text=True, check=True).stdout for argv in server["running"]
    )
    boot = ""
    for path in server["boot"]:
        with open(path, encoding="utf-8") as handle:
            boot += handle.read()
    print(
        json.dumps(
            {
                "certificate": hashlib.sha256(served).hexdigest(),
                "installed": served == ssl.PEM_cert_to_DER_cert(first.strip()),
                "fullchain": hashlib.sha256(fullchain.encode()).hexdigest(),
                "header": header,
                "test": test.returncode,
                "test_output": test.stderr[-400:] if test.returncode else "",
                "running": sorted(RULE.findall(running)),
                "boot": sorted(RULE.findall(boot)),
                "ca": ca_entry(),
                "key_files": [key[0] for key in keys],
                # open to anyone but root: group or other bits set, or not owned by root (0600 or stricter is fine)
                "keys_exposed": [key for key in keys if int(key[1], 8) & 0o077 or key[2] != 0],
                "backups": sorted(
                    path
                    for top in (server["dir"], "/etc/ssl/webedge")
                    for path in files_under(top)
                    if path.endswith("~")
                ),
            }
        )
    )


main()
