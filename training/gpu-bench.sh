#!/usr/bin/env bash
# Issue 8 in one device call (about 8 minutes on the H100; see ../README.md, Performance):
# PyTorch eager and torch.compile on the SD 1.5-shaped UNet, then the same weights exported
# (fp16; attention plain and as MultiHeadAttention) and measured by `studio bench` on WebGPU,
# with the fused export's picture compared against the plain one. Results land in $OUT.
#
# Before the call, here:  npm run build && ../shared/tools/gpu-pack
# (gpu-pack is the development workspace's packing tool, kept beside the repository and not part of it:
#  it packs Node, onnxruntime-node and the Vulkan/EGL loaders the GPU machine lacks into .gpu/.)
# The travelling tree is limited to 64 MiB: leave the embedded model behind while it runs
#   git sparse-checkout set --no-cone '/*' '!/models/studio-shapes/'   (undo: git sparse-checkout disable)
# Device call: carry [".gpu", "dist"], command: bash training/gpu-bench.sh
set -u
: "${OUT:?OUT must name the folder for results}"
B=/tmp/bench-models
source .gpu/setup.sh
(cd training && timeout 330 python3 export_sd15_bench.py --out "$B/sd15-fp16" --dtype fp16 --attention plain,mha \
  --torch-bench "$OUT/torch-fp16.json" 2>&1 | grep -v -i warn | tail -8)
for form in plain mha; do
  timeout 90 node dist/cli.mjs bench --model "$B/sd15-fp16-$form" --provider webgpu --runs 10 --steps 20 \
    --json "$OUT/webgpu-$form.json" 2>&1 | grep -v -i vulkan | tail -9
done
timeout 120 node dist/cli.mjs bench --model "$B/sd15-fp16-mha" --provider webgpu --runs 10 --steps 20 \
  --ep-option preferredLayout=NHWC --compare-model "$B/sd15-fp16-plain" --json "$OUT/webgpu-mha-nhwc.json" 2>&1 | grep -v -i vulkan | tail -10
