"""An ESRGAN-shaped x4 upscaler with random weights, for measuring `studio upscale` (issue 14).

    python export_esrgan_bench.py --out /tmp/esrgan-x4-bench.onnx

Real-ESRGAN's generator in its published shape (RRDBNet: 23 residual-in-residual
dense blocks, 64 features, growth 32, two nearest-neighbour x2 steps; 16.7M
parameters), exported as the ONNX files people share are: one input
[1, 3, H, W] in [0, 1], one output [1, 3, 4H, 4W], height and width dynamic.
Speed does not depend on the weights; they are small so the output stays in range.
"""
import argparse
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F


class DenseBlock(nn.Module):
    def __init__(self, nf=64, gc=32):
        super().__init__()
        self.convs = nn.ModuleList([nn.Conv2d(nf + i * gc, gc if i < 4 else nf, 3, padding=1) for i in range(5)])

    def forward(self, x):
        feats = [x]
        for i, conv in enumerate(self.convs):
            out = conv(torch.cat(feats, 1))
            if i < 4:
                feats.append(F.leaky_relu(out, 0.2))
        return x + 0.2 * out


class RRDB(nn.Module):
    def __init__(self, nf=64, gc=32):
        super().__init__()
        self.blocks = nn.Sequential(DenseBlock(nf, gc), DenseBlock(nf, gc), DenseBlock(nf, gc))

    def forward(self, x):
        return x + 0.2 * self.blocks(x)


class RRDBNet(nn.Module):
    def __init__(self, nf=64, nb=23, gc=32):
        super().__init__()
        self.conv_first = nn.Conv2d(3, nf, 3, padding=1)
        self.body = nn.Sequential(*[RRDB(nf, gc) for _ in range(nb)])
        self.conv_body = nn.Conv2d(nf, nf, 3, padding=1)
        self.conv_up1 = nn.Conv2d(nf, nf, 3, padding=1)
        self.conv_up2 = nn.Conv2d(nf, nf, 3, padding=1)
        self.conv_hr = nn.Conv2d(nf, nf, 3, padding=1)
        self.conv_last = nn.Conv2d(nf, 3, 3, padding=1)

    def forward(self, x):
        feat = self.conv_first(x)
        feat = feat + self.conv_body(self.body(feat))
        feat = F.leaky_relu(self.conv_up1(F.interpolate(feat, scale_factor=2, mode="nearest")), 0.2)
        feat = F.leaky_relu(self.conv_up2(F.interpolate(feat, scale_factor=2, mode="nearest")), 0.2)
        return self.conv_last(F.leaky_relu(self.conv_hr(feat), 0.2)).clamp(0, 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.manual_seed(0)
    net = RRDBNet().eval()
    with torch.no_grad():
        for p in net.parameters():
            p.mul_(0.1)
    print(f"{sum(p.numel() for p in net.parameters()) / 1e6:.1f}M parameters")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(net, (torch.rand(1, 3, 32, 32),), args.out, input_names=["image"], output_names=["upscaled"],
                      dynamic_axes={"image": {2: "h", 3: "w"}, "upscaled": {2: "h4", 3: "w4"}}, opset_version=17,
                      **({"dynamo": False} if "dynamo" in torch.onnx.export.__code__.co_varnames else {}))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
