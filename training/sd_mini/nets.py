"""Stable Diffusion 1.x in miniature: KL autoencoder (factor 8, 4 latent
channels), CLIP-like causal text transformer, and a UNet of ResNet blocks with
self- and cross-attention transformer blocks, timestep embedding as in SD.

The same classes build the full-size SD 1.5 shapes for the GPU benchmark
(issue 8): see `sd15_configs()`.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def norm(ch):
    return nn.GroupNorm(next(g for g in (32, 16, 8, 4, 2, 1) if ch % g == 0), ch, eps=1e-6)


class ResBlock(nn.Module):
    def __init__(self, cin, cout, temb=None):
        super().__init__()
        self.norm1, self.conv1 = norm(cin), nn.Conv2d(cin, cout, 3, padding=1)
        self.temb = nn.Linear(temb, cout) if temb else None
        self.norm2, self.conv2 = norm(cout), nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x, t=None):
        h = self.conv1(F.silu(self.norm1(x)))
        if self.temb is not None:
            h = h + self.temb(F.silu(t))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return self.skip(x) + h


class _FusedAttention(torch.autograd.Function):
    """Exports as one com.microsoft MultiHeadAttention node (which ONNX Runtime's CPU, CUDA and
    WebGPU providers implement) instead of MatMul/Softmax/MatMul; computes the same thing."""

    @staticmethod
    def forward(ctx, q, k, v, heads):
        return _plain_attention(q, k, v, heads)

    @staticmethod
    def symbolic(g, q, k, v, heads):
        return g.op("com.microsoft::MultiHeadAttention", q, k, v, num_heads_i=heads)


# "plain" or "mha": how attention is written into an ONNX export (see export_sd15_bench.py).
ATTENTION_EXPORT = "plain"


def attention(q, k, v, heads):
    if ATTENTION_EXPORT == "mha" and torch.onnx.is_in_onnx_export():
        return _FusedAttention.apply(q, k, v, heads)
    return _plain_attention(q, k, v, heads)


def _plain_attention(q, k, v, heads):
    """Scaled dot-product attention written out (exports as MatMul/Softmax/MatMul)."""
    b, n, c = q.shape
    d = c // heads
    q = q.view(b, n, heads, d).transpose(1, 2)
    k = k.view(b, -1, heads, d).transpose(1, 2)
    v = v.view(b, -1, heads, d).transpose(1, 2)
    w = torch.softmax((q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(d)), dim=-1)
    return (w @ v).transpose(1, 2).reshape(b, n, c)


class CrossAttention(nn.Module):
    def __init__(self, dim, ctx_dim, heads):
        super().__init__()
        self.heads = heads
        self.to_q = nn.Linear(dim, dim, bias=False)
        self.to_k = nn.Linear(ctx_dim, dim, bias=False)
        self.to_v = nn.Linear(ctx_dim, dim, bias=False)
        self.to_out = nn.Linear(dim, dim)

    def forward(self, x, ctx=None):
        ctx = x if ctx is None else ctx
        return self.to_out(attention(self.to_q(x), self.to_k(ctx), self.to_v(ctx), self.heads))


class GEGLU(nn.Module):
    def __init__(self, dim, inner):
        super().__init__()
        self.proj = nn.Linear(dim, inner * 2)

    def forward(self, x):
        a, gate = self.proj(x).chunk(2, dim=-1)
        return a * F.gelu(gate)


class SpatialTransformer(nn.Module):
    """GroupNorm, proj_in, [self-attn, cross-attn, GEGLU feed-forward] with pre-LayerNorms, proj_out."""

    def __init__(self, ch, ctx_dim, heads, ff_mult=4):
        super().__init__()
        self.norm = norm(ch)
        self.proj_in = nn.Linear(ch, ch)
        self.ln1, self.attn1 = nn.LayerNorm(ch), CrossAttention(ch, ch, heads)
        self.ln2, self.attn2 = nn.LayerNorm(ch), CrossAttention(ch, ctx_dim, heads)
        self.ln3, self.ff = nn.LayerNorm(ch), nn.Sequential(GEGLU(ch, ch * ff_mult), nn.Linear(ch * ff_mult, ch))
        self.proj_out = nn.Linear(ch, ch)

    def forward(self, x, ctx):
        b, c, h, w = x.shape
        y = self.proj_in(self.norm(x).flatten(2).transpose(1, 2))
        y = y + self.attn1(self.ln1(y))
        y = y + self.attn2(self.ln2(y), ctx)
        y = y + self.ff(self.ln3(y))
        return x + self.proj_out(y).transpose(1, 2).reshape(b, c, h, w)


class TransformerStack(nn.Module):
    """Several transformer blocks at one level (SDXL has 2 and 10 where SD 1.5 has 1)."""

    def __init__(self, blocks):
        super().__init__()
        self.blocks = nn.ModuleList(blocks)

    def forward(self, x, ctx):
        for b in self.blocks:
            x = b(x, ctx)
        return x


def takes_context(m):
    return isinstance(m, (SpatialTransformer, TransformerStack))


def timestep_embedding(t, dim):
    """SD's sinusoidal embedding (flip_sin_to_cos, shift 0)."""
    half = dim // 2
    freqs = torch.exp(-math.log(10000) * torch.arange(half, device=t.device, dtype=torch.float32) / half)
    args = t.float()[:, None] * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


class UNet(nn.Module):
    def __init__(self, channels=(64, 128, 192), layers=1, attn=(True, True, True), ctx_dim=128, head_dim=32,
                 ff_mult=4, in_ch=4, out_ch=4, heads=None, depth=None, mid_depth=1, added_dim=0, time_ids=6):
        """depth: transformer blocks per level (default 1 each); added_dim: SDXL's pooled text width (0: none),
        with `time_ids` size values embedded at 256 each and added to the time embedding."""
        super().__init__()
        c0 = channels[0]
        self.c0, temb = c0, c0 * 4
        self.time = nn.Sequential(nn.Linear(c0, temb), nn.SiLU(), nn.Linear(temb, temb))
        self.added = None
        if added_dim:
            self.added = nn.Sequential(nn.Linear(added_dim + 256 * time_ids, temb), nn.SiLU(), nn.Linear(temb, temb))
        self.conv_in = nn.Conv2d(in_ch, c0, 3, padding=1)
        one = lambda ch: SpatialTransformer(ch, ctx_dim, heads or max(1, ch // head_dim), ff_mult)
        # One block stays a bare SpatialTransformer, so SD 1.5-shaped checkpoints keep their keys.
        stack = lambda ch, n: one(ch) if n == 1 else TransformerStack([one(ch) for _ in range(n)])
        depth = depth or (1,) * len(channels)
        level = {}
        tr = lambda ch: stack(ch, level.get("n", 1))
        self.down = nn.ModuleList()
        skips, ch = [c0], c0
        for i, cout in enumerate(channels):
            level["n"] = depth[i]
            for _ in range(layers):
                self.down.append(nn.ModuleList([ResBlock(ch, cout, temb), tr(cout) if attn[i] else nn.Identity()]))
                ch = cout
                skips.append(ch)
            if i < len(channels) - 1:
                self.down.append(nn.Conv2d(ch, ch, 3, stride=2, padding=1))
                skips.append(ch)
        level["n"] = mid_depth
        self.mid1, self.mid_attn, self.mid2 = ResBlock(ch, ch, temb), tr(ch), ResBlock(ch, ch, temb)
        self.up = nn.ModuleList()
        for i, cout in reversed(list(enumerate(channels))):
            level["n"] = depth[i]
            for _ in range(layers + 1):
                self.up.append(nn.ModuleList([ResBlock(ch + skips.pop(), cout, temb), tr(cout) if attn[i] else nn.Identity()]))
                ch = cout
            if i > 0:
                self.up.append(nn.Conv2d(ch, ch, 3, padding=1))  # after a nearest 2x upsample
        self.norm_out, self.conv_out = norm(ch), nn.Conv2d(ch, out_ch, 3, padding=1)

    def forward(self, x, t, ctx, text_embeds=None, time_ids=None):
        temb = self.time(timestep_embedding(t, self.c0).to(x.dtype))
        if self.added is not None:
            ids = timestep_embedding(time_ids.flatten(), 256).reshape(x.shape[0], -1)
            temb = temb + self.added(torch.cat([text_embeds, ids.to(text_embeds.dtype)], dim=-1))
        h = self.conv_in(x)
        hs = [h]
        for block in self.down:
            if isinstance(block, nn.Conv2d):
                h = block(h)
            else:
                h = block[0](h, temb)
                h = block[1](h, ctx) if takes_context(block[1]) else h
            hs.append(h)
        h = self.mid2(self.mid_attn(self.mid1(h, temb), ctx), temb)
        for block in self.up:
            if isinstance(block, nn.Conv2d):
                h = block(F.interpolate(h, scale_factor=2.0, mode="nearest"))
            else:
                h = block[0](torch.cat([h, hs.pop()], dim=1), temb)
                h = block[1](h, ctx) if takes_context(block[1]) else h
        return self.conv_out(F.silu(self.norm_out(h)))


class TextEncoder(nn.Module):
    """CLIP text transformer: token + position embeddings, causal pre-LN blocks with quick-GELU MLPs, final LayerNorm."""

    def __init__(self, vocab_size, width=128, layers=4, heads=4, max_len=77):
        super().__init__()
        self.heads = heads
        self.token_embedding = nn.Embedding(vocab_size, width)
        self.position_embedding = nn.Parameter(torch.randn(max_len, width) * 0.01)
        self.blocks = nn.ModuleList()
        for _ in range(layers):
            self.blocks.append(nn.ModuleDict(dict(
                ln1=nn.LayerNorm(width), qkv=nn.Linear(width, width * 3), out=nn.Linear(width, width),
                ln2=nn.LayerNorm(width), fc1=nn.Linear(width, width * 4), fc2=nn.Linear(width * 4, width))))
        self.final_ln = nn.LayerNorm(width)
        self.register_buffer("causal", torch.full((max_len, max_len), float("-inf")).triu(1), persistent=False)

    def forward(self, ids, all_hidden=False):
        """The final (layer-normed) states; with all_hidden also every layer's input and output, as CLIP's hidden_states."""
        x = self.token_embedding(ids) + self.position_embedding[: ids.shape[1]]
        states = [x]
        b, n, c = x.shape
        d = c // self.heads
        mask = self.causal[:n, :n]
        for blk in self.blocks:
            q, k, v = blk["qkv"](blk["ln1"](x)).chunk(3, dim=-1)
            q, k, v = (z.view(b, n, self.heads, d).transpose(1, 2) for z in (q, k, v))
            w = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d) + mask, dim=-1)
            x = x + blk["out"]((w @ v).transpose(1, 2).reshape(b, n, c))
            h = blk["fc1"](blk["ln2"](x))
            x = x + blk["fc2"](h * torch.sigmoid(1.702 * h))
            states.append(x)
        return (self.final_ln(x), states) if all_hidden else self.final_ln(x)


class VaeAttention(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.norm = norm(ch)
        self.q, self.k, self.v, self.out = (nn.Linear(ch, ch) for _ in range(4))

    def forward(self, x):
        b, c, h, w = x.shape
        y = self.norm(x).flatten(2).transpose(1, 2)
        y = self.out(attention(self.q(y), self.k(y), self.v(y), 1))
        return x + y.transpose(1, 2).reshape(b, c, h, w)


class Encoder(nn.Module):
    """Picture [-1, 1] -> mean and log-variance of the latents (8 channels), 8x smaller."""

    def __init__(self, channels=(32, 64, 128, 128), layers=1, latent=4):
        super().__init__()
        self.conv_in = nn.Conv2d(3, channels[0], 3, padding=1)
        blocks, ch = [], channels[0]
        for i, cout in enumerate(channels):
            for _ in range(layers):
                blocks.append(ResBlock(ch, cout))
                ch = cout
            if i < len(channels) - 1:
                blocks.append(nn.Sequential(nn.ZeroPad2d((0, 1, 0, 1)), nn.Conv2d(ch, ch, 3, stride=2)))
        self.blocks = nn.Sequential(*blocks)
        self.mid = nn.Sequential(ResBlock(ch, ch), VaeAttention(ch), ResBlock(ch, ch))
        self.out = nn.Sequential(norm(ch), nn.SiLU(), nn.Conv2d(ch, 2 * latent, 3, padding=1), nn.Conv2d(2 * latent, 2 * latent, 1))

    def forward(self, x):
        return self.out(self.mid(self.blocks(self.conv_in(x))))


class Upsample(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.conv = nn.Conv2d(ch, ch, 3, padding=1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class Decoder(nn.Module):
    """Latents -> picture in [-1, 1] (unclamped)."""

    def __init__(self, channels=(32, 64, 128, 128), layers=1, latent=4):
        super().__init__()
        ch = channels[-1]
        self.conv_in = nn.Sequential(nn.Conv2d(latent, latent, 1), nn.Conv2d(latent, ch, 3, padding=1))
        self.mid = nn.Sequential(ResBlock(ch, ch), VaeAttention(ch), ResBlock(ch, ch))
        blocks = []
        for i, cout in reversed(list(enumerate(channels))):
            for _ in range(layers + 1):
                blocks.append(ResBlock(ch, cout))
                ch = cout
            if i > 0:
                blocks.append(Upsample(ch))
        self.blocks = nn.Sequential(*blocks)
        self.out = nn.Sequential(norm(ch), nn.SiLU(), nn.Conv2d(ch, 3, 3, padding=1))

    def forward(self, z):
        return self.out(self.blocks(self.mid(self.conv_in(z))))


def params(m):
    return sum(p.numel() for p in m.parameters())


def sd15_configs(vocab_size):
    """The shapes of Stable Diffusion 1.5 (UNet 860M, CLIP ViT-L/14 text tower, VAE), for benchmarks with random weights."""
    return dict(
        unet=dict(channels=(320, 640, 1280, 1280), layers=2, attn=(True, True, True, False), ctx_dim=768, heads=8),
        text=dict(vocab_size=vocab_size, width=768, layers=12, heads=12),
        vae=dict(channels=(128, 256, 512, 512), layers=2),
    )


def sdxl_configs(vocab_size):
    """The shapes of SDXL 1.0 base: UNet (320/640/1280, no attention at the first level, 2 and 10 transformer
    blocks below, 2048-wide context, pooled text + 6 size ids added to the time embedding), CLIP ViT-L and
    OpenCLIP bigG text towers, the same VAE."""
    return dict(
        unet=dict(channels=(320, 640, 1280), layers=2, attn=(False, True, True), depth=(1, 2, 10), mid_depth=10,
                  ctx_dim=2048, head_dim=64, added_dim=1280),
        text=dict(vocab_size=vocab_size, width=768, layers=12, heads=12),
        text2=dict(vocab_size=vocab_size, width=1280, layers=32, heads=20),
        vae=dict(channels=(128, 256, 512, 512), layers=2),
    )
