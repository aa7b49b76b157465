def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: long-running test (a few seconds); deselect with -m 'not slow'"
    )
