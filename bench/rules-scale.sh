#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# rules-scale.sh [-k] [VXFWD] - how `vxfwd check` scales with the size of an
# allowlist: wall time and peak RSS (/usr/bin/time -v) for 10,000 and
# 100,000 addresses, for the limit of LPM entries (VXFWD_MAX_PREFIXES), for
# one more than the limit (must be refused, with the error located), and for
# 100,000 addresses that merge into /24 entries.
#
# Addresses are every other one of 10.0.0.0/8 (no two adjacent: nothing
# merges), in 200 organizations of one set, and one rule uses the set.
# -k also runs each accepted file with `vxfwd run` on a veth pair in a
# private network namespace (root) and reports the time from start to
# "forwarding" (load, attach, write every map entry into the kernel) and the
# kernel memory of the LPM map (bpftool's memlock of the pinned map).
#
# VXFWD defaults to build/engine/vxfwd.  Prints one line per case; exits
# non-zero when a case fails (an accepted file refused, the file over the
# limit accepted).
set -u

kernel=0
if [ "${1:-}" = -k ]; then
	kernel=1
	shift
fi
here=$(cd "$(dirname "$0")" && pwd)
vxfwd=${1:-$here/../build/engine/vxfwd}
limit=$(sed -n 's/^#define VXFWD_MAX_PREFIXES \([0-9]*\).*/\1/p' "$here/../bpf/vxfwd_abi.h")
[ -x "$vxfwd" ] || { echo "rules-scale: $vxfwd: not built" >&2; exit 2; }
[ -x /usr/bin/time ] ||
	{ echo "rules-scale: /usr/bin/time missing (scripts/install-deps.sh bench installs it)" >&2; exit 2; }
[ -n "$limit" ] || { echo "rules-scale: no VXFWD_MAX_PREFIXES in bpf/vxfwd_abi.h" >&2; exit 2; }

tmp=$(mktemp -d) || exit 2
ns=vxfb$$
cleanup() {
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# gen N STEP FILE: N addresses STEP apart from 10.0.0.0, 200 organizations
gen() {
	awk -v n="$1" -v step="$2" -v orgs=200 -v idbase=1000 -v set=exporters -v ingress=ens5 \
		-v egress=ens6 \
		-v rule="forward udp from @exporters to port 31765 dnat 172.30.82.95 port 8081" \
		-f "$here/../tests/rules/allowlist.awk" >"$3"
}

# measure NAME FILE: check's status, time and peak RSS
measure() {
	/usr/bin/time -v "$vxfwd" check -v -f "$2" >"$tmp/out" 2>"$tmp/err"
	status=$?
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tmp/err")
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/err")
	entries=$(grep -c '^lpm ' "$tmp/out")
	printf '%-22s exit %d  %8s s  %7s KiB peak RSS  %7d LPM entries\n' "$1" "$status" \
		"${wall#0:}" "$rss" "$entries"
}

# in_kernel NAME FILE: vxfwd run until it forwards, in a namespace with ens5/ens6
in_kernel() {
	[ $kernel -eq 1 ] || return 0
	ip netns add "$ns" || return 1
	ip -n "$ns" link add ens5 type veth peer name ens6 || return 1
	ip -n "$ns" link set ens5 up
	ip -n "$ns" link set ens6 up
	start=$(date +%s.%N)
	nsenter --net="/run/netns/$ns" "$vxfwd" run -f "$2" -n scale$$ >"$tmp/run.log" 2>&1 &
	pid=$!
	for _ in $(seq 600); do
		grep -qs 'forwarding from' "$tmp/run.log" && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.05
	done
	end=$(date +%s.%N)
	if grep -q 'forwarding from' "$tmp/run.log"; then
		mem=$(bpftool map show pinned "/sys/fs/bpf/vxfwd/scale$$/vxfwd_lpm" 2>/dev/null |
			sed -n 's/.*memlock \([0-9]*\)B.*/\1/p')
		printf '%-22s run: forwarding after %.2f s, LPM map %s KiB\n' "$1" \
			"$(echo "$end - $start" | bc)" "$(( ${mem:-0} / 1024 ))"
	else
		echo "$1: run did not start:" >&2
		cat "$tmp/run.log" >&2
		fail=1
	fi
	kill -TERM $pid 2>/dev/null
	wait $pid 2>/dev/null
	ip netns del "$ns"
}

fail=0
for n in 10000 100000 "$limit"; do
	gen "$n" 2 "$tmp/$n.rules"
	measure "$n addresses" "$tmp/$n.rules"
	[ "$status" -eq 0 ] || { cat "$tmp/err" >&2; fail=1; }
	[ "$status" -eq 0 ] && in_kernel "$n addresses" "$tmp/$n.rules"
done
over=$((limit + 1))
gen "$over" 2 "$tmp/over.rules"
measure "$over addresses" "$tmp/over.rules"
if [ "$status" -ne 1 ] || ! grep -q "error: more than $limit distinct prefixes" "$tmp/err"; then
	echo "rules-scale: $over addresses were not refused with the limit's error" >&2
	fail=1
fi
gen 100000 1 "$tmp/contiguous.rules"
measure "100000 contiguous" "$tmp/contiguous.rules"
[ "$status" -eq 0 ] || { cat "$tmp/err" >&2; fail=1; }
[ "$status" -eq 0 ] && in_kernel "100000 contiguous" "$tmp/contiguous.rules"
exit $fail
