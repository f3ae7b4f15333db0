"""The tests that need the train extra (torch, onnx, matplotlib): marked `train`, and skipped where it is missing.

.ci/run also runs the torch-free tests on the oldest and newest Python, in venvs with only the web and
test extras. There the modules that import torch (or numrec's training) at the top cannot even be
imported, so each is one skipped module; the single tests that build ONNX files, train or plot in
otherwise torch-free modules are skipped one by one. tests/test_extras_marks.py checks these lists
against the tests' imports. conftest.py hands pytest the two hooks.

The schema tests need schemathesis 4.31 or newer (the first that sends image bodies), which needs
Python 3.11: the test extra leaves it out on 3.10, and there they are one skipped module too.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

TRAIN_EXTRA = ("torch", "onnx", "matplotlib")
HAVE_TRAIN_EXTRA = all(importlib.util.find_spec(name) for name in TRAIN_EXTRA)
REASON = "needs the train extra (torch, onnx, matplotlib): pip install -c constraints.txt -e '.[train]'"

# Modules that import torch or numrec.train's torch parts at the top.
TRAIN_MODULES = frozenset(
    {
        "test_average.py",
        "test_checkpoint_checks.py",
        "test_committee.py",
        "test_distributed.py",
        "test_interrupted.py",
        "test_line_train.py",
        "test_precision.py",
        "test_quantize.py",
        "test_train.py",
    }
)
# Modules that import a test tool some Python versions do not get (pyproject.toml's test extra).
TOOL_MODULES = {"test_web_schema.py": "schemathesis"}
# Tests that build ONNX graphs (onnx), make checkpoints (torch), train, or plot (evaluate --report: matplotlib).
TRAIN_TESTS = {
    "test_card.py": {
        "test_a_foreign_model_with_non_finite_logits_is_refused_at_load",
        "test_a_non_finite_logit_after_load_is_an_error_never_a_digit",
    },
    "test_hostile_models.py": {
        "test_onnx_model_of_the_wrong_shape_is_refused",
        "test_foreign_onnx_model_of_the_right_shape_is_accepted",
        "test_checkpoint_that_would_unpickle_code_is_refused_and_runs_nothing",
        "test_resume_from_an_unsafe_checkpoint_is_a_clear_cli_error",
        "test_a_model_failing_on_one_drawing_is_a_json_500_naming_no_file_and_the_server_goes_on",
    },
    "test_model_outputs.py": {
        "test_a_card_whose_outputs_are_not_the_models_is_refused",
        "test_a_foreign_twelve_output_model_is_refused",
        "test_a_ten_output_model_keeps_a_zero_not_digit_column",
        "test_an_eleven_output_model_with_its_card_loads_and_has_a_real_not_digit_column",
        "test_an_eleven_output_model_without_a_card_takes_the_eleventh_as_not_digit",
        "test_an_old_card_without_outputs_describes_ten",
    },
    "test_metrics.py": {"test_the_shipped_cards_calibration_is_what_these_functions_give_on_its_validation_split"},
    "test_teach.py": {
        "test_a_model_with_a_features_output_gives_them_from_the_same_run_as_its_logits",
        "test_a_features_output_that_is_not_finite_on_the_probes_means_the_fallback",
        "test_features_that_turn_nan_after_loading_are_refused",
        "test_numrecs_export_adds_the_features_before_the_classifier_and_keeps_the_logits_first",
    },
    "test_examples_cli.py": {"test_train_extra_folds_a_folder_into_the_training_split"},
    "test_line.py": {"test_a_digit_model_offered_as_a_line_model_is_refused_at_load"},
    "test_predict_cli.py": {"test_predict_says_not_a_digit_and_json_carries_the_status_as_is"},
    "test_evaluate.py": {
        "test_shipped_model_reaches_accuracy_and_calibration_targets",
        "test_evaluate_report_writes_the_plots",
        "test_evaluate_json_matches_the_card",
    },
}


class Unimportable(pytest.Module):
    """A test module that cannot be imported here (it says why): one skip, instead of an import error."""

    why = REASON

    def collect(self) -> Any:
        pytest.skip(f"{self.path.name} {self.why}")


def needs_train_extra(item: pytest.Item) -> bool:
    name = item.path.name
    return name in TRAIN_MODULES or getattr(item, "originalname", item.name) in TRAIN_TESTS.get(name, ())


def pytest_pycollect_makemodule(module_path: Path, parent: Any) -> pytest.Module | None:
    tool = TOOL_MODULES.get(module_path.name)
    if tool and importlib.util.find_spec(tool) is None:
        why = f"needs {tool} (pyproject.toml's test extra has it on Python 3.11+)"
    elif not HAVE_TRAIN_EXTRA and module_path.name in TRAIN_MODULES:
        why = REASON
    else:
        return None
    module = Unimportable.from_parent(parent, path=module_path)
    module.why = why
    return module


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if needs_train_extra(item):
            item.add_marker(pytest.mark.train)
            if not HAVE_TRAIN_EXTRA:
                item.add_marker(pytest.mark.skip(reason=REASON))
