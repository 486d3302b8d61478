#!/usr/bin/env bash
# LCE's JupyterHub on a fresh Debian 12 / Ubuntu 24.04 server, step by step (see deploy/hub/README.md).
# Run as root from a checkout of the instructors' repository: deploy/hub/install.sh [HUB_YAML]
set -euo pipefail
cd "$(dirname "$0")/../.."
settings="${1:-deploy/hub/hub.yaml}"

echo "==> 1. system packages: Python 3.11 with venv, Node.js (the proxy), bubblewrap (grading sandbox)"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  python3.11 python3.11-venv nodejs npm bubblewrap git >/dev/null

echo "==> 2. the code in /opt/lce/src and LCE's pinned environment in /opt/lce/venv (readable by every user)"
install -d -m 755 /opt/lce
if [ "$(pwd)" != /opt/lce/src ]; then
  rm -rf /opt/lce/src && git clone --quiet . /opt/lce/src
fi
[ -x /opt/lce/venv/bin/python ] || /usr/bin/python3.11 -m venv /opt/lce/venv
/opt/lce/venv/bin/python -m pip install --quiet -r /opt/lce/src/binder/requirements.txt
/opt/lce/venv/bin/python -m pip install --quiet --no-deps --no-build-isolation /opt/lce/src
PATH="/opt/lce/venv/bin:$PATH" /opt/lce/src/binder/configure-jupyter >/dev/null   # formgrader off for learners
chmod -R a+rX /opt/lce

echo "==> 3. configurable-http-proxy from the repository's npm lock file"
(cd /opt/lce/src && npm ci --no-audit --no-fund --silent)

echo "==> 4. Unix users, the nbgrader exchange and the course folders named in $settings"
install -d -m 700 /srv/lce-hub
/opt/lce/venv/bin/python -m lce_utils.courses.hub setup "$settings" --course-source /opt/lce/src/courses

echo "==> 5. the hub as a systemd service"
install -m 644 deploy/hub/lce-hub.service /etc/systemd/system/lce-hub.service
sed -i "s|@SETTINGS@|$(realpath "$settings")|" /etc/systemd/system/lce-hub.service
systemctl daemon-reload
systemctl enable --now lce-hub
echo "JupyterHub runs on the port hub.yaml names; put it behind HTTPS (deploy/hub/README.md, step 6)."
