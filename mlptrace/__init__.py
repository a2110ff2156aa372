"""mlptrace: the article's neural network, traced step by step into colour-highlighted workbooks.

    >>> from mlptrace import train, write_workbooks
    >>> trace = train(epochs=5000, seed=0)            # the article's run
    >>> trace.epoch(1).updates[0]["hidden_layer_input"]
    >>> write_workbooks(trace, "outputs")
"""
__version__ = "0.1.0"

from .config import OutputConfig, TrainConfig  # noqa: E402
from .data import Dataset, load as load_data  # noqa: E402
from .errors import MlptraceError  # noqa: E402
from .export import dump_dict, write_dump, write_weights, write_workbooks  # noqa: E402
from .run import write_variants  # noqa: E402
from .trainer import Trace, train  # noqa: E402

__all__ = ["TrainConfig", "OutputConfig", "Dataset", "load_data", "MlptraceError", "Trace", "train",
           "write_workbooks", "write_variants", "write_dump", "write_weights", "dump_dict", "__version__"]
