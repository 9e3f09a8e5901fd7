"""Sign classifiers over landmark windows: the CNN-Mamba (the product) and a 1D-CNN reference.

    landmarks, mask -> FeatureTransform -> Linear -> n_conv x ConvBlock -> n_mamba x MambaBlock
                    -> masked attention pooling -> dropout -> Linear -> logits

`arch: conv1d` is the reference baseline every figure is compared with: the same transform,
projection, pooling and head, residual temporal convolutions with growing dilation (1, 2, 4, ...)
and no Mamba blocks, so the two differ only in the temporal mixing. Same ONNX inputs, outputs
and metadata: the app can load either.

The temporal CNN sees short-range motion (handshape transitions); the Mamba blocks carry
longer-range order through a selective state space (Gu & Dao, 2023), written after
mamba-minimal (johnma2006) and mamba.py (alxndrTL). Frames without any used landmark do not
move the Mamba state (their delta is zeroed) and are excluded from the pooling.

Dimension glossary
    b  batch                    l  frames (seq_len)
    p  75 layout points         f  features per frame (FeatureTransform.n_features)
    d  d_model                  e  d_inner = expand * d_model
    n  d_state                  r  dt_rank
    k  classes
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import torch
import torch.nn as nn
import torch.nn.functional as F

from slr_desktop.core.metadata import MAX_SEQ_LEN

from .scan import selective_scan_parallel, selective_scan_sequential
from .transform import FeatureTransform, TransformConfig

MAX_SIZES = {"seq_len": MAX_SEQ_LEN, "d_model": 2048, "d_state": 256, "expand": 8, "d_conv": 64,
             "conv_kernel": 63, "n_conv": 32, "n_mamba": 32}


ARCHS = ("cnn_mamba", "conv1d")


@dataclass
class ModelConfig:
    n_classes: int
    arch: str = "cnn_mamba"   # "conv1d": dilated residual temporal CNN, no Mamba (n_mamba is 0)
    seq_len: int = 64
    d_model: int = 192
    n_conv: int = 2
    conv_kernel: int = 5
    n_mamba: int = 2
    dilated: bool = False     # conv blocks dilate 1, 2, 4, ... (always for conv1d)
    bidirectional: bool = False   # each Mamba block also scans the reversed window
    d_state: int = 8          # 16 costs ~2.5x train time on 2 CPU cores for no measured gain
    expand: int = 2
    d_conv: int = 4
    dt_rank: int | str = "auto"
    dropout: float = 0.3
    drop_path: float = 0.0    # stochastic depth: chance of skipping a residual block in training
    mamba_gamma: float | None = None   # learned per-channel scale on each Mamba branch, this initial value (LayerScale)
    scan: str = "parallel"
    transform: TransformConfig = field(default_factory=TransformConfig)
    d_inner: int = field(init=False)

    def __post_init__(self) -> None:
        if isinstance(self.transform, dict):
            self.transform = TransformConfig(**self.transform)
        if isinstance(self.dt_rank, str) and self.dt_rank != "auto":
            raise ValueError(f"dt_rank must be an integer or 'auto', not {self.dt_rank!r}")
        if self.dt_rank == "auto":
            self.dt_rank = math.ceil(self.d_model / 16)
        self.d_inner = self.expand * self.d_model
        if self.arch not in ARCHS:
            raise ValueError(f"arch must be one of {', '.join(ARCHS)}, not {self.arch!r}")
        if self.arch == "conv1d":
            self.n_mamba, self.dilated, self.bidirectional = 0, True, False
        if self.n_classes < 1:
            raise ValueError("n_classes must be >= 1")
        if self.scan not in ("parallel", "sequential"):
            raise ValueError(f"scan must be 'parallel' or 'sequential', not {self.scan!r}")
        if self.conv_kernel % 2 != 1:
            raise ValueError("conv_kernel must be odd (same-length convolution)")
        if min(self.seq_len, self.d_model, self.d_state, self.expand, self.d_conv, int(self.dt_rank)) < 1:
            raise ValueError("model sizes must be positive")
        if min(self.n_conv, self.n_mamba) < 0:
            raise ValueError("n_conv and n_mamba must be >= 0")
        # far beyond any sensible model, but a typo (seq_len=100000) must not exhaust the memory
        for name, most in MAX_SIZES.items():
            if getattr(self, name) > most:
                raise ValueError(f"{name} must be <= {most}, got {getattr(self, name)}")
        if not (0.0 <= self.dropout < 1.0 and 0.0 <= self.drop_path < 1.0):
            raise ValueError("dropout and drop_path must be in [0, 1)")
        if self.mamba_gamma is not None and not 0.0 <= self.mamba_gamma <= 1.0:
            raise ValueError("mamba_gamma must be in [0, 1] (or null: no scale)")

    def to_dict(self) -> dict:
        """Plain types only (checkpoints are loaded with weights_only=True)."""
        d = asdict(self)
        d.pop("d_inner")
        d["transform"] = self.transform.to_dict()
        return d


def softplus(x: torch.Tensor) -> torch.Tensor:
    """F.softplus; in an ONNX export relu(x) + log1p(exp(-|x|)): the same function in plain
    element-wise ops (abs, exp, log, relu, add), together ~4x faster than onnxruntime's Softplus."""
    if torch.onnx.is_in_onnx_export():
        return torch.relu(x) + torch.log1p(torch.exp(-torch.abs(x)))
    return F.softplus(x)


class RMSNorm(nn.Module):
    def __init__(self, d: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def drop_path(h: torch.Tensor, p: float, training: bool) -> torch.Tensor:
    """Stochastic depth on a residual branch h (b, ...): zero whole rows with chance p, rescale."""
    if p <= 0.0 or not training:
        return h
    keep = (torch.rand(h.shape[0], *([1] * (h.dim() - 1)), device=h.device) >= p).to(h.dtype)
    return h * keep / (1.0 - p)


class ConvBlock(nn.Module):
    """Residual temporal convolution: x + GELU(LayerNorm(Conv1d(x))), padding frames kept at zero."""

    def __init__(self, d: int, kernel: int, dropout: float, dilation: int = 1, drop_path: float = 0.0) -> None:
        super().__init__()
        self.conv = nn.Conv1d(d, d, kernel, padding=dilation * (kernel // 2), dilation=dilation)
        self.norm = nn.LayerNorm(d)
        self.drop = nn.Dropout(dropout)
        self.drop_path = drop_path

    def forward(self, x: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        """x: (b, l, d), valid: (b, l) -> (b, l, d)"""
        h = self.conv(x.transpose(1, 2)).transpose(1, 2)  # (b, l, d)
        h = self.drop(F.gelu(self.norm(h)))
        return (x + drop_path(h, self.drop_path, self.training)) * valid[..., None]


class ScanParams(nn.Module):
    """One direction's selective-scan parameters: causal depthwise conv, x/dt projections, A, D."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        e, n, r = cfg.d_inner, cfg.d_state, int(cfg.dt_rank)
        self.conv1d = nn.Conv1d(e, e, cfg.d_conv, groups=e, padding=cfg.d_conv - 1)
        self.x_proj = nn.Linear(e, r + 2 * n, bias=False)
        self.dt_proj = nn.Linear(r, e, bias=True)
        self.A_log = nn.Parameter(torch.log(torch.arange(1, n + 1, dtype=torch.float32)).repeat(e, 1))  # (e, n)
        self.D = nn.Parameter(torch.ones(e))
        # dt initialised in [1e-3, 1e-1] through the inverse softplus of the bias (as in Mamba)
        dt = torch.exp(torch.rand(e) * (math.log(0.1) - math.log(1e-3)) + math.log(1e-3))
        with torch.no_grad():
            self.dt_proj.bias.copy_(dt + torch.log(-torch.expm1(-dt)))


SCAN_PARAMS = ("conv1d", "x_proj", "dt_proj", "A_log", "D")


def upgrade_state_dict(state: dict) -> dict:
    """Weights saved before the scan parameters moved into `MambaBlock.fwd` (checkpoints of older
    runs) renamed to today's layout; anything else is returned unchanged."""
    out = {}
    for k, v in state.items():
        parts = k.split(".")
        if len(parts) >= 3 and parts[0] == "mambas" and parts[2] in SCAN_PARAMS:
            k = ".".join(parts[:2] + ["fwd"] + parts[2:])
        out[k] = v
    return out


class MambaBlock(nn.Module):
    """Pre-norm residual Mamba block (Gu & Dao 2023, Fig. 3).

    bidirectional (as in Vision Mamba, Zhu et al. 2024): a second scan runs over the reversed
    window with its own conv/x/dt/A/D (`back`); in/out projections and the gate are shared and the
    two directions' outputs are summed. A window is classified as a whole, so every frame may see
    the frames after it too.
    """

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.cfg = cfg
        e = cfg.d_inner
        self.norm = RMSNorm(cfg.d_model)
        self.in_proj = nn.Linear(cfg.d_model, 2 * e, bias=False)
        self.fwd = ScanParams(cfg)
        self.back = ScanParams(cfg) if cfg.bidirectional else None
        self.out_proj = nn.Linear(e, cfg.d_model, bias=False)
        # LayerScale (Touvron et al. 2021): the block starts close to the identity, so the conv
        # stack's features reach the head unchanged until the scan has learned something useful
        self.gamma = (nn.Parameter(torch.full((cfg.d_model,), float(cfg.mamba_gamma)))
                      if cfg.mamba_gamma is not None else None)

    def forward(self, x: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        """x: (b, l, d), valid: (b, l) -> (b, l, d)"""
        xz = self.in_proj(self.norm(x))                                # (b, l, 2e)
        u, z = xz.chunk(2, -1)                                         # (b, l, e) each
        y = self.branch(self.fwd, u, valid)                            # (b, l, e)
        if self.back is not None:
            y = y + self.branch(self.back, u.flip(1), valid.flip(1)).flip(1)
        h = self.out_proj(y * F.silu(z))
        if self.gamma is not None:
            h = h * self.gamma
        h = drop_path(h, self.cfg.drop_path, self.training)
        return (x + h) * valid[..., None]

    def branch(self, p: ScanParams, u: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        """u: (b, l, e) -> (b, l, e): causal depthwise conv, SiLU, selective scan (one direction)."""
        l = u.shape[1]
        u = F.silu(p.conv1d(u.transpose(1, 2))[:, :, :l].transpose(1, 2))  # causal depthwise conv
        return self.ssm(p, u, valid)

    def ssm(self, p: ScanParams, u: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        """u: (b, l, e) -> (b, l, e)"""
        n, r = self.cfg.d_state, int(self.cfg.dt_rank)
        A = -torch.exp(p.A_log)                                        # (e, n)
        dbc = p.x_proj(u)                                              # (b, l, r + 2n)
        dt, B, C = torch.split(dbc, [r, n, n], -1)                     # (b, l, r), (b, l, n), (b, l, n)
        # an empty frame gets delta = 0: no decay and no input, the state passes through unchanged
        delta = softplus(p.dt_proj(dt)) * valid[..., None]            # (b, l, e)
        if self.cfg.scan == "sequential":
            return selective_scan_sequential(u, delta, A, B, C, p.D)
        return selective_scan_parallel(u, delta, A, B, C, p.D, d_last=torch.onnx.is_in_onnx_export())


class SignModel(nn.Module):
    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.transform = FeatureTransform(cfg.transform)
        self.proj = nn.Linear(self.transform.n_features, cfg.d_model)
        dilated = cfg.dilated
        self.convs = nn.ModuleList(
            ConvBlock(cfg.d_model, cfg.conv_kernel, cfg.dropout, dilation=2 ** i if dilated else 1,
                      drop_path=cfg.drop_path)
            for i in range(cfg.n_conv))
        self.mambas = nn.ModuleList(MambaBlock(cfg) for _ in range(cfg.n_mamba))
        self.norm_f = RMSNorm(cfg.d_model)
        self.attn = nn.Linear(cfg.d_model, 1)
        self.drop = nn.Dropout(cfg.dropout)
        self.head = nn.Linear(cfg.d_model, cfg.n_classes)

    def forward_features(self, landmarks: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """landmarks: (b, l, p, 3), mask: (b, l, p) -> x: (b, l, d), valid: (b, l)"""
        feats, valid = self.transform(landmarks, mask)                 # (b, l, f), (b, l)
        return self.encode(feats, valid)

    def encode(self, feats: torch.Tensor, valid: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Transformed features (b, l, f), valid (b, l) -> x: (b, l, d), valid (feature mixup enters here)."""
        x = self.proj(feats) * valid[..., None]                        # (b, l, d)
        for block in self.convs:
            x = block(x, valid)
        for block in self.mambas:
            x = block(x, valid)
        return self.norm_f(x), valid

    def forward_head(self, x: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        """x: (b, l, d), valid: (b, l) -> logits (b, k)"""
        # additive -1e4 rather than -inf: an all-empty window still gives finite (uniform) weights
        score = self.attn(x).squeeze(-1) + (valid - 1.0) * 1e4        # (b, l)
        w = torch.softmax(score, 1)                                    # (b, l)
        pooled = (w[..., None] * x).sum(1)                             # (b, d)
        return self.head(self.drop(pooled))                            # (b, k)

    def forward(self, landmarks: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        x, valid = self.forward_features(landmarks, mask)
        return self.forward_head(x, valid)


def build_model(cfg: ModelConfig | dict) -> SignModel:
    if isinstance(cfg, dict):
        cfg = ModelConfig(**cfg)
    return SignModel(cfg)
