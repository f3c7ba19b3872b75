#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# import.sh VXFWD - `vxfwd import-allowlist`: the previous system's JSON
# allowlist (import/*.json, made up for these tests) as sets that `check`
# accepts as they are; JSON syntax errors at their line and column, values of
# the wrong shape by their path; usage errors.
set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/test.sh
. "$here/../lib/test.sh"
t_vxfwd_tmp import.sh "$@"
fail=0

bad() {
	echo "FAIL $1" >&2
	[ -s "$tmp/out" ] && sed 's/^/  out: /' "$tmp/out" >&2
	[ -s "$tmp/err" ] && sed 's/^/  err: /' "$tmp/err" >&2
	fail=$((fail + 1))
}

# run NAME STATUS ARGS...: exit status as expected
run() {
	name=$1 status=$2
	shift 2
	"$vxfwd" import-allowlist "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" -eq "$status" ] || { bad "$name: exit $got, expected $status"; return 1; }
	return 0
}

# same NAME FILE TEXT: FILE is exactly TEXT
same() {
	printf '%s\n' "$3" >"$tmp/want"
	if diff -u "$tmp/want" "$2" >"$tmp/diff"; then
		echo "ok $1"
	else
		bad "$1"
		cat "$tmp/diff" >&2
	fi
}

# check_sets FILE SET [TARGET]: rules that use the imported sets, checked as
# they are (TARGET: the rule's DNAT target, IPv4 unless given)
check_sets() {
	cp "$1" "$tmp/sets.rules"
	cat >"$tmp/use.rules" <<RULES
ingress ens5 { vni 1 }
egress ens6
include "sets.rules"
forward udp from @$2 to port 31765 dnat ${3:-172.30.82.95} port 8081
RULES
	chmod 644 "$tmp/sets.rules" "$tmp/use.rules"
	"$vxfwd" check -v -f "$tmp/use.rules" >"$tmp/check.out" 2>"$tmp/check.err"
}

cd "$here/import" || exit 99

if run allowlist 0 allowlist.json; then
	cp "$tmp/out" "$tmp/allowlist.rules"
	same allowlist-text "$tmp/allowlist.rules" "# Imported by \`vxfwd import-allowlist\` from allowlist.json:
# 3 organizations, 6 of their addresses and prefixes, 2 of flat_ip_list under no organization.

# The addresses of flat_ip_list that no organization holds: their
# traffic is forwarded through @allowlist and counted under no organization.
set allowlist_unassigned {
	198.18.0.7
	100.64.0.0/24
}

set allowlist {
	org \"Example Org\" id 1001 {
		198.51.100.10
		198.51.100.11
		203.0.113.0/28
		198.51.100.12
	}
	org \"Other Org, Inc.\" id 42 {
		192.0.2.1
		198.51.100.10
	}
	org \"Empty Org\" id 7 {
	}
	@allowlist_unassigned
}"
	same allowlist-warning "$tmp/err" "allowlist.json: warning: 198.51.100.10/32 is in organizations 'Example Org' and 'Other Org, Inc.'; vxfwd counts it under 'Example Org'"
	if check_sets "$tmp/allowlist.rules" allowlist &&
	   grep -q '^lpm 198.51.100.10/31 sets=0x2 org=1 ("Example Org" id 1001)$' "$tmp/check.out" &&
	   grep -q '^lpm 100.64.0.0/24 sets=0x3 org=0$' "$tmp/check.out" &&
	   grep -q '^lpm 192.0.2.1/32 sets=0x2 org=2 ("Other Org, Inc." id 42)$' "$tmp/check.out" &&
	   grep -q '^org 3 "Empty Org" id 7$' "$tmp/check.out"; then
		echo "ok allowlist-check"
	else
		cp "$tmp/check.out" "$tmp/out"
		cp "$tmp/check.err" "$tmp/err"
		bad "allowlist-check: check refused or compiled differently"
	fi
fi

if run flat-only 0 -s legacy flat-only.json; then
	same flat-only-text "$tmp/out" "# Imported by \`vxfwd import-allowlist\` from flat-only.json:
# 0 organizations, 0 of their addresses and prefixes, 2 of flat_ip_list under no organization.

# The addresses of flat_ip_list that no organization holds: their
# traffic is forwarded through @legacy and counted under no organization.
set legacy_unassigned {
	192.0.2.10
	192.0.2.11
}

set legacy {
	@legacy_unassigned
}"
	cp "$tmp/out" "$tmp/legacy.rules"
	check_sets "$tmp/legacy.rules" legacy && echo "ok flat-only-check" ||
		bad "flat-only-check: $(cat "$tmp/check.err")"
fi

run stdin 0 - <flat-only.json && grep -q '^set legacy' "$tmp/out" && bad "stdin: wrong set name"
grep -q '^# Imported by `vxfwd import-allowlist` from -:$' "$tmp/out" && echo "ok stdin" || bad "stdin"

run trailing-comma 1 trailing-comma.json &&
	same trailing-comma-err "$tmp/err" "trailing-comma.json:3:58: error: invalid JSON: unexpected character"
run truncated 1 truncated.json &&
	same truncated-err "$tmp/err" "truncated.json:4:1: error: invalid JSON: unexpected end of file"
run two-documents 1 two-documents.json &&
	same two-documents-err "$tmp/err" "two-documents.json:2:1: error: invalid JSON: unexpected character"
run bad-values 1 bad-values.json &&
	same bad-values-err "$tmp/err" "bad-values.json: error: organizations[0].org_id: org_id '10a' is not a string of digits
bad-values.json: error: organizations[1].ips[0]: '192.0.2.300' is not an IPv4 address or prefix
bad-values.json: error: organizations[1].ips[2]: expected an address as a string
bad-values.json: error: organizations[1].ips[3]: '192.0.2.0/33' is not an IPv4 address or prefix
bad-values.json: warning: organizations[1].ips[4]: prefix 192.0.2.1/24 has host bits set; using 192.0.2.0/24
bad-values.json: error: organizations[2].org_name: org_name 'Quote \" Org' holds a '\"' or a control character, which a rules file cannot hold
bad-values.json: error: organizations[3]: organization 'Bad Ips' id 13 conflicts with organization 'Bad Ips' id 11 (organizations[0])
bad-values.json: error: organizations[4]: org_name missing or not a string
bad-values.json: error: flat_ip_list[1]: 'not an address' is not an IPv4 address or prefix"
[ -s "$tmp/out" ] && bad "bad-values: printed sets"

# IPv6 beside IPv4 in one organization: written as the rules language writes
# them (RFC 5952), host bits cleared with the language's warning, a flat
# entry inside an organization's IPv6 prefix dropped, a shared /128 warned of
if run mixed 0 mixed.json; then
	cp "$tmp/out" "$tmp/mixed.rules"
	same mixed-text "$tmp/mixed.rules" "# Imported by \`vxfwd import-allowlist\` from mixed.json:
# 2 organizations, 6 of their addresses and prefixes, 3 of flat_ip_list under no organization.

# The addresses of flat_ip_list that no organization holds: their
# traffic is forwarded through @allowlist and counted under no organization.
set allowlist_unassigned {
	2001:db8:300::/64
	192.0.2.200
	203.0.113.0/24
}

set allowlist {
	org \"Dual Org\" id 501 {
		198.51.100.20
		2001:db8::10
		2001:db8:100::/48
	}
	org \"Six Org\" id 502 {
		2001:db8:200::/40
		2001:db8::10
		::ffff:192.0.2.9
	}
	@allowlist_unassigned
}"
	same mixed-warnings "$tmp/err" "mixed.json: warning: organizations[1].ips[0]: prefix 2001:db8:200::1/40 has host bits set; using 2001:db8:200::/40
mixed.json: warning: flat_ip_list[4]: prefix 203.0.113.1/24 has host bits set; using 203.0.113.0/24
mixed.json: warning: 2001:db8::10/128 is in organizations 'Dual Org' and 'Six Org'; vxfwd counts it under 'Dual Org'"
	if check_sets "$tmp/mixed.rules" allowlist 2001:db8:ffff::95 &&
	   grep -q '^lpm6 2001:db8::10/128 sets=0x2 org=1 ("Dual Org" id 501)$' "$tmp/check.out" &&
	   grep -q '^lpm6 2001:db8:200::/40 sets=0x2 org=2 ("Six Org" id 502)$' "$tmp/check.out" &&
	   grep -q '^lpm6 2001:db8:300::/64 sets=0x3 org=0$' "$tmp/check.out" &&
	   ! grep -q '2001:db8:100:5::' "$tmp/check.out" &&
	   check_sets "$tmp/mixed.rules" allowlist &&
	   grep -q '^lpm 198.51.100.20/32 sets=0x2 org=1 ("Dual Org" id 501)$' "$tmp/check.out"; then
		echo "ok mixed-check"
	else
		cp "$tmp/check.out" "$tmp/out"
		cp "$tmp/check.err" "$tmp/err"
		bad "mixed-check: check refused or compiled differently"
	fi
fi

# IPv6 only: the sets must compile for an IPv6 rule (an IPv4 one would see nothing)
if run v6-only 0 v6-only.json; then
	grep -q '^	2001:db8:bb::/56$' "$tmp/out" && echo "ok v6-only-text" || bad "v6-only-text"
	cp "$tmp/out" "$tmp/v6.rules"
	check_sets "$tmp/v6.rules" allowlist 2001:db8:ffff::95 && echo "ok v6-only-check" ||
		bad "v6-only-check: $(cat "$tmp/check.err")"
fi

run bad-v6 1 bad-v6.json &&
	same bad-v6-err "$tmp/err" "bad-v6.json: error: organizations[0].ips[0]: '2001:db8::g' is not an IPv6 address or prefix
bad-v6.json: error: organizations[0].ips[1]: '2001:db8::/129' is not an IPv6 address or prefix
bad-v6.json: error: organizations[0].ips[2]: '2001:db8::/0064' is not an IPv6 address or prefix
bad-v6.json: error: organizations[0].ips[3]: '2001:db8:::1' is not an IPv6 address or prefix
bad-v6.json: error: organizations[0].ips[4]: '2001:db8::1/' is not an IPv6 address or prefix
bad-v6.json: error: organizations[0].ips[5]: '1.2.3.4/64' is not an IPv4 address or prefix
bad-v6.json: error: flat_ip_list[0]: 'fe80::1%eth0' is not an IPv6 address or prefix
bad-v6.json: error: flat_ip_list[1]: '2001:db8::/-1' is not an IPv6 address or prefix"
[ -s "$tmp/out" ] && bad "bad-v6: printed sets"

run missing 1 nope.json &&
	same missing-err "$tmp/err" "nope.json: error: cannot read the allowlist: No such file or directory"
run usage-none 2 && grep -q '^usage: vxfwd import-allowlist \[-s set\] file$' "$tmp/err" &&
	echo "ok usage-none"
run usage-two 2 a.json b.json && echo "ok usage-two"
run usage-set 2 -s '1bad' allowlist.json && echo "ok usage-set"
"$vxfwd" import-allowlist --help | grep -q '^usage: vxfwd import-allowlist' && echo "ok help" ||
	bad "help"

python3 -c 'import json, sys
json.dump({"organizations": [{"org_name": "O%d" % i, "org_id": str(i), "ips": ["10.0.%d.%d" % (i // 256, i % 256)]}
                             for i in range(300)]}, open(sys.argv[1], "w"))' "$tmp/many.json"
run too-many-orgs 1 "$tmp/many.json" &&
	same too-many-orgs-err "$tmp/err" "$tmp/many.json: error: organizations: 300 organizations; vxfwd counts at most 256"

# a large list: 50 organizations of 200 addresses, a flat list of 10,000
python3 - "$tmp/big.json" <<'PY'
import json, sys
orgs = [{"org_name": "Org %d" % o, "org_id": str(5000 + o),
         "ips": ["10.%d.%d.%d" % (o, i // 256, i % 256) for i in range(200)]} for o in range(50)]
flat = ["10.%d.%d.%d" % (o, i // 256, i % 256) for o in range(100) for i in range(100)]
json.dump({"organizations": orgs, "flat_ip_list": flat}, open(sys.argv[1], "w"))
PY
if run big 0 "$tmp/big.json"; then
	cp "$tmp/out" "$tmp/big.rules"
	n=$(grep -c '^		10\.' "$tmp/big.rules")
	u=$(sed -n '/^set allowlist_unassigned/,/^}/p' "$tmp/big.rules" | grep -c '^	10\.')
	if [ "$n" -eq 10000 ] && [ "$u" -eq 5000 ] && check_sets "$tmp/big.rules" allowlist; then
		echo "ok big: 10000 organizations' addresses, 5000 unassigned, check accepts them"
	else
		bad "big: $n in organizations, $u unassigned; $(head -3 "$tmp/check.err")"
	fi
fi

[ $fail -eq 0 ] || { echo "import: $fail failed" >&2; exit 1; }
echo "import: all passed"
