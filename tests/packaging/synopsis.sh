#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# synopsis.sh VXFWD PAGE - the SYNOPSIS of vxfwd(8) is `vxfwd --help`, and
# each `vxfwd CMD --help` starts with that command's line of it and names
# only long options the page names too.  Both are compared
# word for word after mandoc's rendering (whitespace folded).
set -u

vxfwd=$1
page=$2
[ -x "$vxfwd" ] || { echo "FAIL: $vxfwd not built"; exit 1; }
for tool in mandoc col; do
	command -v $tool >/dev/null ||
		{ echo "FAIL: $tool not installed (scripts/install-deps.sh installs it)"; exit 1; }
done

fold() {
	sed -e 's/^usage://' -e 's/^[[:space:]]*//' -e 's/[[:space:]][[:space:]]*/ /g' \
		-e 's/[[:space:]]*$//' | grep -v '^$'
}

man=$(MANWIDTH=200 mandoc -Tascii -O width=200 "$page" | col -b |
	sed -n '/^SYNOPSIS/,/^[A-Z]/p' | sed '1d;$d' | fold)
help=$("$vxfwd" --help | fold)
rc=0
if [ "$man" != "$help" ]; then
	echo "FAIL: SYNOPSIS of $page differs from 'vxfwd --help':"
	diff -u <(echo "$man") <(echo "$help") | sed 's/^/  /'
	rc=1
else
	echo "ok: SYNOPSIS of $page is 'vxfwd --help'"
	echo "$help" | sed 's/^/  /'
fi
[ -n "$man" ] || { echo "FAIL: no SYNOPSIS found in $page"; rc=1; }

while read -r _ cmd _; do
	want=$(echo "$man" | grep "^vxfwd $cmd\( \|$\)")
	got=$("$vxfwd" "$cmd" --help | head -n 1 | fold)
	if [ "$want" != "$got" ]; then
		echo "FAIL: 'vxfwd $cmd --help' is '$got', the page says '$want'"
		rc=1
	else
		echo "ok: vxfwd $cmd --help"
	fi
done <<<"$man"

# Every long option of each `vxfwd CMD --help` is in the page (Fl \-NAME).
while read -r _ cmd _; do
	for long in $("$vxfwd" "$cmd" --help | sed -n 's/^ -[A-Za-z], --\([a-z][a-z-]*\).*/\1/p'); do
		if grep -q -- "Fl \\\\-$long\\>" "$page"; then
			echo "ok: vxfwd $cmd --$long is in $page"
		else
			echo "FAIL: vxfwd $cmd --$long: $page has no 'Fl \\-$long'"
			rc=1
		fi
	done
done <<<"$man"
exit $rc
