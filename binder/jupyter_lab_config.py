"""`make lab`: JupyterLab on 127.0.0.1 at the repository root, opening the landing notebook."""

import os
from pathlib import Path

c = get_config()  # noqa: F821  (provided by Jupyter when it loads this file)

c.ServerApp.ip = "127.0.0.1"
c.ServerApp.root_dir = str(Path(__file__).resolve().parent.parent)
c.LabApp.default_url = "/lab/tree/index.ipynb"
c.ServerApp.allow_root = os.geteuid() == 0  # containers often run as root; Jupyter refuses that by default
