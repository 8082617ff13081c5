#!/usr/bin/env bash
# p2p benchmark (a program, not a test): Java libp2p host vs js-libp2p 3.x on loopback, same run.
#
#   scripts/bench-p2p.sh [--handshakes 500] [--warmup 200] [--warmup-mib 1024] [--mib 256]
#                        [--streams 1,16] [--rounds 3] [--no-js]
#
# Figures: sequential handshakes per second (dial + close: TCP + multistream + Noise XX + Yamux),
# and throughput over 1 and 16 streams of one connection in 64 KiB writes, for Java<->Java
# (io.disjoint.p2p.bench.P2pBenchmark in p2p's test sources) and js<->js
# (testnet/js/libp2p-bench.mjs). Prints a markdown table for docs/benchmarks.md.
#
# Warm-up (untimed, identical for both): --warmup handshakes and --warmup-mib MiB over each
# stream count of --streams, in 4 interleaved round-shaped slices. Java runs all rounds in one
# JVM and warms up once before round 1; each js round is a fresh node process and warms up first.
# The JVM needs this: its JIT compiles the cipher, Noise, Yamux and Netty pipeline paths over the
# first GiB or so (with 64 MiB of warm-up the first measured round ran at about half the MB per
# CPU second of the third). The report sums the JIT's compile time during the measured runs: if
# it is more than a few per cent of the run time (a loaded machine starves the compiler threads),
# the Java figures are still warming up; re-run when the machine is quiet.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
"$here/scripts/install-fixtures.sh"
JAVA_HOME="$("$here/scripts/find-jdk.sh")"
./mvnw -q -B -o -pl p2p test-compile 2>/dev/null || ./mvnw -q -B -pl p2p test-compile
cp_file="$here/p2p/target/bench-classpath.txt"
./mvnw -q -B -o -pl p2p dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
# run from a snapshot of the compiled classes, so that a build started meanwhile cannot pull them away
snapshot="$(mktemp -d)"
trap 'rm -rf "$snapshot"' EXIT
cp -r "$here/p2p/target/classes" "$snapshot/classes"
cp -r "$here/p2p/target/test-classes" "$snapshot/test-classes"
"$JAVA_HOME/bin/java" -Xms1g -Xmx1g \
  -cp "$snapshot/test-classes:$snapshot/classes:$(cat "$cp_file")" \
  -Ddisjoint.repo="$here" \
  io.disjoint.p2p.bench.P2pBenchmark "$@"
