# --help (rendered from the command table), the man page and the three completions list the
# same commands and, per command, the same options. Also: the man page lints clean and lists
# the exit codes --help names.
set -euo pipefail
: "${SNAPCTL:?}" "${SNAPCTL_SRC:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# Option lines of a --help text: "  -q, --quiet ..." or "      --pg URI ...".
help_opts() {
	sed -nE 's/^  (-([A-Za-z]), |    )--([a-z-]+).*/\2 \3/p' | while read -r a b; do
		if [ -n "$b" ]; then echo "$1 -$a" && echo "$1 --$b"; else echo "$1 --$a"; fi
	done
}
commands=$("$SNAPCTL" --help | sed -n '/^Commands:/,/^$/p' | sed -nE 's/^  ([a-z-]+) .*/\1/p')
[ -n "$commands" ] || fail "no commands in --help"
{
	"$SNAPCTL" --help | sed -n '/^Options/,/^$/p' | help_opts global
	for c in $commands; do "$SNAPCTL" "$c" --help | sed -n '/^Options:/,/^$/p' | help_opts "$c"; done
} | sort >"$tmp/help"
printf '%s\n' $commands | sort >"$tmp/help.commands"

# man: "global" under OPTIONS, the command under its .Ss of COMMANDS; every ".It Fl" item.
man=$SNAPCTL_SRC/man/snapctl.1
awk '
	/^\.Sh OPTIONS/ { ctx = "global"; next }
	/^\.Sh COMMANDS/ { ctx = ""; next }
	/^\.Sh / { ctx = ""; cmds = 0; next }
	/^\.Ss / { ctx = $2; next }
	/^\.It Fl / && ctx != "" {
		for (i = 2; i <= NF; i++)
			if ($(i - 1) == "Fl") print ctx, "-" $i
	}
' "$man" | sort >"$tmp/man"
awk '/^\.Sh COMMANDS/ { on = 1; next } /^\.Sh / { on = 0 } on && /^\.Ss / { print $2 }' "$man" |
	sort >"$tmp/man.commands"

# bash: the global= list and one "cmd) opts=..." arm per command.
bash_file=$SNAPCTL_SRC/completions/snapctl.bash
{
	sed -nE 's/^\tlocal global="(.*)"$/\1/p' "$bash_file" | tr ' ' '\n' | sed 's/^/global /'
	sed -nE 's/^\t([a-z-]+)\) opts="(.*)" ;;$/\1 \2/p' "$bash_file" | while read -r c o; do
		for x in $o; do echo "$c $x"; done
	done
} | sort >"$tmp/bash"
sed -nE 's/^\tlocal commands="(.*)"$/\1/p' "$bash_file" | tr ' ' '\n' | sort >"$tmp/bash.commands"

# zsh: options in the global=( ) block and in each command's _arguments arm.
zsh_file=$SNAPCTL_SRC/completions/_snapctl
awk '
	/^\tglobal=\(/ { ctx = "global"; next }
	/^\tcommands=\(/ { ctx = "commands"; next }
	/^\t\)/ { ctx = ""; next }
	/^\t\t[a-z-]+\)$/ { ctx = substr($1, 1, length($1) - 1); next }
	/^\t\t\t;;/ { ctx = ""; next }
	ctx == "commands" { split($0, p, "'"'"'"); split(p[2], q, ":"); print q[1] > "/dev/stderr"; next }
	ctx != "" {
		s = $0
		while (match(s, /(^|[{,'"'"'])--?[a-zA-Z][a-z-]*[[,}]/)) {
			t = substr(s, RSTART, RLENGTH)
			gsub(/^[{,'"'"']|[[,}]$/, "", t)
			print ctx, t
			s = substr(s, RSTART + RLENGTH - 1)
		}
	}
' "$zsh_file" 2>"$tmp/zsh.commands.raw" | sort >"$tmp/zsh"
sed '/^$/d' "$tmp/zsh.commands.raw" | sort >"$tmp/zsh.commands"

# fish: -s/-l of every "complete" line; the subcommand condition names the command.
fish_file=$SNAPCTL_SRC/completions/snapctl.fish
awk '
	/^complete -c snapctl/ {
		ctx = "global"
		if (match($0, /__fish_seen_subcommand_from [a-z-]+"/)) {
			ctx = substr($0, RSTART + 28, RLENGTH - 29)
			if (ctx == "$commands") ctx = "global"
		}
		for (i = 1; i < NF; i++) {
			if ($i == "-s") print ctx, "-" $(i + 1)
			if ($i == "-l") print ctx, "--" $(i + 1)
		}
	}
' "$fish_file" | sort >"$tmp/fish"
sed -nE 's/.* -a ([a-z-]+) -d .*/\1/p' "$fish_file" | sort >"$tmp/fish.commands"

[ "$(wc -l <"$tmp/help")" -ge 15 ] || fail "too few options parsed from --help"
for doc in man bash zsh fish; do
	diff -u "$tmp/help" "$tmp/$doc" >"$tmp/diff" || fail "options of $doc differ from --help:
$(cat "$tmp/diff")"
	diff -u "$tmp/help.commands" "$tmp/$doc.commands" >"$tmp/diff" ||
		fail "commands of $doc differ from --help:
$(cat "$tmp/diff")"
done

# Exit codes: those --help names are the man page's EXIT STATUS list.
"$SNAPCTL" --help | sed -n '/^Exit status:/,/^$/p' | grep -oE '\b[0-9]+ [a-z]' | cut -d' ' -f1 |
	sort -n >"$tmp/help.codes"
awk '/^\.Sh EXIT STATUS/ { on = 1; next } /^\.Sh / { on = 0 } on && /^\.It [0-9]+$/ { print $2 }' \
	"$man" | sort -n >"$tmp/man.codes"
diff -u "$tmp/help.codes" "$tmp/man.codes" || fail "exit codes of --help and the man page differ"
[ "$(wc -l <"$tmp/man.codes")" -eq 9 ] || fail "expected 9 exit codes"

if command -v mandoc >/dev/null; then
	mandoc -Tlint -W warning "$man" "$SNAPCTL_SRC/man/libsnapshot.3" ||
		fail "mandoc -Tlint reports problems"
fi
echo ok
