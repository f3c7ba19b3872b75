#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# cli.sh VXFWD HACKING.md - the command-line contract: `vxfwd --help` is the
# synopsis of HACKING.md, each `vxfwd CMD --help` starts with its line and
# describes every option in it, long options parse like short ones, exit
# codes are 0 ok, 1 configuration, 2 usage, 3 runtime.
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
# Every subcommand: --help (and -h) exits 0, starts with its synopsis line
# and describes each option of that line, short and long form.
for cmd in run check reload detach stats status monitor explain doctor import-allowlist version; do
	line=$(grep -E "^(usage:|      ) vxfwd $cmd( |\$)" "$TMP/synopsis" | sed 's/^usage: *//; s/^ *//')
	"$VXFWD" "$cmd" --help >"$TMP/cmdhelp" 2>"$TMP/err"
	rc=$?
	[ $rc = 0 ] && echo "ok: vxfwd $cmd --help (exit 0)" ||
		{ echo "FAIL: vxfwd $cmd --help: exit $rc"; cat "$TMP/err"; FAILS=$((FAILS + 1)); }
	got=$(head -n 1 "$TMP/cmdhelp")
	if [ "$got" = "usage: $line" ]; then
		echo "ok: vxfwd $cmd --help starts with its synopsis"
	else
		echo "FAIL: vxfwd $cmd --help: '$got', want 'usage: $line'"; FAILS=$((FAILS + 1))
	fi
	"$VXFWD" "$cmd" -h | cmp -s - "$TMP/cmdhelp" && echo "ok: vxfwd $cmd -h is --help" ||
		{ echo "FAIL: vxfwd $cmd -h differs from --help"; FAILS=$((FAILS + 1)); }
	# The option letters of the synopsis line: "-kQv", "-B", "-j", ...
	letters=$(grep -oE '[[ ]-[A-Za-z]+' <<<"$line" | sed 's/[^A-Za-z]//g' | grep -o . | sort -u)
	for l in $letters h; do
		if grep -Eq -- "^ -$l, --[a-z][a-z-]+( <[a-z]+>)?  +[A-Z]" "$TMP/cmdhelp"; then
			echo "ok: vxfwd $cmd --help describes -$l"
		else
			echo "FAIL: vxfwd $cmd --help has no line for -$l"; FAILS=$((FAILS + 1))
		fi
	done
	n=$(grep -cE '^ -[A-Za-z], --' "$TMP/cmdhelp")
	want=$(($(wc -w <<<"$letters") + 1))
	[ "$n" = "$want" ] && echo "ok: vxfwd $cmd --help describes $n options" ||
		{ echo "FAIL: vxfwd $cmd --help describes $n options, its synopsis $want"; FAILS=$((FAILS + 1)); }
	expect 2 "$cmd with an unknown long option" "$VXFWD" "$cmd" --no-such-option
	grep -q "unrecognized option '--no-such-option'" "$TMP/err" &&
		grep -q "^usage: vxfwd $cmd" "$TMP/err" && echo "ok: $cmd names it, then its usage" ||
		{ echo "FAIL: $cmd --no-such-option: $(cat "$TMP/err")"; FAILS=$((FAILS + 1)); }
done
"$VXFWD" --version | grep -Eq '^vxfwd [0-9]+\.[0-9]+' && echo "ok: --version" ||
	{ echo "FAIL: --version"; FAILS=$((FAILS + 1)); }
if diff -u <("$VXFWD" version) <("$VXFWD" --version); then
	echo "ok: vxfwd --version is vxfwd version"
else
	echo "FAIL: vxfwd --version differs from vxfwd version"; FAILS=$((FAILS + 1))
fi
expect 2 "version with an argument" "$VXFWD" version extra
expect 2 "--version with an argument" "$VXFWD" --version extra

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
expect 2 "run --workers 0" "$VXFWD" run --workers=0
expect 2 "run --xdp-mode without its argument" "$VXFWD" run --xdp-mode
expect 2 "stats --json and --prometheus together" "$VXFWD" stats --json --prometheus
expect 2 "stats --watch 0" "$VXFWD" stats --watch 0
expect 2 "reload with --file and --name" "$VXFWD" reload --file a.rules --name a
expect 2 "check --json --verbose" "$VXFWD" check --json --verbose
expect 2 "monitor --count 0" "$VXFWD" monitor --count 0
expect 2 "import-allowlist --set without a file" "$VXFWD" import-allowlist --set x
"$VXFWD" run -b nope 2>&1 | grep -q "unknown backend: use write-fixed, send, sendmmsg, tx-ring or uring-ring" &&
	echo "ok: an unknown backend names the five backends" ||
	{ echo "FAIL: the unknown backend message does not name the backends"; FAILS=$((FAILS + 1)); }
expect 1 "run with a missing rules file" "$VXFWD" run -f "$TMP/none.rules"
expect 1 "run -b sendmmsg -w 2 with a missing rules file (options parse)" \
	"$VXFWD" run -b sendmmsg -w 2 -c 0-1 -s rr:5 -p 50 -r 1M -B 64 -Q -f "$TMP/none.rules"
expect 1 "run with a broken rules file" "$VXFWD" run -f "$TMP/broken.rules"
expect 1 "run --file with a broken rules file (long options parse)" \
	"$VXFWD" run --backend sendmmsg --workers 2 --cpus 0-1 --sched rr:5 --busy-poll 50 \
	--ring-size 1M --batch 64 --qdisc-bypass --keep-attached --verbose --name x \
	--xdp-mode generic --file "$TMP/broken.rules"
expect 1 "check --file --quiet with a broken rules file" "$VXFWD" check --quiet --file "$TMP/broken.rules"
expect 1 "check --json --file with a broken rules file" "$VXFWD" check --json --file "$TMP/broken.rules"
/usr/bin/python3 -m json.tool "$TMP/out" >/dev/null && echo "ok: check --json prints JSON" ||
	{ echo "FAIL: check --json output is not JSON"; FAILS=$((FAILS + 1)); }
expect 3 "reload of an instance that is not running" "$VXFWD" reload -n vxfengcli$$
expect 2 "detach with -f and -n" "$VXFWD" detach -f a.rules -n a
expect 0 "detach of an instance that left nothing" "$VXFWD" detach -n vxfengcli$$
grep -q "nothing attached" "$TMP/out" && echo "ok: detach says nothing was attached" ||
	{ echo "FAIL: detach output: $(cat "$TMP/out")"; FAILS=$((FAILS + 1)); }
expect 3 "stats of an instance that is not running" "$VXFWD" stats -n vxfengcli$$
expect 3 "stats --json --name of an instance that is not running" \
	"$VXFWD" stats --json --name vxfengcli$$
expect 3 "status --json --name of an instance that is not running" \
	"$VXFWD" status --json --name vxfengcli$$
expect 3 "monitor --name of an instance that is not running" "$VXFWD" monitor --name vxfengcli$$
expect 0 "detach --name of an instance that left nothing" "$VXFWD" detach --name vxfengcli$$
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
expect 1 "explain --file with a broken rules file, --json after the packet" \
	"$VXFWD" explain --file "$TMP/broken.rules" udp 198.51.100.10 10.0.0.1:1 --json
expect 0 "version" "$VXFWD" version
grep -q '^liburing ' "$TMP/out" && grep -q '^libbpf ' "$TMP/out" && grep -q '^kernel ' "$TMP/out" &&
	echo "ok: version names libbpf, liburing and the kernel" ||
	{ echo "FAIL: version output"; FAILS=$((FAILS + 1)); }
[ $FAILS = 0 ] && { echo PASS; exit 0; }
echo "$FAILS failure(s)"
exit 1
