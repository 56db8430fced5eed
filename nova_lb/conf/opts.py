"""Entry point for ``oslo-config-generator`` (namespace ``nova_lb``)."""

from nova_lb import conf


def list_opts():
    """Every (group, options) pair, for the sample config and the docs."""
    result = []
    for module in conf.modules():
        result.extend(module.list_opts())
    return result
