"""Exposure lab listener: bind the sockets it is told to, answer every TCP client and UDP datagram.

Usage: exposure_listen.py SPEC [SPEC ...]
  SPEC = PROTO/FAMILY/ADDRESS/PORT with PROTO tcp|udp and FAMILY
  4 (AF_INET), 6only (AF_INET6 with IPV6_V6ONLY=1) or dual (AF_INET6 with IPV6_V6ONLY=0);
  e.g. tcp/4/0.0.0.0/8081  tcp/4/127.0.0.1/8082  tcp/6only/::/8083  udp/dual/::/5301
  --systemd: serve the sockets systemd passes (socket activation, LISTEN_FDS) instead.
A TCP client gets one line and the connection is closed; a UDP datagram (even an empty one, as
nmap's UDP scan sends) gets one datagram back, so a scanner sees every exposed port as open.
"""

import os
import selectors
import socket
import sys

FAMILIES = {"4": (socket.AF_INET, None), "6only": (socket.AF_INET6, 1), "dual": (socket.AF_INET6, 0)}


def bind(spec: str) -> socket.socket:
    proto, family, address, port = spec.split("/")
    af, v6only = FAMILIES[family]
    sock = socket.socket(af, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if v6only is not None:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, v6only)
    sock.bind((address, int(port)))
    if proto == "tcp":
        sock.listen(64)
    return sock


def inherited() -> list:
    count = int(os.environ.get("LISTEN_FDS", "0"))
    return [socket.socket(fileno=3 + n) for n in range(count)]


def main() -> None:
    sockets = inherited() if sys.argv[1:] == ["--systemd"] else [bind(spec) for spec in sys.argv[1:]]
    selector = selectors.DefaultSelector()
    for sock in sockets:
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ, sock.type == socket.SOCK_STREAM)
    while True:
        for key, _events in selector.select():
            sock = key.fileobj
            try:
                if key.data:
                    conn, _addr = sock.accept()
                    conn.sendall(b"webedge-exposure-lab\n")
                    conn.close()
                else:
                    _data, addr = sock.recvfrom(2048)
                    sock.sendto(b"webedge-exposure-lab\n", addr)
            except OSError:
                continue


if __name__ == "__main__":
    main()
