#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# cli.sh VXFWD - the `vxfwd check` command line: exit statuses, -q, -v,
# standard input, unreadable and world-writable files.
set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/test.sh
. "$here/../lib/test.sh"
t_vxfwd_tmp cli.sh "$@"
fail=0
good=$here/ok/minimal.rules

# expect NAME STATUS STDOUT-PATTERN STDERR-PATTERN -- ARGS...
# (patterns: grep -E; "" = empty; "any" = not looked at, empty or not)
expect() {
	name=$1 status=$2 out=$3 err=$4
	shift 5
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	ok=1
	[ "$got" -eq "$status" ] || { echo "FAIL $name: exit $got, expected $status" >&2; ok=0; }
	if [ -z "$out" ]; then
		[ ! -s "$tmp/out" ] || { echo "FAIL $name: stdout not empty" >&2; ok=0; }
	else
		grep -Eq "$out" "$tmp/out" || { echo "FAIL $name: stdout lacks /$out/" >&2; ok=0; }
	fi
	if [ "$err" = any ]; then
		:
	elif [ -z "$err" ]; then
		[ ! -s "$tmp/err" ] || { echo "FAIL $name: stderr not empty" >&2; ok=0; }
	else
		grep -Eq "$err" "$tmp/err" || { echo "FAIL $name: stderr lacks /$err/" >&2; ok=0; }
	fi
	if [ $ok -eq 0 ]; then
		sed 's/^/  out: /' "$tmp/out" >&2
		sed 's/^/  err: /' "$tmp/err" >&2
		fail=$((fail + 1))
	else
		echo "ok $name"
	fi
}

cp "$good" "$tmp/good.rules"
chmod 644 "$tmp/good.rules"
cd "$tmp" || exit 99
# interface warnings depend on the host: -q keeps them out of stderr
expect quiet 0 '' '' -- "$vxfwd" check -q -f good.rules
expect ok-words 0 '^configuration OK$' any -- "$vxfwd" check -f good.rules
expect verbose 0 '^rule 0 udp dport=53 ' any -- "$vxfwd" check -v -f good.rules
expect stdin 0 '' '' -- sh -c "\"$vxfwd\" check -q -f - < good.rules"
expect stdin-name 1 '' '^<stdin>:1:1: error: unknown keyword' -- \
	sh -c "printf 'ingres ens5 { vni 1 }\n' | \"$vxfwd\" check -f -"
expect missing 1 '' 'nope.rules: cannot read the rules: No such file or directory' -- \
	"$vxfwd" check -f nope.rules
expect directory 1 '' 'cannot read the rules: Is a directory' -- "$vxfwd" check -f .
expect usage-option 2 '' '^usage: vxfwd check \[-jqv\] \[-f file\]$' -- "$vxfwd" check -x
expect usage-operand 2 '' '^usage: vxfwd check' -- "$vxfwd" check -f good.rules extra
expect usage-qv 2 '' '^usage: vxfwd check' -- "$vxfwd" check -q -v -f good.rules
expect help 0 '^usage: vxfwd check' '' -- "$vxfwd" check -h
cp good.rules ww.rules
chmod 666 ww.rules
expect world-writable 1 '' "ww.rules: refusing a world-writable rules file; run 'chmod o-w ww.rules'" -- \
	"$vxfwd" check -f ww.rules
mkdir inc
printf 'set s { 192.0.2.1 }\n' > inc/ww.rules
chmod 666 inc/ww.rules
{ cat good.rules; printf 'include "inc/ww.rules"\n'; } > incl.rules
expect world-writable-include 1 '' "^incl.rules:5:9: error: inc/ww.rules: refusing a world-writable" -- \
	"$vxfwd" check -f incl.rules
expect errors-only-q 1 '' 'error: unknown keyword' -- \
	sh -c "printf 'ingres ens5 { vni 1 }\n' | \"$vxfwd\" check -q -f -"

# -j: one JSON object on stdout, nothing on stderr, the same exit status
expect json-ok 0 '"valid": true' '' -- "$vxfwd" check -j -q -f good.rules
expect json-usage-v 2 '' '^usage: vxfwd check' -- "$vxfwd" check -j -v -f good.rules
expect json-missing 1 '"message": "cannot read the rules: No such file or directory"' '' -- \
	"$vxfwd" check -j -f nope.rules
printf 'ingress ens5 { vni 1 }\negress ens6\nset s {\n\t198.51.100.1\nforward udp from @s to port 53 dnat 192.0.2.1\n' > brace.rules
"$vxfwd" check -j -q -f brace.rules >"$tmp/j.out" 2>"$tmp/j.err"
status=$?
if [ $status -eq 1 ] && [ ! -s "$tmp/j.err" ] && python3 - "$tmp/j.out" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["valid"] is False and d["errors"] == 1, d
(e,) = d["diagnostics"]
assert (e["file"], e["line"], e["column"], e["severity"]) == ("brace.rules", 5, 1, "error"), e
assert e["message"] == "missing '}' before 'forward': set 's' is not closed", e
(n,) = e["notes"]
assert (n["line"], n["column"], n["severity"]) == (3, 7, "note"), n
EOF
then
	echo "ok json-diagnostic"
else
	echo "FAIL json-diagnostic: exit $status" >&2
	cat "$tmp/j.out" "$tmp/j.err" >&2
	fail=$((fail + 1))
fi

printf 'set t { 198.51.100.300 }\n' > inc/bad.rules
chmod 644 inc/bad.rules
{ cat good.rules; printf 'include "inc/bad.rules"\n'; } > incl-bad.rules
expect json-included-from 1 '"included_from": \{ "file": "incl-bad.rules", "line": 5 \}' '' -- \
	sh -c "\"$vxfwd\" check -j -q -f incl-bad.rules >j.json; s=\$?; tr -s ' \n' ' ' <j.json; exit \$s"

# the scale example: 324 addresses, contiguous runs of one organization merged
# into 87 LPM entries, every organization a slot
"$vxfwd" check -v -f "$here/../../rules/examples/exporters.rules" >"$tmp/x.out" 2>/dev/null
lpm=$(grep -c '^lpm ' "$tmp/x.out")
orgs=$(grep -c '^org ' "$tmp/x.out")
if [ "$lpm" -eq 87 ] && [ "$orgs" -eq 16 ] &&
   grep -q '^lpm-merge prefixes=324 entries=87$' "$tmp/x.out"; then
	echo "ok exporters: 324 addresses in 87 LPM entries, 16 organizations"
else
	echo "FAIL exporters: $lpm LPM entries, $orgs organizations; expected 87 and 16" >&2
	fail=$((fail + 1))
fi

# the complete example of vxfwd.rules(5) is a valid file
awk '/^# \/etc\/vxfwd\/vxfwd.rules/ { p = 1 } p && /^\.Ed/ { p = 0 } p' \
	"$here/../../man/vxfwd.rules.5" >"$tmp/manual.rules"
expect manual-example 0 '^rule 2 tcp dport=514 src=!0x2 ' any -- \
	"$vxfwd" check -v -f "$tmp/manual.rules"

[ $fail -eq 0 ] || { echo "cli: $fail failed" >&2; exit 1; }
echo "cli: all passed"
