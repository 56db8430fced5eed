"""Sphinx configuration of the nova-lb admin guide.

The configuration reference is rendered from the options themselves by
oslo.config's extension (``.. show-options:: nova_lb``), which finds them
through the ``oslo.config.opts`` entry point: nova-lb must be installed
(``pip install -e .``) where sphinx-build runs.
"""

import os
import sys

# Local extensions (the command reference, figures run from commands).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '_ext'))

project = 'nova-lb'
copyright = 'nova-lb developers'

extensions = [
    'oslo_config.sphinxext',
    'cli_help',
    'nova_lb_run',
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
