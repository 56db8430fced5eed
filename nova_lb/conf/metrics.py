"""``[metrics]``: where measured load comes from (Prometheus).

Optional: without ``prometheus_url`` nova-lb balances Placement
allocations only. Read once per run into :class:`Settings`.
"""

import dataclasses

from oslo_config import cfg

from nova_lb import exception
from nova_lb.metrics import prometheus
from nova_lb.metrics import queries

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


def _quantity(quantity, what, to, units, defaults, values):
    """The template and unit options of one measured quantity."""
    return [
        cfg.StrOpt(
            '%s_query' % quantity,
            help=_TEMPLATE_HELP % {
                'what': what, 'unit_opt': '%s_unit' % quantity,
                'ceilometer': getattr(queries.SOURCES['ceilometer'],
                                      quantity),
                'libvirt': getattr(queries.SOURCES['libvirt'], quantity)}),
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
        'statistic', default='p95', choices=sorted(queries.STATISTICS),
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
        'source', default='ceilometer', choices=sorted(queries.SOURCES),
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
    'cpu', 'CPU use', 'cores', queries.CPU_UNITS,
    '``nanocores`` (nanoseconds of CPU time per\n  second) for '
    '``ceilometer``, ``cores`` (seconds per second) for\n  ``libvirt``',
    '``cores``, ``millicores``, ``nanocores``, ``percent`` (of one\n'
    '  core)',
) + _quantity(
    'memory', 'memory use', 'MiB', queries.MEMORY_UNITS,
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


@dataclasses.dataclass(frozen=True)
class Settings:
    """``[metrics]`` read once per run."""

    url: str
    timeout: float
    verify: object
    auth: tuple
    token: str
    queries: queries.Queries
    #: balance allocations when measured load is unavailable
    fallback: bool

    def client(self):
        return prometheus.Client(self.url, self.timeout, verify=self.verify,
                                 auth=self.auth, token=self.token)


def load(conf):
    """``[metrics]`` as :class:`Settings`, or None without a URL.

    :raises nova_lb.exception.InvalidConfig: naming the option.
    """
    group = conf[GROUP.name]
    try:
        url = group.prometheus_url
        if not url:
            return None
        if group.username and group.bearer_token:
            raise exception.InvalidConfig(
                '[metrics] set username/password or bearer_token, not both')
        built = queries.build(
            group.source, server_label=group.server_label,
            cpu=group.cpu_query, cpu_unit=group.cpu_unit,
            memory=group.memory_query, memory_unit=group.memory_unit,
            window=group.window, rate_interval=group.rate_interval,
            step=group.step, statistic=group.statistic)
    except (cfg.ConfigFileValueError, ValueError) as e:
        raise exception.InvalidConfig('[%s] %s' % (GROUP.name, e))
    return Settings(
        url=url, timeout=group.timeout,
        verify=False if group.insecure else (group.ca_file or True),
        auth=((group.username, group.password or '')
              if group.username else None),
        token=group.bearer_token, queries=built,
        fallback=group.on_failure == 'allocations')


def for_run(conf):
    """What a run or ``nova-lb snapshot``/``plan`` reads Prometheus with.

    :returns: :class:`Settings`, or None when ``[metrics]`` is not
        configured and ``[solver] balance`` does not need it.
    :raises nova_lb.exception.InvalidConfig: ``balance = measured``
        without ``prometheus_url``.
    """
    settings = load(conf)
    if settings is None and conf.solver.balance == 'measured':
        raise exception.InvalidConfig(
            '[solver] balance = measured needs [metrics] prometheus_url')
    return settings
