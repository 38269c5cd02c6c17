"""Lab packet test: try connections, all at once, and print what happened to each.

Usage: connect.py TIMEOUT HOST:PORT/PROTO [HOST:PORT/PROTO ...]
       (IPv6 hosts in brackets: [fd42::2]:443/tcp)
Prints one JSON object: {"HOST:PORT/PROTO": "open" | "refused" | "filtered"}.
"open": TCP handshake completed / UDP answered; "refused": TCP RST or ICMP
unreachable; "filtered": no answer before the timeout. Exit status 0 always,
so the playbook compares the words with what the firewall must do.
"""

import errno
import json
import socket
import sys
from concurrent.futures import ThreadPoolExecutor


def try_one(spec: str, timeout: float) -> str:
    address, proto = spec.rsplit("/", 1)
    host, port = address.rsplit(":", 1)
    host = host.strip("[]")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    with socket.socket(family, kind) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect((host, int(port)))
            if proto == "udp":
                sock.send(b"ping\n")
                sock.recv(64)
            return "open"
        except ConnectionRefusedError:
            return "refused"
        except (socket.timeout, TimeoutError):
            return "filtered"
        except OSError as exc:
            # An ICMP answer: host/net unreachable, or administratively prohibited
            # (firewalld's IPv6 reject surfaces as EACCES).
            if exc.errno in (errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EACCES):
                return "refused"
            return f"error {exc.errno}"


def main() -> None:
    timeout, specs = float(sys.argv[1]), sys.argv[2:]
    with ThreadPoolExecutor(max_workers=max(1, len(specs))) as pool:
        answers = list(pool.map(lambda s: try_one(s, timeout), specs))
    print(json.dumps(dict(zip(specs, answers))))


if __name__ == "__main__":
    main()
