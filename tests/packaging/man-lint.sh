#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# man-lint.sh PAGE... - mandoc -Tlint at warning level must print nothing,
# and neither mandoc's rendering nor man's (groff) may show a macro name as
# text (a macro on a line that does not start with a dot prints raw).
# A page that does not exist yet is a skip for vxfwd.rules.5 (written with
# the rules language) and a failure for any other.
set -u
# shellcheck source=tests/lib/test.sh
. "$(dirname "$0")/../lib/test.sh"

command -v mandoc >/dev/null ||
	{ echo "FAIL: mandoc not installed (scripts/install-deps.sh installs it)"; exit 1; }
rc=0
checked=0
for page in "$@"; do
	if [ ! -e "$page" ]; then
		case ${page##*/} in
		vxfwd.rules.5) echo "skip: $page not written yet"; continue ;;
		*) echo "FAIL: $page: missing"; rc=1; continue ;;
		esac
	fi
	out=$(mandoc -Tlint -Wwarning "$page" 2>&1)
	if [ -n "$out" ]; then
		echo "$out"
		echo "FAIL: $page: mandoc -Tlint -Wwarning is not clean"
		rc=1
	else
		echo "ok: $page: mandoc -Tlint -Wwarning clean"
	fi
	macros='(^|[[:space:]])(Ar|Brq|Cm|Fl|Ic|Li|Nm|Ns|Oc|Oo|Op|Pq|Qq|Sx|Xr)[[:space:]]'
	for render in "mandoc -Tascii" "man -l"; do
		command -v "${render%% *}" >/dev/null || continue
		raw=$(MANWIDTH=120 $render "$page" 2>/dev/null | col -b | grep -En "$macros")
		if [ -n "$raw" ]; then
			echo "$raw"
			echo "FAIL: $page: $render shows macros as text"
			rc=1
		fi
	done
	checked=$((checked + 1))
done
[ $rc -ne 0 ] && exit $rc
[ $checked -eq 0 ] && t_skip "no page to check"
exit 0
