#!/usr/bin/env bash
# Set up minigrad on a fresh machine that has Python >= 3.10.
#
#   bash scripts/setup.sh [EXTRAS]        e.g. plot, dev,plot, dev,plot,docs
#
# 1. graphviz's `dot` (to render graphs), with apt-get when it is missing and we are root
#    or may sudo; otherwise a note says what to install.
# 2. A Python environment (scripts/env.sh): the activated virtual environment if there is
#    one, else the project's .venv, created here (python3-venv is installed first with
#    apt-get if this Python cannot make one and we are root).
# 3. `pip install -e ".[EXTRAS]"` into that environment.
#
# Afterwards `scripts/run CMD ...` runs CMD inside that environment, activated or not, and
# `source .venv/bin/activate` activates it for the rest of a shell session.
# PYTHON=python3.12 picks the interpreter that creates .venv (default: python3).
set -euo pipefail
cd "$(dirname "$0")/.."
MINIGRAD_ROOT=$PWD
. scripts/env.sh

say() { printf 'setup: %s\n' "$*" >&2; }

# Run a command as root: directly when we are root, through sudo when it is there.
as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && { [ -t 0 ] || sudo -n true 2>/dev/null; }; then
    sudo "$@"
  else
    return 1
  fi
}

apt_updated=
apt_install() {
  command -v apt-get >/dev/null 2>&1 || return 1
  if [ -z "$apt_updated" ]; then
    as_root apt-get update -qq || return 1
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# --- 1. graphviz's dot --------------------------------------------------------------------
if ! command -v dot >/dev/null 2>&1; then
  if apt_install graphviz; then
    say "installed graphviz (the 'dot' program) with apt-get"
  else
    say "graphviz's 'dot' is missing, so graphs can be built and printed as DOT text but" \
        "not rendered; install the system package 'graphviz' to render them"
  fi
fi

# --- 2. the Python environment ------------------------------------------------------------
env_dir=$(minigrad_env_dir)
if [ -n "${VIRTUAL_ENV:-}${CONDA_PREFIX:-}" ]; then
  say "installing into the active environment $env_dir"
else
  base=${PYTHON:-python3}
  if ! command -v "$base" >/dev/null 2>&1; then
    say "'$base' not found: install Python 3.10 or newer (or set PYTHON=/path/to/python3)"
    exit 1
  fi
  if ! "$base" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
    say "$("$base" --version 2>&1) is too old: minigrad needs Python 3.10 or newer" \
        "(set PYTHON=/path/to/python3.10+)"
    exit 1
  fi
  if [ -x "$env_dir/bin/python" ] && "$env_dir/bin/python" -c 'import pip' 2>/dev/null; then
    : # reuse it
  else
    # Debian and Ubuntu ship `venv` without ensurepip in a separate package
    if ! "$base" -c 'import ensurepip' 2>/dev/null; then
      ver=$("$base" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
      apt_install "python$ver-venv" 2>/dev/null || apt_install python3-venv || {
        say "$base cannot create a virtual environment (no ensurepip): install the system" \
            "package python3-venv (sudo apt-get install python3-venv), then run this again"
        exit 1
      }
    fi
    say "creating the virtual environment $env_dir"
    "$base" -m venv --clear "$env_dir"
  fi
fi
py="$env_dir/bin/python"
if [ ! -x "$py" ]; then
  say "no Python at $py; is $env_dir a virtual environment?"
  exit 1
fi

# --- 3. minigrad, editable, with its extras -------------------------------------------------
extras="${1:-}"
spec="."
[ -n "$extras" ] && spec=".[${extras}]"
say "pip install -e '$spec' into $env_dir"
PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore \
  "$py" -m pip install --quiet -e "$spec"

if [ -z "${VIRTUAL_ENV:-}${CONDA_PREFIX:-}" ]; then
  rel=${env_dir#"$MINIGRAD_ROOT"/}
  say "done. Run commands in it with 'scripts/run python ...', or activate it:" \
      "source $rel/bin/activate"
else
  say "done"
fi
