"""A Stable Diffusion 1.5-shaped model with random weights, for measuring speed (issue 8).

    python export_sd15_bench.py --out /tmp/sd15-fp16 --dtype fp16 --attention plain,mha --torch-bench torch.json

writes /tmp/sd15-fp16-plain and /tmp/sd15-fp16-mha from the same weights.

Builds the UNet (860M parameters), the CLIP ViT-L/14 text tower and the VAE in
SD 1.5's shapes from `sd_mini.nets` (speed does not depend on the weights),
exports them to a model folder the engine loads like any SD 1.5 export, and,
with --torch-bench, times PyTorch eager and torch.compile on the same UNet
(batch 2 as with CFG) so the ratio is taken side by side, on the same GPU.
--attention mha writes attention as com.microsoft MultiHeadAttention nodes
(fused kernels in ONNX Runtime's CUDA and WebGPU providers) instead of
MatMul/Softmax/MatMul. --scale shrinks every width for a quick check on a CPU.
"""
import argparse
import json
import statistics
import time
from pathlib import Path

import torch

from export_onnx import write_json, write_model_folder
from sd_mini import nets
from sd_mini.bpe import learn
from sd_mini.nets import Decoder, Encoder, TextEncoder, UNet, params, sd15_configs

CLIP_VOCAB = 49408


def scaled(cfg, k):
    """Every width times k (rounded to a multiple of 8; text width to a multiple of its heads)."""
    if k == 1:
        return cfg
    r8 = lambda v: max(8, int(round(v * k / 8)) * 8)
    heads = cfg["text"]["heads"]
    return dict(
        unet=dict(cfg["unet"], channels=tuple(r8(c) for c in cfg["unet"]["channels"]), ctx_dim=max(heads, int(round(768 * k / heads)) * heads)),
        text=dict(cfg["text"], width=max(heads, int(round(768 * k / heads)) * heads)),
        vae=dict(cfg["vae"], channels=tuple(r8(c) for c in cfg["vae"]["channels"])),
    )


def time_unet(fn, runs, warmup, sync):
    for _ in range(warmup):
        fn()
    sync()
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        sync()
        samples.append((time.perf_counter() - t) * 1000)
    return dict(min=min(samples), median=statistics.median(samples), max=max(samples), runs=runs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--dtype", choices=["fp16", "fp32"], default="fp16")
    ap.add_argument("--attention", default="plain", help="plain, mha, or both as plain,mha: one folder each, OUT-<form>")
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--torch-bench", default="", help="write PyTorch eager / torch.compile UNet timings here (JSON)")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--no-export", action="store_true")
    args = ap.parse_args()
    dev, dtype = torch.device(args.device), torch.float16 if args.dtype == "fp16" else torch.float32
    torch.manual_seed(0)
    vocab, merges = learn()
    cfg = scaled(sd15_configs(CLIP_VOCAB), args.scale)
    te = TextEncoder(**cfg["text"]).to(dev)
    unet = UNet(**cfg["unet"]).to(dev)
    enc, dec = Encoder(**cfg["vae"]).to(dev), Decoder(**cfg["vae"]).to(dev)
    for m in (te, unet, enc, dec):
        m.eval().to(dtype)
    print(f"unet {params(unet) / 1e6:.1f}M, text {params(te) / 1e6:.1f}M, vae {(params(enc) + params(dec)) / 1e6:.1f}M parameters")

    if args.torch_bench:
        lat = args.size // 8
        x = torch.randn(2, 4, lat, lat, device=dev, dtype=dtype)
        t = torch.tensor([500, 500], device=dev)
        ctx = torch.randn(2, 77, cfg["text"]["width"], device=dev, dtype=dtype)
        sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
        report = dict(device=torch.cuda.get_device_name(dev) if dev.type == "cuda" else "cpu", torch=torch.__version__,
                      dtype=args.dtype, size=args.size, batch=2, unet_params=params(unet))
        with torch.no_grad():
            report["eager_ms"] = time_unet(lambda: unet(x, t, ctx), args.runs, 3, sync)
            print("eager", report["eager_ms"], flush=True)
            if hasattr(torch, "compile") and dev.type == "cuda":
                try:
                    started = time.perf_counter()
                    compiled = torch.compile(unet)
                    compiled(x, t, ctx)
                    sync()
                    report["compile_s"] = time.perf_counter() - started
                    report["compiled_ms"] = time_unet(lambda: compiled(x, t, ctx), args.runs, 3, sync)
                    print("compiled", report["compiled_ms"], flush=True)
                except Exception as err:  # noqa: BLE001 - recorded, not fatal: the eager figure stands
                    report["compile_error"] = str(err)[:500]
        write_json(Path(args.torch_bench), report)

    forms = [] if args.no_export else args.attention.split(",")
    for form in forms:
        assert form in ("plain", "mha"), f"unknown attention form {form}"
        nets.ATTENTION_EXPORT = form
        out = Path(f"{args.out}-{form}" if len(forms) > 1 else args.out)
        started = time.perf_counter()
        # The text tower keeps CLIP's vocabulary size; ids from our tokenizer are all below it.
        write_model_folder(out, cfg, vocab, merges, te, unet, enc, dec, factor=1.0, image_size=args.size, dtype=dtype)
        write_json(out / "bench.json", dict(dtype=args.dtype, attention=form, scale=args.scale, random_weights=True,
                                           export_s=round(time.perf_counter() - started, 1)))
        print(f"exported {out} in {time.perf_counter() - started:.0f}s", flush=True)


if __name__ == "__main__":
    main()
