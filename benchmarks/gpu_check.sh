#!/usr/bin/env bash
# GPU check (issue 4 + 8): QLoRA ORPO on a randomly initialised Llama-3-8B-shaped model, max length 1024, batch 4.
# No weights can be downloaded on the GPU machine, so the model is built from the published config with random
# weights: memory and speed do not depend on the values. Usage on a CUDA machine, from the repo root:
#   bash benchmarks/gpu_check.sh [OUT_DIR]
# Python packages missing there can be installed from wheels in .whl/ (see docs/benchmarks.md).
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
EVA="python3 -m eva_cli -w /tmp/eva-gpu-ws"
{
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
  python3 -c "import torch,transformers,trl,peft,bitsandbytes,datasets;print('torch',torch.__version__,'transformers',transformers.__version__,'trl',trl.__version__,'peft',peft.__version__,'bnb',bitsandbytes.__version__,'datasets',datasets.__version__)"
  python3 -c "import liger_kernel; print('liger-kernel available')" || true
} 2>&1 | tee "$OUT/env.txt"
t0=$(date +%s)
# .gpu-tok/: a real tokenizer folder (the embedded SmolLM2 one) so token counts are realistic; optional.
TOK=$( [ -f .gpu-tok/tokenizer.json ] && echo "'.gpu-tok'" || echo None )
python3 -c "from eva_cli.random_model import build_random_llama; build_random_llama('/tmp/llama3-8b-random', 'llama3-8b', dtype='bfloat16', tokenizer_from=$TOK)" 2>&1 | tail -3
echo "built random Llama-3-8B-shaped model in $(( $(date +%s) - t0 )) s" | tee -a "$OUT/env.txt"
$EVA ingest examples/corpus --quiet >/dev/null 2>&1 && $EVA build-pairs --quiet >/dev/null 2>&1 || echo "pairs failed" | tee -a "$OUT/env.txt"
timeout 240 $EVA train --model /tmp/llama3-8b-random --qlora --max-steps 5 --max-length 1024 --batch-size 4 \
  --epochs 1 --eval-steps 1000 --save-steps 1000 --run gpu-qlora 2>&1 | tail -15 | tee "$OUT/train.txt"
cp /tmp/eva-gpu-ws/runs/gpu-qlora/metrics.jsonl /tmp/eva-gpu-ws/runs/gpu-qlora/train-config.json "$OUT/" 2>/dev/null
timeout 300 $EVA bench train --model /tmp/llama3-8b-random --qlora --steps 4 --max-length 1024 --batch-size 4 --json \
  > "$OUT/bench-train.json" 2> "$OUT/bench-train.err"; tail -5 "$OUT/bench-train.err"; cat "$OUT/bench-train.json"
