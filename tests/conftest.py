import os
import sys

# The package is built in place (``python setup.py build_ext --inplace``), so
# make the repository root importable regardless of how pytest is invoked.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: long-running test (a few seconds); deselect with -m 'not slow'"
    )
