"""PyTorch baseline for Scrim's benchmarks (Debian python3-torch; never a runtime dependency).

The TAEF2 encoder as published upstream (madebyollin/taesd, with the FLUX.2 mid-block pool), loaded from
../shared/models. Prints forward (encode) and forward+backward (loss+gradient) times in the same format as the
Java benchmarks.  Usage: python3 bench/taef2_torch.py encode|step THREADS SIZE...
"""
import os
import sys
import time

import torch
import torch.nn as nn


def conv(n_in, n_out, **kw):
    return nn.Conv2d(n_in, n_out, 3, padding=1, **kw)


class Block(nn.Module):
    def __init__(self, n, pool):
        super().__init__()
        self.conv = nn.Sequential(conv(n, n), nn.ReLU(), conv(n, n), nn.ReLU(), conv(n, n))
        self.skip = nn.Identity()
        self.fuse = nn.ReLU()
        self.pool = nn.Sequential(nn.Conv2d(n, 256, 1, bias=False), nn.GroupNorm(4, 256), nn.ReLU(),
                                  nn.Conv2d(256, n, 1, bias=False)) if pool else None

    def forward(self, x):
        if self.pool is not None:
            x = x + self.pool(x)
        return self.fuse(self.conv(x) + self.skip(x))


def encoder(path):
    down = lambda: conv(64, 64, stride=2, bias=False)
    enc = nn.Sequential(conv(3, 64), Block(64, False), down(), *[Block(64, False) for _ in range(3)], down(),
                        *[Block(64, False) for _ in range(3)], down(), *[Block(64, True) for _ in range(3)],
                        conv(64, 32))
    enc.load_state_dict({k: v.float() for k, v in torch.load(path, map_location="cpu").items()})
    return enc.eval()


def main():
    mode, threads, sizes = sys.argv[1], int(sys.argv[2]), [int(s) for s in sys.argv[3:]]
    torch.set_num_threads(threads)
    here = os.path.dirname(os.path.abspath(__file__))
    enc = encoder(os.environ.get("SCRIM_SHARED", os.path.join(here, "..", "..", "shared")) + "/models/taef2_encoder.pth")
    for p in enc.parameters():
        p.requires_grad_(False)
    torch.manual_seed(0)
    for size in sizes:
        x = torch.rand(1, 3, size, size)
        target = torch.randn(1, 32, size // 8, size // 8)

        def run():
            if mode == "encode":
                with torch.no_grad():
                    enc(x)
            else:
                xi = x.clone().requires_grad_(True)
                loss = ((enc(xi) - target) ** 2).sum()
                loss.backward()

        run()
        reps = 3 if size >= 1024 else 5
        best = float("inf")
        for _ in range(reps):
            t0 = time.perf_counter()
            run()
            best = min(best, time.perf_counter() - t0)
        label = "encode" if mode == "encode" else "step  "
        print(f"pytorch    {label} {size}x{size} threads={threads}: {best:.3f} s (best of {reps})", flush=True)


if __name__ == "__main__":
    main()
