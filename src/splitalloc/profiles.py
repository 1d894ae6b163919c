"""Service profiles: split DNN services and their resource densities ``c^k``, ``b^k``.

The paper (§III-A) describes each service ``k`` by ``S_k(Path_k, c^k, b^k)``: the model is
cut into ``m_k`` parts, part ``j`` consumes ``c_j^k`` compute on its server per unit of
*input* data, and the activation sent from part ``j`` to part ``j+1`` consumes ``b_j^k``
bandwidth per unit of input data. §V-A says the three services (AlexNet, VGG, FACE) are
split at "optimal partitioning points" following Neurosurgeon (Kang et al., 2017, the
paper's ref. [3]) but gives no numbers (Table 3 is missing from our copy). We therefore
derive every density from the architectures themselves:

1. Each network is written down layer by layer (:data:`ARCHITECTURES`): convolution,
   locally connected, pooling, local response normalisation and fully connected layers
   with their shapes (no weights). ReLU is folded into the layer it follows.
2. :func:`layer_table` propagates the tensor shape and counts, per layer, the FLOPs
   (2 per multiply-accumulate; one per output element for ReLU, for each pooling window
   element and five per element for LRN) and the number of output activation elements.
3. :func:`choose_cuts` picks ``m_k - 1`` cut points (after any layer but the last) by a
   Neurosurgeon-style rule adapted to the pipelined, throughput-oriented model of the
   paper: minimise the *bottleneck density* ``max(max_j c_j, max_j b_j)`` (the largest
   per-unit-input load a single part puts on its server or a single cut puts on its link;
   with equal capacities on servers and links, a chain's throughput is the common
   capacity divided by this number), then the second largest load, and so on (leximin
   order of the loads sorted in decreasing order, so parts that are not the bottleneck
   are balanced too instead of left near-empty); remaining ties are broken by the
   smallest total transfer ``sum_j b_j`` and then by the earliest cuts. The search is
   exhaustive (at most a few thousand subsets here).
4. Densities (units and normalisation, parameters in :mod:`splitalloc.config`):

   * ``b_j^k`` = (activation elements at cut ``j``) / (input elements), times
     ``bandwidth_density_scale`` (default 1). Input and activations are both float32
     tensors, so this is megabits transferred per megabit of admitted input: a physical,
     dimensionless ratio that matches ``B`` in Mb/slot.
   * ``c_j^k`` = ``compute_density_total`` x (FLOPs of part ``j``) / (FLOPs of the whole
     model), in *resource units per Mb of input* when ``compute_normalisation`` is
     ``"per-service"`` (default): every model reserves ``compute_density_total`` resource
     units per admitted Mb in total, and the split shares it by FLOPs. The reason: §III-A
     ties the densities to each service's SLA ("how many resources guarantee on-time
     service for a unit of input"); a heavier model with a proportionally looser deadline
     needs the same reserved rate. With ``"global"`` the FLOPs per input element are kept
     across models and scaled so the *mean* over the services' totals equals
     ``compute_density_total``; VGG-16 then costs about 22x AlexNet per Mb (205,677 vs
     9,399 FLOPs per input element) and dominates the LP.

With the defaults (``compute_density_total = 3``, four parts) the part densities range
from 0.02 to 2.3 resource units/Mb (most 0.2-1.8) and the cut densities from 0.06 to 1.33
Mb/Mb. With capacities near 100 and about 110 Mb/slot per service the LP is
resource-bound: on GEANT at mu = 100, sigma = 30 the offline optimum admits about two
thirds of the offered load (see ``service_mean_arrival`` in the config). The first part of
VGG-16 and of FACE is heavy (1.8 and 2.3) because every earlier cut would send more data
than the input itself (e.g. 2.7 Mb/Mb after VGG-16's pool2, 2.3 after FACE's M2).
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import config

__all__ = [
    "Layer",
    "ARCHITECTURES",
    "INPUT_SHAPES",
    "SERVICE_NAMES",
    "ServiceProfile",
    "layer_table",
    "choose_cuts",
    "check_compute_balance",
    "make_profile",
    "default_profiles",
    "layer_frame",
    "density_frame",
]


# --------------------------------------------------------------------------- layers


@dataclass(frozen=True)
class Layer:
    """One layer of a feed-forward network (no weights, shapes only).

    ``kind`` is one of ``"conv"``, ``"local"`` (locally connected: a convolution with
    untied weights, same FLOPs), ``"pool"`` (max pooling), ``"lrn"`` (local response
    normalisation), ``"fc"`` (fully connected; flattens its input). ``relu`` adds one
    FLOP per output element. ``groups`` splits a convolution's channels as in the
    original two-GPU AlexNet.
    """

    name: str
    kind: str
    out_channels: int = 0
    kernel: int = 1
    stride: int = 1
    padding: int = 0
    groups: int = 1
    relu: bool = False

    def __post_init__(self) -> None:
        if self.kind not in ("conv", "local", "pool", "lrn", "fc"):
            raise ValueError(f"layer {self.name!r}: unknown kind {self.kind!r}")
        if self.kind in ("conv", "local", "fc") and self.out_channels <= 0:
            raise ValueError(f"layer {self.name!r}: out_channels must be > 0, got {self.out_channels}")
        if self.kernel <= 0 or self.stride <= 0 or self.padding < 0 or self.groups <= 0:
            raise ValueError(
                f"layer {self.name!r}: need kernel > 0, stride > 0, padding >= 0, groups > 0; "
                f"got kernel={self.kernel}, stride={self.stride}, padding={self.padding}, groups={self.groups}"
            )


def _conv(name, out, k, s=1, p=0, g=1):
    return Layer(name, "conv", out, k, s, p, g, relu=True)


def _pool(name, k, s):
    return Layer(name, "pool", kernel=k, stride=s)


def _fc(name, out, relu=True):
    return Layer(name, "fc", out, relu=relu)


def _vgg16() -> tuple[Layer, ...]:
    layers: list[Layer] = []
    cfg = [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]
    for b, (ch, n) in enumerate(cfg, start=1):
        layers += [_conv(f"conv{b}_{i}", ch, 3, 1, 1) for i in range(1, n + 1)]
        layers.append(_pool(f"pool{b}", 2, 2))
    layers += [_fc("fc6", 4096), _fc("fc7", 4096), _fc("fc8", 1000, relu=False)]
    return tuple(layers)


#: Layer-by-layer definitions.
#: AlexNet: the BVLC Caffe model used by Neurosurgeon (227x227 input, LRN, grouped convs;
#: Krizhevsky et al. 2012). VGG16: configuration D of Simonyan & Zisserman (2015).
#: FACE: DeepFace (Taigman et al., 2014) C1-M2-C3-L4-L5-L6-F7-F8 after frontalisation,
#: 152x152 RGB input, 4030 identities.
ARCHITECTURES: dict[str, tuple[Layer, ...]] = {
    "AlexNet": (
        _conv("conv1", 96, 11, 4, 0),
        Layer("norm1", "lrn", kernel=5),
        _pool("pool1", 3, 2),
        _conv("conv2", 256, 5, 1, 2, g=2),
        Layer("norm2", "lrn", kernel=5),
        _pool("pool2", 3, 2),
        _conv("conv3", 384, 3, 1, 1),
        _conv("conv4", 384, 3, 1, 1, g=2),
        _conv("conv5", 256, 3, 1, 1, g=2),
        _pool("pool5", 3, 2),
        _fc("fc6", 4096),
        _fc("fc7", 4096),
        _fc("fc8", 1000, relu=False),
    ),
    "VGG16": _vgg16(),
    "FACE": (
        _conv("C1", 32, 11, 1, 0),
        _pool("M2", 3, 2),
        _conv("C3", 16, 9, 1, 0),
        Layer("L4", "local", 16, 9, 1, 0, relu=True),
        Layer("L5", "local", 16, 7, 2, 0, relu=True),
        Layer("L6", "local", 16, 5, 1, 0, relu=True),
        _fc("F7", 4096),
        _fc("F8", 4030, relu=False),
    ),
}

#: Input tensor shape (channels, height, width) of each architecture.
INPUT_SHAPES: dict[str, tuple[int, int, int]] = {
    "AlexNet": (3, 227, 227),
    "VGG16": (3, 224, 224),
    "FACE": (3, 152, 152),
}

#: Service order used everywhere (matches the arrival series' columns).
SERVICE_NAMES: tuple[str, ...] = ("AlexNet", "VGG16", "FACE")


def _out_hw(size: int, layer: Layer) -> int:
    out = (size + 2 * layer.padding - layer.kernel) // layer.stride + 1
    if layer.kind == "pool":  # Caffe pools with ceil mode
        out = math.ceil((size + 2 * layer.padding - layer.kernel) / layer.stride) + 1
    if out <= 0:
        raise ValueError(f"layer {layer.name!r}: input size {size} too small for kernel {layer.kernel}")
    return out


def layer_table(name: str) -> pd.DataFrame:
    """Per-layer FLOPs and output activations of architecture ``name``.

    Columns: ``layer``, ``kind``, ``out_shape`` (C, H, W as a string), ``flops``,
    ``out_elements``, ``cum_flops_fraction`` (share of the model's FLOPs up to and
    including this layer) and ``out_ratio`` (output elements / input elements, i.e. the
    bandwidth density of a cut after this layer, §III-A ``b^k``). One row per layer, in
    order; ``df.attrs`` holds ``input_shape``, ``input_elements`` and ``total_flops``.
    """
    if name not in ARCHITECTURES:
        raise KeyError(f"unknown architecture {name!r}; known: {', '.join(ARCHITECTURES)}")
    c, h, w = INPUT_SHAPES[name]
    n_in = c * h * w
    rows = []
    for layer in ARCHITECTURES[name]:
        if layer.kind == "fc":
            fan_in = c * h * w
            c, h, w = layer.out_channels, 1, 1
            flops = 2 * fan_in * c
        else:
            ho, wo = _out_hw(h, layer), _out_hw(w, layer)
            if layer.kind in ("conv", "local"):
                if c % layer.groups or layer.out_channels % layer.groups:
                    raise ValueError(f"layer {layer.name!r}: channels not divisible by groups")
                macs_per_out = (c // layer.groups) * layer.kernel**2
                c = layer.out_channels
                flops = 2 * macs_per_out * c * ho * wo
            elif layer.kind == "pool":
                flops = layer.kernel**2 * c * ho * wo
            else:  # lrn: shape-preserving, ~5 FLOPs per element (square, sum, scale, pow, div)
                ho, wo = h, w
                flops = 5 * c * ho * wo
            h, w = ho, wo
        out = c * h * w
        if layer.relu:
            flops += out
        rows.append({"layer": layer.name, "kind": layer.kind, "out_shape": f"{c}x{h}x{w}",
                     "flops": int(flops), "out_elements": int(out)})
    df = pd.DataFrame(rows)
    total = float(df["flops"].sum())
    df["cum_flops_fraction"] = df["flops"].cumsum() / total
    df["out_ratio"] = df["out_elements"] / n_in
    df.attrs.update({"architecture": name, "input_shape": INPUT_SHAPES[name],
                     "input_elements": n_in, "total_flops": total})
    return df


def _part_densities(flops: np.ndarray, ratio: np.ndarray, cuts: tuple[int, ...], c_scale: float,
                    b_scale: float, compute_balance: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Densities for cuts after layers ``cuts`` (0-based layer indices, increasing).

    ``compute_balance`` (``alpha`` in [0, 1]) mixes the parts' compute shares: ``c_j =
    (1 - alpha) c_j^FLOPs + alpha c_total / m`` (0: by layer FLOPs; 1: equal parts; the model's
    total ``c_total`` is kept). At 0 no arithmetic is added (the FLOPs shares, bit for bit)."""
    bounds = (0, *(j + 1 for j in cuts), len(flops))
    c = np.array([flops[a:b].sum() for a, b in zip(bounds[:-1], bounds[1:])], dtype=float) * c_scale
    if compute_balance:
        c = (1.0 - compute_balance) * c + compute_balance * (float(flops.sum()) * c_scale / c.size)
    b = np.array([ratio[j] for j in cuts], dtype=float) * b_scale
    return c, b


def check_compute_balance(compute_balance) -> float:
    """``compute_balance`` as a float in [0, 1], or ``ValueError`` naming it."""
    if isinstance(compute_balance, bool) or not isinstance(compute_balance, (int, float, np.integer, np.floating)):
        raise ValueError(f"compute_balance must be a number in [0, 1] (0: parts by layer FLOPs, 1: equal "
                         f"parts), got {compute_balance!r}")
    if not 0.0 <= float(compute_balance) <= 1.0:   # NaN fails too
        raise ValueError(f"compute_balance must be a number in [0, 1] (0: parts by layer FLOPs, 1: equal "
                         f"parts), got {compute_balance!r}")
    return float(compute_balance)


def choose_cuts(table: pd.DataFrame, n_parts: int, *, c_scale: float, b_scale: float = 1.0,
                compute_balance: float = 0.0) -> tuple[int, ...]:
    """Cut points (0-based indices of the layer each cut follows) for ``n_parts`` parts.

    Exhaustive search over all ``n_parts - 1``-subsets of layer boundaries minimising, in
    leximin order, the loads ``{c_j} U {b_j}`` sorted in decreasing order (first the
    bottleneck density ``max(max_j c_j, max_j b_j)``), then the total transfer
    ``sum_j b_j``, then lexicographically earliest cuts (see the module docstring).
    ``c_scale`` converts FLOPs into compute density, ``b_scale`` scales the activation
    ratio into bandwidth density, ``compute_balance`` mixes the part compute shares towards
    equal parts (:func:`_part_densities`; 0, the default, shares by FLOPs).
    """
    compute_balance = check_compute_balance(compute_balance)
    n_layers = len(table)
    if not isinstance(n_parts, (int, np.integer)) or n_parts < 1:
        raise ValueError(f"n_parts must be a positive integer, got {n_parts!r}")
    if n_parts > n_layers:
        raise ValueError(f"n_parts={n_parts} exceeds the {n_layers} layers of {table.attrs.get('architecture')}")
    flops = table["flops"].to_numpy(dtype=float)
    ratio = table["out_ratio"].to_numpy(dtype=float)
    best_key, best = None, ()
    for cuts in itertools.combinations(range(n_layers - 1), n_parts - 1):
        c, b = _part_densities(flops, ratio, cuts, c_scale, b_scale, compute_balance)
        loads = tuple(np.round(np.sort(np.concatenate([c, b]))[::-1], 12))
        key = (loads, round(float(b.sum()), 12), cuts)
        if best_key is None or key < best_key:
            best_key, best = key, cuts
    return tuple(int(j) for j in best)


# -------------------------------------------------------------------------- profiles


@dataclass(frozen=True)
class ServiceProfile:
    """A split AI service ``S_k`` (§III-A): part densities ``c`` and cut densities ``b``.

    ``c`` has shape ``(m_k,)``: compute (resource units) reserved on the server of part
    ``j`` per Mb of admitted input. ``b`` has shape ``(m_k - 1,)``: Mb sent from part ``j``
    to part ``j + 1`` per Mb of admitted input. ``cuts`` are the indices of the layers
    each cut follows (into ``table``); ``parts`` names the layers of each part; ``table``
    is the per-layer table of :func:`layer_table` with a ``part`` column added.
    """

    name: str
    c: np.ndarray
    b: np.ndarray
    cuts: tuple[int, ...] = ()
    parts: tuple[tuple[str, ...], ...] = ()
    table: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False, compare=False)
    normalisation: str = "per-service"

    def __post_init__(self) -> None:
        c = np.asarray(self.c, dtype=float)
        b = np.asarray(self.b, dtype=float)
        if c.ndim != 1 or c.size < 1:
            raise ValueError(f"service {self.name!r}: c must be a non-empty 1-D array, got shape {c.shape}")
        if b.shape != (c.size - 1,):
            raise ValueError(f"service {self.name!r}: b must have shape ({c.size - 1},), got {b.shape}")
        if not (np.all(np.isfinite(c)) and np.all(np.isfinite(b))) or (c < 0).any() or (b < 0).any():
            raise ValueError(f"service {self.name!r}: densities must be finite and >= 0; c={c}, b={b}")
        c.setflags(write=False)
        b.setflags(write=False)
        object.__setattr__(self, "c", c)
        object.__setattr__(self, "b", b)

    @property
    def n_parts(self) -> int:
        """``m_k``, the number of parts."""
        return int(self.c.size)

    def merged(self) -> "ServiceProfile":
        """The same model unsplit (one part, no cut): used by the non-splitting baseline."""
        return ServiceProfile(self.name, np.array([self.c.sum()]), np.zeros(0), (),
                              (tuple(p for part in self.parts for p in part),), self.table,
                              self.normalisation)


def _flops_per_input(name: str) -> float:
    t = layer_table(name)
    return t.attrs["total_flops"] / t.attrs["input_elements"]


def make_profile(name: str, *, n_parts: int | None = None, compute_density_total: float | None = None,
                 bandwidth_density_scale: float | None = None, normalisation: str | None = None,
                 services: tuple[str, ...] = SERVICE_NAMES, compute_balance: float = 0.0) -> ServiceProfile:
    """Build the :class:`ServiceProfile` of architecture ``name`` (see module docstring).

    Unset keywords come from :mod:`splitalloc.config` (``n_parts``,
    ``compute_density_total``, ``bandwidth_density_scale``, ``compute_normalisation``).
    ``services`` is the set over which the ``"global"`` normalisation averages.
    ``compute_balance`` (``alpha`` in [0, 1], default 0: by layer FLOPs, as the module docstring
    says) shares each model's compute between its parts as ``(1 - alpha)`` x the FLOPs shares
    plus ``alpha`` x equal shares; the cut search sees the mixed densities. It is a knob of the
    calibration (:mod:`splitalloc.experiments.calibration`), which the paper leaves open.
    """
    compute_balance = check_compute_balance(compute_balance)
    n_parts = config.value("n_parts") if n_parts is None else n_parts
    kappa = config.value("compute_density_total") if compute_density_total is None else compute_density_total
    b_scale = config.value("bandwidth_density_scale") if bandwidth_density_scale is None else bandwidth_density_scale
    normalisation = config.value("compute_normalisation") if normalisation is None else normalisation
    if isinstance(n_parts, bool) or not isinstance(n_parts, (int, np.integer)) or n_parts < 1:
        raise ValueError(f"n_parts must be a positive integer, got {n_parts!r}")
    for pname, v in (("compute_density_total", kappa), ("bandwidth_density_scale", b_scale)):
        if not (isinstance(v, (int, float, np.floating)) and math.isfinite(v) and v > 0):
            raise ValueError(f"{pname} must be a finite number > 0, got {v!r}")
    c, b, cuts, parts, table = _profile_parts(name, int(n_parts), float(kappa), float(b_scale), normalisation,
                                              tuple(services), compute_balance)
    return ServiceProfile(name, c, b, cuts, parts, table.copy(), normalisation)


@functools.lru_cache(maxsize=256)
def _profile_parts(name: str, n_parts: int, kappa: float, b_scale: float, normalisation: str,
                   services: tuple[str, ...], compute_balance: float = 0.0):
    """Cached exhaustive cut search of :func:`make_profile` (callers get a copy of the table)."""
    table = layer_table(name)
    total = table.attrs["total_flops"]
    if normalisation == "per-service":
        c_scale = kappa / total
    elif normalisation == "global":
        mean_fpi = float(np.mean([_flops_per_input(s) for s in services]))
        c_scale = kappa / (mean_fpi * table.attrs["input_elements"])
    else:
        raise ValueError(f"compute normalisation must be 'per-service' or 'global', got {normalisation!r}")
    cuts = choose_cuts(table, n_parts, c_scale=c_scale, b_scale=b_scale, compute_balance=compute_balance)
    c, b = _part_densities(table["flops"].to_numpy(float), table["out_ratio"].to_numpy(float), cuts,
                           c_scale, b_scale, compute_balance)
    bounds = (0, *(j + 1 for j in cuts), len(table))
    part_col = np.repeat(np.arange(len(bounds) - 1), np.diff(bounds))
    table = table.copy()
    table["part"] = part_col
    table["cut_after"] = False
    table.loc[list(cuts), "cut_after"] = True
    parts = tuple(tuple(table["layer"].iloc[a:b_]) for a, b_ in zip(bounds[:-1], bounds[1:]))
    return c, b, cuts, parts, table


def default_profiles(**kwargs) -> list[ServiceProfile]:
    """Profiles of the paper's three services, in :data:`SERVICE_NAMES` order (§V-A).

    Keyword arguments are passed to :func:`make_profile` (e.g. ``n_parts=3``).
    """
    return [make_profile(s, **kwargs) for s in SERVICE_NAMES]


def layer_frame(profiles: list[ServiceProfile]) -> pd.DataFrame:
    """Tidy per-layer table of several services (the book's layer tables and profile plot).

    One row per service x layer: ``service``, ``position`` (0-based layer index), the
    columns of :func:`layer_table`, ``part`` and ``cut_after``.
    """
    frames = []
    for p in profiles:
        t = p.table.copy()
        t.insert(0, "position", np.arange(len(t)))
        t.insert(0, "service", p.name)
        frames.append(t)
    return pd.concat(frames, ignore_index=True)


def density_frame(profiles: list[ServiceProfile]) -> pd.DataFrame:
    """Tidy densities: one row per service x part (``c``) and per cut (``b``).

    Columns: ``service``, ``kind`` (``"c"`` part compute or ``"b"`` cut transfer),
    ``index`` (part or cut number, 0-based), ``value``, ``unit`` and ``layers`` (the
    part's layers, or the layer the cut follows).
    """
    rows = []
    for p in profiles:
        for j, v in enumerate(p.c):
            rows.append({"service": p.name, "kind": "c", "index": j, "value": float(v),
                         "unit": "resource units/Mb", "layers": "-".join(p.parts[j][:1] + p.parts[j][-1:])
                         if p.parts else ""})
        for j, v in enumerate(p.b):
            rows.append({"service": p.name, "kind": "b", "index": j, "value": float(v), "unit": "Mb/Mb",
                         "layers": p.parts[j][-1] if p.parts else ""})
    return pd.DataFrame(rows)
