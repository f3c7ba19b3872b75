#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Prove that nothing mirror-derived left the sensor through ens5.

Reads a capture taken on the MIRROR side of the ens5 wire (the mirror
namespace's eth0, direction in: only what the sensor sent) and counts
frames that carry the run marker, frames to or from a DNAT target or any
other listed address (IPv4, ARP, IPv6, or an IPv6 neighbour solicitation
or advertisement naming it), and ICMP errors quoting mirror traffic (UDP
to a VXLAN port, or the marker).  Exit 0 when all counts are 0.
"""

import argparse
import collections
import ipaddress
import json
import struct
import sys

import vxlab

ICMP_ERRORS = {3: "unreachable", 4: "source quench", 5: "redirect",
               11: "time exceeded", 12: "parameter problem"}


def icmp_quotes_mirror(ip, ihl, ports, markers):
    icmp = ip[ihl:]
    if len(icmp) < 8 + 20 or icmp[0] not in ICMP_ERRORS:
        return False
    q = icmp[8:]
    qihl = (q[0] & 0x0F) * 4
    if q[9] == vxlab.IPPROTO_UDP and len(q) >= qihl + 4:
        if struct.unpack("!H", q[qihl + 2:qihl + 4])[0] in ports:
            return True
    return any(mk in q for mk in markers)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pcap", required=True)
    ap.add_argument("--marker", action="append", default=[])
    ap.add_argument("--sensor-mac", required=True, help="ens5's MAC")
    ap.add_argument("--addr", action="append", default=[],
                    help="DNAT target or inner address that must not appear")
    ap.add_argument("--vxlan-port", type=int, action="append", default=[])
    ap.add_argument("--json", help="write the summary here")
    args = ap.parse_args()

    markers = [vxlab.marker_bytes(m) for m in args.marker]
    addrs = {ipaddress.ip_address(a).packed for a in args.addr}
    ports = set(args.vxlan_port or [4789])
    kinds = collections.Counter()
    leaks = collections.Counter()
    details = []
    total = 0
    for n, frame in enumerate(vxlab.read_pcap(args.pcap), 1):
        total += 1
        etype = struct.unpack("!H", frame[12:14])[0] if len(frame) >= 14 else 0
        why = []
        if vxlab.mac_str(frame[6:12]) != args.sensor_mac.lower():
            why.append("source MAC %s is not ens5's" % vxlab.mac_str(frame[6:12]))
        if any(mk in frame for mk in markers):
            why.append("carries the run marker")
            leaks["marker"] += 1
        if etype == vxlab.ETH_P_ARP and len(frame) >= 42:
            kinds["arp"] += 1
            if frame[28:32] in addrs or frame[38:42] in addrs:
                why.append("ARP for %s" % vxlab.ip_str(frame[38:42]))
                leaks["addr"] += 1
        elif etype == vxlab.ETH_P_IP and len(frame) >= 34:
            ip = frame[14:]
            ihl = (ip[0] & 0x0F) * 4
            kinds["ipv4 proto %d" % ip[9]] += 1
            if ip[12:16] in addrs or ip[16:20] in addrs:
                why.append("IPv4 %s -> %s" % (vxlab.ip_str(ip[12:16]), vxlab.ip_str(ip[16:20])))
                leaks["addr"] += 1
            if ip[9] == vxlab.IPPROTO_ICMP and icmp_quotes_mirror(ip, ihl, ports, markers):
                why.append("ICMP %s quoting mirror traffic" % ICMP_ERRORS[ip[ihl]])
                leaks["icmp"] += 1
        elif etype == vxlab.ETH_P_IPV6 and len(frame) >= 54:
            ip6 = frame[14:]
            off, proto = vxlab.ipv6_l4(ip6)
            kinds["ipv6 next header %d" % proto] += 1
            if ip6[8:24] in addrs or ip6[24:40] in addrs:
                why.append("IPv6 %s -> %s" % (ipaddress.ip_address(ip6[8:24]),
                                              ipaddress.ip_address(ip6[24:40])))
                leaks["addr"] += 1
            elif proto == vxlab.IPPROTO_ICMPV6 and off is not None and \
                    len(ip6) >= off + 24 and ip6[off] in (135, 136) and \
                    ip6[off + 8:off + 24] in addrs:
                why.append("neighbour %s for %s" % (
                    "solicitation" if ip6[off] == 135 else "advertisement",
                    ipaddress.ip_address(ip6[off + 8:off + 24])))
                leaks["addr"] += 1
        else:
            kinds["ethertype 0x%04x" % etype] += 1
        if why:
            details.append("frame %d: %s" % (n, "; ".join(why)))
    summary = {"frames": total, "marker": leaks["marker"], "addr": leaks["addr"],
               "icmp": leaks["icmp"], "leaks": len(details), "kinds": dict(kinds)}
    print("ens5 wire, mirror side: %d frames from the sensor (%s); %d with the run marker, "
          "%d to/from a DNAT target, %d ICMP errors quoting mirror traffic"
          % (total, ", ".join("%s %d" % kv for kv in sorted(kinds.items())) or "none",
             leaks["marker"], leaks["addr"], leaks["icmp"]))
    for d in details[:50]:
        print("leak: %s" % d)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(summary, f)
    return 1 if details else 0


if __name__ == "__main__":
    sys.exit(main())
