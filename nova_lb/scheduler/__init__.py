"""The scheduler plugin: filters and a weigher loaded by nova-scheduler.

This is the only package of nova-lb that imports ``nova``: it runs inside
nova-scheduler, whose environment has Nova. Everything else (the cost model,
the rebalancer) must import without Nova, so that the rebalancer can run
anywhere openstacksdk can reach the cloud.
"""
