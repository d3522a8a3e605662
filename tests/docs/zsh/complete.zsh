# zsh complete.zsh DIR WORDS...: the matches zsh offers for the command line "WORDS<TAB>",
# with the completion functions of DIR, one per line: a real interactive zsh in a
# pseudo-terminal (zsh/zpty), whose compadd prints what it is given.
zmodload zsh/zpty
export ZC_DIR=$1
shift
zpty z zsh -f -i
zpty -w z "source ${0:A:h}/init.zsh"
local line
repeat 10; do
	zpty -r z line
	[[ $line == ok* ]] && break
done
zpty -w z "$*"$'\t'
integer tog=0
while zpty -r z line; do
	if [[ $line == *$'\0'* ]]; then
		(( tog++ )) && break || continue
	fi
	line=${line//[$'\r\n']/}
	(( tog )) && [[ -n $line ]] && print -r -- $line
done
zpty -d z
