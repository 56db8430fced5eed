"""Find the classes registered in one of nova-lb's scheduler namespaces.

nova.conf points ``[filter_scheduler] available_filters`` and
``weight_classes`` at ``all_filters``/``all_weighers``, which nova-scheduler
calls once at start-up. Other packages may register their own classes in
these namespaces; one of them being broken (a module that fails to import,
an entry point naming something that is not a filter) must cost only that
class, logged, and never stop nova-scheduler from starting.
"""

from oslo_log import log as logging
import stevedore

LOG = logging.getLogger(__name__)


def _skip_broken(manager, entry_point, exc):
    LOG.warning("Skipping the scheduler plugin %(ep)s registered in "
                "%(namespace)s: it failed to load: %(error)s",
                {'ep': entry_point.value, 'namespace': manager.namespace,
                 'error': exc})


def load_classes(namespace, base_class):
    """Classes registered under ``namespace`` that subclass ``base_class``.

    Sorted by entry point name, so that every nova-scheduler process runs
    them in the same order.
    """
    manager = stevedore.ExtensionManager(
        namespace, invoke_on_load=False,
        on_load_failure_callback=_skip_broken)
    classes = []
    for ext in sorted(manager, key=lambda e: e.name):
        if isinstance(ext.plugin, type) and issubclass(ext.plugin,
                                                       base_class):
            classes.append(ext.plugin)
        else:
            LOG.warning("Skipping the scheduler plugin %(ep)s registered in "
                        "%(namespace)s: %(plugin)r is not a %(base)s",
                        {'ep': ext.entry_point.value, 'namespace': namespace,
                         'plugin': ext.plugin, 'base': base_class.__name__})
    return classes
