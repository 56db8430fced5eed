"""Measured load: what servers really use, read from Prometheus.

:mod:`queries` holds the PromQL templates and unit conversions,
:mod:`prometheus` talks HTTP to Prometheus and :mod:`reader` turns the
answers into a snapshot's ``metrics`` block. Nothing here plans: the model
(:mod:`nova_lb.model.measured`) reads the block like any other part of a
snapshot, so a plan made from a saved snapshot needs no Prometheus.
"""
