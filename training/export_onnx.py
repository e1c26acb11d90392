"""Export the trained checkpoints to a model folder in the Hugging Face ONNX
layout of Stable Diffusion 1.x (what onnx-community/stable-diffusion-v1-5-ONNX
holds), so the engine and other ONNX SD tools load it like any SD 1.x export.

    python training/export_onnx.py --ckpt ckpt --out models/studio-shapes

The VAE is wrapped so that SD 1.x's fixed latent scale (0.18215) is right for
it: the encoder's output times 0.18215 has unit variance over the training
scenes, as the UNet learnt it.
"""
import argparse
import json
import shutil
from pathlib import Path

import torch
import torch.nn as nn

from sd_mini.bpe import learn, write_tokenizer_folder
from sd_mini.nets import Decoder, Encoder, TextEncoder, UNet

SD_SCALE = 0.18215
OPSET = 17


class TextEncoderExport(nn.Module):
    def __init__(self, te, eos_id):
        super().__init__()
        self.te, self.eos_id = te, eos_id

    def forward(self, input_ids):
        ids = input_ids.long()
        hidden = self.te(ids)
        # CLIP's pooled output: the state at the first end-of-text token.
        first_eos = (ids == self.eos_id).int().argmax(dim=-1)
        return hidden, hidden[torch.arange(hidden.shape[0]), first_eos]


class UNetExport(nn.Module):
    def __init__(self, unet):
        super().__init__()
        self.unet = unet

    def forward(self, sample, timestep, encoder_hidden_states):
        return self.unet(sample, timestep, encoder_hidden_states)


class EncoderExport(nn.Module):
    def __init__(self, enc, factor):
        super().__init__()
        self.enc, self.factor = enc, factor

    def forward(self, sample):
        return self.enc(sample).chunk(2, dim=1)[0] * self.factor  # the mean: deterministic img2img


class DecoderExport(nn.Module):
    def __init__(self, dec, factor):
        super().__init__()
        self.dec, self.factor = dec, factor

    def forward(self, latent_sample):
        return self.dec(latent_sample / self.factor)


def export(module, args, path, inputs, outputs, axes):
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(module, args, str(path), input_names=inputs, output_names=outputs, dynamic_axes=axes,
                      opset_version=OPSET, do_constant_folding=True, **({"dynamo": False} if "dynamo" in torch.onnx.export.__code__.co_varnames else {}))


def write_json(path, obj):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2) + "\n")


def main():
    from train import load_parts  # training's dependencies (Pillow) only when exporting a checkpoint

    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    ckpt, out = Path(args.ckpt), Path(args.out)
    meta = json.loads((ckpt / "meta.json").read_text())
    cfg = meta["config"]
    vocab, merges = learn()
    assert len(vocab) == meta["vocab_size"], "the vocabulary the checkpoint was trained with differs from this one"
    tuple_cfg = lambda d: {k: tuple(v) if isinstance(v, list) else v for k, v in d.items()}
    te = TextEncoder(len(vocab), **cfg["text"])
    te.load_state_dict(load_parts(ckpt, "text_encoder"))
    unet = UNet(**tuple_cfg(cfg["unet"]))
    unet.load_state_dict(load_parts(ckpt, "unet"))
    enc, dec = Encoder(**tuple_cfg(cfg["vae"])), Decoder(**tuple_cfg(cfg["vae"]))
    enc.load_state_dict(load_parts(ckpt, "vae_encoder"))
    dec.load_state_dict(load_parts(ckpt, "vae_decoder"))
    write_model_folder(out, cfg, vocab, merges, te, unet, enc, dec, meta["latent_scale"] / SD_SCALE, image_size=128)
    write_json(out / "training.json", {k: meta.get(k) for k in ("stages", "args", "unet_steps_done", "seconds", "device", "torch", "latent_scale")}
               | {"exported_with_torch": torch.__version__})
    total = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(f"exported {out} ({total / 2**20:.1f} MiB)")


def write_model_folder(out, cfg, vocab, merges, te, unet, enc, dec, factor, image_size, dtype=torch.float32):
    """The four ONNX graphs (in dtype) and every config file of the layout."""
    for sub in ("text_encoder", "unet", "vae_decoder", "vae_encoder", "tokenizer", "scheduler"):
        shutil.rmtree(out / sub, ignore_errors=True)

    for m in (te, unet, enc, dec):
        m.eval().to(dtype)
    width = cfg["text"]["width"]
    lat = image_size // 8
    dev = next(unet.parameters()).device
    f = lambda *shape: torch.randn(*shape, dtype=dtype, device=dev)
    with torch.no_grad():
        ids = torch.full((1, 77), vocab["<|endoftext|>"], dtype=torch.int32, device=dev)
        export(TextEncoderExport(te, vocab["<|endoftext|>"]), (ids,), out / "text_encoder/model.onnx", ["input_ids"],
               ["last_hidden_state", "pooler_output"], {"input_ids": {0: "batch"}, "last_hidden_state": {0: "batch"}, "pooler_output": {0: "batch"}})
        export(UNetExport(unet), (f(2, 4, lat, lat), torch.tensor([999, 999], device=dev), f(2, 77, width)),
               out / "unet/model.onnx", ["sample", "timestep", "encoder_hidden_states"], ["out_sample"],
               {"sample": {0: "batch", 2: "height", 3: "width"}, "timestep": {0: "batch"},
                "encoder_hidden_states": {0: "batch", 1: "sequence"}, "out_sample": {0: "batch", 2: "height", 3: "width"}})
        export(DecoderExport(dec, factor), (f(1, 4, lat, lat),), out / "vae_decoder/model.onnx", ["latent_sample"], ["sample"],
               {"latent_sample": {0: "batch", 2: "height", 3: "width"}, "sample": {0: "batch", 2: "height", 3: "width"}})
        export(EncoderExport(enc, factor), (f(1, 3, image_size, image_size),), out / "vae_encoder/model.onnx", ["sample"], ["latent_sample"],
               {"sample": {0: "batch", 2: "height", 3: "width"}, "latent_sample": {0: "batch", 2: "height", 3: "width"}})

    write_tokenizer_folder(out / "tokenizer", vocab, merges)
    u = cfg["unet"]
    levels = len(u["channels"])
    write_json(out / "unet/config.json", {
        "_class_name": "UNet2DConditionModel", "sample_size": lat, "in_channels": 4, "out_channels": 4,
        "block_out_channels": list(u["channels"]), "layers_per_block": u["layers"], "cross_attention_dim": u["ctx_dim"],
        "attention_head_dim": u.get("heads") or u.get("head_dim"),
        "down_block_types": ["CrossAttnDownBlock2D" if a else "DownBlock2D" for a in u["attn"]],
        "up_block_types": ["CrossAttnUpBlock2D" if a else "UpBlock2D" for a in reversed(u["attn"])][:levels],
    })
    vae_json = {"_class_name": "AutoencoderKL", "in_channels": 3, "out_channels": 3, "latent_channels": 4, "sample_size": image_size,
                "block_out_channels": list(cfg["vae"]["channels"]), "layers_per_block": cfg["vae"]["layers"], "scaling_factor": SD_SCALE}
    write_json(out / "vae_decoder/config.json", vae_json)
    write_json(out / "vae_encoder/config.json", vae_json)
    write_json(out / "text_encoder/config.json", {
        "_class_name": "CLIPTextModel", "architectures": ["CLIPTextModel"], "hidden_size": width, "intermediate_size": width * 4,
        "num_attention_heads": cfg["text"]["heads"], "num_hidden_layers": cfg["text"]["layers"], "max_position_embeddings": 77,
        "vocab_size": len(vocab), "hidden_act": "quick_gelu",
        "bos_token_id": vocab["<|startoftext|>"], "eos_token_id": vocab["<|endoftext|>"], "pad_token_id": vocab["<|endoftext|>"],
    })
    write_json(out / "scheduler/scheduler_config.json", {
        "_class_name": "PNDMScheduler", "beta_start": 0.00085, "beta_end": 0.012, "beta_schedule": "scaled_linear",
        "num_train_timesteps": 1000, "set_alpha_to_one": False, "skip_prk_steps": True, "steps_offset": 1,
        "clip_sample": False, "prediction_type": "epsilon",
    })
    onnx_model = ["onnxruntime", "OnnxRuntimeModel"]
    write_json(out / "model_index.json", {
        "_class_name": "OnnxStableDiffusionPipeline", "_diffusers_version": "0.30.0",
        "text_encoder": onnx_model, "unet": onnx_model, "vae_decoder": onnx_model, "vae_encoder": onnx_model,
        "tokenizer": ["transformers", "CLIPTokenizer"], "scheduler": ["diffusers", "PNDMScheduler"],
        "safety_checker": [None, None], "feature_extractor": [None, None],
    })


if __name__ == "__main__":
    main()
