"""``[metrics]``: where measured load comes from (Prometheus).

Optional: without ``prometheus_url`` nova-lb balances Placement
allocations only. Read once per run by :mod:`nova_lb.metrics.settings`.

The choices and default templates below are those of
:mod:`nova_lb.metrics.queries`, written out as Nova writes its choices (a
unit test holds the two equal): options are declared without importing
what reads them.
"""

from oslo_config import cfg

GROUP = cfg.OptGroup(
    'metrics',
    title='Measured load',
    help='Where nova-lb reads what servers really use, for ``[solver] '
         'balance = measured``: a Prometheus server and the PromQL per '
         'quantity.')

_TEMPLATE_HELP = """
PromQL giving each server's current %(what)s, one series per server
labelled by ``server_label``, in ``%(unit_opt)s``.

nova-lb wraps it in ``statistic`` over ``window`` (a subquery with
resolution ``step``), so write it as you would graph it. Placeholders:
``%%(server_label)s`` and ``%%(rate_interval)s`` (``rate_interval``
seconds, e.g. ``300s``); write PromQL's modulo ``%%%%``, and never
``$``, which oslo.config reads as another option's value.

Possible values:

* Unset (the default): the template of ``source``. For ``ceilometer``:
  ``%(ceilometer)s``; for ``libvirt``: ``%(libvirt)s``.
* A PromQL expression.

Related options:

* ``source``, ``server_label``, ``%(unit_opt)s``
"""

_UNIT_HELP = """
Unit ``%(quantity)s_query`` answers in; nova-lb converts it to %(to)s.

Possible values:

* Unset (the default): %(defaults)s.
* %(values)s.

Related options:

* ``%(quantity)s_query``
"""


#: source -> its default template per quantity.
DEFAULT_TEMPLATES = {
    'ceilometer': {
        'cpu': 'sum by (%(server_label)s) '
               '(rate(ceilometer_cpu[%(rate_interval)s]))',
        'memory': 'max by (%(server_label)s) (ceilometer_memory_usage)'},
    'libvirt': {
        'cpu': 'sum by (%(server_label)s) (rate('
               'libvirt_domain_info_cpu_time_seconds_total'
               '[%(rate_interval)s]))',
        'memory': 'max by (%(server_label)s) ('
                  'libvirt_domain_info_memory_usage_bytes)'},
}
SOURCES = ('ceilometer', 'libvirt')
STATISTICS = ('max', 'mean', 'p50', 'p90', 'p95', 'p99')
CPU_UNITS = ('cores', 'millicores', 'nanocores', 'percent')
MEMORY_UNITS = ('GiB', 'KiB', 'MiB', 'bytes')


def _quantity(quantity, what, to, units, defaults, values):
    """The template and unit options of one measured quantity."""
    return [
        cfg.StrOpt(
            '%s_query' % quantity,
            help=_TEMPLATE_HELP % {
                'what': what, 'unit_opt': '%s_unit' % quantity,
                'ceilometer': DEFAULT_TEMPLATES['ceilometer'][quantity],
                'libvirt': DEFAULT_TEMPLATES['libvirt'][quantity]}),
        cfg.StrOpt(
            '%s_unit' % quantity, choices=sorted(units),
            help=_UNIT_HELP % {'quantity': quantity, 'to': to,
                               'defaults': defaults, 'values': values}),
    ]


OPTS = [
    cfg.URIOpt(
        'prometheus_url', schemes=['http', 'https'],
        help="""
Base URL of the Prometheus server (or a Prometheus-compatible API such as
Thanos or VictoriaMetrics) holding the servers' measured load.

Possible values:

* Unset (the default): no measured load; ``[solver] balance`` must be
  ``allocations``.
* A URL such as ``http://prometheus.example.org:9090``.

Related options:

* ``[solver] balance``
"""),
    cfg.StrOpt(
        'ca_file',
        help="""
CA bundle to verify Prometheus' TLS certificate with.

Possible values:

* Unset (the default): the system's CA bundle.
* A path to a PEM file.

Related options:

* ``insecure``
"""),
    cfg.BoolOpt(
        'insecure', default=False,
        help="""
Do not verify Prometheus' TLS certificate (tests only).

Possible values:

* ``false`` (the default), ``true``.

Related options:

* ``ca_file``
"""),
    cfg.StrOpt(
        'username',
        help="""
User name for HTTP basic authentication to Prometheus.

Possible values:

* Unset (the default): no basic authentication.
* A user name; set ``password`` too.

Related options:

* ``password``, ``bearer_token`` (exclusive)
"""),
    cfg.StrOpt(
        'password', secret=True,
        help="""
Password for HTTP basic authentication to Prometheus.

Possible values:

* A password, with ``username``.

Related options:

* ``username``
"""),
    cfg.StrOpt(
        'bearer_token', secret=True,
        help="""
Bearer token sent to Prometheus in the ``Authorization`` header.

Possible values:

* Unset (the default), or a token.

Related options:

* ``username`` (exclusive)
"""),
    cfg.FloatOpt(
        'timeout', default=10.0, min=0.1,
        help="""
Seconds to wait for Prometheus to accept a connection, and again for each
answer. A query that times out fails the run (see ``on_failure``).

Possible values:

* A number of seconds >= 0.1.

Related options:

* ``on_failure``
"""),
    cfg.IntOpt(
        'window', default=3600, min=10,
        help="""
Seconds of history the statistic is taken over, ending when the snapshot
is taken.

Possible values:

* An integer >= 10; the default is one hour. Short windows react to
  spikes; they suit tests rather than clouds.

Related options:

* ``statistic``, ``step``
"""),
    cfg.StrOpt(
        'statistic', default='p95', choices=STATISTICS,
        help="""
What summarises a server's use over the window: a percentile of the
points, their maximum or their mean.

The default, the 95th percentile, sizes for the busy part of the window
without letting one spike decide.

Possible values:

* ``p50``, ``p90``, ``p95``, ``p99``, ``max``, ``mean``.

Related options:

* ``window``, ``rate_interval``
"""),
    cfg.IntOpt(
        'rate_interval', default=300, min=1,
        help="""
Seconds each rate in a template is taken over (``%(rate_interval)s``): CPU
use is the rate of a CPU-time counter over this long.

Possible values:

* An integer >= 1, at least twice the scrape interval; the default is
  five minutes.

Related options:

* ``cpu_query``
"""),
    cfg.IntOpt(
        'step', default=60, min=1,
        help="""
Seconds between the points the statistic is taken over (the resolution
of the subquery).

Possible values:

* An integer >= 1, no shorter than the scrape interval.

Related options:

* ``window``
"""),
    cfg.StrOpt(
        'source', default='ceilometer', choices=SOURCES,
        help="""
Which exporter's metrics the default templates, label and units are for.

Possible values:

* ``ceilometer``: Ceilometer's Prometheus output (``ceilometer_cpu``,
  CPU time in ns, and ``ceilometer_memory_usage`` in MiB, server UUID in
  label ``resource``), as OpenStack Watcher reads it.
* ``libvirt``: Debian's ``prometheus-libvirt-exporter``
  (``libvirt_domain_info_cpu_time_seconds_total``,
  ``libvirt_domain_info_memory_usage_bytes``, server UUID in ``uuid``).

Related options:

* ``cpu_query``, ``memory_query``, ``server_label``, ``cpu_unit``,
  ``memory_unit`` override parts of it.
"""),
    cfg.StrOpt(
        'server_label',
        help="""
Label holding the Nova server UUID in the answers to the templates.

Possible values:

* Unset (the default): ``resource`` for ``source = ceilometer``, ``uuid``
  for ``libvirt``.
* A Prometheus label name.

Related options:

* ``source``
"""),
] + _quantity(
    'cpu', 'CPU use', 'cores', CPU_UNITS,
    '``nanocores`` (nanoseconds of CPU time per\n  second) for '
    '``ceilometer``, ``cores`` (seconds per second) for\n  ``libvirt``',
    '``cores``, ``millicores``, ``nanocores``, ``percent`` (of one\n'
    '  core)',
) + _quantity(
    'memory', 'memory use', 'MiB', MEMORY_UNITS,
    '``MiB`` for ``ceilometer``, ``bytes`` for ``libvirt``',
    '``bytes``, ``KiB``, ``MiB``, ``GiB``',
) + [
    cfg.StrOpt(
        'on_failure', default='stop', choices=['stop', 'allocations'],
        help="""
What a run does when Prometheus cannot be reached, fails a query or
answers no series at all.

Possible values:

* ``stop`` (the default): the run ends with one line naming the query;
  nothing moves.
* ``allocations``: the run balances Placement allocations instead and
  says so in its summary.

Related options:

* ``[solver] balance``
"""),
]
