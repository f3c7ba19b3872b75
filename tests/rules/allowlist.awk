# SPDX-License-Identifier: GPL-2.0-only
#
# allowlist.awk - a rules file with one large allowlist set: n addresses step
# apart from 10.0.0.0, spread over `orgs` organizations with ids from
# `idbase`, between the given ingress/egress lines and one forward rule.
# Used by tests/rules/scale.sh and bench/rules-scale.sh.
#
# awk -v n=N -v step=S -v orgs=O -v idbase=I -v set=NAME -v ingress=IF \
#     -v egress=IF -v rule='forward ...' -f allowlist.awk
BEGIN {
	print "ingress " ingress " { vni 1 }"
	print "egress " egress
	print "set " set " {"
	per = int((n + orgs - 1) / orgs)
	for (i = 0; i < n; i++) {
		if (i % per == 0)
			printf "%s\torg \"Org %d\" id %d {\n", i ? "\t}\n" : "", i / per, idbase + i / per
		a = 167772160 + i * step
		printf "\t\t%d.%d.%d.%d\n", int(a / 16777216), int(a / 65536) % 256,
			int(a / 256) % 256, a % 256
	}
	print "\t}\n}"
	print rule
}
