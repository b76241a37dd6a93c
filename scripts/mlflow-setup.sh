#!/usr/bin/env bash
# The MLflow tracking server the @llm-otel/mlflow tests start (and `pnpm demo:stack` can), in a Python
# virtual environment outside the repository so every clone and CI run reuses it. Idempotent: a stamp
# with the version marks a finished install; a half-made venv (no stamp) is made again.
# Prints the venv's path last. Override the place with LLM_OTEL_MLFLOW_VENV.
set -euo pipefail
MLFLOW_VERSION=3.17.2
venv="${LLM_OTEL_MLFLOW_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/llm-otel/mlflow-venv}"
stamp="$venv/.llm-otel-mlflow-$MLFLOW_VERSION"
# An empty, migrated backend store: the tests copy it, so a server starts in seconds instead of
# running MLflow's schema migrations every time.
template="$venv/template-$MLFLOW_VERSION.db"
say() { printf '[mlflow-setup] %s\n' "$*" >&2; }

make_template() {
  say "migrating the template backend store $template"
  rm -f "$template.tmp"
  "$venv/bin/mlflow" db upgrade "sqlite:///$template.tmp" >/dev/null 2>&1
  mv "$template.tmp" "$template"
}

if [[ -f "$stamp" && -x "$venv/bin/mlflow" ]]; then
  [[ -f "$template" ]] || make_template
  say "mlflow $MLFLOW_VERSION reused from $venv"
  echo "$venv"
  exit 0
fi
command -v python3 >/dev/null 2>&1 || { say "python3 is missing: MLflow needs Python >= 3.10 with venv"; exit 1; }
say "creating $venv (python $(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])'))"
rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
python3 -m venv "$venv"
say "installing mlflow==$MLFLOW_VERSION (a few minutes the first time)"
"$venv/bin/python" -m pip install --progress-bar on "mlflow==$MLFLOW_VERSION" >&2
"$venv/bin/mlflow" --version >&2
make_template
touch "$stamp"
say "mlflow $MLFLOW_VERSION ready in $venv"
echo "$venv"
