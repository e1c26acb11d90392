"""Train the embedded model (issue 4): autoencoder, then text encoder and UNet together.

    python training/train.py --out ckpt [--device cuda] [--seed 1234]

Writes the checkpoints (split into parts of at most 15 MiB so the GPU
machine can hand them back), meta.json (configs, latent scale, step counts,
losses, timings) and samples.png (a grid drawn with DDIM by the EMA weights).
`export_onnx.py` turns the checkpoints into the model folder. Every setting
that shapes the result is a flag with its default here, and the run is seeded:
re-running with the flags recorded in meta.json repeats it (up to the
nondeterminism of GPU kernels).
"""
import argparse
import json
import math
import random
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from sd_mini.bpe import Tokenizer, learn
from sd_mini.nets import Decoder, Encoder, TextEncoder, UNet, params
from sd_mini.scenes import render, sample_specs

CONFIG = dict(
    unet=dict(channels=(64, 96, 128), layers=1, attn=(True, True, True), ctx_dim=128, head_dim=32, ff_mult=2),
    text=dict(width=128, layers=4, heads=4),
    vae=dict(channels=(32, 64, 96, 128), layers=1),
)
PART_BYTES = 15 * 2**20
SAMPLE_CAPTIONS = [
    "a red circle", "a large blue star on the left", "a small yellow triangle at the top on a purple background",
    "a green square on the right", "a white ring on a black background", "a large orange circle at the bottom",
    "a purple star in the center on a yellow background", "a small black square on the left on a white background",
    "a blue ring at the top on a green background", "a large red triangle on the right on a blue background",
    "a yellow circle on the left", "a small green star at the bottom on a orange background",
    "a large white square in the center on a red background", "an orange ring", "a purple circle on the right",
    "",
]


def scaled_linear_alphas_cumprod(device):
    betas = torch.linspace(0.00085**0.5, 0.012**0.5, 1000, dtype=torch.float64) ** 2
    return torch.cumprod(1 - betas, 0).float().to(device)


def save_parts(state, out, name):
    """torch.save into name.pt, or name.part0.pt, name.part1.pt ... when larger than PART_BYTES."""
    parts, current, size = [], {}, 0
    for k, v in state.items():
        nbytes = v.numel() * v.element_size()
        if current and size + nbytes > PART_BYTES:
            parts.append(current)
            current, size = {}, 0
        current[k] = v.detach().cpu().clone()
        size += nbytes
    parts.append(current)
    names = [f"{name}.pt"] if len(parts) == 1 else [f"{name}.part{i}.pt" for i in range(len(parts))]
    for part, file in zip(parts, names):
        torch.save(part, out / file)
    return names


def load_parts(folder, name):
    files = sorted(folder.glob(f"{name}.pt")) + sorted(folder.glob(f"{name}.part*.pt"), key=lambda p: int(p.stem.split("part")[1]))
    state = {}
    for f in files:
        state.update(torch.load(f, map_location="cpu"))
    return state


def train_vae(args, dev, log):
    enc, dec = Encoder(**CONFIG["vae"]).to(dev), Decoder(**CONFIG["vae"]).to(dev)
    opt = torch.optim.AdamW(list(enc.parameters()) + list(dec.parameters()), lr=args.vae_lr, weight_decay=0.0)
    rng = random.Random(args.seed)
    started = time.time()
    for step in range(args.vae_steps):
        for g in opt.param_groups:
            g["lr"] = args.vae_lr * min(1.0, (step + 1) / 200) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / args.vae_steps)))
        x = render(sample_specs(args.vae_batch, rng, edge_allowed=not args.stage1_placement)[0], dev, args.supersample)
        with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=dev.type == "cuda"):
            mean, logvar = enc(x).float().chunk(2, dim=1)
            logvar = logvar.clamp(-30, 20)
            z = mean + torch.exp(0.5 * logvar) * torch.randn_like(mean)
            y = dec(z).float()
        rec = F.l1_loss(y, x) + F.mse_loss(y, x)
        kl = 0.5 * (mean**2 + logvar.exp() - 1 - logvar).mean()
        loss = rec + args.vae_kl * kl
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % 250 == 0 or step == args.vae_steps - 1:
            log(f"vae {step} rec {rec.item():.4f} kl {kl.item():.3f} {time.time() - started:.0f}s")
    return enc.eval(), dec.eval(), time.time() - started


@torch.no_grad()
def build_latent_cache(enc, tok, args, dev, log):
    """Renders and encodes the scenes the UNet learns from; returns (latent means, token ids, latent scale)."""
    rng = random.Random(args.seed + 1)
    memo, lat, ids = {}, [], []
    chunk = 1000 if dev.type == "cuda" else 100
    for start in range(0, args.cache, chunk):
        specs, caps = sample_specs(min(chunk, args.cache - start), rng, edge_allowed=not args.stage1_placement)
        with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=dev.type == "cuda"):
            mean = enc(render(specs, dev, args.supersample)).float().chunk(2, dim=1)[0]
        lat.append(mean.half())
        ids.append(torch.tensor([memo.setdefault(c, tok.encode(c)) for c in caps], dtype=torch.int32))
    lat, ids = torch.cat(lat), torch.cat(ids).to(dev)
    scale = 1.0 / lat[:4096].float().std().item()
    log(f"cache {len(lat)} scenes, {len(memo)} distinct captions, latent std {1 / scale:.4f}")
    return lat, ids, scale


@torch.no_grad()
def ddim_sample(unet, te, dec, tok, captions, scale, dev, steps=20, cfg=7.0, seed=0):
    ac = scaled_linear_alphas_cumprod(dev)
    g = torch.Generator(device="cpu").manual_seed(seed)
    x = torch.randn(len(captions), 4, 16, 16, generator=g).to(dev)
    cond = te(torch.tensor([tok.encode(c) for c in captions], device=dev))
    uncond = te(torch.tensor([tok.encode("")] * len(captions), device=dev))
    ts = list(range(999, -1, -1000 // steps))[:steps]
    for i, t in enumerate(ts):
        tt = torch.full((2 * len(captions),), t, device=dev)
        eu, ec = unet(torch.cat([x, x]), tt, torch.cat([uncond, cond])).chunk(2)
        eps = eu + cfg * (ec - eu)
        a, a_prev = ac[t], (ac[ts[i + 1]] if i + 1 < len(ts) else torch.tensor(1.0, device=dev))
        x0 = (x - (1 - a).sqrt() * eps) / a.sqrt()
        x = a_prev.sqrt() * x0 + (1 - a_prev).sqrt() * eps
    img = ((dec(x / scale).clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).cpu().numpy()
    n = len(captions)
    cols = 4
    grid = np.zeros((math.ceil(n / cols) * 128, cols * 128, 3), np.uint8)
    for i, im in enumerate(img):
        grid[(i // cols) * 128:(i // cols + 1) * 128, (i % cols) * 128:(i % cols + 1) * 128] = im
    return grid


@torch.no_grad()
def save_ema_checkpoint(out, models, trainable, ema, meta):
    """Saves the EMA weights (the ones exported) without disturbing the training weights."""
    backup = [p.detach().clone() for p in trainable]
    for p, e in zip(trainable, ema):
        p.copy_(e)
    files = []
    for name, model in zip(("vae_encoder", "vae_decoder", "text_encoder", "unet"), models):
        files += save_parts(model.state_dict(), out, name)
    for p, b in zip(trainable, backup):
        p.copy_(b)
    (out / "meta.json").write_text(json.dumps(dict(meta, files=files), indent=2))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--vae-steps", type=int, default=3000)
    ap.add_argument("--vae-batch", type=int, default=48)
    ap.add_argument("--vae-lr", type=float, default=5e-4)
    ap.add_argument("--vae-kl", type=float, default=1e-5)
    ap.add_argument("--cache", type=int, default=300_000)
    ap.add_argument("--steps", type=int, default=12_000)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--lr", type=float, default=4e-4)
    ap.add_argument("--ema", type=float, default=0.9995)
    ap.add_argument("--offset-noise", type=float, default=0.05)
    ap.add_argument("--min-snr", type=float, default=5.0)
    ap.add_argument("--supersample", type=int, default=4, help="antialiasing of the scenes (4x4; 2x2 for the CPU stage)")
    ap.add_argument("--stage1-placement", action="store_true", help="clamp every shape inside the picture, as stage 1 did")
    ap.add_argument("--checkpoint-every-s", type=float, default=0, help="also save the EMA weights this often during training")
    ap.add_argument("--resume", default="", help="a previous stage's output folder: continue from its weights, keep its autoencoder")
    ap.add_argument("--stop-at", type=int, default=0, help="stop after this many UNet steps, keeping the learning-rate schedule of --steps (to repeat a run the deadline cut short)")
    ap.add_argument("--deadline-s", type=float, default=0, help="stop UNet training at this many seconds from the start (0: none); the steps done are recorded")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    dev = torch.device(args.device)
    torch.manual_seed(args.seed)
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
    torch.backends.cudnn.benchmark = True
    t0 = time.time()
    lines = []

    def log(msg):
        lines.append(msg)
        print(msg, flush=True)

    vocab, merges = learn()
    tok = Tokenizer(vocab, merges)
    unet = UNet(**CONFIG["unet"]).to(dev)
    te = TextEncoder(len(vocab), **CONFIG["text"]).to(dev)
    previous = []
    if args.resume:
        # A later stage: the autoencoder and its latent scale stay as the first stage made them.
        src = Path(args.resume)
        prev_meta = json.loads((src / "meta.json").read_text())
        previous = prev_meta.get("stages", []) + [{k: prev_meta[k] for k in ("args", "unet_steps_done", "seconds")}]
        enc, dec = Encoder(**CONFIG["vae"]).to(dev), Decoder(**CONFIG["vae"]).to(dev)
        for name, model in (("vae_encoder", enc), ("vae_decoder", dec), ("text_encoder", te), ("unet", unet)):
            model.load_state_dict(load_parts(src, name))
        enc.eval(), dec.eval()
        vae_s = 0.0
        log(f"resumed from {src} after {sum(p['unet_steps_done'] for p in previous)} UNet steps")
    else:
        enc, dec, vae_s = train_vae(args, dev, log)
    for p in enc.parameters():
        p.requires_grad_(False)
    lat, ids, scale = build_latent_cache(enc, tok, args, dev, log)
    if args.resume:
        scale = prev_meta["latent_scale"]
    log(f"params: unet {params(unet)}, text encoder {params(te)}, encoder {params(enc)}, decoder {params(dec)}")
    trainable = list(unet.parameters()) + list(te.parameters())
    ema = [p.detach().clone() for p in trainable]
    opt = torch.optim.AdamW(trainable, lr=args.lr, weight_decay=0.01)
    ac = scaled_linear_alphas_cumprod(dev)
    snr = ac / (1 - ac)
    weight = torch.clamp(snr, max=args.min_snr) / snr if args.min_snr > 0 else torch.ones_like(snr)
    gen = torch.Generator(device=dev).manual_seed(args.seed + 2)
    started, done, loss_avg = time.time(), 0, None
    last_save = started
    for step in range(args.steps):
        if args.stop_at and step >= args.stop_at:
            log(f"stopped at step {step} as asked")
            break
        if args.deadline_s and time.time() - t0 > args.deadline_s:
            log(f"deadline reached after {step} UNet steps")
            break
        for g in opt.param_groups:
            g["lr"] = args.lr * min(1.0, (step + 1) / 500) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / args.steps)))
        idx = torch.randint(len(lat), (args.batch,), device=dev, generator=gen)
        x0 = lat[idx].float() * scale
        noise = torch.randn(x0.shape, device=dev, generator=gen)
        if args.offset_noise:
            noise = noise + args.offset_noise * torch.randn(x0.shape[0], x0.shape[1], 1, 1, device=dev, generator=gen)
        t = torch.randint(1000, (args.batch,), device=dev, generator=gen)
        a = ac[t].view(-1, 1, 1, 1)
        xt = a.sqrt() * x0 + (1 - a).sqrt() * noise
        with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=dev.type == "cuda"):
            pred = unet(xt, t, te(ids[idx].long())).float()
        loss = ((pred - noise) ** 2).mean(dim=(1, 2, 3)).mul(weight[t]).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        opt.step()
        with torch.no_grad():
            decay = min(args.ema, (1 + step) / (10 + step))
            torch._foreach_mul_(ema, decay)
            torch._foreach_add_(ema, [p.detach() for p in trainable], alpha=1 - decay)
        done = step + 1
        if args.checkpoint_every_s and time.time() - last_save > args.checkpoint_every_s:
            save_ema_checkpoint(out, (enc, dec, te, unet), trainable, ema, dict(
                config=CONFIG, vocab_size=len(vocab), latent_scale=scale, args=vars(args), unet_steps_done=done,
                stages=previous, seconds=dict(unet=round(time.time() - started, 1)), partial=True, log=lines))
            last_save = time.time()
            log(f"checkpoint at step {done}")
        if step % 100 == 0:
            loss_avg = loss.item() if loss_avg is None else 0.9 * loss_avg + 0.1 * loss.item()
        if step % 1000 == 0:
            log(f"unet {step} loss {loss_avg:.4f} {(step + 1) / (time.time() - started):.1f} it/s")
    unet_s = time.time() - started
    with torch.no_grad():
        for p, e in zip(trainable, ema):
            p.copy_(e)
    unet.eval()
    te.eval()
    grid = ddim_sample(unet, te, dec, tok, SAMPLE_CAPTIONS, scale, dev)
    Image.fromarray(grid).save(out / "samples.png")
    files = []
    for name, model in (("vae_encoder", enc), ("vae_decoder", dec), ("text_encoder", te), ("unet", unet)):
        files += save_parts(model.state_dict(), out, name)
    meta = dict(
        config=CONFIG, vocab_size=len(vocab), latent_scale=scale, args=vars(args), unet_steps_done=done, stages=previous,
        seconds=dict(vae=round(vae_s, 1), unet=round(unet_s, 1), total=round(time.time() - t0, 1)),
        device=torch.cuda.get_device_name(dev) if dev.type == "cuda" else "cpu", torch=torch.__version__,
        files=files, log=lines,
    )
    (out / "meta.json").write_text(json.dumps(meta, indent=2))
    log(f"done in {time.time() - t0:.0f}s: {files}")


if __name__ == "__main__":
    main()
