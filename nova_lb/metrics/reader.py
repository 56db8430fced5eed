"""Prometheus answers -> a snapshot's ``metrics`` block.

The block (see the snapshot contract) holds, per server, the statistic of
its measured use over the window: CPU in cores and memory in MiB, with the
number of points each was taken over. Servers the queries did not answer
for are listed under ``without_data``, never filled in with a guess: the
model counts them at their allocation and the plan says so.

Prometheus answering no series at all is a failure, not an idle cloud: a
renamed metric or a dead exporter would otherwise make every host look
empty and the planner would pile servers onto them.
"""

import time

from oslo_log import log as logging

from nova_lb import exception
from nova_lb.metrics import queries as queries_mod

LOG = logging.getLogger(__name__)

#: quantity -> (key of the value, key of its sample count) in the block
KEYS = {'cpu': ('cpu_cores', 'cpu_samples'),
        'memory': ('memory_mb', 'memory_samples')}


def read(client, queries, server_uuids, at=None):
    """The ``metrics`` block for ``server_uuids``, measured at ``at``.

    :param client: a :class:`nova_lb.metrics.prometheus.Client`.
    :param queries: a :class:`nova_lb.metrics.queries.Queries`.
    :param at: Unix time the window ends at (default: now).
    :raises nova_lb.exception.MetricsUnavailable: a query failed, answered
        no series, or several series for one server; names the query.
    """
    at = time.time() if at is None else at
    wanted = set(server_uuids)
    servers = {}
    without = {}
    for quantity in queries_mod.QUANTITIES:
        promql = queries.promql(quantity)
        values = _by_server(promql, client.query(promql, at),
                            queries.server_label)
        if not values:
            raise exception.MetricsUnavailable(
                'Prometheus query %s returned no series for label %s: no '
                'measured load for any server' % (promql,
                                                  queries.server_label))
        counts = _by_server(queries.samples(quantity),
                            client.query(queries.samples(quantity), at),
                            queries.server_label)
        value_key, count_key = KEYS[quantity]
        for uuid in sorted(wanted):
            if uuid not in values:
                without.setdefault(quantity, []).append(uuid)
                continue
            entry = servers.setdefault(uuid, {})
            entry[value_key] = queries.convert(quantity, values[uuid])
            entry[count_key] = int(counts.get(uuid, 0))
        LOG.debug('%(q)s: %(n)d of %(all)d servers measured',
                  {'q': quantity, 'n': len(wanted) - len(without.get(
                      quantity, ())), 'all': len(wanted)})
    return {'source': 'prometheus',
            'window_s': queries.window,
            'statistic': queries.statistic,
            'rate_interval_s': queries.rate_interval,
            'step_s': queries.step,
            'measured_at': at,
            'queries': {q: queries.promql(q)
                        for q in queries_mod.QUANTITIES},
            'servers': servers,
            'without_data': without}


def _by_server(promql, series, label):
    """``{server uuid: value}``; series without ``label`` are ignored."""
    result = {}
    for labels, value in series:
        uuid = labels.get(label)
        if uuid is None:
            continue
        if uuid in result:
            raise exception.MetricsUnavailable(
                'Prometheus query %s answered several series for %s=%s: '
                'aggregate the template by (%s)' % (promql, label, uuid,
                                                    label))
        result[uuid] = value
    return result


def attach(document, settings, at=None):
    """Add the ``metrics`` block to a collected snapshot ``document``.

    :param settings: :class:`nova_lb.metrics.settings.Settings`.
    :returns: None, or the one-line reason measured load is missing when
        ``[metrics] on_failure = allocations`` let the run go on without it.
    :raises nova_lb.exception.MetricsUnavailable: when it may not.
    """
    uuids = [s['id'] for s in document['compute']['servers']['servers']]
    try:
        document['metrics'] = read(settings.client(), settings.queries,
                                   uuids, at)
    except exception.MetricsUnavailable as e:
        if not settings.fallback:
            raise
        LOG.warning('%(e)s; balancing allocations instead '
                    '([metrics] on_failure = allocations)', {'e': e})
        return str(e)
    return None
