#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Build VXLAN mirror traffic for the lab and the manifest that says what
must become of each frame.

Every frame is outer Ethernet/IPv4/UDP 4789/VXLAN from the mirror source to
ens5, around an inner Ethernet frame with AWS-like 02:... MACs and an IPv4
UDP or TCP packet whose payload starts with the run marker and a sequence
number.  Kinds (--mix KIND:COUNT,...):

  udp        allowed source, UDP to port 31765       -> FORWARD, dnat :8081
  udp0       the same with UDP checksum 0 (stays 0)  -> FORWARD
  tcp        allowed source, TCP to port 31766       -> FORWARD, dnat :8082
  ipopt      UDP with inner IPv4 options (IHL 6)     -> FORWARD
  bad-src    source in no set                        -> DROP_SRC_NOT_ALLOWED
  bad-vni    VNI 2 (only VNI 1 is configured)        -> DROP_VNI
  bad-port   allowed source, UDP to port 31999       -> DROP_NO_RULE
  bad-trunc  inner IP total length > bytes captured  -> DROP_INNER_TRUNCATED
  bad-frag   inner first fragment (MF, offset 0)     -> DROP_INNER_FRAG
  bad-frag2  inner non-first fragment (offset 1480)  -> DROP_INNER_FRAG
  bad-csum   inner IPv4 header checksum wrong        -> DROP_INNER_CSUM
  bad-icmp   inner ICMP echo                         -> DROP_INNER_PROTO
  bad-arp    inner ARP                               -> DROP_INNER_NOT_IP
  bad-flag   VXLAN I flag clear                      -> DROP_VXLAN_HDR

Inner IPv6 (2001:db8:1::10, ::11 allowed; DNAT target fd00:82::95):

  udp6       allowed source, UDP to port 31765       -> FORWARD, dnat :8081
  tcp6       allowed source, TCP to port 31766       -> FORWARD, dnat :8082
  udp6-hbh   UDP after a hop-by-hop options header   -> FORWARD
  bad6-src   source in no set                        -> DROP_SRC_NOT_ALLOWED
  bad6-udp0  UDP checksum 0 (not allowed in IPv6)    -> DROP_INNER6_UDP_ZERO_CSUM
  bad6-frag  fragment header                         -> DROP_INNER_FRAG
  bad6-rtg   routing header                          -> DROP_INNER6_EXT

The rules these kinds assume are tests/lab/rules/lab.rules (IPv4 kinds)
and tests/lab/rules/lab6.rules (both).

With --geneve-port, every frame arrives as it does behind an AWS Gateway
Load Balancer endpoint: outer Ethernet/IPv4/UDP to that port/GENEVE (VNI,
protocol 0x0800, the GWLB's three options of class 0x0108) around the
mirror's own IPv4/UDP 4789/VXLAN packet (tests/lab/rules/geneve.rules).

With --flows N the frames of each kind belong to N flows, dealt in turn: a
flow keeps its inner source address and port and its outer UDP source port
(as AWS does: one outer source port per inner flow), so a load balancer
hashing the outer 5-tuple keeps each flow on one sensor.  The manifest
names each frame's flow and outer source port.  With --geneve-port too,
the GENEVE datagram's source port is the flow's as well.
"""

import argparse
import random
import struct
import sys

from scapy.all import (ARP, ICMP, IP, TCP, UDP, Ether, IPOption_NOP, IPv6,
                       IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, Raw)
from scapy.contrib.geneve import GENEVE, GeneveOptions
from scapy.layers.vxlan import VXLAN

import vxlab

ALLOWED = ["198.51.100.10", "198.51.100.11"] + ["203.0.113.%d" % i for i in range(1, 15)]
NOT_ALLOWED = "192.0.2.77"
ORIG_DST = "10.20.30.40"
NAT_ADDR = "172.30.82.95"
ALLOWED6 = ["2001:db8:1::10", "2001:db8:1::11"]
NOT_ALLOWED6 = "2001:db8:99::77"
ORIG_DST6 = "2001:db8:ff::40"
NAT_ADDR6 = "fd00:82::95"
UDP_PORT, UDP_NAT = 31765, 8081
TCP_PORT, TCP_NAT = 31766, 8082
OTHER_PORT = 31999
VNI = 1
OTHER_VNI = 2
# The mirror session's own addresses inside GENEVE (the ENI and the target).
MIRROR_SRC, MIRROR_DST = "172.31.0.238", "172.31.17.188"
AWS_OPT_CLASS = 0x0108
INNER_SRC_MAC = "02:85:69:c2:ab:02"
INNER_DST_MAC = "02:29:23:74:c7:7d"

# Inner IPv4 total lengths, 64-byte frames to 9000-byte jumbo packets.
SIZES = [50, 64, 100, 128, 256, 512, 576, 1000, 1400, 1480, 1500,
         2000, 3000, 4096, 6000, 8000, 8192, 8972, 8999, 9000]

KINDS = {
    # kind: (counter, proto, source, dport, nat port)
    "udp": ("FORWARD", "udp", None, UDP_PORT, UDP_NAT),
    "udp0": ("FORWARD", "udp", None, UDP_PORT, UDP_NAT),
    "tcp": ("FORWARD", "tcp", None, TCP_PORT, TCP_NAT),
    "ipopt": ("FORWARD", "udp", None, UDP_PORT, UDP_NAT),
    "bad-src": ("DROP_SRC_NOT_ALLOWED", "udp", NOT_ALLOWED, UDP_PORT, None),
    "bad-vni": ("DROP_VNI", "udp", None, UDP_PORT, None),
    "bad-port": ("DROP_NO_RULE", "udp", None, OTHER_PORT, None),
    "bad-trunc": ("DROP_INNER_TRUNCATED", "udp", None, UDP_PORT, None),
    "bad-frag": ("DROP_INNER_FRAG", "udp", None, UDP_PORT, None),
    "bad-frag2": ("DROP_INNER_FRAG", "udp", None, UDP_PORT, None),
    "bad-csum": ("DROP_INNER_CSUM", "udp", None, UDP_PORT, None),
    "bad-icmp": ("DROP_INNER_PROTO", "icmp", None, None, None),
    "bad-arp": ("DROP_INNER_NOT_IP", "arp", None, None, None),
    "bad-flag": ("DROP_VXLAN_HDR", "udp", None, UDP_PORT, None),
    "udp6": ("FORWARD", "udp", None, UDP_PORT, UDP_NAT),
    "tcp6": ("FORWARD", "tcp", None, TCP_PORT, TCP_NAT),
    "udp6-hbh": ("FORWARD", "udp", None, UDP_PORT, UDP_NAT),
    "bad6-src": ("DROP_SRC_NOT_ALLOWED", "udp", NOT_ALLOWED6, UDP_PORT, None),
    "bad6-udp0": ("DROP_INNER6_UDP_ZERO_CSUM", "udp", None, UDP_PORT, None),
    "bad6-frag": ("DROP_INNER_FRAG", "udp", None, UDP_PORT, None),
    "bad6-rtg": ("DROP_INNER6_EXT", "udp", None, UDP_PORT, None),
}


def is_v6(kind):
    return kind.startswith(("udp6", "tcp6", "bad6"))


def inner_packet6(kind, seq, size, rnd, marker):
    """An inner IPv6 frame of `size` bytes of IPv6 packet."""
    _, proto, src, dport, _ = KINDS[kind]
    ext = {"udp6-hbh": IPv6ExtHdrHopByHop(), "bad6-frag": IPv6ExtHdrFragment(m=1, id=seq),
           "bad6-rtg": IPv6ExtHdrRouting(addresses=[ORIG_DST6])}.get(kind)
    ip = IPv6(src=src or rnd.choice(ALLOWED6), dst=ORIG_DST6, hlim=64 - seq % 7,
              fl=seq & 0xFFFFF)
    hdr = 40 + (len(bytes(ext)) if ext is not None else 0)
    sport = 20000 + seq % 40000
    if proto == "udp":
        l4 = UDP(sport=sport, dport=dport)
        room = size - hdr - 8
        if kind == "bad6-udp0":
            l4.chksum = 0
    else:
        l4 = TCP(sport=sport, dport=dport, flags="PA", seq=rnd.getrandbits(32),
                 ack=rnd.getrandbits(32), window=501)
        room = size - hdr - 20
    pkt = ip / ext / l4 if ext is not None else ip / l4
    pkt = pkt / Raw(payload(marker, seq, kind, room))
    return Ether(src=INNER_SRC_MAC, dst=INNER_DST_MAC, type=vxlab.ETH_P_IPV6) / Raw(bytes(pkt))


def payload(marker, seq, kind, room):
    head = marker + struct.pack("!I", seq) + kind.encode()[:8].ljust(8, b".")
    body = bytes((seq + i) & 0xFF for i in range(max(room - len(head), 0)))
    return (head + body)[:max(room, len(head))]


def inner_packet(kind, seq, size, rnd, marker, flow):
    if is_v6(kind):
        return inner_packet6(kind, seq, size, rnd, marker)
    _, proto, src, dport, _ = KINDS[kind]
    if flow is None:
        src = src or rnd.choice(ALLOWED)
        sport = 20000 + seq % 40000
    else:
        src = src or ALLOWED[flow % len(ALLOWED)]
        sport = 20000 + flow % 40000
    if proto == "arp":
        return Ether(src=INNER_SRC_MAC, dst="ff:ff:ff:ff:ff:ff") / ARP(
            hwsrc=INNER_SRC_MAC, psrc=src, pdst=ORIG_DST) / Raw(marker + struct.pack("!I", seq))
    opts = [IPOption_NOP()] * 4 if kind == "ipopt" else []
    ip = IP(src=src, dst=ORIG_DST, ttl=64 - seq % 7, id=seq & 0xFFFF, options=opts)
    ihl = 20 + 4 * (len(opts) // 4)
    if proto == "udp":
        l4 = UDP(sport=sport, dport=dport)
        room = size - ihl - 8
        if kind == "udp0":
            l4.chksum = 0
    elif proto == "tcp":
        l4 = TCP(sport=sport, dport=dport, flags="PA", seq=rnd.getrandbits(32),
                 ack=rnd.getrandbits(32), window=501)
        room = size - ihl - 20
    else:
        l4 = ICMP(type=8, id=seq & 0xFFFF, seq=seq & 0xFFFF)
        room = size - ihl - 8
    pkt = ip / l4 / Raw(payload(marker, seq, kind, room))
    if kind == "bad-frag":
        pkt.flags = "MF"
    elif kind == "bad-frag2":
        pkt.frag = 185
    raw = bytearray(bytes(pkt))
    if kind == "bad-trunc":
        # AWS truncation: the header says more than the mirror carried.
        pkt = IP(bytes(raw))
        pkt.len = len(raw) + 200
        del pkt.chksum
        raw = bytearray(bytes(pkt))
    elif kind == "bad-csum":
        raw[10] ^= 0x5A
    return Ether(src=INNER_SRC_MAC, dst=INNER_DST_MAC, type=vxlab.ETH_P_IP) / Raw(bytes(raw))


def gwlb_options(seq):
    """GWLB endpoint id (type 1), attachment id (2), flow cookie (3)."""
    return [GeneveOptions(classid=AWS_OPT_CLASS, type=1, data=bytes.fromhex("0e1f2a3b4c5d6e7f")),
            GeneveOptions(classid=AWS_OPT_CLASS, type=2, data=bytes.fromhex("0a1b2c3d4e5f6071")),
            GeneveOptions(classid=AWS_OPT_CLASS, type=3, data=struct.pack("!I", seq))]


def outer_sport(seq, flow):
    return 49152 + (seq if flow is None else flow) % 16384


def frame_for(args, kind, seq, size, rnd, marker, flow=None):
    inner = inner_packet(kind, seq, size, rnd, marker, flow)
    vni = OTHER_VNI if kind == "bad-vni" else args.vni
    flags = 0x00 if kind == "bad-flag" else 0x08
    mirror = (UDP(sport=outer_sport(seq, flow), dport=args.vxlan_port, chksum=0) /
              VXLAN(vni=vni, flags=flags) / inner)
    if args.geneve_port:
        # A GWLB keeps a flow's GENEVE source port, as AWS does the VXLAN one.
        mirror = (UDP(sport=40000 + (seq if flow is None else flow) % 20000,
                      dport=args.geneve_port, chksum=0) /
                  GENEVE(vni=0x123456, proto=vxlab.ETH_P_IP, options=gwlb_options(seq)) /
                  IP(src=MIRROR_SRC, dst=MIRROR_DST, ttl=255, id=seq & 0xFFFF) / mirror)
    outer = (Ether(src=args.src_mac, dst=args.dst_mac) /
             IP(src=args.outer_src, dst=args.outer_dst, ttl=255, id=seq & 0xFFFF) / mirror)
    return bytes(outer), bytes(inner)


def entry_for(kind, seq, inner):
    counter, proto, _, _, nat_port = KINDS[kind]
    e = {"seq": seq, "kind": kind, "counter": counter, "inner_len": len(inner)}
    etype = struct.unpack("!H", inner[12:14])[0]
    if etype not in (vxlab.ETH_P_IP, vxlab.ETH_P_IPV6):
        return e
    ip = inner[14:]
    # A truncated packet has no complete fingerprint; the marker finds it.
    e["fp"] = vxlab.fingerprint(ip) if kind != "bad-trunc" else None
    if counter == "FORWARD":
        p = vxlab.parse_inner(inner)
        e.update({"nat_addr": NAT_ADDR6 if is_v6(kind) else NAT_ADDR,
                  "nat_port": nat_port, "src": p["src"], "family": 6 if is_v6(kind) else 4,
                  "sport": p["sport"], "proto": p["proto"], "ttl": p["ttl"],
                  "ip_len": len(p["ip"]),
                  "l4_csum_zero": kind == "udp0"})
    return e


def parse_mix(text):
    mix = []
    for item in text.split(","):
        kind, _, count = item.partition(":")
        if kind not in KINDS:
            raise SystemExit("gen.py: unknown kind '%s' (known: %s)" % (kind, " ".join(KINDS)))
        mix.append((kind, int(count or "1")))
    return mix


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--marker", required=True, help="8 hex digits unique to the run")
    ap.add_argument("--src-mac", required=True)
    ap.add_argument("--dst-mac", required=True)
    ap.add_argument("--outer-src", required=True)
    ap.add_argument("--outer-dst", required=True)
    ap.add_argument("--vxlan-port", type=int, default=4789)
    ap.add_argument("--vni", type=int, default=VNI)
    ap.add_argument("--geneve-port", type=int, default=0,
                    help="wrap every frame in GENEVE to this port, as a GWLB endpoint does")
    ap.add_argument("--mix", default="udp:40,tcp:40,udp0:5")
    ap.add_argument("--size", type=int, help="every inner IP packet this long")
    ap.add_argument("--udp-nat-port", type=int, default=UDP_NAT,
                    help="the DNAT port the rules give UDP (default %d)" % UDP_NAT)
    ap.add_argument("--flows", type=int, help="frames of each kind in this many flows")
    ap.add_argument("--first-seq", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True, help="pcap to write")
    ap.add_argument("--manifest", required=True, help="JSON manifest to write")
    args = ap.parse_args()

    rnd = random.Random(args.seed)
    marker = vxlab.marker_bytes(args.marker)
    seq = args.first_seq
    frames, entries = [], []
    plan = []
    for kind, count in parse_mix(args.mix):
        plan += [kind] * count
    rnd.shuffle(plan)
    size_i = {}
    kind_base = {k: i * (args.flows or 0) for i, (k, _) in enumerate(parse_mix(args.mix))}
    for kind in plan:
        i = size_i.get(kind, 0)
        size_i[kind] = i + 1
        size = args.size or SIZES[(i * 7 + len(kind)) % len(SIZES)]
        if KINDS[kind][0] != "FORWARD":
            size = min(size, 1400)
        flow = kind_base[kind] + i % args.flows if args.flows else None
        frame, inner = frame_for(args, kind, seq, size, rnd, marker, flow)
        frames.append(frame)
        e = entry_for(kind, seq, inner)
        if flow is not None:
            e.update({"flow": flow, "outer_sport": outer_sport(seq, flow)})
        if e.get("nat_port") == UDP_NAT:
            e["nat_port"] = args.udp_nat_port
        entries.append(e)
        seq += 1
    vxlab.write_pcap(args.out, frames)
    vxlab.save_manifest(args.manifest, {
        "marker": args.marker,
        "frames": entries,
        "outer_bytes": sum(len(f) for f in frames),
    })
    fwd = [e for e in entries if e["counter"] == "FORWARD"]
    sizes = sorted(e["ip_len"] for e in fwd)
    print("gen: %d frames (%d to forward, inner IP %s..%s bytes), %d to drop, marker %s"
          % (len(entries), len(fwd), sizes[0] if sizes else "-",
             sizes[-1] if sizes else "-", len(entries) - len(fwd), args.marker))
    return 0


if __name__ == "__main__":
    sys.exit(main())
