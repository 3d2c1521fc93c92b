"""Maximum likelihood on the log scale of positive parameters, and the fit it returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

#: A fit's status: the estimates are usable only when 'converged'; the other three say why not
#: (the marts carry it, so a poor fit never fails a build).
CONVERGED = "converged"
NOT_CONVERGED = "not_converged"
TOO_FEW_CUSTOMERS = "too_few_customers"
NO_REPEAT_BUYERS = "no_repeat_buyers"
FIT_STATUSES: tuple[str, ...] = (CONVERGED, NOT_CONVERGED, TOO_FEW_CUSTOMERS, NO_REPEAT_BUYERS)

#: The optimiser searches log(parameter) within these bounds (e^-12 .. e^12): wide enough for
#: any day-scale estimate, narrow enough that exp() never overflows; an estimate on a bound is
#: reported 'not_converged' (the likelihood wanted a degenerate value).
_LOG_BOUND = 12.0


@dataclass(frozen=True)
class ModelFit:
    """Estimates of one model, with what they were fitted on and whether to trust them."""

    model: str
    #: Parameter name -> estimate, in the model's order; NaN when not fitted.
    parameters: dict[str, float]
    log_likelihood: float
    customers: int
    status: str
    message: str
    iterations: int = 0

    @property
    def converged(self) -> bool:
        return self.status == CONVERGED

    def __getitem__(self, name: str) -> float:
        return self.parameters[name]


def not_fitted(model: str, names: tuple[str, ...], customers: int, status: str, message: str):
    """The fit of a model that was not attempted (too few customers, no repeat buyers)."""
    return ModelFit(
        model, dict.fromkeys(names, float("nan")), float("nan"), customers, status, message
    )


def too_few_customers(
    model: str, names: tuple[str, ...], customers: int, minimum: int, who: str = "customers"
) -> ModelFit | None:
    """The not-fitted result when fewer than ``minimum`` customers are there to fit on."""
    if customers >= minimum:
        return None
    return not_fitted(
        model, names, customers, TOO_FEW_CUSTOMERS,
        f"{customers} {who}, fewer than value_model_min_customers ({minimum})",
    )  # fmt: skip


def maximise_log_likelihood(
    model: str,
    names: tuple[str, ...],
    log_likelihoods: Callable[[np.ndarray], np.ndarray],
    start: np.ndarray,
    customers: int,
    max_iterations: int,
) -> ModelFit:
    """Maximise sum(log_likelihoods(parameters)) over positive parameters by L-BFGS-B on
    log(parameters), from ``start``; the mean, not the sum, is minimised so that the
    tolerances do not depend on the number of customers."""

    def objective(log_parameters: np.ndarray) -> float:
        value = -np.mean(log_likelihoods(np.exp(log_parameters)))
        return float(value) if np.isfinite(value) else 1e300

    result = minimize(
        objective,
        np.log(start),
        method="L-BFGS-B",
        bounds=[(-_LOG_BOUND, _LOG_BOUND)] * len(names),
        options={"maxiter": max_iterations, "ftol": 1e-13, "gtol": 1e-9},
    )
    estimates = np.exp(result.x)
    on_bound = np.abs(result.x) >= _LOG_BOUND - 1e-6
    if not result.success:
        status, message = NOT_CONVERGED, f"optimiser: {result.message}"
    elif on_bound.any():
        status = NOT_CONVERGED
        bounded = [name for name, hit in zip(names, on_bound, strict=True) if hit]
        message = f"estimate on the search bound: {bounded}"
    else:
        status, message = CONVERGED, f"optimiser: {result.message}"
    return ModelFit(
        model,
        {name: float(value) for name, value in zip(names, estimates, strict=True)},
        float(np.sum(log_likelihoods(estimates))),
        customers,
        status,
        str(message),
        int(result.nit),
    )
