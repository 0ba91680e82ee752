# mpc-client.bash: bash completion for mpc-client (installed by `make install`
# as share/bash-completion/completions/mpc-client). Completes the commands,
# the global options (before or after the command), each command's own
# options, and file or folder names where an option takes one.

_mpc_client() {
	local cur prev cmd i w
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	local globals="--server --server-name --certs --party --json --timeout
	    --wait --trace --state --version --help"
	local pin="--invite --parties --threshold --nonce --length --decimals
	    --min-cohort --deadline-unix"

	case $prev in
	--certs|--state) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	--trace|--input) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--server|--server-name|--party|--timeout|--invite|--parties|\
	--threshold|--nonce|--length|--decimals|--min-cohort|--deadline|\
	--deadline-unix) return ;;
	esac

	# The command: the first word that is neither an option nor its value.
	cmd=
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--server|--server-name|--certs|--party|--timeout|--trace|--state)
			((i++)) ;;
		-*) ;;
		*) cmd=$w; break ;;
		esac
	done

	local opts=$globals
	case $cmd in
	"") if [[ $cur != -* ]]; then
		COMPREPLY=($(compgen -W "create share sumpoint result status run" \
		    -- "$cur"))
		return
	    fi ;;
	create) opts+=" --parties --threshold --length --decimals --deadline
	    --min-cohort --nonce" ;;
	share) opts+=" $pin --input --reuse-input" ;;
	run) opts+=" $pin --input --reuse-input --require-verified" ;;
	sumpoint) opts+=" $pin" ;;
	result) opts+=" $pin --require-verified" ;;
	esac
	[[ $cur == -* ]] && COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -F _mpc_client mpc-client
