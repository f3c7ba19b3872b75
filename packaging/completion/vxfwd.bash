# SPDX-License-Identifier: GPL-2.0-only
# bash completion for vxfwd(8).
#
# The subcommands come from `vxfwd --help`, each subcommand's options from
# `vxfwd CMD --help` (lines " -f, --file <file>  ..."): the tables that
# drive vxfwd's own parsing, so that completion offers what vxfwd accepts.
# Arguments: rules files (*.rules) for --file, running instances
# (/run/vxfwd/NAME.pid) for --name, captures for explain --read, the words
# of --backend, --xdp-mode and --sched, JSON files for import-allowlist.

_vxfwd_rundir=/run/vxfwd

# The subcommands, from the synopsis of `vxfwd --help`.
_vxfwd_commands()
{
	"$1" --help 2>/dev/null |
		sed -n 's/^\(usage:\)\{0,1\} *vxfwd \([a-z][a-z-]*\).*/\2/p'
}

# "SHORT LONG ARG" per option of subcommand $2 (ARG "-" for a flag).
_vxfwd_options()
{
	"$1" "$2" --help 2>/dev/null |
		sed -n 's/^ -\([A-Za-z]\), --\([a-z][a-z-]*\)\( <\([a-z]*\)>\)\{0,1\} .*/\1 \2 \4/p' |
		while read -r s l a; do
			echo "$s $l ${a:--}"
		done
}

_vxfwd_instances()
{
	local f names=()

	for f in "$_vxfwd_rundir"/*.pid; do
		[ -e "$f" ] || continue
		f=${f##*/}
		names+=("${f%.pid}")
	done
	COMPREPLY=($(compgen -W "${names[*]}" -- "$1"))
}

# Files matching glob $2 and directories, for word $1.
_vxfwd_files()
{
	local IFS=$'\n'

	compopt -o filenames 2>/dev/null
	COMPREPLY=($(compgen -f -X "!$2" -- "$1") $(compgen -d -- "$1"))
}

# The argument of option LONG ($2) of subcommand $3, for word $1.
_vxfwd_argument()
{
	case $2 in
	file) _vxfwd_files "$1" '*.rules' ;;
	name) _vxfwd_instances "$1" ;;
	read) _vxfwd_files "$1" '*.*cap*' ;;
	backend) COMPREPLY=($(compgen -W 'write-fixed send sendmmsg tx-ring' -- "$1")) ;;
	xdp-mode) COMPREPLY=($(compgen -W 'auto native generic' -- "$1")) ;;
	sched) COMPREPLY=($(compgen -W 'other fifo: rr:' -- "$1")) ;;
	*) COMPREPLY=() ;;
	esac
}

_vxfwd()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local vxfwd=${COMP_WORDS[0]} cmd s l a words=()

	COMPREPLY=()
	if [ "$COMP_CWORD" -eq 1 ]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W '--help --version' -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_vxfwd_commands "$vxfwd")" -- "$cur"))
		fi
		return 0
	fi
	cmd=${COMP_WORDS[1]}
	# "--file=x" comes as "--file" "=" "x" (COMP_WORDBREAKS holds '=').
	if [ "$prev" = = ] && [ "$COMP_CWORD" -ge 3 ]; then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	elif [ "$cur" = = ]; then
		prev=${COMP_WORDS[COMP_CWORD - 1]}
		cur=
	fi
	while read -r s l a; do
		[ -n "$l" ] || continue
		if [ "$a" != - ] && { [ "$prev" = "-$s" ] || [ "$prev" = "--$l" ]; }; then
			_vxfwd_argument "$cur" "$l" "$cmd"
			return 0
		fi
		words+=("-$s" "--$l")
	done < <(_vxfwd_options "$vxfwd" "$cmd")
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "${words[*]}" -- "$cur"))
		return 0
	fi
	case $cmd in
	import-allowlist) _vxfwd_files "$cur" '*.json' ;;
	explain) COMPREPLY=($(compgen -W 'udp tcp vni' -- "$cur")) ;;
	esac
	return 0
}

complete -F _vxfwd vxfwd
