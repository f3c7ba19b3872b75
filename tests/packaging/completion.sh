#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# completion.sh VXFWD BASHCOMP ZSHCOMP - the shell completions of
# packaging/completion, as configured into the build directory.
# bash: the script is sourced in a bash without startup files and _vxfwd is
# run for typed command lines; COMPREPLY must hold the subcommands of
# `vxfwd --help`, the options of `vxfwd run --help`, the *.rules files (and
# directories, not other files) after -f and --file, the running instances
# (pid files; the test's own directory instead of -Drundir) after -n, the
# words of -x.  zsh: `zsh -n`, then _vxfwd run
# with the completion system's functions replaced by ones that print their
# arguments, to see the subcommands and the option specifications it builds.
set -u

vxfwd=$(realpath "$1")
bashcomp=$(realpath "$2")
zshcomp=$(realpath "$3")
command -v zsh >/dev/null ||
	{ echo "FAIL: zsh not installed (scripts/install-deps.sh installs it)"; exit 1; }

work=$(mktemp -d /tmp/vxfcomp.XXXXXX)
trap 'rm -rf "$work"' EXIT
fails=0
mkdir -p "$work/dir/sub" "$work/run"
touch "$work/dir/a.rules" "$work/dir/b.rules" "$work/dir/notes.txt" \
	"$work/run/alpha.pid" "$work/run/beta.pid"

# complete WORD... : COMPREPLY, sorted, one per line, for the line ending in
# the last WORD (the word being completed), run in $work/dir.
complete_bash() {
	(cd "$work/dir" && bash --norc --noprofile -c '
		source "$1" || exit 1
		_vxfwd_rundir=$2
		shift 2
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_vxfwd
		printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$bashcomp" "$work/run" "$vxfwd" "$@")
}

# expect_bash WANT WORD...: WANT is the sorted COMPREPLY, words space-separated.
expect_bash() {
	local want=$1 got
	shift
	got=$(complete_bash "$@" | tr '\n' ' ' | sed 's/ $//')
	if [ "$got" = "$want" ]; then
		echo "ok: bash: vxfwd ${*@Q} -> $got"
	else
		echo "FAIL: bash: vxfwd ${*@Q} -> '$got', want '$want'"
		fails=$((fails + 1))
	fi
}

cmds=$("$vxfwd" --help | sed -n 's/^\(usage:\)\{0,1\} *vxfwd \([a-z][a-z-]*\).*/\2/p' | sort)
[ "$(wc -l <<<"$cmds")" -ge 11 ] || { echo "FAIL: vxfwd --help lists no subcommands"; exit 1; }
run_opts=$({ "$vxfwd" run --help | sed -n 's/^ \(-[A-Za-z]\), \(--[a-z-]*\).*/\1 \2/p'; } |
	tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')

expect_bash "$(tr '\n' ' ' <<<"$cmds" | sed 's/ $//')" ''
expect_bash "stats status" st
expect_bash "--help --version" --
expect_bash "$run_opts" run -
expect_bash "--backend --batch --busy-poll" run --b
expect_bash "a.rules b.rules sub" run -f ''
expect_bash "a.rules b.rules sub" check --file ''
expect_bash "b.rules" doctor -f b
expect_bash "alpha beta" stats -n ''
expect_bash "alpha" reload --name al
expect_bash "alpha" reload --name = al
expect_bash "a.rules b.rules sub" run --file =
expect_bash "auto generic native" run -x ''
expect_bash "send sendmmsg" run --backend se
expect_bash "--json" status --j
expect_bash "" run -w ''
case " $run_opts " in
*" --keep-attached "*" -k "*) ;;
*) echo "FAIL: vxfwd run --help lists no -k, --keep-attached"; fails=$((fails + 1)) ;;
esac
if bash --norc --noprofile -c 'source "$1" && complete -p vxfwd' _ "$bashcomp" |
	grep -qx 'complete -F _vxfwd vxfwd'; then
	echo "ok: bash: complete -F _vxfwd vxfwd"
else
	echo "FAIL: bash: the script does not register _vxfwd for vxfwd"
	fails=$((fails + 1))
fi

if zsh -n "$zshcomp"; then
	echo "ok: zsh -n $zshcomp"
else
	echo "FAIL: zsh -n $zshcomp"
	fails=$((fails + 1))
fi

# zsh_words WORD...: what _vxfwd hands the completion system for that line.
zsh_words() {
	zsh -f -c '
		_call_program() { shift; eval "$*" }
		_describe() { print -rl -- "${(@P)${@[-1]}}" }
		_values() { shift; print -rl -- "$@" }
		_arguments() { print -rl -- "${@[3,-1]}" }
		comp=$1
		shift
		words=("$@")
		CURRENT=$#
		source "$comp"' _ "$zshcomp" "$vxfwd" "$@"
}

got=$(zsh_words '' | sort)
if [ "$got" = "$cmds" ]; then
	echo "ok: zsh: the subcommands of vxfwd --help"
else
	echo "FAIL: zsh: subcommands '$(tr '\n' ' ' <<<"$got")', want '$(tr '\n' ' ' <<<"$cmds")'"
	fails=$((fails + 1))
fi
zsh_words run '' >"$work/zsh.run"
n=$(grep -c '^(-[A-Za-z] --[a-z-]*)-[A-Za-z]\[' "$work/zsh.run")
want=$(($(wc -w <<<"$run_opts") / 2))
[ "$n" = "$want" ] && echo "ok: zsh: run has a specification per short option ($n)" ||
	{ echo "FAIL: zsh: run: $n short option specifications, want $want"; sed 's/^/  /' "$work/zsh.run"; fails=$((fails + 1)); }
for want in \
	'^\(-f --file\)--file\[Rules file .*\]:file:_files -g "\*\.rules\(-\.\)"$' \
	'^\(-n --name\)-n\[.*\]:name:_vxfwd_instances$' \
	'^\(-x --xdp-mode\)--xdp-mode\[.*\]:mode:\(auto native generic\)$' \
	'^\(-k --keep-attached\)-k\[At exit, leave XDP and the leak guard attached\]$'; do
	if grep -Eq -- "$want" "$work/zsh.run"; then
		echo "ok: zsh: run: /$want/"
	else
		echo "FAIL: zsh: run: no specification matches /$want/"
		fails=$((fails + 1))
	fi
done
zsh_words import-allowlist '' | grep -q '^1:JSON allowlist:_files -g "\*\.json(-\.)"$' &&
	echo "ok: zsh: import-allowlist completes a JSON file" ||
	{ echo "FAIL: zsh: import-allowlist has no JSON file operand"; fails=$((fails + 1)); }

got=$(zsh -f -c '
	_call_program() { shift; eval "$*" }
	_describe() { print -rl -- "${(@P)${@[-1]}}" }
	words=("$2" "")
	CURRENT=2
	source "$1" >/dev/null
	_vxfwd_rundir=$3
	_vxfwd_instances' _ "$zshcomp" "$vxfwd" "$work/run" | sort | tr '\n' ' ')
if [ "$got" = "alpha beta " ]; then
	echo "ok: zsh: the running instances are the pid files' names"
else
	echo "FAIL: zsh: instances '$got', want 'alpha beta '"
	fails=$((fails + 1))
fi
grep -q '@RUNDIR@' "$bashcomp" "$zshcomp" &&
	{ echo "FAIL: @RUNDIR@ left in $bashcomp or $zshcomp"; fails=$((fails + 1)); }

echo "completion: $fails failure(s)"
[ $fails -eq 0 ]
