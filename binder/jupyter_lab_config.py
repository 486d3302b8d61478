"""`make lab`: JupyterLab on 127.0.0.1 at the repository root, opening the landing notebook."""

import json
import os
import sys
from pathlib import Path

from traitlets.config import Config

c = get_config()  # noqa: F821  (provided by Jupyter when it loads this file)

c.ServerApp.ip = "127.0.0.1"
c.ServerApp.root_dir = str(Path(__file__).resolve().parent.parent)
c.LabApp.default_url = "/lab/tree/index.ipynb"
c.ServerApp.allow_root = os.geteuid() == 0  # containers often run as root; Jupyter refuses that by default

# `--config` makes Jupyter skip the environment's jupyter_server_config.json; merge it here so that `make lab`
# serves Voilà as Binder does (the offline template and extension denylist from binder/configure-jupyter).
_server_config = Path(sys.prefix) / "etc/jupyter/jupyter_server_config.json"
if _server_config.exists():
    c.merge(Config(json.loads(_server_config.read_text())))
