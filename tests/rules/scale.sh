#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# scale.sh VXFWD - the LPM limit at its real size: VXFWD_MAX_PREFIXES
# addresses that cannot merge are accepted, one more is refused with a
# located error, and 100,000 addresses that do merge take few entries.
# (Times are measured by bench/rules-scale.sh, not asserted here.)
set -u

vxfwd=${1:?usage: scale.sh VXFWD}
here=$(cd "$(dirname "$0")" && pwd)
limit=$(sed -n 's/^#define VXFWD_MAX_PREFIXES \([0-9]*\).*/\1/p' "$here/../../bpf/vxfwd_abi.h")
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0

# gen N STEP: N addresses STEP apart from 10.0.0.0 in 100 organizations
gen() {
	awk -v n="$1" -v step="$2" -v orgs=100 -v idbase=0 -v set=big -v ingress=lo \
		-v egress=nosuchif0 -v rule="forward udp from @big to port 53 dnat 192.0.2.1" \
		-f "$here/allowlist.awk"
}

gen "$limit" 2 >"$tmp/limit.rules"
if "$vxfwd" check -v -f "$tmp/limit.rules" >"$tmp/out" 2>"$tmp/err" &&
   [ "$(grep -c '^lpm ' "$tmp/out")" -eq "$limit" ]; then
	echo "ok limit: $limit entries accepted"
else
	echo "FAIL limit: $limit addresses not accepted as $limit entries" >&2
	head -5 "$tmp/err" >&2
	fail=1
fi

gen $((limit + 1)) 2 >"$tmp/over.rules"
line=$(grep -n "^		$(awk -v a=$((167772160 + 2 * limit)) 'BEGIN { printf "%d.%d.%d.%d", int(a / 16777216), int(a / 65536) % 256, int(a / 256) % 256, a % 256 }')\$" "$tmp/over.rules" | cut -d: -f1)
"$vxfwd" check -q -f "$tmp/over.rules" >"$tmp/out" 2>"$tmp/err"
status=$?
if [ $status -eq 1 ] && [ ! -s "$tmp/out" ] &&
   grep -q "^$tmp/over.rules:$line:3: error: more than $limit distinct prefixes in sets ($((limit + 1)) after merging adjacent ones)$" "$tmp/err"; then
	echo "ok over-limit: refused at line $line"
else
	echo "FAIL over-limit: exit $status, expected the error at line $line" >&2
	head -5 "$tmp/err" >&2
	fail=1
fi

gen 100000 1 >"$tmp/contiguous.rules"
if "$vxfwd" check -v -f "$tmp/contiguous.rules" >"$tmp/out" 2>"$tmp/err" &&
   grep -q '^lpm-merge prefixes=100000 entries=' "$tmp/out" &&
   [ "$(grep -c '^lpm ' "$tmp/out")" -lt 1000 ]; then
	echo "ok contiguous: 100000 addresses in $(grep -c '^lpm ' "$tmp/out") entries"
else
	echo "FAIL contiguous: $(grep '^lpm-merge' "$tmp/out")" >&2
	head -5 "$tmp/err" >&2
	fail=1
fi
exit $fail
