# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=sh disable=SC2034
#
# tests/lib/test.sh - what the shell tests share, sourced by them and by
# tests/lab/lib.sh (POSIX sh: tests/rules/*.sh run under /bin/sh):
# the exit codes (meson reads 77 as SKIP), the count of failed checks, a
# scratch directory removed at exit, and the checks for root and tools.

T_EXIT_PASS=0
T_EXIT_FAIL=1
T_EXIT_SKIP=77
T_FAILS=0

# t_skip REASON: exit 77 (meson: SKIP), saying why.
t_skip()
{
	printf 'SKIP: %s\n' "$*"
	exit $T_EXIT_SKIP
}

t_ok()
{
	echo "ok: $*"
}

# t_fail WHAT: one failed check; the test goes on and exits by t_done.
t_fail()
{
	echo "FAIL: $*"
	T_FAILS=$((T_FAILS + 1))
}

# t_check WHAT CMD...: ok when CMD succeeds, a failure otherwise.
t_check()
{
	t_what=$1
	shift
	if "$@"; then t_ok "$t_what"; else t_fail "$t_what"; fi
}

# t_done NAME: "NAME: N failure(s)", exit status 0 only without any.
t_done()
{
	echo "$1: $T_FAILS failure(s)"
	[ "$T_FAILS" -eq 0 ]
}

# t_need_root WHY: skip unless root.
t_need_root()
{
	[ "$(id -u)" -eq 0 ] || t_skip "$@"
}

# t_need_tools TOOL...: fail (a missing tool is not a missing kernel feature).
t_need_tools()
{
	for t_tool in "$@"; do
		command -v "$t_tool" >/dev/null 2>&1 && continue
		echo "FAIL: $t_tool not installed (scripts/install-deps.sh installs it)"
		exit $T_EXIT_FAIL
	done
}

# t_abs PATH: PATH made absolute (without resolving links).
t_abs()
{
	case $1 in
	/*) echo "$1" ;;
	*) echo "$(pwd)/$1" ;;
	esac
}

# t_tmpdir: a scratch directory in T_TMP, removed at exit.
t_tmpdir()
{
	T_TMP=$(mktemp -d) || exit 99
	trap 'rm -rf "$T_TMP"' EXIT INT TERM
}

# t_vxfwd_tmp NAME [VXFWD]: the vxfwd under test, made absolute, in `vxfwd`
# (NAME's usage and exit 99 without one) and a scratch directory in `tmp`.
t_vxfwd_tmp()
{
	[ $# -ge 2 ] || { echo "usage: $1 VXFWD" >&2; exit 99; }
	vxfwd=$(t_abs "$2")
	t_tmpdir
	tmp=$T_TMP
}

# t_grep_each TEXT LABEL NOUN REGEX...: every REGEX (grep -E) matches a line
# of TEXT: "ok: LABEL/REGEX/", or the failure "no NOUN matches /REGEX/".
t_grep_each()
{
	t_text=$1 t_label=$2 t_noun=$3
	shift 3
	for t_re in "$@"; do
		if printf '%s\n' "$t_text" | grep -Eq -- "$t_re"; then
			echo "ok: $t_label/$t_re/"
		else
			t_fail "no $t_noun matches /$t_re/"
		fi
	done
}
