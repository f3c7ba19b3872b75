#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Send VXLAN mirror frames into the sensor's ens5 (engine netns test).

usage: send.py IFACE DST_MAC KIND COUNT [INTERVAL]
KIND: allowed (UDP to port 31765 from an allowed exporter, sizes 64..8900),
      jumbo (the same, every payload 8900 bytes),
      tcp (TCP to 31765, allowed source), denied (source not allowed),
      vni (VNI 7), port (other inner port).
"""
import sys

from scapy.all import Ether, IP, UDP, TCP, Raw, sendp
from scapy.layers.vxlan import VXLAN

SIZES = [18, 100, 512, 1400, 3000, 8900]


def frame(kind, i, dst_mac):
    size = 8900 if kind == "jumbo" else SIZES[i % len(SIZES)]
    src = "198.51.100.10" if kind != "denied" else "192.0.2.77"
    vni = 7 if kind == "vni" else 1
    dport = 31766 if kind == "port" else 31765
    payload = Raw(bytes([(i + k) & 0xFF for k in range(size)]))
    if kind == "tcp":
        l4 = TCP(sport=40000 + i, dport=dport, flags="PA", seq=i) / payload
    else:
        l4 = UDP(sport=40000 + i, dport=dport) / payload
    inner = Ether(src="02:00:00:00:aa:01", dst="02:00:00:00:aa:02") / \
        IP(src=src, dst="10.9.8.7", id=i) / l4
    return Ether(dst=dst_mac) / IP(src="172.30.83.1", dst="172.30.82.108") / \
        UDP(sport=50000, dport=4789) / VXLAN(vni=vni, flags=0x08) / inner


def main():
    iface, dst_mac, kind, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    inter = float(sys.argv[5]) if len(sys.argv) > 5 else 0
    sendp([frame(kind, i, dst_mac) for i in range(count)], iface=iface, inter=inter,
          verbose=False)


if __name__ == "__main__":
    main()
