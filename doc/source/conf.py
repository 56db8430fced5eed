"""Sphinx configuration of the nova-lb admin guide.

The configuration reference is rendered from the options themselves by
oslo.config's extension (``.. show-options:: nova_lb``), which finds them
through the ``oslo.config.opts`` entry point: nova-lb must be installed
(``pip install -e .``) where sphinx-build runs.
"""

project = 'nova-lb'
copyright = 'nova-lb developers'

extensions = [
    'oslo_config.sphinxext',
]

root_doc = 'index'
exclude_patterns = []
pygments_style = 'sphinx'
html_theme = 'alabaster'
html_static_path = []
html_theme_options = {
    'description': 'Balanced placement and live-migration rebalancing '
                   'for OpenStack Nova',
}
