"""The parameters that the estimators and functions share, in scikit-learn's
constraint vocabulary (``sklearn.utils._param_validation``): one definition of
what each admits, composed into every ``_parameter_constraints`` and
``validate_params``. The values the vocabulary cannot express are checked by
the functions of `._validation` (``check_gamma``, ``check_band``,
``check_n_jobs``)."""
import numbers

from sklearn.utils._param_validation import Interval

SHARED_CONSTRAINTS = {
    "gamma": [Interval(numbers.Real, 0, None, closed="left")],
    "sakoe_chiba_radius": [None, Interval(numbers.Integral, 0, None, closed="left")],
    "itakura_max_slope": [None, Interval(numbers.Real, 1, None, closed="left")],
    "random_state": ["random_state"],
    "n_jobs": [None, numbers.Integral],  # 0 refused by check_n_jobs, with one message
    "verbose": ["verbose"],
}


def shared_constraints(*names):
    """The constraints of the shared parameters ``names``."""
    return {name: SHARED_CONSTRAINTS[name] for name in names}
