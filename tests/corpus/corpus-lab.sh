#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# corpus-lab.sh - the hostile packet corpus through the lab (tests/lab):
# every frame of test_corpus -w (cases and truncation sweeps that fit the
# mirror wire's MTU) replayed into ens5 with vxfwd running the corpus rules.
# Evidence: each XDP counter moved by exactly the number of frames the
# corpus expects in it, the collector received exactly the FORWARD frames,
# each correct, and nothing mirror-derived left ens5.
#
# usage: corpus-lab.sh TEST_CORPUS     Exit 0 pass, 1 fail, 77 skip.

set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lab/lib.sh"

TEST_CORPUS=$1

fail()
{
	printf 'FAIL: %s\n' "$*"
	exit 1
}

lab_require
lab_init corp
lab_up
# The corpus rules DNAT to .95, .96 and fd00:82::5: the collector owns all three.
ip -n "$LAB_NS_C" addr add 172.30.82.96/$LAB_PLEN dev eth0 || fail "cannot add 172.30.82.96"
lab_ipv6_egress
ip -n "$LAB_NS_C" addr add fd00:82::5/$LAB_PLEN6 dev eth0 nodad || fail "cannot add fd00:82::5"
"$TEST_CORPUS" -w "$LAB_TMP" || fail "test_corpus -w failed"
lab_vxfwd_start "$LAB_TMP/corpus.rules" corpus$$
lab_wait_nexthop 172.30.82.95
lab_wait_nexthop 172.30.82.96
lab_wait_nexthop fd00:82::5
lab_maps counters >"$LAB_TMP/base.json" || fail "cannot read the pinned counters"
# Outer MACs fitted to the wire, every other byte as the corpus built it
# (tcprewrite would "fix" the malformed headers the corpus is made of).
"$LAB_PY" - "$LAB_TMP/corpus.pcap" "$LAB_TMP/wire.pcap" "$LAB_ENS5_MAC" "$LAB_MIRROR_MAC" <<'PY' ||
import struct, sys
src = open(sys.argv[1], "rb").read()
macs = bytes.fromhex(sys.argv[3].replace(":", "") + sys.argv[4].replace(":", ""))
out, off = bytearray(src[:24]), 24
while off < len(src):
    caplen = struct.unpack_from("<I", src, off + 8)[0]
    out += src[off:off + 16] + macs + src[off + 16 + 12:off + 16 + caplen]
    off += 16 + caplen
open(sys.argv[2], "wb").write(out)
PY
	fail "cannot fit the outer MACs to the wire"
lab_capture_start "$LAB_NS_C" eth0 collector in
lab_capture_start "$LAB_NS_M" eth0 ens5wire in
lab_send "$LAB_TMP/wire.pcap" 2000
lab_wait_drained
lab_capture_stop collector
lab_capture_stop ens5wire

lab_maps counters --base "$LAB_TMP/base.json" >"$LAB_TMP/delta.json"
"$LAB_PY" - "$LAB_TMP/corpus.expect" "$LAB_TMP/delta.json" "$LAB_TMP/collector.pcap" <<'PY' ||
import json, sys
from scapy.all import rdpcap, Ether, IP, IPv6

want = {}
for line in open(sys.argv[1]):
    name, n = line.split()
    want[name.upper()] = int(n)
c = json.load(open(sys.argv[2]))["counters"]
bad = 0
for name in sorted(c):
    if name == "RX":
        continue
    got, exp = c[name]["packets"], want.get(name, 0)
    # PASS also counts the lab's own traffic on ens5 (ARP).
    ok = got >= exp if name == "PASS" else got == exp
    if got or exp:
        print("  %-22s expected %5d, counted %5d%s" % (name, exp, got, "" if ok else "  <- wrong"))
    bad += not ok
at = [p for p in rdpcap(sys.argv[3])
      if Ether in p and ((IP in p and p[IP].dst in ("172.30.82.95", "172.30.82.96")) or
                         (IPv6 in p and p[IPv6].dst == "fd00:82::5" and p[IPv6].nh != 58))]
print("collector: %d frames from vxfwd, the corpus forwards %d" % (len(at), want.get("FORWARD", 0)))
bad += len(at) != want.get("FORWARD", 0)
sys.exit(1 if bad else 0)
PY
	fail "the lab's counters or the collector disagree with the corpus"
lab_leakcheck "$LAB_TMP/ens5wire.pcap" --addr 172.30.82.96 --addr fd00:82::5 ||
	fail "mirror-derived frames left through ens5"
lab_maps check --base "$LAB_TMP/base.json" || fail "counter invariant broken"
lab_vxfwd_stop
