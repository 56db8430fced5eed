"""Everything nova-lb says to Keystone, Nova and Placement.

Every HTTP call goes through :mod:`~nova_lb.cloud.client`: with connect
and read timeouts, transient failures retried (:mod:`~nova_lb.cloud.retry`)
and a failure that outlives the retries turned into one line naming the
service and the call. :mod:`~nova_lb.cloud.collector` reads a snapshot,
:mod:`~nova_lb.cloud.executor_api` makes the executor's calls, both at the
microversions of :mod:`~nova_lb.cloud.versions`. openstacksdk objects
stop in this package: what leaves it is plain JSON data.

The Prometheus reader is not here (:mod:`nova_lb.metrics`): it talks to
no OpenStack service and needs no openstacksdk connection, and its
timeouts and failure policy are its own (``[metrics]``).
"""
