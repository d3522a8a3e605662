# bash completion for snapctl. Options mirror the command table (cli/cmdtab.c);
# tests/docs/agree.sh checks that they do.
_snapctl() {
	local cur prev words cword
	_init_completion || return

	local global="--pg --mongo --mongo-db --config --json -q --quiet -v --verbose --log-format --metrics-file -h --help -V --version"
	local commands="init-db upsert get publish sync-all withdraw reconcile cleanup status cron systemd list verify"
	local cmd="" i
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--pg | --mongo | --mongo-db | --config | --log-format | --metrics-file | --batch-size | --limit | \
			--max-duration | --older-than | --status | --crop | --farmer | --after) ((i++)) ;;
		-*) ;;
		*) cmd=${words[i]} && break ;;
		esac
	done

	case $prev in
	--log-format) COMPREPLY=($(compgen -W "text json" -- "$cur")) && return ;;
	--status)
		COMPREPLY=($(compgen -W "ready_to_publish publishing published withdrawn completed failed" -- "$cur"))
		return
		;;
	--config | --metrics-file) _filedir && return ;;
	--pg | --mongo | --mongo-db | --batch-size | --limit | --max-duration | --older-than | \
		--crop | --farmer | --after) return ;;
	esac

	local opts=""
	case $cmd in
	init-db) opts="--check -n --dry-run --source-indexes --fix-duplicates" ;;
	upsert) opts="--all -n --dry-run --batch-size --publish" ;;
	get) opts="--listing" ;;
	publish) opts="-n --dry-run" ;;
	withdraw) opts="-n --dry-run" ;;
	sync-all) opts="--limit --batch-size --max-duration --retry-failed -n --dry-run" ;;
	reconcile) opts="--limit --batch-size --max-duration -n --dry-run" ;;
	cleanup) opts="--older-than --orphans --batch-size -n --dry-run" ;;
	verify) opts="--repair --limit --batch-size --max-duration -n --dry-run" ;;
	status) opts="--limit" ;;
	cron | systemd) opts="" ;;
	list) opts="--status --crop --farmer --after --limit" ;;
	"")
		[[ $cur == -* ]] || { COMPREPLY=($(compgen -W "$commands" -- "$cur")) && return; }
		;;
	esac
	COMPREPLY=($(compgen -W "$global $opts" -- "$cur"))
}
complete -F _snapctl snapctl
