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
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/../lab/lib.sh"
t_need_root "needs root for network namespaces"
t_need_tools ip

lab_init pre
tag=vxfpre$$
S=$LAB_NS_S	# sensor
M=$LAB_NS_M	# mirror source
work=$LAB_TMP
rules=$work/$tag.rules
limit_ms=500	# run waits for this before it attaches; the brief is ~100 ms
base=

# Room for a whole 1500-byte inner packet on both sides: no MTU warning.
setup() {
	lab_small_up "" 1600
	lab_sysctl $S net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.ens5.rp_filter=2
}

# wait_carrier DEV...: a veth's carrier comes up a moment after the link.
wait_carrier() {
	local dev
	for dev in "$@"; do
		lab_wait 5 lab_link_up $S "$dev" || return 1
	done
}

resolve() {
	lab_ns_exec $S ping -c 1 -W 2 -I ens6 172.30.82.95 >/dev/null
}

# preflight NAME [ENV...]: runs it in the sensor; NAME.err holds the log,
# $warns and $ms what it returned.
preflight() {
	local name=$1 out
	shift
	out=$(lab_ns_exec $S env -u JOURNAL_STREAM "$@" "$bin" "$rules" 2>"$work/$name.err")
	echo "--- $name: $out"
	sed 's/^/    /' "$work/$name.err"
	warns=$(echo "$out" | awk '$1 == "warnings" { print $2 }')
	ms=$(echo "$out" | awk '$1 == "warnings" { print $4 }')
	if [ -z "$warns" ] || [ -z "$ms" ]; then
		t_fail "$name: no count from $bin"
		warns=-1 ms=0
	fi
	[ "$ms" -le $limit_ms ] || t_fail "$name: took $ms ms, more than $limit_ms"
}

# journal NAME [DELTA REGEX]: the count matches the <4> lines, every line is
# a doctor line, and the case added exactly DELTA warnings, one matching REGEX.
journal() {
	local name=$1 delta=${2:-} re=${3:-} n
	n=$(grep -c '^<4>doctor: ' "$work/$name.err")
	[ "$warns" -eq "$n" ] || t_fail "$name: returned $warns, logged $n warning lines"
	if grep -Ev '^<[46]>doctor: ' "$work/$name.err" | grep -q .; then
		t_fail "$name: lines that are not doctor's (above)"
	fi
	[ -z "$delta" ] && return
	[ "$warns" -eq $((base + delta)) ] ||
		t_fail "$name: $warns warnings, expected $base + $delta"
	if grep -Eq -- "^<4>doctor: $re" "$work/$name.err"; then
		echo "ok   $name: /$re/"
	else
		t_fail "$name: no warning matches /$re/"
	fi
	grep -Fqx "<6>doctor: $rules: $warns warning$([ "$warns" -eq 1 ] || echo s) above; vxfwd doctor -f $rules explains every check" \
		"$work/$name.err" || t_fail "$name: no summary line naming $warns warnings"
}

setup
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
	t_fail "clean: a warning about the lab, which is in order"
fi
if grep -E '^<6>' "$work/clean.err" | grep -Ev '^<6>doctor: (subnet|aws|/)'; then
	t_fail "clean: information lines other than the subnet, aws and the summary"
fi
grep -Eq '^<6>doctor: subnet: ens5 172\.30\.82\.108/23 and ens6 172\.30\.82\.192/23 share 172\.30\.82\.0/23: .*vxfwd never routes' \
	"$work/clean.err" || t_fail "clean: the shared subnet is not explained"
if ip -n $S link show ens5 | grep -q xdp; then
	t_fail "clean: an XDP program is attached to ens5"
fi

preflight plain
[ "$warns" -eq "$base" ] || t_fail "plain: $warns warnings, the clean lab had $base"
if grep -v '^vxfwd: doctor: ' "$work/plain.err"; then
	t_fail "plain: lines without the 'vxfwd: doctor: ' prefix"
fi

ip -n $S link set ens5 down
preflight down JOURNAL_STREAM=1:1
journal down 1 'ingress ens5: down, .*: nothing arrives until it is up; ip link set dev ens5 up$'
ip -n $S link set ens5 up && wait_carrier ens5 || t_fail "down: ens5 has no carrier again"

ip -n $S link set ens5 mtu 1400
preflight inmtu JOURNAL_STREAM=1:1
journal inmtu 1 'mtu: ens5 MTU 1400 carries inner packets up to 1350 bytes whole \(50 of VXLAN overhead\); .*; AWS mirror targets take MTU 9001$'

ip -n $M link set m5 mtu 9000 && ip -n $S link set ens5 mtu 9000 &&
	ip -n $S link set ens6 mtu 1500
preflight outmtu JOURNAL_STREAM=1:1
journal outmtu 1 'mtu: ens6 MTU 1500 is below the 8950 bytes .*; ip link set dev ens6 mtu 8950$'
ip -n $S link set ens6 mtu 1600 && ip -n $S link set ens5 mtu 1600 && ip -n $M link set m5 mtu 1600

ip -n $S neigh flush dev ens6
preflight unresolved JOURNAL_STREAM=1:1
journal unresolved 1 'nexthop 172\.30\.82\.95: (no entry in|not resolved on) ens6.*; ping -c 1 -I ens6 172\.30\.82\.95$'
resolve || t_fail "unresolved: 172.30.82.95 does not answer again"

lab_ns_exec $S sysctl -q -w net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.ens5.rp_filter=1
preflight rpfilter JOURNAL_STREAM=1:1
journal rpfilter 1 'rp_filter: ens5 is strict and shares a subnet with ens6: .*; sysctl -w net\.ipv4\.conf\.all\.rp_filter=2 '

t_done preflight
