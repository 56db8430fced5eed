"""nova-lb's host filters, as nova.conf's ``available_filters`` sees them.

Add ``nova_lb.scheduler.filters.all_filters`` to ``[filter_scheduler]
available_filters`` (next to ``nova.scheduler.filters.all_filters``), then
name the wanted filters in ``enabled_filters``.
"""

from nova.scheduler import filters

from nova_lb.scheduler import loading

NAMESPACE = 'nova_lb.scheduler.filters'


def all_filters():
    """Every host filter class registered in ``nova_lb.scheduler.filters``."""
    return loading.load_classes(NAMESPACE, filters.BaseHostFilter)
