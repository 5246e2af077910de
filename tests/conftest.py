"""Test set-up: every test runs in a fresh graph.

The suite runs twice (see the Makefile): once with TF2 behaviour (resource variables,
graphs entered with ``tf.Graph().as_default()``) and once with
``OPENREC_TEST_GRAPH_MODE=v1``, where ``tf.compat.v1.disable_v2_behavior()`` is called
before anything is built (reference variables). The second mode is process-global, so
it needs its own pytest process.
"""
import os

import pytest
import tensorflow.compat.v1 as tf

V1_MODE = os.environ.get('OPENREC_TEST_GRAPH_MODE') == 'v1'
if V1_MODE:
    tf.disable_v2_behavior()


def pytest_report_header(config):
    return 'openrec graph mode: %s' % ('disable_v2_behavior (reference variables)'
                                       if V1_MODE else 'TF2 behaviour (resource variables)')


@pytest.fixture
def graph():
    """A fresh default graph for the test."""
    g = tf.Graph()
    with g.as_default():
        yield g


@pytest.fixture
def sess(graph):
    """A session on the test's graph (variables not initialised)."""
    with tf.Session(graph=graph) as s:
        yield s
