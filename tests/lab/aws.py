#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Fit a real VXLAN capture to the lab and say, frame by frame, what vxfwd
must do with it.

The outer Ethernet, IPv4 and UDP headers are rewritten (MACs, addresses,
IPv4 checksum; the outer UDP checksum is cleared, as VXLAN senders do); the
VXLAN header and the inner frame are left byte for byte.  Which inner frames
a ruleset forwards is computed here from --rule arguments, independently of
vxfwd's compiler:

  --rule PROTO,SRC/PLEN,PORT[-PORT],NAT_ADDR[,NAT_PORT]

first match wins, as in vxfwd.rules(5); --vni lists the VNIs the ingress
accepts.  The manifest has one entry per frame, in the format of gen.py.
"""

import argparse
import ipaddress
import struct
import sys

import vxlab

PROTOS = {"udp": vxlab.IPPROTO_UDP, "tcp": vxlab.IPPROTO_TCP}


def parse_rule(text):
    f = text.split(",")
    if len(f) not in (4, 5):
        raise SystemExit("aws.py: --rule %s: expected PROTO,SRC,PORTS,NAT[,PORT]" % text)
    lo, _, hi = f[2].partition("-")
    return {"proto": PROTOS[f[0]], "src": ipaddress.ip_network(f[1]),
            "lo": int(lo), "hi": int(hi or lo), "nat_addr": f[3],
            "nat_port": int(f[4]) if len(f) == 5 else None}


def outer_rewrite(frame, args):
    """Return (new frame, vni, inner frame) or None if not VXLAN over IPv4."""
    if struct.unpack("!H", frame[12:14])[0] != vxlab.ETH_P_IP:
        return None
    ihl = (frame[14] & 0x0F) * 4
    udp = 14 + ihl
    if frame[23] != vxlab.IPPROTO_UDP or struct.unpack("!H", frame[udp + 2:udp + 4])[0] != 4789:
        return None
    b = bytearray(frame)
    b[0:6] = bytes.fromhex(args.dst_mac.replace(":", ""))
    b[6:12] = bytes.fromhex(args.src_mac.replace(":", ""))
    b[26:30] = ipaddress.ip_address(args.outer_src).packed
    b[30:34] = ipaddress.ip_address(args.outer_dst).packed
    b[24:26] = b"\0\0"
    b[24:26] = struct.pack("!H", 0xFFFF - vxlab.csum16(bytes(b[14:14 + ihl])))
    b[udp + 6:udp + 8] = b"\0\0"
    vx = udp + 8
    vni = struct.unpack("!I", b"\0" + bytes(b[vx + 4:vx + 7]))[0]
    return bytes(b), vni, bytes(b[vx + 8:])


def judge(inner, vni, rules, vnis):
    d = vxlab.parse_inner(inner)
    if vni not in vnis or not d or d["malformed"] or d["sport"] is None:
        return None, d
    frag = struct.unpack("!H", d["ip"][6:8])[0]
    if frag & 0x3FFF:
        return None, d
    src = ipaddress.ip_address(d["src"])
    for i, r in enumerate(rules):
        if d["proto"] == r["proto"] and src in r["src"] and r["lo"] <= d["dport"] <= r["hi"]:
            return (i, r), d
    return None, d


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--in", dest="inp", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--src-mac", required=True)
    ap.add_argument("--dst-mac", required=True)
    ap.add_argument("--outer-src", required=True)
    ap.add_argument("--outer-dst", required=True)
    ap.add_argument("--vni", type=int, action="append", required=True)
    ap.add_argument("--rule", action="append", required=True)
    args = ap.parse_args()

    rules = [parse_rule(r) for r in args.rule]
    frames, entries = [], []
    per_rule = [0] * len(rules)
    for n, frame in enumerate(vxlab.read_pcap(args.inp), 1):
        rw = outer_rewrite(frame, args)
        if rw is None:
            raise SystemExit("aws.py: %s frame %d is not VXLAN over IPv4" % (args.inp, n))
        new, vni, inner = rw
        frames.append(new)
        match, d = judge(inner, vni, rules, set(args.vni))
        e = {"seq": n, "kind": "aws", "inner_len": len(inner),
             "desc": "capture frame %d" % n}
        if d and not d["malformed"]:
            e["fp"] = vxlab.fingerprint(d["ip"])
            e["desc"] += " %s:%s -> %s:%s" % (d["src"], d["sport"], d["dst"], d["dport"])
        if match:
            i, r = match
            per_rule[i] += 1
            e.update({"counter": "FORWARD", "rule": i, "nat_addr": r["nat_addr"],
                      "nat_port": r["nat_port"], "orig_dport": d["dport"],
                      "src": d["src"], "sport": d["sport"], "proto": d["proto"],
                      "ttl": d["ttl"], "ip_len": len(d["ip"]),
                      "l4_csum_zero": vxlab.l4_csum_ok(d["ip"]) is None})
        else:
            e["counter"] = "DROP"
        entries.append(e)
    vxlab.write_pcap(args.out, frames)
    vxlab.save_manifest(args.manifest, {"marker": None, "frames": entries})
    print("aws: %d frames, %d to forward (%s), %d to drop"
          % (len(entries), sum(per_rule),
             ", ".join("rule %d: %d" % (i + 1, c) for i, c in enumerate(per_rule)),
             len(entries) - sum(per_rule)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
