#!/usr/bin/env bash
# Set up minigrad on a fresh machine: graphviz's `dot` (for rendering graphs) and the
# package itself, editable, with the extras named in $1 (e.g. "dev", "plot", "dev,plot").
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dot >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null
  elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null
  else
    echo "setup: graphviz's 'dot' is missing; install the system package 'graphviz' to render graphs" >&2
  fi
fi

extras="${1:-}"
spec="."
[ -n "$extras" ] && spec=".[${extras}]"
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -e "$spec"
