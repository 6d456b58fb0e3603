#!/usr/bin/env python3
"""PyTorch peer of `latticeflow train`'s tutorial model, for tools/bench-simd/run.sh.

The same flow as src/LatticeFlow/Flows (FlowArchitecture.Tutorial, docs/flow.md; arXiv:2101.08176): prior N(0, 1) per site,
16 checkerboard affine couplings (layer l transforms the sites with (x + y) % 2 == l % 2), each net a conv
1 -> 8 -> 8 -> 2, 3 x 3, circular padding, LeakyReLU(0.01) between, tanh on the output; s, t = channels 0, 1 and
phi' = e^s phi + t on the active sites. Target: S = sum_x [sum_mu (phi(x+mu) - phi(x))^2 + m2 phi^2 + lam phi^4]
(Albergo et al. 2019, eq. 20-21; DESIGN.md). Loss: mean over the batch of log q + S (reverse KL), Adam, float32.
Prints one line: L, steps, steps/s over the timed steps (after warm-up steps, as the C# timing excludes start-up).
"""
import argparse
import math
import time

import torch


def net():
    conv = lambda i, o: torch.nn.Conv2d(i, o, 3, padding=1, padding_mode="circular")
    return torch.nn.Sequential(conv(1, 8), torch.nn.LeakyReLU(0.01), conv(8, 8), torch.nn.LeakyReLU(0.01), conv(8, 2), torch.nn.Tanh())


class Flow(torch.nn.Module):
    def __init__(self, lx, ly, layers=16):
        super().__init__()
        x, y = torch.meshgrid(torch.arange(lx), torch.arange(ly), indexing="ij")
        parity = ((x + y) % 2).float()
        self.register_buffer("masks", torch.stack([parity if l % 2 == 1 else 1 - parity for l in range(layers)]))
        self.nets = torch.nn.ModuleList(net() for _ in range(layers))

    def forward(self, z):
        phi, logdet = z, torch.zeros(z.shape[0])
        for active, n in zip(self.masks, self.nets):
            frozen = 1 - active
            st = n((phi * frozen).unsqueeze(1))
            s, t = st[:, 0] * active, st[:, 1] * active
            phi = frozen * phi + active * (phi * torch.exp(s) + t)
            logdet = logdet + s.sum(dim=(1, 2))
        return phi, logdet


def action(phi, m2, lam):
    kinetic = sum(((torch.roll(phi, -1, d) - phi) ** 2) for d in (1, 2))
    return (kinetic + m2 * phi ** 2 + lam * phi ** 4).sum(dim=(1, 2))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--L", type=int, default=8)
    p.add_argument("--m2", type=float, default=-4.0)
    p.add_argument("--lam", type=float, default=8.0)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    flow = Flow(a.L, a.L)
    opt = torch.optim.Adam(flow.parameters(), lr=1e-3)
    v = a.L * a.L

    def step():
        z = torch.randn(a.batch, a.L, a.L)
        log_r = -0.5 * (z ** 2).sum(dim=(1, 2)) - 0.5 * v * math.log(2 * math.pi)
        phi, logdet = flow(z)
        loss = (log_r - logdet + action(phi, a.m2, a.lam)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(a.warmup):
        step()
    start = time.perf_counter()
    for _ in range(a.steps):
        loss = step()
    seconds = time.perf_counter() - start
    print(f"torch L={a.L} steps={a.steps} steps_per_s={a.steps / seconds:.2f} loss={loss:.3f} torch={torch.__version__} threads={torch.get_num_threads()}")


if __name__ == "__main__":
    main()
