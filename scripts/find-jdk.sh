#!/usr/bin/env bash
# Prints the home of a JDK whose major version is 21 or newer, or fails with a plain message.
# Order: $JAVA_HOME, the java on PATH, then every JDK under /usr/lib/jvm (newest first).
java_major() {
  local v
  v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  echo "${v%%.*}"
}
candidates=()
[ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
if command -v java >/dev/null 2>&1; then
  candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
fi
for d in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do candidates+=("${d%/}"); done
for home in "${candidates[@]}"; do
  if [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ]; then
    major=$(java_major "$home")
    if [ -n "$major" ] && [ "$major" -ge 21 ] 2>/dev/null; then echo "$home"; exit 0; fi
  fi
done
echo "disjoint: no JDK 21 or newer found (looked at JAVA_HOME, PATH and /usr/lib/jvm); install one and set JAVA_HOME" >&2
exit 1
