import os

# Subprocesses of the tests import the installed package: with the tests run
# from a clone's root, Python would otherwise put that root, whose sksoftdtw/
# is not built, ahead of it on sys.path (python -c, python -m).
os.environ["PYTHONSAFEPATH"] = "1"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: long-running test (a few seconds); deselect with -m 'not slow'"
    )
