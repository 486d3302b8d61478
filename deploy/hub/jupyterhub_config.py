# JupyterHub for LCE's courses: one server, a real Unix user per learner, nbgrader's exchange, a formgrader per
# course. Everything site-specific is in hub.yaml (LCE_HUB_SETTINGS names another file); the logic is in
# lce_utils/courses/hub.py. Start as root: /opt/lce/venv/bin/jupyterhub -f deploy/hub/jupyterhub_config.py
import os
from pathlib import Path

from lce_utils.courses.hub import configure, load_settings

c = get_config()  # noqa: F821 (provided by traitlets when the file is loaded)

settings = load_settings(os.environ.get("LCE_HUB_SETTINGS") or Path(__file__).with_name("hub.yaml"))
configure(c, settings)

# Site-specific additions (an OAuth client id, an extra service) go into jupyterhub_config.local.py beside the
# settings file, so this file stays as the repository has it.
local = settings.path.with_name("jupyterhub_config.local.py")
if local.exists():
    load_subconfig(str(local))  # noqa: F821
