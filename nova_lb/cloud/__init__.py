"""The one way nova-lb talks to Keystone, Nova and Placement.

Every HTTP call goes through :mod:`~nova_lb.gateway.client`: with connect
and read timeouts, transient failures retried (:mod:`~nova_lb.gateway.retry`)
and a failure that outlives the retries turned into one line naming the
service and the call. The collector (which reads a snapshot) and the
executor's cloud (which moves servers) both use it.
"""
