#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Self-test of the lab's evidence tools: verify.py and leakcheck.py must
accept correct captures and reject each kind of wrong one.  Needs neither
root nor vxfwd: the "forwarded" frames are built here with scapy, DNAT done
by rebuilding each packet with fresh checksums.  Exit 0 when every case
gives the expected verdict.
"""

import os
import subprocess
import sys
import tempfile

from scapy.all import ICMP, IP, TCP, UDP, Ether, Raw
from scapy.layers.vxlan import VXLAN

import vxlab

HERE = os.path.dirname(os.path.abspath(__file__))
PY = sys.executable
ENS6 = "02:00:00:00:06:06"
COLL = "02:00:00:00:95:95"
ENS5 = "02:00:00:00:05:05"
MIRROR = "02:00:00:00:20:20"
MARKER = "5e1f7e57"


def run(tool, *args):
    return subprocess.run([PY, os.path.join(HERE, tool)] + list(args),
                          capture_output=True, text=True)


def dnat(inner, entry):
    """What vxfwd must emit for one inner frame, computed the slow way."""
    ip = IP(bytes(inner)[14:])
    ip.dst = entry["nat_addr"]
    ip[1].dport = entry["nat_port"]
    del ip.chksum
    if not (UDP in ip and ip[UDP].chksum == 0):
        del ip[1].chksum
    return bytes(Ether(src=ENS6, dst=COLL, type=0x0800) / Raw(bytes(ip)))


def build(tmp):
    pcap, manifest = os.path.join(tmp, "in.pcap"), os.path.join(tmp, "m.json")
    r = run("gen.py", "--marker", MARKER, "--src-mac", MIRROR, "--dst-mac", ENS5,
            "--outer-src", "172.30.82.20", "--outer-dst", "172.30.82.108",
            "--mix", "udp:6,tcp:6,udp0:2,bad-src:2", "--out", pcap, "--manifest", manifest)
    if r.returncode:
        raise SystemExit("selftest: gen.py failed: " + r.stderr)
    m = vxlab.load_manifest(manifest)
    good, bad = [], []
    nonat = None
    for raw, e in zip(vxlab.read_pcap(pcap), m["frames"]):
        inner = Ether(raw)[VXLAN].payload
        if e["counter"] == "FORWARD":
            good.append(dnat(inner, e))
            if nonat is None:
                # Address rewritten, port not: checksums right, DNAT wrong.
                nonat = dnat(inner, dict(e, nat_port=IP(bytes(inner)[14:])[1].dport))
        else:
            bad.append(bytes(Ether(src=ENS6, dst=COLL) / inner[IP]))
    return manifest, good, bad, nonat


def flip(frame, off):
    b = bytearray(frame)
    b[off] ^= 0x01
    return bytes(b)


def verify_cases(good, bad, nonat):
    # name, frames, expected exit status (0 accept, 1 reject)
    ihl = 14 + 20
    l4csum = ihl + (6 if good[0][14 + 9] == vxlab.IPPROTO_UDP else 16)
    # name, frames, expected exit status (0 accept, 1 reject), reason given
    return [
        ("correct capture", good, 0, "0 missing"),
        ("one frame missing", good[1:], 1, "expected frames missing"),
        ("one frame twice", good + good[:1], 1, "duplicated frames"),
        ("bad IPv4 header checksum", [flip(good[0], 14 + 10)] + good[1:], 1,
         "bad IPv4 header checksum"),
        ("bad L4 checksum", [flip(good[0], l4csum)] + good[1:], 1, "checksum"),
        ("payload changed", [flip(good[0], len(good[0]) - 1)] + good[1:], 1,
         "arrived altered"),
        ("wrong Ethernet source", [good[0][:6] + bytes.fromhex("020000000599") + good[0][12:]]
         + good[1:], 1, "Ethernet source"),
        ("DNAT port not applied", [nonat] + good[1:], 1, "expected DNAT"),
        ("padding after the IP packet", [good[0] + bytes(8)] + good[1:], 1,
         "after the IP total length"),
        ("a dropped kind arrived", good + bad[:1], 1, "must be dropped"),
        ("a foreign IPv4 frame", good + [bytes(Ether(src=ENS6, dst=COLL) /
                                              IP(src="192.0.2.1", dst="172.30.82.95") /
                                              UDP(dport=9) / Raw(b"x"))], 1,
         "not in the manifest"),
    ]


def leak_cases():
    mk = vxlab.marker_bytes(MARKER)
    mirror_pkt = IP(src="172.30.82.20", dst="172.30.82.108") / UDP(sport=50000, dport=4789) / \
        VXLAN(vni=1) / Ether() / IP() / UDP() / Raw(mk)
    return [
        ("nothing came back", [], 0, "0 frames"),
        ("a ping reply", [
            bytes(Ether(src=ENS5, dst=MIRROR) / IP(src="172.30.82.108", dst="172.30.82.20") /
                  ICMP(type=0)),
        ], 0, "0 ICMP errors"),
        ("ICMP port unreachable quoting VXLAN", [
            bytes(Ether(src=ENS5, dst=MIRROR) / IP(src="172.30.82.108", dst="172.30.82.20") /
                  ICMP(type=3, code=3) / Raw(bytes(mirror_pkt)[:60])),
        ], 1, "ICMP unreachable quoting mirror traffic"),
        ("a forwarded frame out of ens5", [
            bytes(Ether(src=ENS5, dst=MIRROR) / IP(src="198.51.100.10", dst="172.30.82.95") /
                  UDP(dport=8081) / Raw(mk + b"\0\0\0\1")),
        ], 1, "carries the run marker"),
    ]


def check(tool, cap, cases, *args):
    """Run `tool` on each case's frames; returns (cases, failures)."""
    failures = 0
    for name, frames, want, why in cases:
        vxlab.write_pcap(cap, frames)
        r = run(tool, "--pcap", cap, *args)
        ok = r.returncode == want and why in r.stdout
        failures += not ok
        print("%s %s, %s: exit %d (want %d)"
              % ("ok  " if ok else "FAIL", tool, name, r.returncode, want))
        if not ok:
            print(r.stdout + r.stderr)
    return len(cases), failures


def main():
    with tempfile.TemporaryDirectory() as tmp:
        manifest, good, bad, nonat = build(tmp)
        cap = os.path.join(tmp, "cap.pcap")
        nv, fv = check("verify.py", cap, verify_cases(good, bad, nonat), "--manifest",
                       manifest, "--eth-src", ENS6, "--eth-dst", COLL)
        nl, fl = check("leakcheck.py", cap, leak_cases(), "--marker", MARKER,
                       "--sensor-mac", ENS5, "--addr", "172.30.82.95")
    n, failures = nv + nl, fv + fl
    print("%d passed, %d failed" % (n - failures, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
