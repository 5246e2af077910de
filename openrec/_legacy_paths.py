"""The later import paths of the OpenRec 0.1 API (private, TensorFlow-free).

OpenRec 0.2.x moved the 0.1 API to ``openrec.legacy.*`` and 0.3.0 to
``openrec.tf1.legacy.*``. Here both prefixes name the very module objects of
``openrec.*``: an import hook maps ``<prefix>.<name>`` to ``openrec.<name>`` (imported on
demand, exactly when the same ``openrec.*`` import would happen), so one file, one class,
three names. ``isinstance`` checks, pickles (classes keep their ``openrec.*`` module) and
checkpoints agree whichever path a script uses.
"""
import importlib
import importlib.abc
import importlib.util
import sys

# The modules of the 0.1 API under ``openrec``, with all their submodules.
LEGACY_MODULES = ('implicit_model_trainer', 'itr_mlp_model_trainer', 'modules', 'recommenders',
                  'utils')


class _AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Import ``<prefix>.<name>...`` as the module ``openrec.<name>...`` itself."""

    def __init__(self, prefix):
        self.prefix = prefix + '.'

    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith(self.prefix):
            return None
        rest = fullname[len(self.prefix):]
        if rest.split('.', 1)[0] not in LEGACY_MODULES:
            return None
        canonical = 'openrec.' + rest
        found = importlib.util.find_spec(canonical)
        if found is None:
            return None  # "No module named <fullname>", as for any missing module
        spec = importlib.util.spec_from_loader(
            fullname, self, is_package=found.submodule_search_locations is not None)
        spec.loader_state = canonical
        return spec

    def create_module(self, spec):
        module = importlib.import_module(spec.loader_state)
        # The import system now stamps this spec on the module (it sets __spec__
        # unconditionally); exec_module puts the module's own spec back.
        spec.loader_state = (spec.loader_state, module.__spec__)
        return module

    def exec_module(self, module):
        module.__spec__ = module.__spec__.loader_state[1]


def install(prefix):
    """Serve the 0.1 modules under ``prefix`` (idempotent); return a module ``__getattr__``.

    The returned function imports ``<prefix>.<name>`` on first attribute access, so
    ``openrec.legacy.recommenders`` works without an explicit import of it.
    """
    if not any(isinstance(f, _AliasFinder) and f.prefix == prefix + '.' for f in sys.meta_path):
        sys.meta_path.insert(0, _AliasFinder(prefix))

    def __getattr__(name):
        if name in LEGACY_MODULES:
            return importlib.import_module(prefix + '.' + name)
        raise AttributeError('module %r has no attribute %r' % (prefix, name))
    return __getattr__
