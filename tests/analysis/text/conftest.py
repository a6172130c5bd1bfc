"""One trained model shared by the classifier tests (training takes a few seconds)."""

from pathlib import Path

import pytest

from analysis.text.model_store import TrainedModel, save_model
from analysis.text.training import train


@pytest.fixture(scope="session")
def trained_model() -> TrainedModel:
    """The model trained on the bundled corpus."""
    return train()


@pytest.fixture(scope="session")
def saved_model_path(trained_model: TrainedModel, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A file holding the shared model in skops format."""
    path = tmp_path_factory.mktemp("model") / "comment_classifier.skops"
    save_model(trained_model, path)
    return path
