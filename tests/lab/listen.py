#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The collector's listeners: a UDP socket on the DNAT port and a TCP
listener.  Counts datagrams (and the run-marked ones, by sequence number)
and TCP connections; on SIGTERM writes a JSON report and exits 0.

Datagrams reaching the socket prove more than a capture does: the
collector's own stack accepted the rewritten frames (MAC, address, port and
checksums all right).
"""

import argparse
import json
import selectors
import signal
import socket
import struct
import sys

import vxlab


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--udp", type=int, required=True)
    ap.add_argument("--tcp", type=int, required=True)
    ap.add_argument("--marker", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    marker = vxlab.marker_bytes(args.marker)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    udp.bind(("0.0.0.0", args.udp))
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind(("0.0.0.0", args.tcp))
    tcp.listen(16)
    sel = selectors.DefaultSelector()
    sel.register(udp, selectors.EVENT_READ)
    sel.register(tcp, selectors.EVENT_READ)
    report = {"udp_datagrams": 0, "udp_bytes": 0, "udp_seqs": [], "tcp_connections": 0}
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    print("listening on udp %d tcp %d" % (args.udp, args.tcp), flush=True)
    while not stop:
        for key, _ in sel.select(timeout=0.2):
            if key.fileobj is udp:
                data, _ = udp.recvfrom(65536)
                report["udp_datagrams"] += 1
                report["udp_bytes"] += len(data)
                if data.startswith(marker) and len(data) >= 12:
                    report["udp_seqs"].append(struct.unpack("!I", data[8:12])[0])
            else:
                conn, _ = tcp.accept()
                report["tcp_connections"] += 1
                conn.close()
    with open(args.out, "w") as f:
        json.dump(report, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
