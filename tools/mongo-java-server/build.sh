#!/usr/bin/env bash
# Fetches mongo-java-server 1.47.0 (memory backend) from Maven Central as pinned by pom.xml,
# compiles Server.java against it, and prints the java command line that starts it (classpath
# included). Cached: a second run fetches and compiles nothing.
# Usage: tools/mongo-java-server/build.sh [OUT_DIR]  (default: ~/.cache/snapctl/mongo-java-server-1.47.0)
set -euo pipefail
cd "$(dirname "$0")"
out=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/snapctl/mongo-java-server-1.47.0}
if [ ! -f "$out/Server.class" ] || [ Server.java -nt "$out/Server.class" ] || [ pom.xml -nt "$out/cp" ]; then
	command -v mvn >/dev/null && command -v javac >/dev/null ||
		{ echo "mongo-java-server: Maven and a JDK are needed" >&2; exit 69; }
	mkdir -p "$out"
	echo "mongo-java-server: fetching 1.47.0 from Maven Central" >&2
	mvn -q -B dependency:build-classpath -Dmdep.outputFile="$out/cp" >&2
	javac -d "$out" -cp "$(cat "$out/cp")" Server.java
fi
echo "java -XX:+UseSerialGC -Xss512k -cp $out:$(cat "$out/cp") Server"
