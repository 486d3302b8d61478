"""Knowledge reports: papermill runs of knowledge/templates/*.ipynb published as an offline, sanitised site."""
