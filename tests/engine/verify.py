#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Check frames captured at the collector (engine netns test).

usage: verify.py PCAP EXPECTED ENS6_MAC
Every frame to 172.30.82.95 must carry the DNAT (port 8081), valid IPv4 and
L4 checksums, the exporter's source address and port, the payload pattern,
and Ethernet source = ens6's MAC.  Exits 1 on any mismatch or count error.
"""
import sys

from scapy.all import IP, TCP, UDP, Ether, rdpcap
from scapy.layers.inet import in4_chksum
from scapy.utils import checksum


def check(p, mac):
    ip = p[IP]
    l4 = p[UDP] if UDP in p else p[TCP]
    raw = bytes(l4.payload)
    hdr = bytes(ip)[:ip.ihl * 4]
    if checksum(hdr) != 0:
        return "bad IPv4 checksum"
    seg = bytes(ip)[ip.ihl * 4:ip.len]
    if not (UDP in p and l4.chksum == 0) and in4_chksum(ip.proto, ip, seg) != 0:
        return "bad L4 checksum"
    if p[Ether].src.lower() != mac.lower():
        return "ethernet source %s != %s" % (p[Ether].src, mac)
    if ip.src != "198.51.100.10" or l4.dport != 8081 or not 40000 <= l4.sport < 41000:
        return "addresses/ports %s:%d -> %s:%d" % (ip.src, l4.sport, ip.dst, l4.dport)
    i = l4.sport - 40000
    if raw != bytes([(i + k) & 0xFF for k in range(len(raw))]):
        return "payload changed"
    return None


def main():
    pcap, expected, mac = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    got = [p for p in rdpcap(pcap) if IP in p and p[IP].dst == "172.30.82.95"
           and (UDP in p or TCP in p)]
    bad = 0
    for p in got:
        why = check(p, mac)
        if why:
            bad += 1
            print("collector: frame %s: %s" % (p.summary(), why))
    print("collector: %d frames to 172.30.82.95, %d bad, %d expected" %
          (len(got), bad, expected))
    sys.exit(0 if bad == 0 and len(got) == expected else 1)


if __name__ == "__main__":
    main()
