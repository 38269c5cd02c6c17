# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test helper of the reliability scenario, run on the nginx host (python3 FILE): what the host serves and
enforces, as one JSON object: the served leaf certificate (SHA-256 of its DER), whether it is the first
certificate of the installed fullchain, the X-Rel-State response header of the site, whether `nginx -t`
passes, and the webedge.https nftables rules running and in the file loaded at boot (their comments)."""

import hashlib
import json
import re
import ssl
import subprocess
import urllib.error
import urllib.request

FULLCHAIN = "/etc/nginx/tls/site.fullchain.pem"
BOOT_FILE = "/etc/nftables.d/webedge-https.nft"
RULE = re.compile(r'comment "webedge[.]https: ([^"]+)"')


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
            }
        )
    )


main()
