"""WSGI entry point for nova-api under gunicorn.

Nova parses the process's command line as its own options, so gunicorn's
arguments must be hidden from it. Configuration comes from
OS_NOVA_CONFIG_DIR (api-paste.ini first, then nova.conf).
"""

import sys

sys.argv = sys.argv[:1]

from nova.wsgi.osapi_compute import application  # noqa: E402,F401
