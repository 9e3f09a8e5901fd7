"""Feature transform: raw model-coordinate landmarks + mask -> per-frame features.

This module is the first layer of every exported model, so the app feeds raw landmarks and the
trainer and the app can never normalise differently. It is written with ONNX in mind: only
gather / mul / sum / div / clip / cumsum-style ops and no data-dependent Python control flow.

Dimension glossary
    B  batch
    T  frames in the window (seq_len)
    P  75 layout points;  N  points used by the model (`points_used`)
    H  hand points among the used points (both hands)
    C  coordinate channels used (2 = x, y; 3 with z)
    F  feature size = N*C (global) + H*C (hand-local) + N*C (velocity) + 3 (presence)
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
import torch.nn as nn

from slr_desktop.core.layout import LAYOUT
from slr_desktop.core.metadata import TRANSFORM_VERSION

FALLBACK_SCALE = 0.35  # typical shoulder width in units of image height, for windows without shoulders


@dataclass
class TransformConfig:
    version: int = TRANSFORM_VERSION
    points_used: tuple[int, ...] = field(default_factory=LAYOUT.points_for)
    use_z: bool = False
    hand_local: bool = True
    velocity: bool = True
    presence: bool = True

    def __post_init__(self) -> None:
        self.points_used = tuple(int(p) for p in self.points_used)
        if self.version != TRANSFORM_VERSION:
            raise ValueError(f"transform version {self.version} is not supported (this code is v{TRANSFORM_VERSION})")
        if not self.points_used or len(set(self.points_used)) != len(self.points_used):
            raise ValueError("points_used must be a non-empty list of distinct point indices")
        if min(self.points_used) < 0 or max(self.points_used) >= LAYOUT.n_points:
            raise ValueError(f"points_used must lie in 0..{LAYOUT.n_points - 1}")
        if self.hand_local:
            for part in (LAYOUT.left_hand, LAYOUT.right_hand):
                used = [p for p in self.points_used if part.start <= p < part.stop]
                if used and part.start not in used:
                    raise ValueError("hand_local needs each used hand's wrist in points_used")
            sizes = {len(g) for g in self.hand_groups()}
            if len(sizes) > 1:
                raise ValueError("hand_local needs the same points of both hands")

    @property
    def channels(self) -> int:
        return 3 if self.use_z else 2

    def hand_groups(self) -> list[list[int]]:
        """Per used hand: positions (within points_used) of its points, wrist first."""
        groups = []
        for part in (LAYOUT.left_hand, LAYOUT.right_hand):
            pos = [i for i, p in enumerate(self.points_used) if part.start <= p < part.stop]
            if pos:
                wrist = self.points_used.index(part.start)
                groups.append([wrist] + [i for i in pos if i != wrist])
        return groups

    @property
    def n_features(self) -> int:
        n, c = len(self.points_used), self.channels
        f = n * c
        if self.hand_local:
            f += sum(len(g) for g in self.hand_groups()) * c
        if self.velocity:
            f += n * c
        if self.presence:
            f += len(LAYOUT.part_slices())
        return f

    def to_dict(self) -> dict:
        d = asdict(self)
        d["points_used"] = list(self.points_used)
        return d


class FeatureTransform(nn.Module):
    """landmarks (B, T, 75, 3) model coords, mask (B, T, 75) -> features (B, T, F), frame_valid (B, T)."""

    def __init__(self, cfg: TransformConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.register_buffer("used", torch.tensor(cfg.points_used, dtype=torch.long), persistent=False)
        groups = cfg.hand_groups() if cfg.hand_local else []
        self.n_hands = len(groups)
        self.register_buffer("hand_idx", torch.tensor(groups, dtype=torch.long).reshape(len(groups), len(groups[0]) if groups else 0),
                             persistent=False)  # (n_hands, 21) positions within `used`, wrist first
        part = torch.tensor(LAYOUT.part_of_point()[list(cfg.points_used)], dtype=torch.long)
        onehot = torch.nn.functional.one_hot(part, len(LAYOUT.part_slices())).float()  # (N, 3)
        self.register_buffer("part_onehot", onehot, persistent=False)
        self.n_features = cfg.n_features

    def _centre_scale(self, x: torch.Tensor, m: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Window-level centre (B, C) and scale (B,) from the shoulders, else from all present points."""
        ls, rs = LAYOUT.left_shoulder, LAYOUT.right_shoulder
        both = m[:, :, ls] * m[:, :, rs]                               # (B, T)
        mid = 0.5 * (x[:, :, ls] + x[:, :, rs])                        # (B, T, C)
        width = torch.sqrt(((x[:, :, ls, :2] - x[:, :, rs, :2]) ** 2).sum(-1) + 1e-12)  # (B, T)
        n_sh = both.sum(1)                                             # (B,)
        denom = torch.clamp(n_sh, min=1.0)
        centre_sh = (mid * both[..., None]).sum(1) / denom[:, None]    # (B, C)
        scale_sh = torch.clamp((width * both).sum(1) / denom, min=1e-3)  # (B,)
        n_pts = torch.clamp(m.sum((1, 2)), min=1.0)                    # (B,)
        centre_pts = (x * m[..., None]).sum((1, 2)) / n_pts[:, None]   # (B, C)
        has = (n_sh > 0).to(x.dtype)                                   # (B,)
        centre = has[:, None] * centre_sh + (1 - has[:, None]) * centre_pts
        scale = has * scale_sh + (1 - has) * FALLBACK_SCALE
        return centre, scale

    def forward(self, landmarks: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        cfg = self.cfg
        c = cfg.channels
        x = landmarks[..., :c]                                         # (B, T, P, C)
        m = mask.to(x.dtype)                                           # (B, T, P)
        b, t = x.shape[0], x.shape[1]
        centre, scale = self._centre_scale(x, m)
        xu = torch.index_select(x, 2, self.used)                       # (B, T, N, C)
        mu = torch.index_select(m, 2, self.used)                       # (B, T, N)
        g = (xu - centre[:, None, None, :]) / scale[:, None, None, None] * mu[..., None]  # (B, T, N, C)
        feats = [g.reshape(b, t, -1)]
        if self.n_hands:
            flat = self.hand_idx.reshape(-1)
            hands = torch.index_select(g, 2, flat).reshape(b, t, self.n_hands, -1, c)  # (B, T, 2, 21, C)
            hm = torch.index_select(mu, 2, flat).reshape(b, t, self.n_hands, -1)       # (B, T, 2, 21)
            d = (hands - hands[:, :, :, :1]) * hm[..., None]
            r = torch.sqrt((d ** 2).sum(-1) + 1e-12).amax(-1, keepdim=True)                    # (B, T, 2, 1)
            local = d / torch.clamp(r, min=1e-4)[..., None]
            feats.append(local.reshape(b, t, -1))
        if cfg.velocity:
            # prev[t] = g[t-1]; frame 0 has no predecessor, so its velocity is zero
            g_prev = torch.cat([g[:, :1], g[:, :-1]], 1)
            m_prev = torch.cat([torch.zeros_like(mu[:, :1]), mu[:, :-1]], 1)
            v = (g - g_prev) * (mu * m_prev)[..., None]                  # (B, T, N, C)
            feats.append(v.reshape(b, t, -1))
        if cfg.presence:
            # per part: 1 if any of its used points is present
            counts = torch.matmul(mu, self.part_onehot)               # (B, T, 3)
            feats.append(torch.clamp(counts, max=1.0))
        features = torch.cat(feats, -1)                               # (B, T, F)
        frame_valid = torch.clamp(mu.sum(-1), max=1.0)                # (B, T) any used point present
        return features, frame_valid
