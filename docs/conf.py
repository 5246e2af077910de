"""Sphinx configuration for the openrec API reference."""
import os
import sys

sys.path.insert(0, os.path.abspath('..'))
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')

project = 'openrec'
author = 'openrec developers'
copyright = '2026, openrec developers'
release = '0.1.1'
version = '0.1'

extensions = [
    'sphinx.ext.autodoc',
    'sphinx.ext.napoleon',
    'sphinx.ext.viewcode',
]
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = True
autodoc_member_order = 'bysource'
autodoc_typehints = 'none'
# Keep signatures exactly as written (defaults such as [] stay literal).
autodoc_preserve_defaults = True
autoclass_content = 'class'
html_theme = 'sphinx_rtd_theme'
exclude_patterns = ['_build']
templates_path = []
html_static_path = []
