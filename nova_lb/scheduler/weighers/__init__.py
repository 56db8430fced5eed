"""nova-lb's host weighers, as nova.conf's ``weight_classes`` sees them.

Add ``nova_lb.scheduler.weighers.all_weighers`` to ``[filter_scheduler]
weight_classes``, next to ``nova.scheduler.weights.all_weighers``.
"""

from nova.scheduler import weights

from nova_lb.scheduler import loading

NAMESPACE = 'nova_lb.scheduler.weighers'


def all_weighers():
    """Every host weigher class registered in ``nova_lb.scheduler.weighers``.
    """
    return loading.load_classes(NAMESPACE, weights.BaseHostWeigher)
