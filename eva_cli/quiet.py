"""Third-party noise off in the conversation commands (`eva chat`, `eva serve-telegram`).

At the default verbosity, libraries print things a person talking to Eva (or an operator reading
the bot's log) has no use for: bitsandbytes' missing-`kernels` warning, transformers'
FutureWarnings and info logs, and tqdm bars ("Loading weights", GGUF de-quantizing). `--verbose`
leaves all of it on. Call `quiet_libraries` before the heavy imports: environment variables are
read when a library is first imported; for a library already imported (tests run the CLI
in-process) its own switch is used too.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings

NOISY_LOGGERS = ("bitsandbytes", "transformers", "sentence_transformers", "huggingface_hub", "accelerate", "peft",
                 "torch", "datasets", "httpx", "openai")
QUIET_ENV = {  # (variable, value, the library that reads it at import)
    ("TRANSFORMERS_VERBOSITY", "error", "transformers"),
    ("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1", "transformers"),
    ("HF_HUB_DISABLE_PROGRESS_BARS", "1", "huggingface_hub"),
    ("TQDM_DISABLE", "1", "tqdm"),  # every tqdm bar, whoever draws it
}


def quiet_libraries(verbose: bool = False) -> None:
    """Silence third-party warnings, info logs and progress bars unless `verbose`."""
    if verbose:
        return
    for key, value, library in QUIET_ENV:
        if library not in sys.modules:  # once imported, the switches below do it
            os.environ.setdefault(key, value)
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=UserWarning, module=r"(?!eva_cli)")
    if "transformers" in sys.modules:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
    if "huggingface_hub" in sys.modules:
        from huggingface_hub.utils import disable_progress_bars

        disable_progress_bars()
