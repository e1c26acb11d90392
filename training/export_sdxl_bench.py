"""An SDXL-shaped model with random weights, for `studio bench` (issue 20).

    python export_sdxl_bench.py --out /tmp/sdxl-bench --scale 0.35 --size 512

Builds SDXL 1.0 base's architecture from `sd_mini.nets` (UNet 2.7B parameters
at scale 1: 320/640/1280 channels, 2 and 10 transformer blocks, 2048-wide
context, pooled text and size ids added to the time embedding; CLIP ViT-L and
OpenCLIP bigG text towers with every hidden state exported; the VAE) and
exports it in the layout optimum writes for SDXL (text_encoder_2/ with
text_embeds, a UNet taking text_embeds and time_ids), so the engine loads it
like any SDXL export. Speed does not depend on the weights. --scale shrinks
every width (a full-size fp32 UNet is 11 GB, over ONNX's 2 GB single-file
limit and this workspace's patience on two cores).
"""
import argparse
import shutil
import time
from pathlib import Path

import torch
import torch.nn as nn

from export_onnx import export, write_json
from sd_mini.nets import Decoder, TextEncoder, UNet, params, sdxl_configs

CLIP_VOCAB = 49408
TOKENIZERS = Path(__file__).resolve().parent.parent / "test" / "fixtures" / "tiny-sdxl"
SDXL_SCALE = 0.13025


def scaled(cfg, k):
    """Every width times k (multiples of 8; text widths multiples of their heads; context = both text widths)."""
    if k == 1:
        return cfg
    r8 = lambda v: max(8, int(round(v * k / 8)) * 8)
    tw = lambda t: dict(t, width=max(t["heads"], int(round(t["width"] * k / t["heads"])) * t["heads"]))
    text, text2 = tw(cfg["text"]), tw(cfg["text2"])
    channels = tuple(r8(c) for c in cfg["unet"]["channels"])
    # SDXL's 64-wide heads where the scaled widths allow, else the widest that divides them all.
    head_dim = next(d for d in (64, 32, 16, 8) if all(c % d == 0 for c in channels))
    unet = dict(cfg["unet"], channels=channels, ctx_dim=text["width"] + text2["width"], added_dim=text2["width"], head_dim=head_dim)
    return dict(unet=unet, text=text, text2=text2, vae=dict(cfg["vae"], channels=tuple(r8(c) for c in cfg["vae"]["channels"])))


class TextExport(nn.Module):
    """CLIP's outputs as optimum exports them for SDXL: last_hidden_state, (text_embeds,) hidden_states.0..N."""

    def __init__(self, te, eos_id, projection=None):
        super().__init__()
        self.te, self.eos_id, self.projection = te, eos_id, projection

    def forward(self, input_ids):
        ids = input_ids.long()
        last, states = self.te(ids, all_hidden=True)
        first_eos = (ids == self.eos_id).int().argmax(dim=-1)
        pooled = last[torch.arange(last.shape[0]), first_eos]
        head = (self.projection(pooled),) if self.projection is not None else ()
        return (last, *head, *states)


class UNetExport(nn.Module):
    def __init__(self, unet):
        super().__init__()
        self.unet = unet

    def forward(self, sample, timestep, encoder_hidden_states, text_embeds, time_ids):
        return self.unet(sample, timestep, encoder_hidden_states, text_embeds, time_ids)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--size", type=int, default=1024)
    args = ap.parse_args()
    torch.manual_seed(0)
    cfg = scaled(sdxl_configs(CLIP_VOCAB), args.scale)
    te, te2 = TextEncoder(**cfg["text"]), TextEncoder(**cfg["text2"])
    projection = nn.Linear(cfg["text2"]["width"], cfg["text2"]["width"], bias=False)
    unet, dec = UNet(**cfg["unet"]), Decoder(**cfg["vae"])
    for m in (te, te2, projection, unet, dec):
        m.eval()
    counts = dict(unet=params(unet), text=params(te), text2=params(te2) + params(projection), vae_decoder=params(dec))
    print({k: f"{v / 1e6:.1f}M" for k, v in counts.items()}, flush=True)

    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    lat = args.size // 8
    eos = 49407
    with torch.no_grad():
        ids = torch.full((1, 77), eos, dtype=torch.int32)
        for name, enc, proj in (("text_encoder", te, None), ("text_encoder_2", te2, projection)):
            n = cfg["text" if proj is None else "text2"]["layers"]
            outs = ["last_hidden_state", *(["text_embeds"] if proj is not None else []), *[f"hidden_states.{i}" for i in range(n + 1)]]
            export(TextExport(enc, eos, proj), (ids,), out / name / "model.onnx", ["input_ids"], outs,
                   {"input_ids": {0: "batch"}, **{o: {0: "batch"} for o in outs}})
        w2 = cfg["text2"]["width"]
        export(UNetExport(unet), (torch.randn(2, 4, lat, lat), torch.tensor([999, 999]), torch.randn(2, 77, cfg["unet"]["ctx_dim"]),
                                  torch.randn(2, w2), torch.tensor([[args.size] * 2 + [0, 0] + [args.size] * 2] * 2, dtype=torch.float32)),
               out / "unet/model.onnx", ["sample", "timestep", "encoder_hidden_states", "text_embeds", "time_ids"], ["out_sample"],
               {"sample": {0: "batch", 2: "height", 3: "width"}, "timestep": {0: "batch"}, "encoder_hidden_states": {0: "batch", 1: "sequence"},
                "text_embeds": {0: "batch"}, "time_ids": {0: "batch"}, "out_sample": {0: "batch", 2: "height", 3: "width"}})
        export(dec, (torch.randn(1, 4, lat, lat),), out / "vae_decoder/model.onnx", ["latent_sample"], ["sample"],
               {"latent_sample": {0: "batch", 2: "height", 3: "width"}, "sample": {0: "batch", 2: "height", 3: "width"}})

    for tok in ("tokenizer", "tokenizer_2"):
        shutil.copytree(TOKENIZERS / tok, out / tok)
    u = cfg["unet"]
    write_json(out / "unet/config.json", {
        "_class_name": "UNet2DConditionModel", "sample_size": lat, "in_channels": 4, "out_channels": 4,
        "block_out_channels": list(u["channels"]), "layers_per_block": u["layers"], "cross_attention_dim": u["ctx_dim"],
        "addition_embed_type": "text_time", "projection_class_embeddings_input_dim": u["added_dim"] + 6 * 256,
        "transformer_layers_per_block": list(u["depth"]),
        "down_block_types": ["CrossAttnDownBlock2D" if a else "DownBlock2D" for a in u["attn"]],
        "up_block_types": ["CrossAttnUpBlock2D" if a else "UpBlock2D" for a in reversed(u["attn"])],
    })
    write_json(out / "vae_decoder/config.json", {"_class_name": "AutoencoderKL", "latent_channels": 4, "sample_size": args.size,
                                                 "block_out_channels": list(cfg["vae"]["channels"]), "scaling_factor": SDXL_SCALE,
                                                 "force_upcast": True})
    shutil.copytree(TOKENIZERS / "scheduler", out / "scheduler")
    write_json(out / "model_index.json", {"_class_name": "StableDiffusionXLPipeline", "force_zeros_for_empty_prompt": True})
    write_json(out / "bench.json", dict(random_weights=True, scale=args.scale, size=args.size, parameters=counts,
                                        export_s=round(time.perf_counter() - started, 1), torch=torch.__version__))
    print(f"exported {out} in {time.perf_counter() - started:.0f}s", flush=True)


if __name__ == "__main__":
    main()
