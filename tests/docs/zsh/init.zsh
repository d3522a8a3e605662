# Sourced by complete.zsh inside a pseudo-terminal zsh: compinit with the completions of
# $ZC_DIR, and a compadd that prints each match it is given (between two NUL lines).
PROMPT=
fpath=($ZC_DIR $fpath)
autoload -Uz compinit
compinit -u -D
bindkey '^I' complete-word
null-line() { echo -E - $'\0' }
compprefuncs=(null-line)
comppostfuncs=(null-line exit)
zstyle ':completion:*' list-grouped false
zstyle ':completion:*' insert-tab false
compadd() {
	if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then
		builtin compadd "$@"
		return $?
	fi
	typeset -a __hits
	builtin compadd -A __hits "$@"
	local h
	for h in $__hits; do echo -E - "$h"; done
}
echo ok
