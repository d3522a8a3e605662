# The Debian packages (cmake/packaging.cmake), from the source tree as a new user would make
# them: configure for /usr, build, cpack; lintian finds no error; apt-get installs them; the
# installed snapctl runs, has its man page, its completions, its units (systemd-analyze verify
# clean) and its user, reads /etc/snapctl/snapctl.conf, and checks the test cluster with
# init-db --check; a purge leaves nothing behind.
: "${SNAPCTL_SRC:?}" "${SNAPCTL_PG_ENV:?}" "${SNAPCTL_MONGO_ENV:?}"
# Installing needs root; the sanitized pass repeats nothing of it.
[ "$(id -u)" -eq 0 ] && [ "${SNAPCTL_SANITIZE:-0}" != 1 ] || exit 77
# shellcheck source=tests/common.sh
. "$SNAPCTL_SRC/tests/common.sh"
tmp=$TEST_TMP
pkgs=(snapctl libsnapshot1 libsnapshot-dev)
cleanup() {
	DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "${pkgs[@]}" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT

cmake -S "$SNAPCTL_SRC" -B "$tmp/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DCMAKE_INSTALL_PREFIX=/usr -DSNAPCTL_TESTS=OFF >/dev/null
cmake --build "$tmp/build" -j"$(nproc)" >/dev/null
(cd "$tmp/build" && cpack -G DEB >/dev/null)
debs=("$tmp"/build/*.deb)
[ ${#debs[@]} -eq 3 ] || fail "packages: ${debs[*]}"
lintian --tag-display-limit 0 "${debs[@]}" >"$tmp/lintian" 2>&1 || true
! grep '^E:' "$tmp/lintian" || fail "lintian reports errors"
grep -q '^W: snapctl: non-standard-file-perm 0640' "$tmp/lintian" ||
	fail "the config file is not 0640: $(cat "$tmp/lintian")"
[[ "$(dpkg-deb -f "$tmp/build/snapctl_"*.deb Depends)" == *"libsnapshot1 (= "* ]] ||
	fail "snapctl does not depend on its libsnapshot1"
[[ "$(dpkg-deb -f "$tmp/build/libsnapshot1_"*.deb Depends)" == *libmongoc-1.0-0* ]] ||
	fail "libsnapshot1's Depends are not computed from the library"
for deb in "${debs[@]}"; do
	dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }' >>"$tmp/files"
done

DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${debs[@]}" >/dev/null 2>"$tmp/apt.err" ||
	fail "apt-get install: $(cat "$tmp/apt.err")"
[ "$(/usr/bin/snapctl --version)" = "snapctl 0.1.0" ] || fail "snapctl --version"
[ "$(man -w snapctl)" = /usr/share/man/man1/snapctl.1.gz ] || fail "man -w snapctl"
man -w 3 libsnapshot >/dev/null || fail "man -w 3 libsnapshot"
words=$(bash -c '. /usr/share/bash-completion/bash_completion
	. /usr/share/bash-completion/completions/snapctl
	COMP_WORDS=(snapctl syst); COMP_CWORD=1; COMP_LINE="snapctl syst"; COMP_POINT=12
	_snapctl; echo "${COMPREPLY[*]}"')
[ "$words" = systemd ] || fail "bash completion of 'syst': '$words'"
getent passwd snapctl >/dev/null || fail "no snapctl user"
[ "$(stat -c '%a %U %G' /etc/snapctl/snapctl.conf)" = "640 root snapctl" ] ||
	fail "config file: $(stat -c '%a %U %G' /etc/snapctl/snapctl.conf)"
units=(/lib/systemd/system/snapctl-{sync,reconcile,cleanup}.{service,timer})
systemd-analyze verify "${units[@]}" >"$tmp/verify" 2>&1 || fail "systemd-analyze verify: $(cat "$tmp/verify")"
[ ! -s "$tmp/verify" ] || fail "systemd-analyze verify: $(cat "$tmp/verify")"
/usr/bin/snapctl systemd >"$tmp/units"
grep -q '^ExecStart=/usr/bin/snapctl --quiet sync-all' "$tmp/units" ||
	fail "snapctl systemd does not print the installed units"

# The system's config file is read when no other is named: only it says where MongoDB is.
# shellcheck disable=SC1090
. "$SNAPCTL_PG_ENV"
# shellcheck disable=SC1090
. "$SNAPCTL_MONGO_ENV"
psql -XAq -c "DROP DATABASE IF EXISTS t_deb" -c "CREATE DATABASE t_deb"
cp /etc/snapctl/snapctl.conf "$tmp/conf.orig"
printf 'mongo_uri = %s\nmongo_db = t_deb\n' "$SNAPCTL_MONGO_URI" >>/etc/snapctl/snapctl.conf
rc=0
env -u SNAPCTL_MONGO_URI -u SNAPCTL_MONGO_DB -u SNAPCTL_CONFIG PGDATABASE=t_deb \
	/usr/bin/snapctl --json init-db --check >"$tmp/check" 2>&1 || rc=$?
cp "$tmp/conf.orig" /etc/snapctl/snapctl.conf
[ $rc -eq 0 ] && grep -q '"listing_indexes_to_create"' "$tmp/check" ||
	fail "init-db --check with /etc/snapctl/snapctl.conf: exit $rc, $(cat "$tmp/check")"
psql -XAq -c "DROP DATABASE t_deb"

DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "${pkgs[@]}" >/dev/null 2>"$tmp/apt.err" ||
	fail "apt-get purge: $(cat "$tmp/apt.err")"
while read -r f; do
	[ ! -e "$f" ] || fail "left after purge: $f"
done <"$tmp/files"
[ ! -e /etc/snapctl ] || fail "left after purge: /etc/snapctl"
! getent passwd snapctl >/dev/null || fail "left after purge: the snapctl user"
echo ok
