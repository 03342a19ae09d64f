#!/usr/bin/env bash
# Fuzzes one entry point that reads untrusted bytes: scripts/fuzz.sh TARGET MINUTES.
# Builds fuzz/PoFT.Fuzz, copies it to .cache/fuzz/bin and instruments the project's assemblies there with SharpFuzz
# (the dotnet tool pinned in .config/dotnet-tools.json), then runs AFL++'s afl-fuzz (Debian package afl++) for
# MINUTES from the seeds in fuzz/corpus/TARGET/ (with the dictionary fuzz/dict/jinja.dict or json.dict)
# into .cache/fuzz/TARGET/, niced, and prints afl's figures.
# A crash is an exception outside the CLI's user errors (fuzz/PoFT.Fuzz/Contract.cs), an abort, or running out of
# the 1 GiB heap; a hang is an input that runs longer than 10 s. Reproduce one outside AFL with
#   dotnet artifacts/bin/PoFT.Fuzz/release/PoFT.Fuzz.dll TARGET .cache/fuzz/TARGET/default/crashes/id:...
# (the uninstrumented build: instrumented code runs only inside SharpFuzz's loop).
# Targets: jinja data tokenizer config safetensors manifest score. docs/reliability.md#fuzzing
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [[ $# -ne 2 || ! -d fuzz/corpus/${1:-.none} || ! $2 =~ ^[0-9]+$ ]]; then
  echo "usage: scripts/fuzz.sh TARGET MINUTES; targets: $(ls fuzz/corpus | tr '\n' ' ')" >&2
  exit 2
fi
target=$1
minutes=$2
command -v afl-fuzz >/dev/null || { echo "afl-fuzz not found: install AFL++ (apt-get install afl++)" >&2; exit 1; }

bin=.cache/fuzz/bin
findings=.cache/fuzz/$target
dotnet tool restore >/dev/null
dotnet build fuzz/PoFT.Fuzz/PoFT.Fuzz.csproj -c Release --nologo -v minimal -clp:NoSummary >/dev/null
# Instrumented copies only: the build's own assemblies stay as they are for the tests.
rm -rf "$bin" && mkdir -p "$bin"
cp -r artifacts/bin/PoFT.Fuzz/release/. "$bin"
for assembly in PoFT.Shared PoFT.Text PoFT.Checkpoints; do
  dotnet sharpfuzz "$bin/$assembly.dll" >/dev/null
done

rm -rf "$findings" && mkdir -p "$findings"
# The target's tokens (template syntax, or JSON and the fields its formats name) as an AFL++ dictionary.
dictionary=fuzz/dict/$([[ $target == jinja ]] && echo jinja || echo json).dict
# One process, persistent (SharpFuzz's loop): dotnet is not instrumented itself, so afl's binary check is skipped.
# The heap limit turns unbounded memory into an OutOfMemoryException, which is a crash. Inputs are written to /dev/shm.
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 AFL_NO_UI=1
export DOTNET_GCHeapHardLimit=0x40000000 TMPDIR=/dev/shm
nice -n 19 afl-fuzz -i "fuzz/corpus/$target" -o "$findings" -x "$dictionary" -t 10000 -m none -V $((minutes * 60)) \
  -- dotnet "$bin/PoFT.Fuzz.dll" "$target" >"$findings/afl.log" 2>&1 || { tail -30 "$findings/afl.log" >&2; exit 1; }

stats=$findings/default/fuzzer_stats
field() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
echo "$target: $(( $(field run_time) / 60 )) min, $(field execs_done) executions ($(field execs_per_sec)/s), $(field corpus_count) paths," \
  "$(field saved_crashes) crashes, $(field saved_hangs) hangs"
find "$findings/default/crashes" "$findings/default/hangs" -type f -name 'id:*' 2>/dev/null || true
