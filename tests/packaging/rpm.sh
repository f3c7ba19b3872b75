#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# rpm.sh SRCDIR VERSION - build the binary RPM with packaging/build-rpm.sh
# (rpmbuild -bb; --nodeps on a dpkg host, which it says) and check its file
# list: binary, BPF object under %{_libdir}/bpf, the rules file as
# %config(noreplace), both units, the man page, the bash and zsh
# completions and the Prometheus alert rules.
set -u

srcdir=$(realpath "$1")
version=$2
# shellcheck source=tests/lib/test.sh
. "$(dirname "$0")/../lib/test.sh"
command -v rpmbuild >/dev/null ||
	{ echo "FAIL: rpmbuild not installed (scripts/install-deps.sh installs rpm)"; exit 1; }

work=$(mktemp -d /tmp/vxfpkgrpm.XXXXXX)
trap 'rm -rf "$work"' EXIT
# -n: the test suites run in the test command already; this checks the package.
"$srcdir/packaging/build-rpm.sh" -n -o "$work" || { echo "FAIL: build-rpm.sh"; exit 1; }
rpmf=$(ls "$work"/vxfwd-"$version"-*.rpm 2>/dev/null | grep -v debug | head -n 1)
[ -n "$rpmf" ] || { echo "FAIL: no vxfwd-$version-*.rpm in $work"; ls "$work"; exit 1; }

libdir=$(rpm --eval '%{_libdir}')
list=$(rpm -qp --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' "$rpmf")
echo "--- rpm -qlp ${rpmf##*/} (flags, file)"
echo "$list"
t_grep_each "$list" "" file \
	' /usr/sbin/vxfwd$' \
	" $libdir/bpf/vxfwd\.bpf\.o$" \
	'^cn /etc/vxfwd/vxfwd\.rules$' \
	'/systemd/system/vxfwd\.service$' \
	'/systemd/system/vxfwd@\.service$' \
	' /usr/share/man/man8/vxfwd\.8' \
	' /usr/share/bash-completion/completions/vxfwd$' \
	' /usr/share/zsh/site-functions/_vxfwd$' \
	' /usr/share/vxfwd/prometheus/vxfwd-alerts\.yml$'
# The template's instances are handled like vxfwd.service: stopped and
# disabled on erase, restarted on upgrade.
scripts=$(rpm -qp --scripts "$rpmf")
t_grep_each "$scripts" "scriptlets: " "scriptlet line" \
	"systemctl list-units --all --plain --no-legend 'vxfwd@\*\.service'" \
	'systemctl --no-reload disable --now "\$u"' \
	"systemctl try-restart 'vxfwd@\*\.service'" \
	'vxfwd detach -n'
t_done rpm
