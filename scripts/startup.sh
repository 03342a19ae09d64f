#!/usr/bin/env bash
# Start-up of `train` (to its first optimizer step) and `score` (to its first scored batch) on N UltraChat-sized
# samples (issue 27 item 6): seconds from launch and the process's peak resident set (VmHWM).
#   scripts/startup.sh [N=1000000] [WORKDIR=a new temp folder]
# Needs a Release build (./run.sh build or dotnet build -c Release) and the tokenizers in .cache/assets/.
# The data: N records in the `messages` layout, three exchanges of ~380 characters per turn (~2.3 KB of text per
# sample, UltraChat-200k's 463 MB over 200,000), seeded. The target and the one aligned model are `init-model tiny`
# checkpoints (the aligned one exported to ONNX), so the figures are the data's cost, not a model's.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
count=${1:-1000000}
work=${2:-$(mktemp -d /tmp/poft-startup-XXXXXX)}
cli="$root/artifacts/bin/PoFT.Cli/release/poft.dll"
[[ -f $cli ]] || { echo "startup.sh: build first (dotnet build -c Release)" >&2; exit 1; }
mkdir -p "$work"
poft() { dotnet "$cli" "$@"; }

data="$work/data-$count.jsonl"
if [[ ! -f $data ]]; then
  python3 - "$count" "$data" <<'EOF'
import json, random, sys
count, path = int(sys.argv[1]), sys.argv[2]
rng = random.Random(1)
words = [w for w in "the of and to in is that for it as was with be by on not he this are or his from at which but have an they you were her she there would their we him been has when who will more no if out so said what up its about into than them can only other new some could time these two may then do first any my now such like our over man me even most made after also did many before must through back years where much your way well down should because each just those people how too little state good very make world still own see men work long get here between both life being under never day same another know while last might us great old year off come since against go came right used take three".split()]
def turn(n):
    return " ".join(rng.choice(words) for _ in range(n))
# 20,000 distinct conversations, repeated under distinct ids: reading, hashing and tokenizing cost the same per
# record, and the file is written in a minute rather than half an hour.
pool = []
for _ in range(min(count, 20000)):
    messages = []
    for _ in range(3):
        messages.append({"role": "user", "content": turn(rng.randint(40, 90))})
        messages.append({"role": "assistant", "content": turn(rng.randint(50, 110))})
    pool.append(json.dumps(messages))
with open(path, "w") as f:
    for i in range(count):
        f.write('{"prompt_id": "u%d", "messages": %s}\n' % (i, pool[i % len(pool)]))
EOF
fi
echo "data: $data, $(stat -c %s "$data") bytes, $count samples"

[[ -d $work/target ]] || poft init-model --config tiny --tokenizer "$root/.cache/assets/mistral" --out "$work/target" --seed 2 >/dev/null
[[ -d $work/aligned ]] || poft init-model --config tiny --tokenizer "$root/.cache/assets/mistral" --out "$work/aligned" --seed 1 >/dev/null
[[ -d $work/aligned-onnx ]] || poft export --checkpoint "$work/aligned" --out "$work/aligned-onnx" >/dev/null
cat >"$work/manifest.json" <<EOF
{"models": [{"name": "aligned", "onnx": "aligned-onnx/model.onnx", "tokenizer": {"kind": "hf", "path": "aligned-onnx/tokenizer.json"},
  "template": {"family": "mistral-inst"}, "max_length": 1024}]}
EOF

# Runs "$@" in the background; waits until the file $1 has a line, prints the seconds, then stops the process and
# prints its peak resident set.
until_first_line() {
  local marker=$1 label=$2; shift 2
  local start=$SECONDS peak=0
  "$@" >"$work/$label.out" 2>"$work/$label.err" &
  local pid=$!
  local t0; t0=$(date +%s.%N)
  while kill -0 "$pid" 2>/dev/null; do
    local hwm; hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    (( hwm > peak )) && peak=$hwm
    if [[ -s $marker ]]; then break; fi
    sleep 0.5
  done
  local t1; t1=$(date +%s.%N)
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [[ -s $marker ]] || { echo "$label: ended without its first line; see $work/$label.err" >&2; tail -5 "$work/$label.err" >&2; return 1; }
  printf '%s: %.1f s to the first %s, peak RSS %.0f MiB\n' "$label" "$(echo "$t1 - $t0" | bc)" \
    "$([[ $label == train ]] && echo step || echo batch)" "$(echo "$peak / 1024" | bc)"
}

rm -rf "$work/run" "$work/scores.jsonl" "$work/scores.jsonl.provenance.json"
cat >"$work/train.json" <<EOF
{"model": "target", "template": {"family": "mistral-inst"}, "train_data": "$(basename "$data")", "output": "run",
 "training": {"objective": "ce", "max_steps": 1, "batch_size": 4}}
EOF
until_first_line "$work/run/metrics.jsonl" train dotnet "$cli" train --config "$work/train.json"
until_first_line "$work/scores.jsonl" score dotnet "$cli" score --manifest "$work/manifest.json" --data "$data" --out "$work/scores.jsonl"
echo "work folder: $work (delete it when done)"
