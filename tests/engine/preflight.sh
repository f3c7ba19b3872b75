#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# preflight.sh TEST_PREFLIGHT - doctor_preflight(), the checks `vxfwd run`
# makes before it attaches, in network namespaces shaped like the sensor:
# ens5 (172.30.82.108/23) and ens6 (172.30.82.192/23) in one subnet, the
# collector 172.30.82.95 behind ens6.  TEST_PREFLIGHT loads the rules and
# calls it; its log lines carry the journal's priority prefix (<4> warning,
# <6> information) because JOURNAL_STREAM is set.  Each case must add
# exactly its own warning line to those of the clean lab, and the count
# returned must equal the warning lines printed.  Cases:
#   clean      everything in place: no interface, MTU, next-hop or
#              rp_filter warning, no "ok" line, the shared subnet explained
#              in one information line, nothing attached to ens5
#   plain      the same outside systemd: every line is "vxfwd: doctor: "
#   down       ens5 down
#   inmtu      ens5 MTU 1400: mirrored 1500-byte packets arrive truncated
#   outmtu     ens5 MTU 9000, ens6 MTU 1500: ens6 cannot send them
#   unresolved no neighbour entry for the collector
#   rpfilter   strict rp_filter on ens5 with the shared subnet
set -u

bin=$(realpath "$1")
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for network namespaces"; exit 77; }
command -v ip >/dev/null || { echo "FAIL: ip not installed (scripts/install-deps.sh installs iproute2)"; exit 1; }

tag=vxfpre$$
S=${tag}s	# sensor
C=${tag}c	# collector
M=${tag}m	# mirror source
work=$(mktemp -d /tmp/$tag.XXXXXX)
rules=$work/$tag.rules
limit_ms=500	# run waits for this before it attaches; the brief is ~100 ms
fails=0
base=

cleanup() {
	for ns in $S $C $M; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

in_ns() {
	local ns=$1
	shift
	nsenter --net=/run/netns/"$ns" "$@"
}

fail() {
	echo "FAIL $*"
	fails=$((fails + 1))
}

setup() {
	local ns
	for ns in $S $C $M; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up
	done
	ip -n $S link add ens5 type veth peer name m5 netns $M &&
	ip -n $S link add ens6 type veth peer name c6 netns $C &&
	ip -n $S addr add 172.30.82.108/23 dev ens5 &&
	ip -n $S addr add 172.30.82.192/23 dev ens6 &&
	ip -n $C addr add 172.30.82.95/23 dev c6 &&
	ip -n $M addr add 172.31.0.238/24 dev m5 || return 1
	# Room for a whole 1500-byte inner packet on both sides: no MTU warning.
	ip -n $M link set m5 mtu 1600 up && ip -n $S link set ens5 mtu 1600 up &&
	ip -n $C link set c6 mtu 1600 up && ip -n $S link set ens6 mtu 1600 up || return 1
	in_ns $S sysctl -q -w net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.ens5.rp_filter=2
}

# wait_carrier DEV...: a veth's carrier comes up a moment after the link.
wait_carrier() {
	local dev
	for dev in "$@"; do
		for _ in $(seq 1 50); do
			ip -n $S link show "$dev" | grep -q LOWER_UP && break
			sleep 0.1
		done
		ip -n $S link show "$dev" | grep -q LOWER_UP || return 1
	done
}

resolve() {
	in_ns $S ping -c 1 -W 2 -I ens6 172.30.82.95 >/dev/null
}

# preflight NAME [ENV...]: runs it in the sensor; NAME.err holds the log,
# $warns and $ms what it returned.
preflight() {
	local name=$1 out
	shift
	out=$(in_ns $S env -u JOURNAL_STREAM "$@" "$bin" "$rules" 2>"$work/$name.err")
	echo "--- $name: $out"
	sed 's/^/    /' "$work/$name.err"
	warns=$(echo "$out" | awk '$1 == "warnings" { print $2 }')
	ms=$(echo "$out" | awk '$1 == "warnings" { print $4 }')
	if [ -z "$warns" ] || [ -z "$ms" ]; then
		fail "$name: no count from $bin"
		warns=-1 ms=0
	fi
	[ "$ms" -le $limit_ms ] || fail "$name: took $ms ms, more than $limit_ms"
}

# journal NAME [DELTA REGEX]: the count matches the <4> lines, every line is
# a doctor line, and the case added exactly DELTA warnings, one matching REGEX.
journal() {
	local name=$1 delta=${2:-} re=${3:-} n
	n=$(grep -c '^<4>doctor: ' "$work/$name.err")
	[ "$warns" -eq "$n" ] || fail "$name: returned $warns, logged $n warning lines"
	if grep -Ev '^<[46]>doctor: ' "$work/$name.err" | grep -q .; then
		fail "$name: lines that are not doctor's (above)"
	fi
	[ -z "$delta" ] && return
	[ "$warns" -eq $((base + delta)) ] ||
		fail "$name: $warns warnings, expected $base + $delta"
	if grep -Eq -- "^<4>doctor: $re" "$work/$name.err"; then
		echo "ok   $name: /$re/"
	else
		fail "$name: no warning matches /$re/"
	fi
	grep -Fqx "<6>doctor: $rules: $warns warning$([ "$warns" -eq 1 ] || echo s) above; vxfwd doctor -f $rules explains every check" \
		"$work/$name.err" || fail "$name: no summary line naming $warns warnings"
}

setup && wait_carrier ens5 ens6 || { echo "FAIL: lab setup"; exit 1; }
cat >"$rules" <<-'EOF2'
	ingress ens5 {
		vxlan port 4789
		vni 1
	}

	egress ens6

	forward udp from 198.51.100.10 to port 31765 dnat 172.30.82.95 port 8081
EOF2
resolve ||
	{ echo "FAIL: collector 172.30.82.95 not reachable on ens6"; exit 1; }

preflight clean JOURNAL_STREAM=1:1
journal clean
base=$warns
if grep -E '^<4>doctor: (ingress|egress|mtu|nexthop|rp_filter|subnet)' "$work/clean.err"; then
	fail "clean: a warning about the lab, which is in order"
fi
if grep -E '^<6>' "$work/clean.err" | grep -Ev '^<6>doctor: (subnet|aws|/)'; then
	fail "clean: information lines other than the subnet, aws and the summary"
fi
grep -Eq '^<6>doctor: subnet: ens5 172\.30\.82\.108/23 and ens6 172\.30\.82\.192/23 share 172\.30\.82\.0/23: .*vxfwd never routes' \
	"$work/clean.err" || fail "clean: the shared subnet is not explained"
if ip -n $S link show ens5 | grep -q xdp; then
	fail "clean: an XDP program is attached to ens5"
fi

preflight plain
[ "$warns" -eq "$base" ] || fail "plain: $warns warnings, the clean lab had $base"
if grep -v '^vxfwd: doctor: ' "$work/plain.err"; then
	fail "plain: lines without the 'vxfwd: doctor: ' prefix"
fi

ip -n $S link set ens5 down
preflight down JOURNAL_STREAM=1:1
journal down 1 'ingress ens5: down, .*: nothing arrives until it is up; ip link set dev ens5 up$'
ip -n $S link set ens5 up && wait_carrier ens5 || fail "down: ens5 has no carrier again"

ip -n $S link set ens5 mtu 1400
preflight inmtu JOURNAL_STREAM=1:1
journal inmtu 1 'mtu: ens5 MTU 1400 carries inner packets up to 1350 bytes whole; .*; AWS mirror targets take MTU 9001$'

ip -n $M link set m5 mtu 9000 && ip -n $S link set ens5 mtu 9000 &&
	ip -n $S link set ens6 mtu 1500
preflight outmtu JOURNAL_STREAM=1:1
journal outmtu 1 'mtu: ens6 MTU 1500 is below the 8950 bytes .*; ip link set dev ens6 mtu 8950$'
ip -n $S link set ens6 mtu 1600 && ip -n $S link set ens5 mtu 1600 && ip -n $M link set m5 mtu 1600

ip -n $S neigh flush dev ens6
preflight unresolved JOURNAL_STREAM=1:1
journal unresolved 1 'nexthop 172\.30\.82\.95: (no entry in|not resolved on) ens6.*; ping -c 1 -I ens6 172\.30\.82\.95$'
resolve || fail "unresolved: 172.30.82.95 does not answer again"

in_ns $S sysctl -q -w net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.ens5.rp_filter=1
preflight rpfilter JOURNAL_STREAM=1:1
journal rpfilter 1 'rp_filter: ens5 is strict and shares a subnet with ens6: .*; sysctl -w net\.ipv4\.conf\.all\.rp_filter=2 '

echo "preflight: $fails failure(s)"
[ "$fails" -eq 0 ]
