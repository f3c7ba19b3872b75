#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# vxfwd-e2e.sh - end-to-end tests of vxfwd in the lab (tests/lab/lib.sh).
#
# usage: vxfwd-e2e.sh [TEST...]     (no TEST: run them all)
#
# Each test builds its own namespaces, runs vxfwd in the sensor, sends
# traffic from the mirror source and takes its evidence from the far side of
# each wire: the collector's eth0, the mirror side of the ens5 wire, tcpdump
# on ens6, xdpdump on ens5 and the pinned maps read with bpftool.  Setup and
# teardown run in traps, so a failing test leaves nothing behind.  Exit 0
# pass, 1 fail, 77 skip (not root, a kernel feature missing).
#
# Environment: VXFWD (the binary), VXFWD_PCAPS (the shared captures,
# default ../shared/pcaps from the source root), LAB_KEEP=1 keeps evidence.

set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lab/lib.sh"

ALL_TESTS="forward no_leak_ens5 tcpdump_sensor xdpdump bad_kinds bad_kinds_extra ordinary_traffic aws_replay \
kill9_restart sigstop_ring_full ens6_down_up reload_broken double_start workers qdisc_bypass keep_attached \
geneve forward_ipv6 health fanout"

LAB_RULES=$LAB_DIR/rules/lab.rules
GENEVE_RULES=$LAB_DIR/rules/geneve.rules
AWS_RULES=$LAB_DIR/rules/aws.rules
LAB_RULES6=$LAB_DIR/rules/lab6.rules
FANOUT_RULES=$LAB_DIR/rules/fanout.rules
VXFWD_PCAPS=${VXFWD_PCAPS:-$LAB_SRCDIR/../shared/pcaps}
AWS_PCAP=$VXFWD_PCAPS/aws-traffic-mirror-ssh-dns-ntp.pcap

FORWARD_MIX=udp:70,tcp:70,udp0:10
BAD_MIX=udp:10,tcp:10,bad-src:4,bad-vni:4,bad-port:4,bad-trunc:4,bad-frag:4,bad-frag2:4
EXTRA_MIX=udp:5,ipopt:5,bad-csum:3,bad-icmp:3,bad-arp:3,bad-flag:3
FORWARD6_MIX=udp:30,tcp:30,udp6:50,tcp6:50,udp6-hbh:10,bad-src:4,bad6-src:6,bad6-udp0:6,bad6-frag:6,bad6-rtg:6

fail()
{
	printf 'FAIL: %s\n' "$*"
	exit 1
}

# The lab with vxfwd running RULES, the collector listening, next hop known.
setup()
{
	local rules=$1

	[ -n "$LAB_TMP" ] || { lab_require; lab_init; }
	lab_up
	lab_collector_listen
	lab_vxfwd_start "$rules"
	lab_wait_nexthop "$LAB_COLLECTOR_ADDR"
	lab_maps counters >"$LAB_TMP/base.json" || fail "cannot read the pinned counters"
}

# Captures on the three wires that carry the evidence.
captures_start()
{
	lab_capture_start "$LAB_NS_C" eth0 collector in
	lab_capture_start "$LAB_NS_S" ens6 ens6 out
	lab_capture_start "$LAB_NS_M" eth0 ens5wire in
}

captures_stop()
{
	lab_capture_stop collector
	lab_capture_stop ens6
	lab_capture_stop ens5wire
}

# gen_send TAG MIX [PPS [GEN ARGS]]: generate frames, send them, wait for
# the engine.
gen_send()
{
	local tag=$1 mix=$2 pps=${3:-2000}

	shift $(($# < 3 ? $# : 3))
	lab_gen --mix "$mix" --out "$LAB_TMP/$tag.pcap" \
		--manifest "$LAB_TMP/$tag.json" "$@" || fail "gen.py failed"
	lab_send "$LAB_TMP/$tag.pcap" "$pps"
	lab_wait_drained
}

# count KIND-regex: frames of these kinds in manifest $1.
count_kinds()
{
	"$LAB_PY" -c '
import json, re, sys
m = json.load(open(sys.argv[1]))
print(sum(1 for e in m["frames"] if re.fullmatch(sys.argv[2], e["kind"])))' "$1" "$2"
}

count_counter()
{
	"$LAB_PY" -c '
import json, sys
m = json.load(open(sys.argv[1]))
print(sum(1 for e in m["frames"] if e["counter"] == sys.argv[2]))' "$1" "$2"
}

# The invariants over the whole run and over this test's traffic.
check_invariants()
{
	echo "counters since vxfwd started:"
	lab_maps check "$@" || fail "counter invariant broken"
	echo "counters during the test:"
	lab_maps check --base "$LAB_TMP/base.json" "$@" || fail "counter invariant broken"
	"$VXFWD" stats -j -n "$LAB_VXFWD_NAME" >"$LAB_TMP/stats.json" ||
		fail "vxfwd stats -j -n $LAB_VXFWD_NAME failed"
	lab_maps crosscheck --stats "$LAB_TMP/stats.json" ||
		fail "vxfwd stats disagrees with its own maps"
}

check_listener_udp()
{
	local manifest=$1

	lab_collector_listen_stop
	"$LAB_PY" -c '
import json, sys
m = json.load(open(sys.argv[1]))
r = json.load(open(sys.argv[2]))
want = sorted(e["seq"] for e in m["frames"] if e["counter"] == "FORWARD" and e["proto"] == 17)
got = sorted(r["udp_seqs"])
print("collector UDP socket: %d datagrams expected, %d received" % (len(want), len(got)))
sys.exit(0 if want == got else 1)' "$manifest" "$LAB_TMP/collector.json" ||
		fail "the collector's UDP socket did not get exactly the forwarded datagrams"
}

# ---- tests ---------------------------------------------------------------

# N allowed frames (UDP and TCP, 64 bytes to 9000-byte jumbo) -> exactly N
# correct frames at the collector, N on ens6, N forwarded and sent.
test_forward()
{
	local n

	setup "$LAB_RULES"
	captures_start
	gen_send fwd "$FORWARD_MIX"
	captures_stop
	n=$(count_counter "$LAB_TMP/fwd.json" FORWARD)
	lab_verify "$LAB_TMP/collector.pcap" "$LAB_TMP/fwd.json" ||
		fail "collector: the forwarded frames are not exactly the expected ones"
	lab_verify "$LAB_TMP/ens6.pcap" "$LAB_TMP/fwd.json" --label "tcpdump -i ens6" ||
		fail "ens6: the frames sent are not exactly the expected ones"
	lab_leakcheck "$LAB_TMP/ens5wire.pcap" || fail "mirror-derived frames left through ens5"
	check_listener_udp "$LAB_TMP/fwd.json"
	lab_maps expect --base "$LAB_TMP/base.json" FORWARD="$n" ||
		fail "counters do not match the traffic sent"
	check_invariants
	lab_vxfwd_stop
}

# Behind a Gateway Load Balancer endpoint: the forward test's mix and some
# frames to drop, each wrapped in GENEVE to 6081 around the mirror's
# IPv4/UDP/VXLAN packet.  The proof is the forward test's, and every frame
# is counted in the GENEVE layer.
test_geneve()
{
	local n all

	setup "$GENEVE_RULES"
	captures_start
	gen_send gnv "$FORWARD_MIX,bad-src:5,bad-vni:5,bad-trunc:5,bad-flag:5" 2000 \
		--geneve-port 6081
	captures_stop
	n=$(count_counter "$LAB_TMP/gnv.json" FORWARD)
	all=$(count_kinds "$LAB_TMP/gnv.json" '.*')
	lab_verify "$LAB_TMP/collector.pcap" "$LAB_TMP/gnv.json" ||
		fail "collector: the forwarded frames are not exactly the expected ones"
	lab_verify "$LAB_TMP/ens6.pcap" "$LAB_TMP/gnv.json" --label "tcpdump -i ens6" ||
		fail "ens6: the frames sent are not exactly the expected ones"
	lab_leakcheck "$LAB_TMP/ens5wire.pcap" || fail "mirror-derived frames left through ens5"
	check_listener_udp "$LAB_TMP/gnv.json"
	lab_maps expect --base "$LAB_TMP/base.json" FORWARD="$n" DROP_SRC_NOT_ALLOWED=5 \
		DROP_VNI=5 DROP_INNER_TRUNCATED=5 DROP_VXLAN_HDR=5 ||
		fail "counters do not match the traffic sent"
	check_invariants
	"$LAB_PY" -c '
import json, sys
s = json.load(open(sys.argv[1]))
got, want = s["layers"]["geneve"]["packets"], int(sys.argv[2])
print("layer geneve: %d frames counted, %d sent" % (got, want))
sys.exit(0 if got == want else 1)' "$LAB_TMP/stats.json" "$all" ||
		fail "the GENEVE layer count is not the number of frames sent"
	lab_vxfwd_stop
}

# Nothing mirror-derived leaves ens5, and the check can see a leak: the same
# frames sent without vxfwd make the sensor answer with ICMP errors.
test_no_leak_ens5()
{
	setup "$LAB_RULES"
	captures_start
	gen_send mix "udp:20,tcp:20,bad-src:5,bad-vni:5,bad-port:5,bad-trunc:5,bad-frag:5" 1000
	captures_stop
	lab_leakcheck "$LAB_TMP/ens5wire.pcap" --json "$LAB_TMP/leak.json" ||
		fail "mirror-derived frames left through ens5"
	lab_verify "$LAB_TMP/collector.pcap" "$LAB_TMP/mix.json" || fail "collector evidence"
	check_invariants
	lab_vxfwd_stop

	echo "control: the same frames without vxfwd on ens5"
	lab_capture_start "$LAB_NS_M" eth0 control in
	lab_send "$LAB_TMP/mix.pcap" 1000
	lab_capture_stop control
	if lab_leakcheck "$LAB_TMP/control.pcap" >"$LAB_TMP/control.txt"; then
		cat "$LAB_TMP/control.txt"
		fail "control: without vxfwd the sensor should have answered with ICMP errors on ens5; the leak check cannot see leaks"
	fi
	head -n 1 "$LAB_TMP/control.txt"
	echo "control: the leak check sees the sensor's ICMP errors when vxfwd is not running"
}

# tcpdump -i ens6 in the sensor sees the N frames leave; tcpdump -i ens5 in
# the sensor sees none of them: XDP dropped them before any packet tap.
test_tcpdump_sensor()
{
	setup "$LAB_RULES"
	lab_capture_start "$LAB_NS_S" ens6 ens6 out
	lab_capture_start "$LAB_NS_S" ens5 sens5 in
	gen_send taps "udp:30,tcp:30"
	lab_capture_stop ens6
	lab_capture_stop sens5
	lab_verify "$LAB_TMP/ens6.pcap" "$LAB_TMP/taps.json" --label "tcpdump -i ens6" ||
		fail "tcpdump -i ens6 did not see exactly the forwarded frames"
	"$LAB_PY" -c '
import sys
sys.path.insert(0, sys.argv[3])
import vxlab
mk = vxlab.marker_bytes(sys.argv[2])
n = sum(1 for f in vxlab.read_pcap(sys.argv[1]) if mk in f)
print("tcpdump -i ens5 in the sensor: %d run frames reached the packet taps (XDP dropped them first)" % n)
sys.exit(1 if n else 0)' "$LAB_TMP/sens5.pcap" "$LAB_MARKER" "$LAB_DIR" ||
		fail "mirror frames got past XDP on ens5"
	check_invariants
	lab_vxfwd_stop
}

# Why xdpdump cannot trace here, in facts: its libbpf error, the capabilities
# missing from this process, the kernel lockdown state.
xdpdump_why()
{
	local caps lock

	caps=$(awk '/^CapEff/ { print $2 }' /proc/self/status)
	(( (16#$caps >> 24) & 1 )) || printf 'CAP_SYS_RESOURCE missing (memlock cannot be raised); '
	(( (16#$caps >> 38) & 1 )) || printf 'CAP_PERFMON missing; '
	lock=$(cat /sys/kernel/security/lockdown 2>/dev/null ||
		dmesg 2>/dev/null | grep -o 'Kernel is locked down[^;]*' | head -n 1)
	[ -n "$lock" ] && printf 'kernel lockdown: %s; ' "$lock"
	lab_sensor timeout 10 xdpdump -vv -i ens5 --rx-capture entry,exit 2>&1 |
		grep -E 'load failed|ERROR|Couldn|not supported' | head -n 3 | tr '\n' ' '
}

xdpdump_listening()
{
	grep -q '^listening on' "$LAB_TMP/xdpdump.txt" && return 0
	# Gave up already: stop waiting.
	kill -0 "$1" 2>/dev/null || return 125
	return 1
}

# xdpdump -i ens5 shows every mirror frame leaving vxfwd's XDP program with
# XDP_DROP.
test_xdpdump()
{
	local xpid

	command -v xdpdump >/dev/null || lab_die "xdpdump: not installed (scripts/install-deps.sh installs xdp-tools)"
	setup "$LAB_RULES"
	lab_bg "$LAB_TMP/xdpdump.txt" "$LAB_NS_S" xdpdump -i ens5 --rx-capture entry,exit -x
	xpid=$LAB_BG_PID
	if ! lab_wait 10 xdpdump_listening "$xpid"; then
		lab_kill "$xpid"
		lab_skip "xdpdump -i ens5 cannot trace vxfwd's XDP program here: the kernel refused xdpdump's fentry/fexit program: $(xdpdump_why)"
	fi
	head -n 1 "$LAB_TMP/xdpdump.txt"
	gen_send dump "udp:20,tcp:20" 200
	sleep 1
	kill -INT "$xpid"
	wait "$xpid"
	"$LAB_PY" "$LAB_DIR/xdpdump_check.py" --dump "$LAB_TMP/xdpdump.txt" \
		--manifest "$LAB_TMP/dump.json" || fail "xdpdump evidence"
	check_invariants
	lab_vxfwd_stop
}

# expect_kinds MANIFEST: every kind's counter moved by exactly its count.
expect_kinds()
{
	local manifest=$1 args

	args=$("$LAB_PY" -c '
import collections, json, sys
m = json.load(open(sys.argv[1]))
c = collections.Counter(e["counter"] for e in m["frames"])
print(" ".join("%s=%d" % kv for kv in sorted(c.items())))' "$manifest")
	echo "expected counter moves: $args"
	# shellcheck disable=SC2086
	lab_maps expect --base "$LAB_TMP/base.json" $args ||
		fail "a frame kind did not land in its own counter"
}

# Non-allowlisted source, other VNI, other port, truncated and fragmented
# frames never reach the collector, each lands in its own counter.
test_bad_kinds()
{
	setup "$LAB_RULES"
	captures_start
	gen_send bad "$BAD_MIX"
	captures_stop
	lab_verify "$LAB_TMP/collector.pcap" "$LAB_TMP/bad.json" ||
		fail "collector: dropped kinds arrived or allowed frames are missing"
	lab_leakcheck "$LAB_TMP/ens5wire.pcap" || fail "mirror-derived frames left through ens5"
	expect_kinds "$LAB_TMP/bad.json"
	check_invariants
	lab_vxfwd_stop
}

# More hostile kinds: inner IPv4 options (forwarded), a bad inner header
# checksum, inner ICMP and ARP, VXLAN without the I flag.
test_bad_kinds_extra()
{
	setup "$LAB_RULES"
	captures_start
	gen_send extra "$EXTRA_MIX"
	captures_stop
	lab_verify "$LAB_TMP/collector.pcap" "$LAB_TMP/extra.json" ||
		fail "collector: dropped kinds arrived or allowed frames are missing"
	lab_leakcheck "$LAB_TMP/ens5wire.pcap" || fail "mirror-derived frames left through ens5"
	expect_kinds "$LAB_TMP/extra.json"
	check_invariants
	lab_vxfwd_stop
}

# IPv4 and IPv6 mirror traffic mixed, IPv6 on the egress side: every
# allowed IPv6 frame arrives exactly once at the collector with its
# destination and port rewritten, valid checksums and its hop limit; every
# dropped kind lands in its own counter; nothing leaves ens5 (IPv6
# included); the counters add up.
test_forward_ipv6()
{
	[ -n "$LAB_TMP" ] || { lab_require; lab_init; }
	lab_up
	lab_ipv6_egress
	{ cat "$LAB_RULES6"; echo "health listen $LAB_ENS5_ADDR port $HEALTH_PORT"; } >"$LAB_TMP/lab6h.rules"
	lab_vxfwd_start "$LAB_TMP/lab6h.rules"
	lab_wait_nexthop "$LAB_COLLECTOR_ADDR"
	lab_wait_nexthop "$LAB_COLLECTOR_ADDR6"
	lab_maps nexthop
	lab_maps counters >"$LAB_TMP/base.json" || fail "cannot read the pinned counters"
	captures_start
	gen_send fwd6 "$FORWARD6_MIX"
	captures_stop
	echo "IPv6 frames to forward: $(count_kinds "$LAB_TMP/fwd6.json" '(udp6|tcp6).*')"
	lab_verify "$LAB_TMP/collector.pcap" "$LAB_TMP/fwd6.json" ||
		fail "collector: the forwarded frames are not exactly the expected ones"
	lab_verify "$LAB_TMP/ens6.pcap" "$LAB_TMP/fwd6.json" --label "tcpdump -i ens6" ||
		fail "ens6: the frames sent are not exactly the expected ones"
	lab_leakcheck "$LAB_TMP/ens5wire.pcap" --addr $LAB_COLLECTOR_ADDR6 ||
		fail "mirror-derived frames left through ens5"
	expect_kinds "$LAB_TMP/fwd6.json"
	"$VXFWD" status -n "$LAB_VXFWD_NAME" | grep "next hop" ||
		fail "vxfwd status shows no next hops"
	nsenter --net=/run/netns/"$LAB_NS_S" "$VXFWD" status -n "$LAB_VXFWD_NAME" |
		grep -q "next hop $LAB_COLLECTOR_ADDR6: [0-9a-f:]*, neighbour" ||
		fail "vxfwd status does not show the IPv6 next hop resolved"
	check_invariants
	# /healthz counts the IPv6 next hop: gone (the collector drops its
	# address, so solicitations go unanswered) it says 503 naming it.
	lab_wait 10 health_is 200 '^ok$' || fail "/healthz is not 200 ok: $(hget get /healthz 2>&1)"
	ip -n "$LAB_NS_C" addr del "$LAB_COLLECTOR_ADDR6/$LAB_PLEN6" dev eth0 ||
		fail "cannot take the collector's IPv6 address away"
	ip -n "$LAB_NS_S" -6 neigh del "$LAB_COLLECTOR_ADDR6" dev br0 ||
		fail "cannot delete the IPv6 neighbour"
	lab_wait 10 health_is 503 "^next hop $LAB_COLLECTOR_ADDR6: not resolved" ||
		fail "/healthz without the IPv6 next hop: $(hget get /healthz 2>&1)"
	ip -n "$LAB_NS_C" addr add "$LAB_COLLECTOR_ADDR6/$LAB_PLEN6" dev eth0 nodad ||
		fail "cannot give the collector its IPv6 address back"
	lab_wait 20 health_is 200 '^ok$' ||
		fail "/healthz once the IPv6 collector answers again: $(hget get /healthz 2>&1)"
	echo "/healthz: 503 naming $LAB_COLLECTOR_ADDR6 while it was gone, 200 once it came back"
	lab_vxfwd_stop
}

# fanout_manifest IN OUT: the manifest of the copies for the second
# collector (fanout.rules): its address, UDP 8081 -> 2055, TCP 8082 -> 2056.
fanout_manifest()
{
	"$LAB_PY" -c '
import json, sys
m = json.load(open(sys.argv[1]))
ports = {8081: 2055, 8082: 2056}
for e in m["frames"]:
    if e["counter"] == "FORWARD":
        e["nat_addr"] = sys.argv[3]
        e["nat_port"] = ports[e["nat_port"]]
json.dump(m, open(sys.argv[2], "w"))' "$1" "$2" "$LAB_COLLECTOR2_ADDR"
}

# fanout_listener_udp MANIFEST REPORT WHO: the UDP socket of one collector
# got exactly the forwarded datagrams of MANIFEST (every one once).
fanout_listener_udp()
{
	"$LAB_PY" -c '
import json, sys
m = json.load(open(sys.argv[1]))
r = json.load(open(sys.argv[2]))
want = sorted(e["seq"] for e in m["frames"] if e["counter"] == "FORWARD" and e["proto"] == 17)
got = sorted(r["udp_seqs"])
print("%s UDP socket: %d datagrams expected, %d received" % (sys.argv[3], len(want), len(got)))
sys.exit(0 if want == got else 1)' "$1" "$2" "$3" ||
		fail "$3: the UDP socket did not get exactly the forwarded datagrams"
}

# fanout_counts BASE UDP TCP QUEUED2: since BASE, rule 0 (UDP) forwarded UDP
# frames and rule 1 (TCP) TCP frames; each rule's first target queued a copy
# of each, its second target QUEUED2 of them (all or none) and the rest as
# no_nexthop; nothing refused by the ring; the copies beyond each frame's
# first are the second targets'; `vxfwd stats -j` says the same.
fanout_counts()
{
	local base=$1 udp=$2 tcp=$3 q2=$4

	lab_maps targets --base "$base" >"$LAB_TMP/targets.json" ||
		fail "cannot read the per-target counters"
	"$VXFWD" stats -j -n "$LAB_VXFWD_NAME" >"$LAB_TMP/stats.json" ||
		fail "vxfwd stats -j failed"
	"$LAB_PY" -c '
import json, sys
t = json.load(open(sys.argv[1]))
st = json.load(open(sys.argv[2]))
udp, tcp, all2 = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "all"
bad = []
def want(key, res, n):
    got = t["targets"].get(key, {}).get(res, 0)
    print("  target %s %-10s %6d expected %6d" % (key, res, got, n))
    if got != n:
        bad.append(key + " " + res)
for pos, n in ((0, udp), (1, tcp)):
    got = t["rules"].get(str(pos), 0)
    print("  rule %d frames %6d expected %6d" % (pos, got, n))
    if got != n:
        bad.append("rule %d" % pos)
    want("%d/0" % pos, "queued", n)
    want("%d/1" % pos, "queued", n if all2 else 0)
    want("%d/1" % pos, "no_nexthop", 0 if all2 else n)
    for k in ("0", "1"):
        want("%d/%s" % (pos, k), "ring_full", 0)
extra = (udp + tcp) if all2 else 0
print("  copies beyond the first %d expected %d" % (t["extra"], extra))
if t["extra"] != extra:
    bad.append("extra")
# stats -j: every target of both rules, the first taking every frame since start
names = [(x["pos"], x["target"], x["name"]) for x in st["targets"]]
print("  stats -j targets: %s" % names)
if names != [(0, 0, "172.30.82.95:8081"), (0, 1, "172.30.82.96:2055"),
             (1, 0, "172.30.82.95:8082"), (1, 1, "172.30.82.96:2056")]:
    bad.append("stats -j target names")
rules = {r["id"]: r["packets"] for r in st["rules"]}
for x in st["targets"]:
    if x["target"] == 0 and x["queued"]["packets"] != rules[x["pos"]]:
        bad.append("stats -j rule %d target 0" % x["pos"])
sent = st["engine"]["sent_packets"]
print("  stats -j copies %d, engine sent %d" % (st["copies"], sent))
if st["copies"] != sent:
    bad.append("stats -j copies != sent")
sys.exit(1 if bad else 0)' "$LAB_TMP/targets.json" "$LAB_TMP/stats.json" "$udp" "$tcp" "$q2" ||
		fail "the per-target counters do not add up"
}

# One feed to two collectors (fanout.rules): every allowed frame arrives once
# at each collector, rewritten for it (address, port, checksums, MACs), and
# nothing mirror-derived on the ens5 wire; every counter adds up (global,
# per rule, per target, the engine's sends: copies queued == sent).  Then
# the second collector goes away (link down, neighbour deleted): frames keep
# reaching the first, the second's copies are counted as no_nexthop, no frame
# is dropped as a whole, nothing leaks.
test_fanout()
{
	local n udp tcp n2 udp2 tcp2

	[ -n "$LAB_TMP" ] || { lab_require; lab_init; }
	lab_up
	lab_second_collector
	lab_collector_listen
	lab_bg "$LAB_TMP/collector2.log" "$LAB_NS_C2" "$LAB_PY" "$LAB_DIR/listen.py" \
		--udp 2055 --tcp 2056 --marker "$LAB_MARKER" --out "$LAB_TMP/collector2.json"
	local listen2=$LAB_BG_PID
	lab_wait 10 grep -q '^listening' "$LAB_TMP/collector2.log" ||
		fail "second collector's listener did not start"
	lab_vxfwd_start "$FANOUT_RULES"
	lab_wait_nexthop "$LAB_COLLECTOR_ADDR"
	lab_wait_nexthop "$LAB_COLLECTOR2_ADDR"
	lab_maps counters >"$LAB_TMP/base.json" || fail "cannot read the pinned counters"
	captures_start
	lab_capture_start "$LAB_NS_C2" eth0 collector2 in
	gen_send fwd "$FORWARD_MIX,bad-src:5,bad-vni:5,bad-port:5"
	lab_capture_stop collector2
	n=$(count_counter "$LAB_TMP/fwd.json" FORWARD)
	udp=$(count_kinds "$LAB_TMP/fwd.json" 'udp0?')
	tcp=$(count_kinds "$LAB_TMP/fwd.json" 'tcp')
	echo "frames to forward: $n ($udp UDP, $tcp TCP), each to two collectors"
	fanout_manifest "$LAB_TMP/fwd.json" "$LAB_TMP/fwd2.json"
	lab_verify "$LAB_TMP/collector.pcap" "$LAB_TMP/fwd.json" --label "collector 1" ||
		fail "collector 1: the forwarded frames are not exactly the expected ones"
	"$LAB_PY" "$LAB_DIR/verify.py" --pcap "$LAB_TMP/collector2.pcap" \
		--manifest "$LAB_TMP/fwd2.json" --eth-src "$LAB_ENS6_MAC" \
		--eth-dst "$LAB_COLLECTOR2_MAC" --label "collector 2" ||
		fail "collector 2: the forwarded frames are not exactly the expected ones"
	lab_kill "$listen2"
	fanout_listener_udp "$LAB_TMP/fwd2.json" "$LAB_TMP/collector2.json" "collector 2"
	lab_maps expect --base "$LAB_TMP/base.json" FORWARD="$n" DROP_SRC_NOT_ALLOWED=5 \
		DROP_VNI=5 DROP_NO_RULE=5 || fail "counters do not match the traffic sent"
	fanout_counts "$LAB_TMP/base.json" "$udp" "$tcp" all
	check_invariants
	fanout_status_explain

	echo "the second collector goes away: its link down, the sensor's neighbour entry deleted"
	ip -n "$LAB_NS_C2" link set eth0 down
	ip -n "$LAB_NS_S" neigh del "$LAB_COLLECTOR2_ADDR" dev br0 2>/dev/null
	lab_wait 15 lab_nexthop_gone "$LAB_COLLECTOR2_ADDR" ||
		fail "the second collector's next hop stayed valid: $(lab_maps nexthop)"
	lab_maps nexthop
	lab_maps counters >"$LAB_TMP/base2.json" || fail "cannot read the pinned counters"
	gen_send after "udp:50,tcp:50,udp0:5"
	captures_stop
	n2=$(count_counter "$LAB_TMP/after.json" FORWARD)
	udp2=$(count_kinds "$LAB_TMP/after.json" 'udp0?')
	tcp2=$(count_kinds "$LAB_TMP/after.json" 'tcp')
	lab_verify "$LAB_TMP/collector.pcap" "$LAB_TMP/fwd.json" --manifest "$LAB_TMP/after.json" \
		--label "collector 1" ||
		fail "collector 1: frames stopped or changed once the second collector was gone"
	lab_leakcheck "$LAB_TMP/ens5wire.pcap" --addr "$LAB_COLLECTOR2_ADDR" ||
		fail "mirror-derived frames left through ens5"
	check_listener_udp_all "$LAB_TMP/fwd.json" "$LAB_TMP/after.json"
	lab_maps expect --base "$LAB_TMP/base2.json" FORWARD="$n2" ||
		fail "frames were dropped as a whole while the first collector was there"
	fanout_counts "$LAB_TMP/base2.json" "$udp2" "$tcp2" none
	check_invariants
	lab_vxfwd_stop
}

# status shows both targets' next hops resolved; explain -n shows a frame
# of the UDP rule sent twice, once to each collector's address and port.
fanout_status_explain()
{
	local out

	out=$(nsenter --net=/run/netns/"$LAB_NS_S" "$VXFWD" status -n "$LAB_VXFWD_NAME") ||
		fail "vxfwd status failed"
	grep "next hop" <<<"$out"
	grep -q "next hop $LAB_COLLECTOR_ADDR: [0-9a-f:]*, neighbour" <<<"$out" &&
		grep -q "next hop $LAB_COLLECTOR2_ADDR: [0-9a-f:]*, neighbour" <<<"$out" ||
		fail "vxfwd status does not show both targets' next hops resolved"
	out=$(nsenter --net=/run/netns/"$LAB_NS_S" "$VXFWD" explain -n "$LAB_VXFWD_NAME" \
		udp 198.51.100.10:40000 10.0.0.1:31765) || fail "vxfwd explain failed"
	printf '%s\n' "$out"
	grep -q "sent as udp 198.51.100.10:40000 -> $LAB_COLLECTOR_ADDR:8081" <<<"$out" &&
		grep -q "sent as udp 198.51.100.10:40000 -> $LAB_COLLECTOR2_ADDR:2055" <<<"$out" ||
		fail "vxfwd explain does not show one copy to each target"
}

# True once ADDR has no valid next hop in the maps.
lab_nexthop_gone()
{
	! lab_maps nexthop --valid "$1" >/dev/null
}

# The first collector's UDP socket got the forwarded datagrams of every manifest.
check_listener_udp_all()
{
	lab_collector_listen_stop
	"$LAB_PY" -c '
import json, sys
want = []
for p in sys.argv[2:]:
    m = json.load(open(p))
    want += [e["seq"] for e in m["frames"] if e["counter"] == "FORWARD" and e["proto"] == 17]
got = sorted(json.load(open(sys.argv[1]))["udp_seqs"])
print("collector 1 UDP socket: %d datagrams expected, %d received" % (len(want), len(got)))
sys.exit(0 if sorted(want) == got else 1)' "$LAB_TMP/collector.json" "$@" ||
		fail "collector 1: the UDP socket did not get exactly the forwarded datagrams"
}

# Ping and a TCP connection to the sensor's ens5 keep working under mirror load.
test_ordinary_traffic()
{
	local out reply

	command -v socat >/dev/null || lab_die "socat: not installed (scripts/install-deps.sh installs it)"
	setup "$LAB_RULES"
	lab_bg "$LAB_TMP/echo.log" "$LAB_NS_S" socat \
		TCP-LISTEN:$LAB_SENSOR_TCP_PORT,bind=$LAB_ENS5_ADDR,reuseaddr,fork EXEC:/bin/cat
	lab_wait 10 sh -c "nsenter --net=/run/netns/$LAB_NS_S ss -Hltn | grep -q :$LAB_SENSOR_TCP_PORT" ||
		fail "sensor: the TCP echo listener did not start"
	lab_gen --mix udp:600,tcp:600 --out "$LAB_TMP/load.pcap" \
		--manifest "$LAB_TMP/load.json" >/dev/null || fail "gen.py failed"
	lab_capture_start "$LAB_NS_C" eth0 collector in
	lab_bg "$LAB_TMP/load.log" "$LAB_NS_M" tcpreplay -i eth0 --pps=300 "$LAB_TMP/load.pcap"
	local load=$LAB_BG_PID

	out=$(lab_mirror ping -c 10 -i 0.2 -W 1 $LAB_ENS5_ADDR) ||
		fail "ping from the mirror source to ens5 failed: $out"
	printf '%s\n' "$out" | grep 'packet loss'
	printf '%s\n' "$out" | grep -q ' 0% packet loss' || fail "ping to ens5 lost packets"
	reply=$(echo "hello $LAB_MARKER" | lab_mirror socat -t 2 - TCP:$LAB_ENS5_ADDR:$LAB_SENSOR_TCP_PORT,connect-timeout=3) ||
		fail "TCP connection from the mirror source to ens5:$LAB_SENSOR_TCP_PORT failed"
	[ "$reply" = "hello $LAB_MARKER" ] || fail "TCP echo through ens5 answered '$reply'"
	echo "TCP to ens5:$LAB_SENSOR_TCP_PORT: echo came back intact"
	kill -0 "$load" 2>/dev/null || fail "the mirror load ended before ping and TCP were done"
	wait "$load" || fail "tcpreplay of the mirror load failed: $(cat "$LAB_TMP/load.log")"
	lab_wait_drained
	lab_capture_stop collector
	lab_verify "$LAB_TMP/collector.pcap" "$LAB_TMP/load.json" ||
		fail "collector: the mirror load was not forwarded exactly"
	"$LAB_PY" -c '
import json, subprocess, sys
c = json.load(sys.stdin)["counters"]
print("PASS counter during the test: %d frames (10 pings, a TCP connection, ARP; at least 13 expected)" % c["PASS"]["packets"])
sys.exit(0 if c["PASS"]["packets"] >= 13 else 1)' < <(lab_maps counters --base "$LAB_TMP/base.json") ||
		fail "ordinary traffic was not passed by XDP"
	check_invariants
	lab_vxfwd_stop
}

# The real AWS capture, outer headers fitted to the lab, forwarded frame for
# frame according to the rules for its VNI.
test_aws_replay()
{
	local n total

	[ -r "$AWS_PCAP" ] || lab_die "$AWS_PCAP: not found; set VXFWD_PCAPS to shared/pcaps"
	setup "$AWS_RULES"
	captures_start
	"$LAB_PY" "$LAB_DIR/aws.py" --in "$AWS_PCAP" --out "$LAB_TMP/aws.pcap" \
		--manifest "$LAB_TMP/aws.json" --src-mac "$LAB_MIRROR_MAC" --dst-mac "$LAB_ENS5_MAC" \
		--outer-src $LAB_MIRROR_ADDR --outer-dst $LAB_ENS5_ADDR --vni 5569041 \
		--rule tcp,18.196.145.224/32,22,$LAB_COLLECTOR_ADDR,$LAB_TCP_PORT \
		--rule udp,172.31.0.0/16,53,$LAB_COLLECTOR_ADDR,$LAB_UDP_PORT || fail "aws.py failed"
	lab_send "$LAB_TMP/aws.pcap" 500
	lab_wait_drained
	captures_stop
	lab_verify "$LAB_TMP/collector.pcap" "$LAB_TMP/aws.json" ||
		fail "collector: the capture was not forwarded frame for frame"
	lab_leakcheck "$LAB_TMP/ens5wire.pcap" --addr 18.196.145.224 --addr 172.31.0.238 \
		--addr 172.31.0.2 --addr 78.46.93.39 || fail "mirror-derived frames left through ens5"
	n=$(count_counter "$LAB_TMP/aws.json" FORWARD)
	total=$("$LAB_PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["frames"]))' "$LAB_TMP/aws.json")
	"$LAB_PY" -c '
import json, sys
c = json.load(sys.stdin)["counters"]
fwd, n, total = c["FORWARD"]["packets"], int(sys.argv[1]), int(sys.argv[2])
drops = sum(v["packets"] for k, v in c.items() if k.startswith("DROP_"))
print("aws capture: %d frames replayed, FORWARD %d (expected %d), drops %d (expected %d)"
      % (total, fwd, n, drops, total - n))
sys.exit(0 if fwd == n and drops == total - n else 1)' "$n" "$total" \
		< <(lab_maps counters --base "$LAB_TMP/base.json") ||
		fail "counters do not match the capture"
	check_invariants
	lab_vxfwd_stop
}

# ---- faults under traffic ------------------------------------------------

# load_start TAG MIX PPS [GEN ARGS]: generate frames and replay them in the
# background; LOAD_PID is tcpreplay's.
load_start()
{
	local tag=$1 mix=$2 pps=$3
	shift 3

	lab_gen --mix "$mix" --out "$LAB_TMP/$tag.pcap" --manifest "$LAB_TMP/$tag.json" "$@" ||
		fail "gen.py failed"
	lab_bg "$LAB_TMP/$tag.tcpreplay.log" "$LAB_NS_M" tcpreplay -i eth0 --pps="$pps" "$LAB_TMP/$tag.pcap"
	LOAD_PID=$LAB_BG_PID
}

load_wait()
{
	wait "$LOAD_PID" || fail "tcpreplay failed: $(cat "$LAB_TMP"/*.tcpreplay.log)"
}

xdp_attached()
{
	ip -n "$LAB_NS_S" -d link show ens5 | grep -q 'prog/xdp'
}

# After a restart under load_start's "during" traffic: wait for it, then
# every later frame arrives, the gap is measured (the "during" frames are
# optional), nothing left through ens5 ($1: when), the invariants hold.
restarted_check()
{
	lab_wait_nexthop
	load_wait
	lab_wait_drained
	# Read with the wire quiet: under load, FORWARD and the engine's sent
	# counter are read at two instants and the base would not balance.
	lab_maps counters >"$LAB_TMP/base.json" || fail "cannot read the new maps"
	gen_send after "udp:50,tcp:50"
	captures_stop
	lab_verify "$LAB_TMP/collector.pcap" "$LAB_TMP/after.json" --optional "$LAB_TMP/during.json" \
		--json "$LAB_TMP/verify.json" ||
		fail "collector: forwarding did not resume correctly after the restart"
	"$LAB_PY" -c '
import json, sys
v = json.load(open(sys.argv[1]))
print("gap: %d frames not forwarded at 500 frames/s = %.2f s (the test waited 1 s before restarting)"
      % (v["optional_missing"], v["optional_missing"] / 500))' "$LAB_TMP/verify.json"
	lab_leakcheck "$LAB_TMP/ens5wire.pcap" || fail "mirror-derived frames left through ens5 $1"
	check_invariants
}

# kill -9 under traffic: XDP stays attached and keeps dropping (nothing
# reaches ens5's stack or leaves ens5), a restarted vxfwd adopts it and
# resumes forwarding; the gap is measured in frames.
test_kill9_restart()
{
	local name rc

	setup "$LAB_RULES"
	name=$LAB_VXFWD_NAME
	captures_start
	load_start during udp:1500 500
	sleep 1
	kill -KILL "$LAB_VXFWD_PID"
	wait "$LAB_VXFWD_PID"
	rc=$?
	echo "vxfwd killed with SIGKILL (exit status $rc) under 500 frames/s"
	xdp_attached || fail "XDP detached from ens5 when vxfwd was killed: mirror traffic now reaches the stack"
	sleep 1
	xdp_attached || fail "XDP detached from ens5 after vxfwd was killed"
	echo "XDP still attached to ens5 one second after the kill"
	lab_vxfwd_start "$LAB_RULES" "$name"
	restarted_check "around the kill"
	lab_vxfwd_stop
}

# The engine stopped (SIGSTOP) under jumbo traffic: the ring fills, XDP
# counts DROP_RING_FULL, nothing leaks, and SIGCONT sends exactly the frames
# that made it into the ring.
test_sigstop_ring_full()
{
	setup "$LAB_RULES"
	captures_start
	lab_gen --mix udp:1200 --size 8972 --out "$LAB_TMP/burst.pcap" \
		--manifest "$LAB_TMP/burst.json" || fail "gen.py failed"
	kill -STOP "$LAB_VXFWD_PID"
	echo "vxfwd stopped with SIGSTOP; sending 1200 jumbo frames into a ring it does not drain"
	lab_send "$LAB_TMP/burst.pcap" 2000
	lab_wait 10 lab_maps seen --base "$LAB_TMP/base.json" 1200 >/dev/null ||
		fail "XDP did not see the 1200 frames sent"
	lab_maps counters --base "$LAB_TMP/base.json" >"$LAB_TMP/stopped.json"
	kill -CONT "$LAB_VXFWD_PID"
	lab_wait_drained
	gen_send after "udp:30,tcp:30"
	captures_stop
	"$LAB_PY" -c '
import json, sys
c = json.load(open(sys.argv[1]))["counters"]
fwd, full = c["FORWARD"]["packets"], c["DROP_RING_FULL"]["packets"]
print("while stopped: FORWARD %d (in the ring) + DROP_RING_FULL %d = %d of 1200 sent" % (fwd, full, fwd + full))
sys.exit(0 if fwd + full == 1200 and full > 0 else 1)' "$LAB_TMP/stopped.json" ||
		fail "the ring did not fill, or frames were neither queued nor counted"
	lab_verify "$LAB_TMP/collector.pcap" "$LAB_TMP/after.json" --optional "$LAB_TMP/burst.json" \
		--json "$LAB_TMP/verify.json" || fail "collector evidence"
	"$LAB_PY" -c '
import json, sys
c = json.load(open(sys.argv[1]))["counters"]
v = json.load(open(sys.argv[2]))
print("after SIGCONT: %d queued frames reached the collector, %d were in the ring"
      % (v["optional_received"], c["FORWARD"]["packets"]))
sys.exit(0 if v["optional_received"] == c["FORWARD"]["packets"] else 1)' \
		"$LAB_TMP/stopped.json" "$LAB_TMP/verify.json" ||
		fail "the frames queued in the ring were not all sent after SIGCONT"
	lab_leakcheck "$LAB_TMP/ens5wire.pcap" || fail "mirror-derived frames left through ens5"
	check_invariants
	lab_vxfwd_stop
}

# ens6 down then up under traffic: frames are counted as not sent, never sent
# elsewhere, and forwarding resumes by itself.
test_ens6_down_up()
{
	setup "$LAB_RULES"
	captures_start
	load_start during udp:1000 500
	sleep 0.5
	ip -n "$LAB_NS_S" link set ens6 down
	echo "ens6 down under 500 frames/s"
	sleep 1
	ip -n "$LAB_NS_S" link set ens6 up
	echo "ens6 up again"
	load_wait
	lab_wait 15 lab_maps nexthop --valid "$LAB_COLLECTOR_ADDR" >/dev/null ||
		fail "the next hop was not resolved again after ens6 came back"
	lab_wait_drained
	gen_send after "udp:50,tcp:50"
	captures_stop
	lab_verify "$LAB_TMP/collector.pcap" "$LAB_TMP/after.json" --optional "$LAB_TMP/during.json" ||
		fail "collector: forwarding did not resume correctly after ens6 came back"
	lab_leakcheck "$LAB_TMP/ens5wire.pcap" || fail "mirror-derived frames left through ens5 while ens6 was down"
	lab_maps counters --base "$LAB_TMP/base.json" | "$LAB_PY" -c '
import json, sys
d = json.load(sys.stdin)
c, e = d["counters"], d["engine"]
print("during the test: FORWARD %d, sent %d, send errors %d %s, DROP_NO_NEXTHOP %d"
      % (c["FORWARD"]["packets"], e["sent_packets"], e["send_errors"], e["send_errno"],
         c["DROP_NO_NEXTHOP"]["packets"]))'
	check_invariants --send-errors-ok
	lab_vxfwd_stop
}

# A broken rules file on SIGHUP changes nothing: the old rules keep
# forwarding every frame; a good one then switches the UDP DNAT port.
test_reload_broken()
{
	local rules

	lab_require
	lab_init
	rules=$LAB_TMP/reload.rules
	cp "$LAB_RULES" "$rules"
	setup "$rules"
	captures_start
	load_start during udp:400,tcp:400 400
	sleep 0.5
	printf 'forward udp from @nosuchset to port 1 dnat 172.30.82.95\n' >>"$rules"
	"$VXFWD" check -q -f "$rules" 2>/dev/null && fail "the broken rules file passed vxfwd check"
	kill -HUP "$LAB_VXFWD_PID"
	echo "SIGHUP with a broken rules file under 400 frames/s"
	load_wait
	lab_wait_drained
	kill -0 "$LAB_VXFWD_PID" || fail "vxfwd died on a broken reload"
	lab_maps engine --base "$LAB_TMP/base.json" | "$LAB_PY" -c '
import json, sys
e = json.load(sys.stdin)
print("engine: %d reloads applied, %d rejected" % (e["reloads"], e["reload_failures"]))
sys.exit(0 if e["reload_failures"] == 1 and e["reloads"] == 0 else 1)' ||
		fail "the broken reload was not counted as rejected"
	cp "$LAB_RULES" "$rules"
	sed -i 's/dnat 172.30.82.95 port 8081/dnat 172.30.82.95 port 8083/' "$rules"
	kill -HUP "$LAB_VXFWD_PID"
	lab_wait 10 sh -c "'$LAB_PY' '$LAB_DIR/vxmaps.py' --abi '$LAB_SRCDIR/bpf/vxfwd_abi.h' --pins '$LAB_PINS' engine |
		grep -q '\"reloads\": 1'" || fail "the good rules file was not applied"
	echo "SIGHUP with a good rules file: UDP now goes to port 8083"
	gen_send after "udp:30,tcp:30" 2000 --udp-nat-port 8083
	captures_stop
	lab_verify "$LAB_TMP/collector.pcap" "$LAB_TMP/during.json" "--manifest=$LAB_TMP/after.json" ||
		fail "collector: frames lost or mis-rewritten across the reloads"
	lab_leakcheck "$LAB_TMP/ens5wire.pcap" || fail "mirror-derived frames left through ens5"
	check_invariants
	lab_vxfwd_stop
}

# The same instance started twice: the second refuses cleanly (exit status
# not 0, within seconds, with a message) and the first keeps forwarding.
test_double_start()
{
	local rc out

	setup "$LAB_RULES"
	out=$(timeout 20 nsenter --net="/run/netns/$LAB_NS_S" -- \
		"$VXFWD" run -f "$LAB_RULES" -n "$LAB_VXFWD_NAME" 2>&1 </dev/null)
	rc=$?
	printf 'second vxfwd run -n %s: exit %d: %s\n' "$LAB_VXFWD_NAME" "$rc" "$(head -n 3 <<<"$out")"
	[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "the second instance did not refuse (exit $rc)"
	[ -n "$out" ] || fail "the second instance refused without saying why"
	kill -0 "$LAB_VXFWD_PID" || fail "the first instance died"
	xdp_attached || fail "XDP detached by the second instance"
	captures_start
	gen_send after "udp:30,tcp:30"
	captures_stop
	lab_verify "$LAB_TMP/collector.pcap" "$LAB_TMP/after.json" ||
		fail "the first instance stopped forwarding"
	lab_leakcheck "$LAB_TMP/ens5wire.pcap" || fail "mirror-derived frames left through ens5"
	check_invariants
	lab_vxfwd_stop
}

# Two workers, one ring each: frames that XDP sees on CPU 0 go through
# worker 0's ring, those on CPU 1 through worker 1's; every frame arrives
# once, and each worker's own counters show it carried its CPU's share.
test_workers()
{
	local n0 n1 per

	[ "$(nproc)" -ge 2 ] || lab_skip "one CPU, the two rings cannot both be fed"
	LAB_VXFWD_ARGS="${LAB_VXFWD_ARGS:-} -w 2 -c 0,1"
	setup "$LAB_RULES"
	grep -q "engine: 2 workers on CPU 0,1" "$LAB_TMP/vxfwd.log" ||
		fail "vxfwd did not start two workers: $(grep 'engine:' "$LAB_TMP/vxfwd.log")"
	captures_start
	lab_gen --mix "udp:60,tcp:30" --out "$LAB_TMP/w.pcap" --manifest "$LAB_TMP/w.json" ||
		fail "gen.py failed"
	# First 50 frames from CPU 0, the other 40 from CPU 1.
	"$LAB_PY" -c '
import json, sys
from scapy.all import rdpcap, wrpcap
p, m = rdpcap(sys.argv[1]), json.load(open(sys.argv[2]))["frames"]
assert len(p) == len(m) == 90, (len(p), len(m))
wrpcap(sys.argv[3], p[:50]); wrpcap(sys.argv[4], p[50:])
print(sum(e["counter"] == "FORWARD" for e in m[:50]), sum(e["counter"] == "FORWARD" for e in m[50:]))' \
		"$LAB_TMP/w.pcap" "$LAB_TMP/w.json" "$LAB_TMP/w0.pcap" "$LAB_TMP/w1.pcap" \
		>"$LAB_TMP/split.txt" || fail "splitting the capture failed"
	read -r n0 n1 <"$LAB_TMP/split.txt"
	LAB_SEND_CPU=0 lab_send "$LAB_TMP/w0.pcap" 2000
	LAB_SEND_CPU=1 lab_send "$LAB_TMP/w1.pcap" 2000
	lab_wait_drained
	captures_stop
	lab_verify "$LAB_TMP/collector.pcap" "$LAB_TMP/w.json" ||
		fail "collector: the forwarded frames are not exactly the expected ones"
	lab_leakcheck "$LAB_TMP/ens5wire.pcap" || fail "mirror-derived frames left through ens5"
	lab_maps expect --base "$LAB_TMP/base.json" FORWARD=$((n0 + n1)) ||
		fail "counters do not match the traffic sent"
	per=$(lab_sensor bpftool -j map dump pinned "$LAB_PINS/vxfwd_engine" | "$LAB_PY" -c '
import json, struct, sys
# records, bad_records, sent_packets: the first three fields of each entry.
for e in json.load(sys.stdin)[:2]:
    v = bytes(int(b, 16) for b in e["value"])
    print(*struct.unpack("<3Q", v[:24]))')
	echo "per worker (records bad sent): $(tr '\n' ';' <<<"$per")"
	read -r r0 _ s0 <<<"$(sed -n 1p <<<"$per")"
	read -r r1 _ s1 <<<"$(sed -n 2p <<<"$per")"
	[ "$r0" -eq "$n0" ] && [ "$s0" -eq "$n0" ] ||
		fail "worker 0 carried $r0 records ($s0 sent), CPU 0 was sent $n0 to forward"
	[ "$r1" -eq "$n1" ] && [ "$s1" -eq "$n1" ] ||
		fail "worker 1 carried $r1 records ($s1 sent), CPU 1 was sent $n1 to forward"
	check_invariants
	lab_vxfwd_stop
}

# run -Q (PACKET_QDISC_BYPASS): the collector still gets exactly the frames,
# and `tcpdump -i ens6` no longer sees them - the reason it is off by
# default; the same frames without -Q are seen (test_tcpdump_sensor).
test_qdisc_bypass()
{
	local n

	LAB_VXFWD_ARGS="${LAB_VXFWD_ARGS:-} -Q"
	setup "$LAB_RULES"
	grep -q "qdisc bypass on" "$LAB_TMP/vxfwd.log" ||
		fail "vxfwd did not report qdisc bypass on: $(grep 'engine:' "$LAB_TMP/vxfwd.log")"
	lab_capture_start "$LAB_NS_C" eth0 collector in
	lab_capture_start "$LAB_NS_S" ens6 ens6 out
	gen_send qb "udp:30,tcp:20"
	lab_capture_stop collector
	lab_capture_stop ens6
	lab_verify "$LAB_TMP/collector.pcap" "$LAB_TMP/qb.json" ||
		fail "collector: the forwarded frames are not exactly the expected ones"
	n=$("$LAB_PY" -c '
import sys
sys.path.insert(0, sys.argv[3])
import vxlab
mk = vxlab.marker_bytes(sys.argv[2])
print(sum(1 for f in vxlab.read_pcap(sys.argv[1]) if mk in f))' "$LAB_TMP/ens6.pcap" "$LAB_MARKER" "$LAB_DIR")
	echo "tcpdump -i ens6 with qdisc bypass: $n of the forwarded frames seen"
	[ "$n" -eq 0 ] || fail "tcpdump -i ens6 saw $n frames sent with PACKET_QDISC_BYPASS"
	check_invariants
	lab_vxfwd_stop
}

# run -k (what the systemd units use): SIGTERM under traffic leaves XDP and
# the leak guard attached, so a restart has no window in which mirror
# traffic reaches ens5's stack (which would answer it out of ens5); the
# next run takes the program over and forwards; `vxfwd detach` refuses a
# running instance and removes what a stopped -k instance left.
test_keep_attached()
{
	local name rc out args=${LAB_VXFWD_ARGS:-}

	LAB_VXFWD_ARGS="$args -k"
	setup "$LAB_RULES"
	name=$LAB_VXFWD_NAME
	captures_start
	load_start during udp:1500 500
	sleep 1
	kill -TERM "$LAB_VXFWD_PID"
	wait "$LAB_VXFWD_PID"
	rc=$?
	[ "$rc" -eq 0 ] || fail "vxfwd -k: exit status $rc after SIGTERM"
	grep -q "XDP left attached and dropping mirror traffic" "$LAB_TMP/vxfwd.log" ||
		fail "vxfwd -k did not say it left XDP attached: $(tail -n 3 "$LAB_TMP/vxfwd.log")"
	sleep 1
	xdp_attached || fail "XDP detached from ens5 at SIGTERM despite -k"
	lab_sensor tc filter show dev ens5 egress | grep -q vxfwd_guard ||
		fail "the leak guard was detached at SIGTERM despite -k"
	echo "vxfwd -k stopped with SIGTERM under 500 frames/s: XDP and the leak guard still attached 1 s later"

	LAB_VXFWD_ARGS=$args
	lab_vxfwd_start "$LAB_RULES" "$name"
	grep -q "XDP program id [0-9]* of an earlier run replaced in place" "$LAB_TMP/vxfwd.log" ||
		fail "the next run did not take the attached program over"
	restarted_check "while vxfwd was stopped"
	out=$(lab_sensor "$VXFWD" detach -n "$name" 2>&1)
	rc=$?
	[ "$rc" -eq 3 ] || fail "vxfwd detach of a running instance: exit $rc, want 3: $out"
	echo "vxfwd detach of the running instance refused: $out"
	lab_vxfwd_stop

	LAB_VXFWD_ARGS="$args -k"
	lab_vxfwd_start "$LAB_RULES" "$name"
	kill -TERM "$LAB_VXFWD_PID"
	wait "$LAB_VXFWD_PID"
	xdp_attached || fail "XDP detached at SIGTERM despite -k (second run)"
	out=$(lab_sensor "$VXFWD" detach -n "$name" 2>&1)
	rc=$?
	[ "$rc" -eq 0 ] || fail "vxfwd detach: exit $rc: $out"
	echo "$out"
	! xdp_attached || fail "vxfwd detach left XDP attached to ens5"
	! lab_sensor tc filter show dev ens5 egress | grep -q vxfwd_guard ||
		fail "vxfwd detach left the leak guard attached"
	[ ! -e "$LAB_PINS" ] || fail "vxfwd detach left pins in $LAB_PINS: $(ls "$LAB_PINS")"
	echo "vxfwd detach: nothing attached to ens5, no pins left"
}

# ---- runner --------------------------------------------------------------

# ---- health: the health and metrics listener ---------------------------------

HEALTH_PORT=9000

# hget ARGS...: health.py against the listener, from the mirror source.
hget()
{
	lab_mirror "$LAB_PY" "$LAB_DIR/health.py" --timeout 10 $LAB_ENS5_ADDR "${HPORT:-$HEALTH_PORT}" "$@"
}

# True when nothing answers on PORT.
health_gone()
{
	! lab_mirror "$LAB_PY" "$LAB_DIR/health.py" --timeout 2 $LAB_ENS5_ADDR "$1" get /healthz \
		>/dev/null 2>&1
}

# health_reload [PORT]: the lab's rules with a listener on PORT (none
# without), then SIGHUP.
health_reload()
{
	{
		cat "$LAB_RULES"
		[ -z "${1:-}" ] || echo "health listen $LAB_ENS5_ADDR port $1"
	} >"$LAB_TMP/health.rules"
	kill -HUP "$LAB_VXFWD_PID"
}

# True when GET /healthz answers STATUS (and its body matches REGEX).
health_is()
{
	local out

	out=$(hget get /healthz 2>&1) || return 1
	printf '%s\n' "$out" | grep -qx "status $1" || return 1
	[ -z "${2:-}" ] || printf '%s\n' "$out" | grep -Eq -- "$2"
}

# A counter of `vxfwd stats -j`: KEY PATH ("counters FORWARD packets").
stats_value()
{
	"$VXFWD" stats -j -n "$LAB_VXFWD_NAME" | "$LAB_PY" -c '
import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1:]:
    v = v[k]
print(v)' "$@"
}

# `health listen` on ens5's address: /healthz while healthy and while the
# collector's next hop is gone, /metrics against `vxfwd stats`, the methods
# and limits, idle connections, and the replies leaving ens5 past the guard.
test_health()
{
	local out fwd m pass0 pass1 drop0 drop1 n_in n_out x0 x1

	lab_require
	lab_init
	{ cat "$LAB_RULES"; echo "health listen $LAB_ENS5_ADDR port $HEALTH_PORT"; } >"$LAB_TMP/health.rules"
	setup "$LAB_TMP/health.rules"
	# br0's address (egress) and another in the egress /23: run refuses both.
	for out in $LAB_BR0_ADDR 172.30.82.50; do
		{ cat "$LAB_RULES"; echo "health listen $out port $HEALTH_PORT"; } >"$LAB_TMP/egress.rules"
		lab_sensor "$VXFWD" run -f "$LAB_TMP/egress.rules" -n "vxfegress$LAB_ID" \
			>"$LAB_TMP/egress.log" 2>&1
		m=$?
		[ "$m" -eq 1 ] && grep -q "error: health: $out .*egress 'ens6'" "$LAB_TMP/egress.log" ||
			fail "run with health listen $out: exit $m, $(cat "$LAB_TMP/egress.log")"
		grep 'error: health' "$LAB_TMP/egress.log"
	done
	lab_log_says "$LAB_VXFWD_PID" "$LAB_TMP/vxfwd.log" "health: listening on $LAB_ENS5_ADDR:$HEALTH_PORT" ||
		fail "vxfwd did not say it listens: $(tail -n 20 "$LAB_TMP/vxfwd.log")"
	lab_capture_start "$LAB_NS_M" eth0 healthwire inout
	pass0=$(stats_value guard pass packets) || fail "vxfwd stats -j: no leak guard counters"
	drop0=$(stats_value guard drop packets)
	x0=$(stats_value counters pass packets)

	lab_wait 10 health_is 200 '^ok$' || fail "/healthz is not 200 ok while healthy: $(hget get /healthz 2>&1)"
	echo "/healthz: 200 ok"

	gen_send fwd "udp:40,tcp:40"
	fwd=$(stats_value counters forward packets)
	out=$(hget get /metrics) || fail "GET /metrics: $out"
	printf '%s\n' "$out" | grep -qx 'content-type: text/plain; version=0.0.4' ||
		fail "/metrics: wrong Content-Type: $(printf '%s\n' "$out" | head -n 8)"
	m=$(hget metric vxfwd_xdp_packets_total instance="$LAB_VXFWD_NAME" counter=forward) ||
		fail "/metrics does not parse or lacks the forward sample"
	[ "$fwd" -gt 0 ] && [ "$m" = "$fwd" ] ||
		fail "/metrics says $m frames forwarded, vxfwd stats says $fwd"
	echo "/metrics: vxfwd_xdp_packets_total{counter=\"forward\"} $m == vxfwd stats $fwd"
	diff <(printf '%s\n' "$out" | sed '1,/^body:$/d' | grep -v '^vxfwd_guard\|^vxfwd_xdp') \
		<("$VXFWD" stats -p -n "$LAB_VXFWD_NAME" | grep -v '^vxfwd_guard\|^vxfwd_xdp') ||
		fail "/metrics and vxfwd stats -p differ beyond the live counters"

	out=$(hget method POST /healthz) || fail "POST: $out"
	printf '%s\n' "$out" | grep -qx 'status 405' && printf '%s\n' "$out" | grep -qx 'allow: GET' ||
		fail "POST /healthz: not 405 with Allow: GET: $out"
	out=$(hget get /nothing-here) || fail "GET /nothing-here: $out"
	printf '%s\n' "$out" | grep -qx 'status 404' || fail "GET /nothing-here: not 404: $out"
	echo "POST: 405 with Allow: GET; unknown path: 404"

	out=$(hget big 102400) || fail "100 KiB request: $out"
	printf '%s\n' "$out" | grep -Eqx 'status (431|400|reset.*)' || fail "100 KiB request: $out"
	echo "100 KiB request: $(head -n 1 <<<"$out")"
	health_is 200 || fail "/healthz after the 100 KiB request: $(hget get /healthz 2>&1)"

	out=$(hget idle 32 /healthz) || fail "/healthz behind 32 idle connections: $out"
	printf '%s\n' "$out" | grep -qx 'status 200' || fail "/healthz behind 32 idle connections: $out"
	echo "/healthz behind 32 idle connections: 200 after $(sed -n 's/^elapsed //p' <<<"$out") s"

	# The collector goes silent and its neighbour entry away: 503 naming it.
	ip -n "$LAB_NS_C" link set eth0 arp off
	ip -n "$LAB_NS_S" neigh del "$LAB_COLLECTOR_ADDR" dev br0 || fail "cannot delete the neighbour"
	lab_wait 10 health_is 503 "^next hop $LAB_COLLECTOR_ADDR: not resolved" ||
		fail "/healthz without the collector's next hop: $(hget get /healthz 2>&1)"
	hget get /healthz | sed -n '/^body:$/,$p' | sed 's/^/  /'
	ip -n "$LAB_NS_C" link set eth0 arp on
	lab_wait 20 health_is 200 '^ok$' ||
		fail "/healthz once the collector answers again: $(hget get /healthz 2>&1)"
	echo "/healthz: 503 while the next hop was gone, 200 once it came back"

	health_reload $((HEALTH_PORT + 1))
	HPORT=$((HEALTH_PORT + 1)) lab_wait 10 health_is 200 '^ok$' ||
		fail "reload to port $((HEALTH_PORT + 1)): no answer there: $(tail -n 5 "$LAB_TMP/vxfwd.log")"
	health_gone $HEALTH_PORT || fail "reload to port $((HEALTH_PORT + 1)): port $HEALTH_PORT still answers"
	health_reload
	lab_wait 10 health_gone $((HEALTH_PORT + 1)) ||
		fail "reload without the health statement: the listener still answers"
	health_reload $HEALTH_PORT
	lab_wait 10 health_is 200 '^ok$' || fail "reload back to port $HEALTH_PORT: no answer"
	echo "reloads: moved to port $((HEALTH_PORT + 1)), closed without the statement, back on $HEALTH_PORT"

	lab_capture_stop healthwire
	n_in=$(tcpdump -r "$LAB_TMP/healthwire.pcap" -n "tcp dst port $HEALTH_PORT" 2>/dev/null | wc -l)
	n_out=$(tcpdump -r "$LAB_TMP/healthwire.pcap" -n "tcp src port $HEALTH_PORT" 2>/dev/null | wc -l)
	pass1=$(stats_value guard pass packets)
	drop1=$(stats_value guard drop packets)
	x1=$(stats_value counters pass packets)
	echo "ens5 wire: $n_in segments to :$HEALTH_PORT, $n_out from it; XDP PASS +$((x1 - x0)), guard pass +$((pass1 - pass0)) drop +$((drop1 - drop0))"
	[ "$n_out" -gt 0 ] || fail "no health reply left ens5"
	[ $((x1 - x0)) -ge "$n_in" ] || fail "XDP passed fewer frames than the health requests sent"
	[ $((pass1 - pass0)) -ge "$n_out" ] || fail "the guard counted fewer passes than health replies left ens5"
	[ "$drop1" -eq "$drop0" ] || fail "the guard dropped frames during the health test"
	check_invariants

	# Someone takes the program off ens5: the kernel says so, /healthz too.
	ip -n "$LAB_NS_S" link set dev ens5 xdp off || fail "cannot detach XDP from ens5"
	lab_wait 10 health_is 503 '^xdp: ens5: no XDP program attached$' ||
		fail "/healthz with no program on ens5: $(hget get /healthz 2>&1)"
	echo "/healthz with the program taken off ens5: 503, xdp: ens5: no XDP program attached"
	lab_vxfwd_stop
	lab_mirror "$LAB_PY" "$LAB_DIR/health.py" --timeout 2 $LAB_ENS5_ADDR $HEALTH_PORT get /healthz \
		>/dev/null 2>&1 && fail "the listener still answers after SIGTERM"
	echo "after SIGTERM: nothing listens"
}

lab_main e2e "$@"
