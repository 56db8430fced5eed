"""PromQL per quantity, and the units its answers come in.

Exporters name the same thing differently (Ceilometer's ``resource``
label, libvirt-exporter's ``uuid``) and count it in different units (CPU
time in nanoseconds or seconds, memory in MiB or bytes); OpenStack
Watcher's users met both traps. So each quantity is an admin-editable
template with an explicit unit, and the conversion to the snapshot's units
(CPU in cores, memory in MiB) happens in one place, here.

A template gives the *instantaneous* use of every server, one series per
server, labelled by ``%(server_label)s``; :meth:`Queries.promql` wraps it in
the statistic over the window (a PromQL subquery), so the admin writes
the query once, as they would graph it.
"""

import dataclasses

#: Multiply an answer in this unit by the factor to get cores.
CPU_UNITS = {'cores': 1.0, 'millicores': 1e-3, 'nanocores': 1e-9,
             'percent': 1e-2}
#: Multiply an answer in this unit by the factor to get MiB.
MEMORY_UNITS = {'bytes': 1.0 / 1048576, 'KiB': 1.0 / 1024, 'MiB': 1.0,
                'GiB': 1024.0}
#: Statistic name -> PromQL ``*_over_time`` call, ``%s`` the range.
STATISTICS = {
    'p50': 'quantile_over_time(0.5, %s)',
    'p90': 'quantile_over_time(0.9, %s)',
    'p95': 'quantile_over_time(0.95, %s)',
    'p99': 'quantile_over_time(0.99, %s)',
    'max': 'max_over_time(%s)',
    'mean': 'avg_over_time(%s)',
}
QUANTITIES = ('cpu', 'memory')


@dataclasses.dataclass(frozen=True)
class Source:
    """Default templates and units of one kind of exporter."""

    server_label: str
    cpu: str
    cpu_unit: str
    memory: str
    memory_unit: str


SOURCES = {
    # Ceilometer's Prometheus output, as OpenStack Watcher reads it:
    # ``ceilometer_cpu`` is cumulative CPU time in nanoseconds, so its rate
    # is in nanoseconds per second; ``ceilometer_memory_usage`` is MiB.
    'ceilometer': Source(
        server_label='resource',
        cpu='sum by (%(server_label)s) (rate(ceilometer_cpu[%(rate_interval)s]))',
        cpu_unit='nanocores',
        memory='max by (%(server_label)s) (ceilometer_memory_usage)',
        memory_unit='MiB'),
    # Debian's prometheus-libvirt-exporter: CPU time in seconds, memory in
    # bytes, the domain UUID (Nova's server UUID) in ``uuid``.
    'libvirt': Source(
        server_label='uuid',
        cpu='sum by (%(server_label)s) (rate('
            'libvirt_domain_info_cpu_time_seconds_total[%(rate_interval)s]))',
        cpu_unit='cores',
        memory='max by (%(server_label)s) ('
               'libvirt_domain_info_memory_usage_bytes)',
        memory_unit='bytes'),
}


@dataclasses.dataclass(frozen=True)
class Queries:
    """The admin's measured-load queries, checked and ready to send."""

    server_label: str
    #: quantity -> template (``%(server_label)s``, ``%(rate_interval)s``)
    templates: dict
    #: quantity -> factor to cores (cpu) or MiB (memory)
    factors: dict
    window: int
    rate_interval: int
    step: int
    statistic: str

    def instant(self, quantity):
        """The template of ``quantity`` with its parameters filled in.

        Placeholders are Python's ``%(name)s``: oslo.config already reads
        ``$name`` in a value as a reference to another option, and PromQL
        has no use for ``%`` but modulo (write it ``%%``).
        """
        return self.templates[quantity] % {
            'server_label': self.server_label,
            'rate_interval': '%ds' % self.rate_interval}

    def promql(self, quantity):
        """The statistic of ``quantity`` over the window, per server."""
        return STATISTICS[self.statistic] % self._range(quantity)

    def samples(self, quantity):
        """How many points the statistic of ``quantity`` was taken over."""
        return 'count_over_time(%s)' % self._range(quantity)

    def _range(self, quantity):
        return '(%s)[%ds:%ds]' % (self.instant(quantity), self.window,
                                  self.step)

    def convert(self, quantity, value):
        """``value`` as answered, in cores (cpu) or MiB (memory)."""
        return value * self.factors[quantity]


def build(source, server_label=None, cpu=None, cpu_unit=None, memory=None,
          memory_unit=None, window=3600, rate_interval=300, step=60,
          statistic='p95'):
    """:class:`Queries` from ``source``'s defaults and any overrides.

    :raises ValueError: an unknown source, unit or statistic, or a
        template with a placeholder other than ``%(server_label)s`` and
        ``%(rate_interval)s``; the message names it.
    """
    if source not in SOURCES:
        raise ValueError('unknown source %r, expected one of %s'
                         % (source, ', '.join(sorted(SOURCES))))
    if statistic not in STATISTICS:
        raise ValueError('unknown statistic %r, expected one of %s'
                         % (statistic, ', '.join(STATISTICS)))
    defaults = SOURCES[source]
    units = {'cpu': (cpu_unit or defaults.cpu_unit, CPU_UNITS),
             'memory': (memory_unit or defaults.memory_unit, MEMORY_UNITS)}
    for quantity, (unit, known) in units.items():
        if unit not in known:
            raise ValueError('unknown %s unit %r, expected one of %s'
                             % (quantity, unit, ', '.join(known)))
    queries = Queries(
        server_label=server_label or defaults.server_label,
        templates={'cpu': cpu or defaults.cpu,
                   'memory': memory or defaults.memory},
        factors={q: known[unit] for q, (unit, known) in units.items()},
        window=window, rate_interval=rate_interval, step=step,
        statistic=statistic)
    for quantity in QUANTITIES:
        try:
            queries.instant(quantity)
        except (KeyError, ValueError, TypeError) as e:
            raise ValueError('%s query %r: unknown placeholder %s (use '
                             '%%(server_label)s and %%(rate_interval)s)'
                             % (quantity, queries.templates[quantity], e))
    return queries
