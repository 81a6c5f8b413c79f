#!/usr/bin/env python3
"""Reference fixtures for Glassbox's explanation methods (tests/explain_reference.rs).

Builds small networks with seeded weights in PyTorch, writes each one in the Glassbox
model format with a few inputs (the native runner's inputs format), and computes the
attributions with Captum and Zennit. The fixtures are committed: CI never runs this.

Dependencies (the versions the committed fixtures were made with):

    python3 -m venv /tmp/venv-ref
    /tmp/venv-ref/bin/pip install torch==2.15.0 captum==0.9.0 zennit==0.5.1 numpy==2.4.6
    /tmp/venv-ref/bin/python scripts/reference/make_explain_fixtures.py

Output, per network <name> in tests/fixtures/explain/: <name>.model.json,
<name>.inputs.json, and <name>.expected.json = {"cases": [{"method", "params",
"reference", "attributions": [[...] per input]}]}; `method` and `params` are what
`Request::parse` takes, `reference` names the library call that produced the maps.

Conventions (each checked against Glassbox by the Rust test):
- weights are drawn in float32 (the model format's dtype) and everything is computed in
  float64; the inputs are float32 values too, so the GPU can read them exactly;
- a score S = seed·logits is explained: the predicted class, a chosen class or a contrast
  logit[a] − logit[b]; every library call sees a module returning S, one input at a time;
- Integrated Gradients: Glassbox's `rule` left, right, middle and gaussLegendre are
  Captum's riemann_left, riemann_right, riemann_middle and gausslegendre; Captum's
  riemann_trapezoid (weights 1/n, halved at the ends) is Glassbox's `riemannTrapezoid`;
- SmoothGrad, SmoothGrad² and VarGrad use the inputs file's `noise` rows: Captum's
  NoiseTunnel draws its own noise, so the script takes Captum's Saliency(abs=False) at
  each x + ε and aggregates as NoiseTunnel does (mean, mean of squares, E[g²] − E[g]²);
- LRP: Zennit's rules and composites, with the relevance at the output seeded as
  seed ⊙ logits (Zennit's attributor is given that as the output gradient);
  a rule on every layer is a LayerMapComposite with Zennit's base map (ReLU passes,
  average pooling takes Norm, max pooling its gradient) plus the rule on dense and conv.
"""

import json
import os
import warnings

import numpy as np
import torch
from torch import nn
from captum.attr import (
    Deconvolution,
    DeepLift,
    GuidedBackprop,
    GuidedGradCam,
    InputXGradient,
    IntegratedGradients,
    LayerGradCam,
    Occlusion,
    Saliency,
)
from zennit.composites import (
    EpsilonGammaBox,
    EpsilonPlus,
    EpsilonPlusFlat,
    LayerMapComposite,
    SpecialFirstLayerMapComposite,
    layer_map_base,
)
from zennit.rules import AlphaBeta, Epsilon, Flat, Gamma, WSquare, ZBox, ZPlus
from zennit.types import Linear as AnyLinear

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "fixtures", "explain")
torch.set_default_dtype(torch.float64)
# Captum warns that inputs lack requires_grad and that hooks are removed afterwards.
warnings.filterwarnings("ignore", category=UserWarning)


# ---------------------------------------------------------------- networks and files


def seeded(module_list, seed, scale, bias_scale):
    """Uniform float32 weights in [−scale, scale), biases in [−bias_scale, bias_scale)."""
    g = torch.Generator().manual_seed(seed)
    for m in module_list:
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            w = (torch.rand(m.weight.shape, generator=g, dtype=torch.float32) * 2 - 1) * scale
            b = (torch.rand(m.bias.shape, generator=g, dtype=torch.float32) * 2 - 1) * bias_scale
            with torch.no_grad():
                m.weight.copy_(w.double())
                m.bias.copy_(b.double())


def tensor(t):
    return {"shape": list(t.shape), "dtype": "f32", "data": [float(v) for v in t.detach().float().flatten()]}


def record(m):
    """One torch module as a Glassbox layer record."""
    if isinstance(m, nn.Linear):
        return {"type": "dense", "inFeatures": m.in_features, "outFeatures": m.out_features, "weight": tensor(m.weight), "bias": tensor(m.bias)}
    if isinstance(m, nn.Conv2d):
        k = m.kernel_size[0]
        padding = "same" if m.padding == (k // 2, k // 2) else "valid"
        assert m.stride == (1, 1) and (padding == "same" or m.padding == (0, 0))
        return {
            "type": "conv2d",
            "inChannels": m.in_channels,
            "outChannels": m.out_channels,
            "kernel": k,
            "stride": 1,
            "padding": padding,
            "weight": tensor(m.weight),
            "bias": tensor(m.bias),
        }
    if isinstance(m, nn.ReLU):
        return {"type": "activation", "function": "relu"}
    if isinstance(m, nn.MaxPool2d):
        return {"type": "pool", "op": "max", "size": m.kernel_size}
    if isinstance(m, nn.AvgPool2d):
        return {"type": "pool", "op": "avg", "size": m.kernel_size}
    if isinstance(m, nn.AdaptiveAvgPool2d):
        return {"type": "pool", "op": "avg"}
    if isinstance(m, nn.Flatten):
        return {"type": "flatten"}
    raise TypeError(m)


def networks():
    """(name, net, input shape, input range, zBox bounds, Grad-CAM layers) per network."""
    mlp = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 6), nn.ReLU(), nn.Linear(6, 4))
    seeded(mlp, 11, 0.7, 0.3)
    bias_free = nn.Sequential(nn.Linear(5, 7), nn.ReLU(), nn.Linear(7, 6), nn.ReLU(), nn.Linear(6, 3))
    seeded(bias_free, 12, 0.8, 0.0)
    cnn_max = nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 5, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(5, 3),
    )
    seeded(cnn_max, 13, 0.5, 0.1)
    cnn_avg = nn.Sequential(
        nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(), nn.AvgPool2d(2),
        nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(16, 3),
    )
    seeded(cnn_avg, 14, 0.6, 0.1)
    return [
        ("mlp", mlp, (6,), (-1.0, 1.0), (-1.0, 1.0), []),
        ("mlp_bias_free", bias_free, (5,), (-1.0, 1.0), (-1.0, 1.0), []),
        ("cnn_max", cnn_max, (2, 8, 8), (0.0, 1.0), (0.0, 1.0), [0, 3]),
        ("cnn_avg", cnn_avg, (1, 8, 8), (0.0, 1.0), (0.0, 1.0), [0, 3]),
    ]


class Scored(nn.Module):
    """S = seed·net(x), one column."""

    def __init__(self, net, seed):
        super().__init__()
        self.net = net
        self.register_buffer("seed", seed)

    def forward(self, x):
        return (self.net(x) * self.seed).sum(1, keepdim=True)


# ---------------------------------------------------------------- methods


def per_sample(fn, x, seeds, net):
    """fn(Scored module, one-sample batch index) → a map, for every input."""
    maps = []
    for i in range(x.shape[0]):
        model = Scored(net, seeds[i]).eval()
        maps.append(fn(model, i).detach().flatten().tolist())
    return maps


def lrp(net, composite, x, seeds):
    maps = []
    for i in range(x.shape[0]):
        xi = x[i : i + 1].clone().requires_grad_(True)
        with composite.context(net) as modified:
            out = modified(xi)
            (r,) = torch.autograd.grad(out, xi, grad_outputs=seeds[i : i + 1] * out.detach())
        maps.append(r.flatten().tolist())
    return maps


def uniform(rule):
    return LayerMapComposite(layer_map=layer_map_base() + [(AnyLinear, rule)])


def first(rule, rest):
    return SpecialFirstLayerMapComposite(layer_map=layer_map_base() + [(AnyLinear, rest)], first_map=[(AnyLinear, rule)])


def cases(name, net, shape, box, cam_layers, x, labels, baseline, noise):
    """Every fixture case of one network: (method, params, reference, maps)."""
    k = net(x[:1]).shape[1]
    logits = net(x).detach()
    predicted = logits.argmax(1)
    eye = torch.eye(k)

    def seeds_of(target):
        if target is None:
            return eye[predicted]
        if target == "true":
            return eye[labels]
        if "-" in str(target):
            a, b = (int(v) for v in target.split("-"))
            return (eye[a] - eye[b]).expand(x.shape[0], k)
        return eye[int(target)].expand(x.shape[0], k)

    image = len(shape) == 3
    chosen, contrast = "1", "2-0"
    out = []

    def add(method, params, reference, fn, target=None):
        params = dict(params)
        if target is not None:
            params["target"] = target
        # Ten significant digits: far below the test's 1e-4 tolerance, and half the bytes.
        maps = [[float(f"{v:.10g}") for v in row] for row in fn(seeds_of(target))]
        out.append({"method": method, "params": params, "reference": reference, "attributions": maps})

    def captum(make, **kwargs):
        return lambda seeds: per_sample(lambda m, i: make(m).attribute(x[i : i + 1], target=0, **kwargs), x, seeds, net)

    # Gradients.
    for target in (None, chosen, contrast):
        add("gradient", {"mode": "signed"}, "Saliency(abs=False)", captum(Saliency, abs=False), target)
    add("gradient", {}, "Saliency() (abs=True)", captum(Saliency), chosen)
    add("gradientXInput", {}, "InputXGradient", captum(InputXGradient))
    add("gradientXInput", {}, "InputXGradient", captum(InputXGradient), "true")

    # Integrated Gradients.
    b = baseline.unsqueeze(0)
    add("integratedGradients", {"steps": "24"}, "IntegratedGradients(method=gausslegendre, n_steps=24)", captum(IntegratedGradients, n_steps=24))
    for rule, method, steps in (("left", "riemann_left", 10), ("right", "riemann_right", 9), ("middle", "riemann_middle", 12),
                                ("riemannTrapezoid", "riemann_trapezoid", 8), ("gaussLegendre", "gausslegendre", 7)):
        add("integratedGradients", {"steps": str(steps), "rule": rule, "baseline": "custom"},
            f"IntegratedGradients(method={method}, n_steps={steps}, baselines=custom)",
            captum(IntegratedGradients, n_steps=steps, method=method, baselines=b), chosen)
    add("integratedGradients", {"steps": "16"}, "IntegratedGradients(n_steps=16), contrast",
        captum(IntegratedGradients, n_steps=16), contrast)

    # SmoothGrad family over the given noise rows.
    def noisy(aggregate):
        def fn(seeds):
            maps = []
            for i in range(x.shape[0]):
                model = Scored(net, seeds[i]).eval()
                g = Saliency(model).attribute(x[i : i + 1] + noise, target=0, abs=False).detach()
                mean, sq = g.mean(0), (g * g).mean(0)
                maps.append({"mean": mean, "sq": sq, "var": sq - mean * mean}[aggregate].flatten().tolist())
            return maps
        return fn

    for method, aggregate in (("smoothGrad", "mean"), ("smoothGradSq", "sq"), ("varGrad", "var")):
        add(method, {}, f"Saliency(abs=False) at x + noise rows, {aggregate} as NoiseTunnel", noisy(aggregate))
    add("smoothGrad", {}, "Saliency(abs=False) at x + noise rows, mean", noisy("mean"), contrast)

    # Guided backprop and deconvnet.
    for target in (None, contrast):
        add("guidedBackprop", {}, "GuidedBackprop", captum(GuidedBackprop), target)
        add("deconvnet", {}, "Deconvolution", captum(Deconvolution), target)

    # Occlusion: windows through every channel.
    c = shape[0] if image else None
    for patch, stride, fill in ((2, 1, 0.0), (3, 2, 0.5)):
        window = (c, patch, patch) if image else (patch,)
        strides = (1, stride, stride) if image else (stride,)
        add("occlusion", {"patch": str(patch), "stride": str(stride), "fill": str(fill)},
            f"Occlusion(sliding_window_shapes={window}, strides={strides}, baselines={fill})",
            captum(Occlusion, sliding_window_shapes=window, strides=strides, baselines=fill))
    add("occlusion", {"patch": "3", "stride": "3"}, "Occlusion(window 3, stride 3), chosen class",
        captum(Occlusion, sliding_window_shapes=(c, 3, 3) if image else (3,), strides=(1, 3, 3) if image else (3,)), chosen)

    # DeepLIFT (Rescale).
    add("deepLift", {}, "DeepLift (rescale), zero baseline", captum(DeepLift))
    add("deepLift", {"baseline": "custom"}, "DeepLift (rescale), custom baseline", captum(DeepLift, baselines=b), contrast)

    # Grad-CAM at conv layers (Glassbox layer ids are the Sequential's indices here).
    for layer in cam_layers:
        def cam(relu, layer=layer):
            return lambda seeds: per_sample(lambda m, i: LayerGradCam(m, m.net[layer]).attribute(x[i : i + 1], target=0, relu_attributions=relu), x, seeds, net)
        add("gradCam", {"layer": str(layer)}, f"LayerGradCam(layer {layer})", cam(False))
        add("gradCam", {"layer": str(layer), "relu": "true"}, f"LayerGradCam(layer {layer}, relu_attributions=True)", cam(True), chosen)
        add("guidedGradCam", {"layer": str(layer)}, f"GuidedGradCam(layer {layer}, interpolate_mode=nearest)",
            lambda seeds, layer=layer: per_sample(lambda m, i: GuidedGradCam(m, m.net[layer]).attribute(x[i : i + 1], target=0, interpolate_mode="nearest"), x, seeds, net))
    if cam_layers:
        last = cam_layers[-1]
        add("gradCam", {}, f"LayerGradCam(layer {last}, the last conv)",
            lambda seeds: per_sample(lambda m, i: LayerGradCam(m, m.net[last]).attribute(x[i : i + 1], target=0), x, seeds, net), contrast)

    # LRP (Zennit).
    low, high = box
    z = lambda composite: (lambda seeds: lrp(net, composite, x, seeds))
    rules = [
        ({}, "Epsilon(1e-6)", Epsilon(1e-6)),
        ({"rule": "epsilon", "epsilon": "0.25"}, "Epsilon(0.25)", Epsilon(0.25)),
        ({"rule": "zero"}, "Epsilon(0)", Epsilon(0.0)),
        ({"rule": "zPlus"}, "ZPlus", ZPlus()),
        ({"rule": "alpha1beta0"}, "AlphaBeta(1, 0)", AlphaBeta(1.0, 0.0)),
        ({"rule": "alpha2beta1"}, "AlphaBeta(2, 1)", AlphaBeta(2.0, 1.0)),
        ({"rule": "gamma"}, "Gamma(0.25)", Gamma(0.25)),
        ({"rule": "gamma", "gamma": "0.5"}, "Gamma(0.5)", Gamma(0.5)),
        ({"rule": "flat"}, "Flat", Flat()),
        ({"rule": "wSquare"}, "WSquare", WSquare()),
    ]
    for params, reference, rule in rules:
        add("lrp", params, f"zennit {reference} on every dense and conv layer", z(uniform(rule)))
    add("lrp", {"rule": "zPlus"}, "zennit ZPlus, contrast", z(uniform(ZPlus())), contrast)
    add("lrp", {"rule": "epsilon", "layers": "0:zBox", "low": str(low), "high": str(high)}, f"zennit ZBox({low}, {high}) first, Epsilon(1e-6) elsewhere",
        z(first(ZBox(low, high), Epsilon(1e-6))))
    add("lrp", {"rule": "alpha2beta1", "layers": "0:wSquare"}, "zennit WSquare first, AlphaBeta(2, 1) elsewhere", z(first(WSquare(), AlphaBeta(2.0, 1.0))))
    add("lrp", {"composite": "epsilonPlus"}, "zennit EpsilonPlus", z(EpsilonPlus()))
    add("lrp", {"composite": "epsilonPlus"}, "zennit EpsilonPlus, chosen class", z(EpsilonPlus()), chosen)
    add("lrp", {"composite": "epsilonGammaBox", "low": str(low), "high": str(high)}, f"zennit EpsilonGammaBox(low={low}, high={high})",
        z(EpsilonGammaBox(low=low, high=high)))
    add("lrp", {"composite": "epsilonPlusFlat"}, "zennit EpsilonPlusFlat", z(EpsilonPlusFlat()))
    return out


def write(name, payload):
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(payload, f, separators=(",", ":"))
        f.write("\n")
    return os.path.getsize(path)


def main():
    os.makedirs(OUT, exist_ok=True)
    total = 0
    for index, (name, net, shape, (lo, hi), box, cam_layers) in enumerate(networks()):
        net.eval()
        g = torch.Generator().manual_seed(100 + index)
        f32 = lambda t: t.float().double()
        x = f32(lo + (hi - lo) * torch.rand((3,) + shape, generator=g))
        baseline = f32(lo + (hi - lo) * torch.rand(shape, generator=g) * 0.5)
        noise = f32(0.2 * torch.randn((5,) + shape, generator=g))
        k = net(x[:1]).shape[1]
        labels = torch.randint(0, k, (3,), generator=g)
        model = {"format": "glassbox-model", "version": 1, "input": list(shape), "layers": [record(m) for m in net]}
        inputs = {
            "inputs": [r.flatten().tolist() for r in x],
            "labels": labels.tolist(),
            "baseline": baseline.flatten().tolist(),
            "noise": [r.flatten().tolist() for r in noise],
        }
        total += write(f"{name}.model.json", model)
        total += write(f"{name}.inputs.json", inputs)
        total += write(f"{name}.expected.json", {"cases": cases(name, net, shape, box, cam_layers, x, labels, baseline, noise)})
    print(f"wrote {OUT}: {total} bytes")


if __name__ == "__main__":
    main()
