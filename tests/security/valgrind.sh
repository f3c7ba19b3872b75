#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# valgrind (memcheck, leak check) on `vxfwd check`: the examples, `-v`
# (the compiled dump), standard input, and every 4th golden file, accepted
# and rejected, so that the error paths run too.  Any memcheck error or a
# definite/indirect leak fails; the exit status of check must be 0 for
# accepted files and 1 for rejected ones.
#
# The golden files run through CHECK, the build of `check` with the fixed
# host the golden test gives them (tests/rules/check_main.c), since some of
# them are errors only on a host with the lab's interfaces and addresses.
#
# usage: valgrind.sh SRCROOT VXFWD CHECK
set -u
src=$1
vxfwd=$2
golden=$3
command -v valgrind >/dev/null ||
	{ echo "FAIL: valgrind not installed (scripts/install-deps.sh installs it)"; exit 1; }

vg() {
	valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect \
		--show-leak-kinds=definite,indirect "$@"
}

fails=0
# run WANT ARGS...: check's exit status must be WANT, memcheck silent.
run() {
	want=$1
	shift
	vg "$bin" check "$@" >/dev/null 2>"$log"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "FAIL: vxfwd check $*: exit $rc, want $want"
		grep -E '^==[0-9]+==' "$log" | head -40
		fails=$((fails + 1))
	fi
	runs=$((runs + 1))
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
runs=0
bin=$vxfwd
for f in "$src"/rules/examples/*.rules; do
	run 0 -f "$f"
done
run 0 -v -f "$src/rules/examples/mirror.rules"
vg "$vxfwd" check -f - <"$src/rules/examples/mirror.rules" >/dev/null 2>"$log" ||
	{ echo "FAIL: vxfwd check -f - under valgrind"; fails=$((fails + 1)); }
i=0
bin=$golden
for f in "$src"/tests/rules/ok/*.rules; do
	i=$((i + 1))
	[ $((i % 4)) -eq 0 ] && run 0 -v -f "$f"
done
for f in "$src"/tests/rules/fail/*.rules; do
	i=$((i + 1))
	[ $((i % 4)) -eq 0 ] && run 1 -f "$f"
done
echo "valgrind: $runs runs of vxfwd check, $fails failed"
[ "$fails" -eq 0 ]
