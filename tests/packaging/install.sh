# cmake --install puts everything in its standard place, and a program outside the tree builds
# against the installed library, through pkg-config and through CMake, and runs.
: "${SNAPCTL_BUILD:?}" "${SNAPCTL_SRC:?}"
# A sanitized library wants its runtime loaded first: no plain program can use it.
[ "${SNAPCTL_SANITIZE:-0}" != 1 ] || exit 77
# shellcheck source=tests/common.sh
. "$SNAPCTL_SRC/tests/common.sh"
tmp=$TEST_TMP

cmake --install "$SNAPCTL_BUILD" --prefix "$tmp/usr" >/dev/null
libdir=$(cd "$tmp/usr" && dirname "$(find . -name 'libsnapshot.so.*.*' | head -1)")
for f in bin/snapctl include/snapshot.h share/man/man1/snapctl.1.gz share/man/man3/libsnapshot.3.gz \
	share/bash-completion/completions/snapctl share/zsh/vendor-completions/_snapctl \
	share/fish/vendor_completions.d/snapctl.fish "$libdir/pkgconfig/libsnapshot.pc" \
	"$libdir/cmake/snapshot/snapshotConfig.cmake" "$libdir/snapshot/snapshot-mongo.so"; do
	[ -e "$tmp/usr/$f" ] || fail "not installed: $f"
done
soname=$(objdump -p "$tmp/usr/$libdir/libsnapshot.so" | awk '/SONAME/ { print $2 }')
[ "$soname" = libsnapshot.so.1 ] || fail "SONAME: '$soname'"

cat >"$tmp/hello.c" <<'C'
#include <snapshot.h>
#include <stdio.h>

int main(void)
{
	double s;

	if (!snap_uuid_valid("3b95b709-5c45-cfe3-a70a-4889c17275a7") ||
	    !snap_parse_duration("90d", &s) || s != 7776000)
		return 1;
	printf("%s\n", snap_strerror(SNAP_ERR_NOT_FOUND));
	return 0;
}
C
export PKG_CONFIG_PATH="$tmp/usr/$libdir/pkgconfig"
# shellcheck disable=SC2046
cc -o "$tmp/hello" "$tmp/hello.c" $(pkg-config --cflags --libs libsnapshot)
[ "$(LD_LIBRARY_PATH="$tmp/usr/$libdir" "$tmp/hello")" = "not found" ] ||
	fail "the pkg-config build does not run"

# The example of libsnapshot(3) builds as it stands.
sed -n '/^\.Bd -literal/,/^\.Ed/p' "$SNAPCTL_SRC/man/libsnapshot.3" | sed '1d;$d' |
	sed 's/\\en/\\n/g' >"$tmp/example.c"
# shellcheck disable=SC2046
cc -Wall -Werror -o "$tmp/example" "$tmp/example.c" $(pkg-config --cflags --libs libsnapshot) ||
	fail "the example of libsnapshot(3) does not build"

mkdir "$tmp/cm"
cat >"$tmp/cm/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.25)
project(hello C)
find_package(snapshot 0 REQUIRED)
add_executable(hello ../hello.c)
target_link_libraries(hello PRIVATE snapshot::snapshot)
CM
cmake -S "$tmp/cm" -B "$tmp/cm/build" -DCMAKE_PREFIX_PATH="$tmp/usr" >/dev/null
cmake --build "$tmp/cm/build" >/dev/null
[ "$(LD_LIBRARY_PATH="$tmp/usr/$libdir" "$tmp/cm/build/hello")" = "not found" ] ||
	fail "the CMake build does not run"
echo ok
