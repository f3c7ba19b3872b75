#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# golden.sh [--host] VXFWD [DIR...] - the rules language's golden tests.
#
#   ok/NAME.rules     must pass `VXFWD check -v`; stdout must equal ok/NAME.out
#                     and stderr ok/NAME.err (no file: must be empty).
#   fail/NAME.rules   must fail with exit 1, nothing on stdout, and stderr
#                     equal to fail/NAME.err, carets included.
#   examples/NAME.out `check -v` of rules/examples/NAME.rules.
#   strict/NAME.rules `VXFWD run` (the daemon: --host only) must refuse it
#                     with exit 1, nothing on stdout, and stderr equal to
#                     strict/NAME.err: interfaces the host lacks are errors.
#
# Runs from this directory so that paths in diagnostics are stable.  The
# interfaces the files name are checked against a host on which lo, ens5 and
# ens6 exist and nothing else (with the lab's addresses, 172.30.82.108/24 and
# .192/24, for the health listener's side): VXFWD is check_main.c's build, whose host is
# that list, and any user runs it.  With --host VXFWD is the daemon, which
# asks the kernel: it runs in a private network namespace holding those
# three (root; exit 77 otherwise).  UPDATE=1 rewrites the expected files
# from the actual output (review the diff before committing).  DIR limits
# the run to ok/, fail/ or another directory of cases (limits/).
set -u

host=
if [ "${1:-}" = --host ]; then
	host=1
	shift
fi
vxfwd=${1:?usage: golden.sh [--host] VXFWD [DIR...]}
shift
here=$(cd "$(dirname "$0")" && pwd)
case $vxfwd in /*) ;; *) vxfwd=$(pwd)/$vxfwd ;; esac

if [ -n "$host" ] && [ -z "${VXFWD_GOLDEN_NETNS:-}" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "golden: needs root for a network namespace: skipped" >&2
		exit 77
	fi
	if ! err=$(unshare --net true 2>&1); then
		echo "golden: unshare --net: $err" >&2
		[ -e /proc/self/ns/net ] && exit 1
		echo "golden: the kernel has no network namespaces (CONFIG_NET_NS): skipped" >&2
		exit 77
	fi
	VXFWD_GOLDEN_NETNS=1 exec unshare --net sh -c '
		ip link add ens5 type veth peer name ens6 || exit 99
		ip addr add 172.30.82.108/24 dev ens5 || exit 99
		ip addr add 172.30.82.192/24 dev ens6 || exit 99
		exec sh "$0" "$@"' "$here/golden.sh" --host "$vxfwd" "$@"
fi

cd "$here" || exit 99
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM

pass=0
fail=0

# compare EXPECTED ACTUAL CASE WHAT
compare() {
	if [ -n "${UPDATE:-}" ]; then
		if [ -s "$2" ] || [ "$4" = out ] || [ -e "$1" ]; then
			cp "$2" "$1"
		fi
		[ -s "$1" ] || [ "$4" = out ] || rm -f "$1"
		return 0
	fi
	if [ -e "$1" ]; then
		diff -u "$1" "$2" >"$tmp/diff" && return 0
	else
		[ -s "$2" ] || return 0
		diff -u /dev/null "$2" >"$tmp/diff"
	fi
	echo "FAIL $3: $4 differs" >&2
	cat "$tmp/diff" >&2
	return 1
}

# run_case FILE EXPECTED_STATUS OUT ERR NAME [COMMAND...]  (default: VXFWD check -v)
run_case() {
	file=$1 want=$2 out=$3 err=$4 name=$5
	shift 5
	[ $# -gt 0 ] || set -- "$vxfwd" check -v
	"$@" -f "$file" >"$tmp/out" 2>"$tmp/err"
	status=$?
	ok=1
	if [ "$status" -ne "$want" ]; then
		echo "FAIL $name: exit status $status, expected $want" >&2
		cat "$tmp/err" >&2
		ok=0
	fi
	if [ -n "$out" ]; then
		compare "$out" "$tmp/out" "$name" out || ok=0
	elif [ -s "$tmp/out" ]; then
		echo "FAIL $name: unexpected output on stdout" >&2
		cat "$tmp/out" >&2
		ok=0
	fi
	compare "$err" "$tmp/err" "$name" err || ok=0
	if [ $ok -eq 1 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
}

dirs=${*:-ok fail examples${host:+ strict}}
for dir in $dirs; do
	case $dir in
	ok|limits-ok)
		for f in "$dir"/*.rules; do
			[ -e "$f" ] || continue
			run_case "$f" 0 "${f%.rules}.out" "${f%.rules}.err" "$f"
		done ;;
	fail|limits)
		for f in "$dir"/*.rules; do
			[ -e "$f" ] || continue
			run_case "$f" 1 "" "${f%.rules}.err" "$f"
		done ;;
	examples)
		for f in ../../rules/examples/*.rules; do
			n=examples/$(basename "${f%.rules}")
			run_case "$f" 0 "$n.out" "$n.err" "$f"
		done ;;
	strict)
		if [ -z "$host" ]; then
			echo "golden: strict/ needs the daemon (--host)" >&2
			exit 99
		fi
		# It never gets past the rules; the timeout ends one that would.
		for f in "$dir"/*.rules; do
			[ -e "$f" ] || continue
			run_case "$f" 1 "" "${f%.rules}.err" "$f" \
				timeout 10 "$vxfwd" run -n "golden$$"
		done ;;
	*)
		echo "golden: unknown case directory '$dir'" >&2
		exit 99 ;;
	esac
done

echo "golden: $pass passed, $fail failed"
[ $fail -eq 0 ] && [ $pass -gt 0 ]
