"""TensorBoard scalars of the model trainers (private), shared by both APIs.

The trainers stay TensorFlow-free until a ``summary_dir`` is given: this module imports
TensorFlow only when a writer opens. Events are written as TensorBoard reads them (a
TFRecord file ``events.out.tfevents.*`` of ``Event`` protos, the first one the file
version), with ``tf.io.TFRecordWriter``, so it works with eager execution on or off and
adds nothing to any graph.
"""
import itertools
import os
import socket
import time

import numpy as np

from openrec._checks import ArgumentError, ArgumentTypeError

_UNIQUE = itertools.count()


def check_summary_dir(summary_dir):
    """None, or a path (str or os.PathLike) that is a directory or does not exist yet."""
    if summary_dir is None:
        return None
    path = os.fspath(summary_dir) if isinstance(summary_dir, os.PathLike) else summary_dir
    if not isinstance(path, str):
        raise ArgumentTypeError('summary_dir must be a directory path (a str or os.PathLike) '
                                'or None, got %r' % (summary_dir,))
    if not path:
        raise ArgumentError("summary_dir must be a non-empty path or None, got ''")
    if os.path.exists(path) and not os.path.isdir(path):
        raise ArgumentError('summary_dir %r exists and is not a directory' % path)
    return path


class NullWriter(object):
    """What the trainers write to without a ``summary_dir``: nothing."""

    def scalar(self, tag, value, step):
        pass

    def metrics(self, dataset_name, results, evaluators, step):
        pass

    def flush(self):
        pass

    def close(self):
        pass


NULL_WRITER = NullWriter()


def open_writer(summary_dir):
    """A :class:`ScalarWriter` on ``summary_dir``, or :data:`NULL_WRITER` if it is None."""
    return NULL_WRITER if summary_dir is None else ScalarWriter(summary_dir)


class ScalarWriter(NullWriter):
    """Writes scalar summaries to a new event file in ``logdir`` (created if missing)."""

    def __init__(self, logdir):
        import tensorflow.compat.v1 as tf
        self._tf = tf
        tf.io.gfile.makedirs(logdir)
        name = 'events.out.tfevents.%d.%s.%d.%d.openrec' % (
            time.time(), socket.gethostname(), os.getpid(), next(_UNIQUE))
        self.path = os.path.join(logdir, name)
        self._writer = tf.io.TFRecordWriter(self.path)
        self._write(tf.Event(wall_time=time.time(), file_version='brain.Event:2'))
        self.flush()   # TensorBoard lists the run from the start

    def _write(self, event):
        self._writer.write(event.SerializeToString())

    def scalar(self, tag, value, step):
        """One scalar (stored as float32) under ``tag`` at ``step``."""
        summary = self._tf.Summary(value=[self._tf.Summary.Value(tag=tag,
                                                                 simple_value=float(value))])
        self._write(self._tf.Event(wall_time=time.time(), step=int(step), summary=summary))

    def metrics(self, dataset_name, results, evaluators, step):
        """Each metric of ``results`` (``{name: mean}``) as ``<dataset>/<name>``.

        A metric with one value per cutoff gives one scalar per cutoff,
        ``<dataset>/<name>@<cutoff>``, the cutoffs read from its evaluator
        (``recall_at``, ``precision_at``, ``ndcg_at``); without them ``<dataset>/<name>@<i>``
        with the position ``i``.
        """
        by_name = {getattr(e, 'name', None): e for e in evaluators}
        for name, value in results.items():
            values = np.ravel(value)
            if np.ndim(value) == 0:
                self.scalar('%s/%s' % (dataset_name, name), values[0], step)
                continue
            for cutoff, v in zip(_cutoffs(by_name.get(name), len(values)), values):
                self.scalar('%s/%s@%s' % (dataset_name, name, cutoff), v, step)

    def flush(self):
        self._writer.flush()

    def close(self):
        self._writer.close()


def _cutoffs(evaluator, count):
    """Printable cutoffs of an evaluator whose results hold ``count`` values."""
    for attribute, value in sorted(getattr(evaluator, '__dict__', {}).items()):
        if attribute.endswith('_at') and np.ndim(value) == 1 and len(value) == count:
            return ['%d' % c if float(c).is_integer() else repr(float(c)) for c in value]
    return [str(i) for i in range(count)]
