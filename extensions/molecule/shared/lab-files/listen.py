"""Lab listener: accept TCP connections and UDP datagrams on the given ports.

Usage: listen.py tcp:443 tcp:8443 udp:4433
Binds each port dual-stack (:: with IPV6_V6ONLY off), answers a TCP client with
one line and closes. Runs under systemd-run in the firewall scenarios so a
packet test proves the firewall, not the service.
"""

import selectors
import socket
import sys


def bind(kind: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    sock.bind(("::", port))
    if kind == "tcp":
        sock.listen(64)
    sock.setblocking(False)
    return sock


def main() -> None:
    selector = selectors.DefaultSelector()
    for spec in sys.argv[1:]:
        kind, port = spec.split(":")
        selector.register(bind(kind, int(port)), selectors.EVENT_READ, kind)
    while True:
        for key, _events in selector.select():
            sock = key.fileobj
            if key.data == "tcp":
                conn, _addr = sock.accept()
                conn.sendall(b"webedge-lab\n")
                conn.close()
            else:
                _data, addr = sock.recvfrom(2048)
                sock.sendto(b"webedge-lab\n", addr)


if __name__ == "__main__":
    main()
