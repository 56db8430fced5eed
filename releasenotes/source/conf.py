"""Sphinx configuration of nova-lb's release notes (reno)."""

project = 'nova-lb Release Notes'
copyright = 'nova-lb developers'

extensions = [
    'reno.sphinxext',
]

root_doc = 'index'
html_theme = 'alabaster'
html_static_path = []
