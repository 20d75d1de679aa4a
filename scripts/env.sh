# Which Python environment minigrad's scripts use; sourced by setup.sh and run.
#
# The rule, the same for a person and for CI (root or not):
#   1. an activated virtual environment ($VIRTUAL_ENV), or an active conda environment
#      ($CONDA_PREFIX), is used as it is;
#   2. otherwise the project's own .venv folder, which setup.sh creates. Installing into
#      the system Python is never attempted: Debian's refuses it
#      (externally-managed-environment), and elsewhere it would mix with system packages.
# MINIGRAD_ENV=DIR names another environment folder instead of .venv.

minigrad_env_dir() {
  if [ -n "${VIRTUAL_ENV:-}" ]; then
    printf '%s\n' "$VIRTUAL_ENV"
  elif [ -n "${CONDA_PREFIX:-}" ]; then
    printf '%s\n' "$CONDA_PREFIX"
  else
    printf '%s\n' "${MINIGRAD_ENV:-$MINIGRAD_ROOT/.venv}"
  fi
}
