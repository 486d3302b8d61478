#!/usr/bin/env bash
# LCE's JupyterHub on a fresh Debian 12 / Ubuntu 24.04 server, step by step (see deploy/hub/README.md).
# Run as root from a checkout of the instructors' repository: deploy/hub/install.sh [--dry-run] [HUB_YAML]
# --dry-run prints every command instead of running it (no root needed, nothing changes).
set -euo pipefail
cd "$(dirname "$0")/../.."
dry_run=0
if [ "${1:-}" = "--dry-run" ]; then
  dry_run=1
  shift
fi
settings="${1:-deploy/hub/hub.yaml}"
if [ ! -f "$settings" ]; then
  echo "install.sh: no settings file $settings (copy deploy/hub/hub.yaml and edit it) / inställningsfilen saknas" >&2
  exit 2
fi
if [ "$dry_run" = 0 ] && [ "$(id -u)" != 0 ]; then
  echo "install.sh: run as root (or with --dry-run) / kör som root (eller med --dry-run)" >&2
  exit 2
fi

run() {  # a step's command: printed with --dry-run, run otherwise
  if [ "$dry_run" = 1 ]; then
    printf '+'
    printf ' %q' "$@"
    printf '\n'
  else
    "$@"
  fi
}

echo "==> 1. system packages: Python 3.11 with venv, Node.js (the proxy), bubblewrap (grading sandbox)"
run apt-get update -qq
run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  python3.11 python3.11-venv nodejs npm bubblewrap git

echo "==> 2. the code in /opt/lce/src and LCE's pinned environment in /opt/lce/venv (readable by every user)"
run install -d -m 755 /opt/lce
if [ "$(pwd)" != /opt/lce/src ]; then
  run rm -rf /opt/lce/src
  run git clone --quiet . /opt/lce/src
fi
if [ ! -x /opt/lce/venv/bin/python ]; then
  run /usr/bin/python3.11 -m venv /opt/lce/venv
fi
run /opt/lce/venv/bin/python -m pip install --quiet -r /opt/lce/src/binder/requirements.txt
run /opt/lce/venv/bin/python -m pip install --quiet --no-deps --no-build-isolation /opt/lce/src
run env PATH="/opt/lce/venv/bin:$PATH" /opt/lce/src/binder/configure-jupyter   # formgrader off for learners
run chmod -R a+rX /opt/lce

echo "==> 3. configurable-http-proxy from the repository's npm lock file"
run env -C /opt/lce/src npm ci --no-audit --no-fund --silent

echo "==> 4. Unix users, the nbgrader exchange and the course folders named in $settings"
run install -d -m 700 /srv/lce-hub
run /opt/lce/venv/bin/lce hub setup "$settings" --course-source /opt/lce/src/courses

echo "==> 5. the hub as a systemd service"
run install -m 644 deploy/hub/lce-hub.service /etc/systemd/system/lce-hub.service
run sed -i "s|@SETTINGS@|$(realpath "$settings")|" /etc/systemd/system/lce-hub.service
run systemctl daemon-reload
run systemctl enable --now lce-hub
echo "JupyterHub runs on the port hub.yaml names; put it behind HTTPS (deploy/hub/README.md, step 6)."
