"""Entry point for ``oslo-config-generator`` (namespace ``nova_lb``)."""

from nova_lb import conf


def list_opts():
    """Every (group, options) pair, for the sample config and the docs."""
    return conf.list_opts()
