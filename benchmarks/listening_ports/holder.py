# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hold COUNT listening TCP sockets on ADDRESS:FIRST.. until killed (benchmarks/listening_ports).

    python3 holder.py COUNT FIRST ADDRESS

Started from a file, so its command line is as short as a real server's (nginx's master is about
70 characters); every socket's entry in listening_ports' result carries it.
"""

import socket
import sys
import time

count, first, address = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
held = []
for port in range(first, first + count):
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((address, port))
    sock.listen(1)
    held.append(sock)
time.sleep(86400)
