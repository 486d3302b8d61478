"""The ipywidgets apps served by Voilà: sign-up, coordinator and follow-up."""
