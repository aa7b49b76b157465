"""Sphinx configuration of the sksoftdtw documentation.

The documentation is built against the *installed* package (``pip install .``
first): nothing here adds the repository to ``sys.path``.

Environment variables:

- ``SKSOFTDTW_DOC_FAST=1``: the longer examples use smaller data and fewer
  iterations (read by the example scripts), for a fast build in CI;
- ``SKSOFTDTW_DOC_EXAMPLES=REGEX``: run only the examples whose path matches
  ``REGEX`` (sphinx-gallery's ``filename_pattern``); the others are rendered
  without their output. Default: every ``plot_*.py``.

``make html-noplot`` builds without running any example.

Without PyTorch (an optional dependency) the pages of :mod:`sksoftdtw.torch`
are built from a mocked ``torch``, and the examples that need it are rendered
without being run.
"""
import contextlib
import io
import os
import re
from typing import ClassVar

from docutils import nodes
from docutils.parsers.rst import Directive, directives

import sksoftdtw

project = "sksoftdtw"
author = "The sksoftdtw developers"
copyright = "The sksoftdtw developers"
release = sksoftdtw.__version__
version = re.sub(r"(\d+\.\d+).*", r"\1", release)

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "matplotlib.sphinxext.plot_directive",
]
# Figures of the pages (``.. plot::``): PNG only, no source links.
plot_formats = [("png", 100)]
plot_html_show_source_link = False
plot_html_show_formats = False

try:
    import torch  # noqa: F401
    _HAVE_TORCH = True
except ImportError:
    _HAVE_TORCH = False

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
root_doc = "index"
default_role = "literal"

# --- autodoc / autosummary / numpydoc ---------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"
autodoc_mock_imports = [] if _HAVE_TORCH else ["torch"]
# numpydoc renders the Parameters/Returns/... sections; the class template
# lists the methods itself, so numpydoc must not add a second table of them.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# --- sphinx-gallery ---------------------------------------------------------
_EXAMPLES = os.environ.get("SKSOFTDTW_DOC_EXAMPLES", r"/plot_")
if not _HAVE_TORCH:
    _EXAMPLES = rf"^(?!.*/plot_torch).*(?:{_EXAMPLES})"

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": _EXAMPLES,
    "within_subsection_order": "FileNameSortKey",
    "doc_module": ("sksoftdtw",),
    "backreferences_dir": os.path.join("gen_modules", "backreferences"),
    "reference_url": {"sksoftdtw": None},
    "show_memory": False,
    "remove_config_comments": True,
    "download_all_examples": False,
    # A failing example fails the build.
    "only_warn_on_example_error": False,
}

# --- HTML -------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sksoftdtw {release}"
html_theme_options = {
    "github_url": "https://github.com/sksoftdtw/sksoftdtw",
    "navigation_with_keys": False,
    "show_prev_next": False,
    "header_links_before_dropdown": 7,
    "secondary_sidebar_items": ["page-toc"],
}
html_sidebars = {"index": [], "install": [], "cli": [], "performance": [], "paper": []}
html_show_sourcelink = False


# --- the help of the command line, rendered from the parser itself -----------
class CommandHelp(Directive):
    """``.. command-help:: demo``: the ``--help`` text of a command, as a literal block.

    Without an argument, the help of the ``sksoftdtw`` program itself.
    """

    optional_arguments = 1
    option_spec: ClassVar[dict] = {"width": directives.positive_int}

    def run(self):
        from sksoftdtw._cli import build_parser

        argv = self.arguments + ["--help"]
        width = self.options.get("width", 88)
        previous = os.environ.get("COLUMNS")
        os.environ["COLUMNS"] = str(width)  # argparse wraps the help to $COLUMNS
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
                build_parser().parse_args(argv)
        finally:
            if previous is None:
                del os.environ["COLUMNS"]
            else:
                os.environ["COLUMNS"] = previous
        text = out.getvalue().rstrip()
        block = nodes.literal_block(text, text)
        block["language"] = "text"
        return [block]


# scikit-learn's machinery for metadata routing and pandas output, inherited by
# every estimator, is documented by scikit-learn; its docstrings refer to pages
# of scikit-learn's documentation.
_SKLEARN_MACHINERY = re.compile(r"(get_metadata_routing|set_output|set_\w+_request)$")


def _skip_sklearn_machinery(app, what, name, obj, skip, options):
    return True if _SKLEARN_MACHINERY.match(name) else None


# Two fixes to docstrings before numpydoc parses them (priority 500):
# - a parameter type too long for a line is continued with a backslash, which
#   a raw docstring (r""") keeps: join the two lines, as Python does otherwise;
# - shapes name fitted attributes as scikit-learn does, "(n_features_in_,)", and
#   in reST a word ending with "_" is a link to a target: escape the underscore.
_SHAPE = re.compile(r"shape \([^()]*\)")
_TRAILING_UNDERSCORE = re.compile(r"(?<![\\`\w])(\w+)_(?=[,)\s])")


def _normalize_docstring(app, what, name, obj, options, lines):
    k = 0
    while k < len(lines) - 1:
        if lines[k].endswith("\\") and not lines[k].endswith("\\\\"):
            lines[k : k + 2] = [lines[k][:-1] + lines[k + 1].lstrip()]
        else:
            k += 1
    for k, line in enumerate(lines):
        lines[k] = _SHAPE.sub(lambda m: _TRAILING_UNDERSCORE.sub(r"\1\\_", m.group()), line)


def setup(app):
    app.connect("autodoc-process-docstring", _normalize_docstring, priority=400)
    app.add_directive("command-help", CommandHelp)
    app.connect("autodoc-skip-member", _skip_sklearn_machinery)
