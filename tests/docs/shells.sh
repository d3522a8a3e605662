# The completions in the real shells: `snapctl <TAB>` offers every command of --help, and
# `snapctl COMMAND --<TAB>` every option of `snapctl COMMAND --help`, in bash (with
# bash-completion), fish and zsh (an interactive zsh in a pseudo-terminal, tests/docs/zsh).
: "${SNAPCTL:?}" "${SNAPCTL_SRC:?}" "${SNAPCTL_BUILD:?}"
# shellcheck source=tests/common.sh
. "$SNAPCTL_SRC/tests/common.sh"
src=$SNAPCTL_BUILD/completions
commands=$("$SNAPCTL" --help | sed -n '/^Commands:/,/^$/p' | sed -nE 's/^  ([a-z-]+) .*/\1/p')
# The long options of a --help text.
long_opts() { sed -nE 's/^  (-[A-Za-z], |    )(--[a-z-]+).*/\2/p'; }

# bash_complete WORDS...: what bash offers for the last word (may be "").
bash_complete() {
	bash -c '
		source /usr/share/bash-completion/bash_completion
		source "$1"
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="${COMP_WORDS[*]}"
		COMP_POINT=${#COMP_LINE}
		_snapctl snapctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$src/snapctl.bash" "$@"
}
fish_complete() { fish -c "source $src/snapctl.fish; complete -C '$*'" | cut -f1; }
zsh_complete() { timeout 30 zsh "$SNAPCTL_SRC/tests/docs/zsh/complete.zsh" "$src" "$*"; }

for shell in bash fish zsh; do
	command -v $shell >/dev/null || fail "$shell is not installed (scripts/setup.sh installs it)"
	offered=$(${shell}_complete snapctl "")
	for c in $commands; do
		grep -qx -- "$c" <<<"$offered" || fail "$shell: 'snapctl <TAB>' does not offer $c"
	done
	for c in $commands; do
		offered=$(${shell}_complete snapctl "$c" --)
		for o in $("$SNAPCTL" "$c" --help | sed -n '/^Options:/,/^$/p' | long_opts); do
			grep -qx -- "$o" <<<"$offered" ||
				fail "$shell: 'snapctl $c --<TAB>' does not offer $o"
		done
	done
done

echo ok
