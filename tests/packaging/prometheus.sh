#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# prometheus.sh RULES TESTS - the alert rules shipped in the packages
# (packaging/prometheus/vxfwd-alerts.yml): `promtool check rules` on them,
# `promtool test rules` with the unit tests TESTS (series that fire each
# alert and series that must not), then the same unit tests against copies
# of the rules that are each wrong in one way (an alert renamed, a `for`
# removed, a threshold or a label filter changed): every copy must fail
# them, which shows that the unit tests see each alert fire, see it held by
# its `for`, and see its threshold.
#
# promtool comes with Debian's prometheus package (scripts/install-deps.sh).
# Without it the test fails as root on Debian, where install-deps.sh would
# have installed it, and skips elsewhere.  It starts no Prometheus.
set -u

rules=$(realpath "$1")
tests=$(realpath "$2")
# shellcheck source=tests/lib/test.sh
. "$(dirname "$0")/../lib/test.sh"

if ! command -v promtool >/dev/null; then
	if [ "$(id -u)" -eq 0 ] && [ -f /etc/debian_version ]; then
		echo "FAIL: promtool not installed (package prometheus; scripts/install-deps.sh installs it)"
		exit $T_EXIT_FAIL
	fi
	t_skip "promtool not installed and not root on Debian (package prometheus)"
fi
t_tmpdir

# The unit tests name the rules file by its base name, beside them.
cp "$tests" "$T_TMP/vxfwd-alerts.test.yml"

# run_tests RULESFILE: promtool test rules with RULESFILE as the rules.
run_tests()
{
	cp "$1" "$T_TMP/vxfwd-alerts.yml"
	(cd "$T_TMP" && promtool test rules vxfwd-alerts.test.yml)
}

out=$(promtool check rules "$rules" 2>&1)
rc=$?
echo "$out"
t_check "promtool check rules ${rules##*/}" test $rc -eq 0

out=$(run_tests "$rules" 2>&1)
rc=$?
echo "$out"
t_check "promtool test rules: every alert's unit tests pass" test $rc -eq 0

# alerts: the alert names of the rules file, one a line.
alerts=$(sed -n 's/^ *- alert: *\([A-Za-z0-9_]*\) *$/\1/p' "$rules")
t_check "the rules file has alerts" test -n "$alerts"
for a in $alerts; do
	t_check "the unit tests test $a" grep -q "alertname: $a\$" "$tests"
done

# mutant WHAT FILE: the unit tests must fail on FILE, a changed copy of the
# rules (and FILE must differ from them, or the mutation went stale).
mutant()
{
	if cmp -s "$rules" "$2"; then
		t_fail "mutation '$1' changes nothing in ${rules##*/}: update this test"
		return
	fi
	# A copy that does not load fails every test; that proves nothing.
	if ! promtool check rules "$2" >"$T_TMP/mutant.out" 2>&1; then
		cat "$T_TMP/mutant.out"
		t_fail "mutation '$1' makes rules promtool refuses: update this test"
	elif run_tests "$2" >"$T_TMP/mutant.out" 2>&1; then
		t_fail "the unit tests pass with $1"
	else
		t_ok "the unit tests fail with $1: $(grep -m 1 -o 'alertname: [A-Za-z]*, time: [0-9a-z]*' "$T_TMP/mutant.out")"
	fi
}

# without_for ALERT: the rules with ALERT's `for:` line removed.
without_for()
{
	awk -v a="$1" '/^ *- alert:/ { cur = $3 } !(cur == a && /^ *for:/)' "$rules"
}

n=0
for a in $alerts; do
	n=$((n + 1))
	sed "s/^\( *- alert: *\)$a *\$/\1${a}Renamed/" "$rules" >"$T_TMP/m$n.yml"
	mutant "$a renamed (does it fire?)" "$T_TMP/m$n.yml"
	grep -q '^ *for:' <(awk -v a="$a" '/^ *- alert:/ { cur = $3 } cur == a' "$rules") ||
		continue
	n=$((n + 1))
	without_for "$a" >"$T_TMP/m$n.yml"
	mutant "$a without its for (is it held?)" "$T_TMP/m$n.yml"
done

# Thresholds and label filters, one sed each: what a careless edit of the
# rules would do.
while IFS='|' read -r what expr; do
	[ -n "$what" ] || continue
	n=$((n + 1))
	sed "$expr" "$rules" >"$T_TMP/m$n.yml"
	mutant "$what" "$T_TMP/m$n.yml"
done <<'EOF'
VxfwdScrapeDown for every job|s/up{job="vxfwd"} == 0/up == 0/
the share threshold at 0.1 %|s/^          > 0\.01$/          > 0.001/
the share of rx instead of mirror frames|/alert: VxfwdDropShareHigh/,/for:/{/counter="pass"/d}
VxfwdDropShareHigh without its exclusions|s/,counter!~"drop_(ring_full|no_nexthop|src_not_allowed|no_rule)"//
VxfwdPolicyDropsRising without its share|s/^              > 0\.01$/              > 0.00001/
VxfwdPolicyDropsRising without its day before|s/> 3 \* rate/> 0 * rate/
VxfwdGuardDrops on every verdict|s/vxfwd_guard_packets_total{verdict="drop"}/vxfwd_guard_packets_total/
VxfwdGuardDrops on the raw counter, not its increase|s/increase(vxfwd_guard_packets_total{verdict="drop"}\[5m\]) > 0/vxfwd_guard_packets_total{verdict="drop"} > 0/
VxfwdRingFull on any drop reason|s/counter="drop_ring_full"}\[5m\]/counter=~"drop_.+"}[5m]/
EOF
t_done prometheus-rules
