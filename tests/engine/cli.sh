#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# cli.sh VXFWD HACKING.md - the command-line contract: `vxfwd --help` is the
# synopsis of HACKING.md, each `vxfwd CMD --help` is its line, exit codes
# are 0 ok, 1 configuration, 2 usage, 3 runtime.
set -u
VXFWD=${1:?usage: cli.sh vxfwd HACKING.md}
HACKING=${2:?usage: cli.sh vxfwd HACKING.md}
TMP=$(mktemp -d /tmp/vxfengcli.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
FAILS=0

expect() {	# want-status description command...
	local want=$1 what=$2 got
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	if [ "$got" = "$want" ]; then
		echo "ok: $what (exit $got)"
	else
		echo "FAIL: $what: exit $got, want $want"; cat "$TMP/err"
		FAILS=$((FAILS + 1))
	fi
}

sed -n '/^usage: vxfwd run/,/^```/p' "$HACKING" | sed '$d' > "$TMP/synopsis"
[ -s "$TMP/synopsis" ] || { echo "FAIL: no synopsis in $HACKING"; exit 1; }
"$VXFWD" --help > "$TMP/help"
if diff -u "$TMP/synopsis" "$TMP/help"; then
	echo "ok: vxfwd --help is HACKING.md's synopsis"
else
	echo "FAIL: vxfwd --help differs from HACKING.md"; FAILS=$((FAILS + 1))
fi
for cmd in run check reload detach stats status monitor explain doctor version; do
	line=$(grep -E "^(usage:|      ) vxfwd $cmd( |\$)" "$TMP/synopsis" | sed 's/^usage: *//; s/^ *//')
	got=$("$VXFWD" "$cmd" --help)
	if [ "$got" = "usage: $line" ]; then
		echo "ok: vxfwd $cmd --help"
	else
		echo "FAIL: vxfwd $cmd --help: '$got', want 'usage: $line'"; FAILS=$((FAILS + 1))
	fi
done
"$VXFWD" --version | grep -Eq '^vxfwd [0-9]+\.[0-9]+' && echo "ok: --version" ||
	{ echo "FAIL: --version"; FAILS=$((FAILS + 1)); }

printf 'ingress lo {\n' > "$TMP/broken.rules"
expect 2 "no command" "$VXFWD"
expect 2 "unknown command" "$VXFWD" frobnicate
expect 2 "run with an unknown option" "$VXFWD" run -Z
expect 2 "run -x with an unknown mode" "$VXFWD" run -x turbo
expect 2 "stats -j and -p together" "$VXFWD" stats -j -p
expect 2 "reload with -f and -n" "$VXFWD" reload -f a.rules -n a
expect 2 "run -b with an unknown backend" "$VXFWD" run -b carrier-pigeon
expect 2 "run -w 0" "$VXFWD" run -w 0
expect 2 "run -w 17 (more than 16 workers)" "$VXFWD" run -w 17
expect 2 "run -c with a reversed range" "$VXFWD" run -c 3-1
expect 2 "run -c with garbage" "$VXFWD" run -c 0,x
expect 2 "run -s fifo without a priority" "$VXFWD" run -s fifo
expect 2 "run -s fifo:100" "$VXFWD" run -s fifo:100
expect 2 "run -p 10001" "$VXFWD" run -p 10001
expect 2 "run -r not a power of two" "$VXFWD" run -r 3M
expect 2 "run -r below 64K" "$VXFWD" run -r 32K
expect 2 "run -B 0" "$VXFWD" run -B 0
expect 2 "run --backend with an unknown backend" "$VXFWD" run --backend nope
"$VXFWD" run -b nope 2>&1 | grep -q "unknown backend: use write-fixed, send, sendmmsg or tx-ring" &&
	echo "ok: an unknown backend names the four backends" ||
	{ echo "FAIL: the unknown backend message does not name the backends"; FAILS=$((FAILS + 1)); }
expect 1 "run with a missing rules file" "$VXFWD" run -f "$TMP/none.rules"
expect 1 "run -b sendmmsg -w 2 with a missing rules file (options parse)" \
	"$VXFWD" run -b sendmmsg -w 2 -c 0-1 -s rr:5 -p 50 -r 1M -B 64 -Q -f "$TMP/none.rules"
expect 1 "run with a broken rules file" "$VXFWD" run -f "$TMP/broken.rules"
expect 3 "reload of an instance that is not running" "$VXFWD" reload -n vxfengcli$$
expect 2 "detach with -f and -n" "$VXFWD" detach -f a.rules -n a
expect 0 "detach of an instance that left nothing" "$VXFWD" detach -n vxfengcli$$
grep -q "nothing attached" "$TMP/out" && echo "ok: detach says nothing was attached" ||
	{ echo "FAIL: detach output: $(cat "$TMP/out")"; FAILS=$((FAILS + 1)); }
expect 3 "stats of an instance that is not running" "$VXFWD" stats -n vxfengcli$$
expect 2 "status with an argument" "$VXFWD" status extra
expect 3 "status -n of an instance that is not running" "$VXFWD" status -n vxfengcli$$
grep -q "vxfengcli$$: not running" "$TMP/err" && echo "ok: status says 'not running'" ||
	{ echo "FAIL: status stderr: $(cat "$TMP/err")"; FAILS=$((FAILS + 1)); }
expect 2 "monitor -c 0" "$VXFWD" monitor -c 0
expect 2 "monitor -r with garbage" "$VXFWD" monitor -r fast
expect 2 "monitor with an argument" "$VXFWD" monitor extra
expect 3 "monitor of an instance that is not running" "$VXFWD" monitor -n vxfengcli$$
"$VXFWD" stats -p -n vxfengcli$$ 2>/dev/null | grep -qx 'vxfwd_up{instance="vxfengcli'$$'"} 0' &&
	echo "ok: stats -p of an instance that is not running: vxfwd_up 0" ||
	{ echo "FAIL: stats -p of an instance that is not running: no vxfwd_up 0"; FAILS=$((FAILS + 1)); }
"$VXFWD" stats -n vxfengcli$$ 2>&1 >/dev/null | grep -q "vxfengcli$$: not running" &&
	echo "ok: stats of an instance that is not running says so" ||
	{ echo "FAIL: stats of an instance that is not running does not say so"; FAILS=$((FAILS + 1)); }
expect 2 "explain without a packet" "$VXFWD" explain -f "$TMP/none.rules"
expect 2 "explain with an unknown protocol" "$VXFWD" explain icmp 198.51.100.10 10.0.0.1:1
expect 2 "explain without a destination port" "$VXFWD" explain udp 198.51.100.10 10.0.0.1
expect 2 "explain with a VNI beyond 24 bits" "$VXFWD" explain udp 198.51.100.10 10.0.0.1:1 vni 16777216
expect 2 "explain with -f and -n" "$VXFWD" explain -f a.rules -n a udp 198.51.100.10 10.0.0.1:1
expect 1 "explain with a broken rules file" "$VXFWD" explain -f "$TMP/broken.rules" udp 198.51.100.10 10.0.0.1:1
expect 3 "explain -n of an instance that is not running" "$VXFWD" explain -n vxfengcli$$ udp 198.51.100.10 10.0.0.1:1
expect 0 "version" "$VXFWD" version
grep -q '^liburing ' "$TMP/out" && grep -q '^libbpf ' "$TMP/out" && grep -q '^kernel ' "$TMP/out" &&
	echo "ok: version names libbpf, liburing and the kernel" ||
	{ echo "FAIL: version output"; FAILS=$((FAILS + 1)); }
[ $FAILS = 0 ] && { echo PASS; exit 0; }
echo "$FAILS failure(s)"
exit 1
