"""The one landmark layout shared by the tracker, the trainer, the exported models and the overlay.

A frame is 75 points = 33 BlazePose pose points + 21 left-hand + 21 right-hand points, each with
C = 3 channels (x, y, z). x and y are image-normalised (0..1, origin top-left, un-mirrored image);
z is MediaPipe's relative depth. "Left"/"right" are the signer's own sides.

Every model records `LAYOUT.id`; the runtime refuses a model whose layout id differs, so a change
to this file that moves points must bump the id.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

POSE_NAMES: tuple[str, ...] = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_pinky",
    "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb", "left_hip",
    "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel",
    "right_heel", "left_foot_index", "right_foot_index",
)
HAND_NAMES: tuple[str, ...] = (
    "wrist", "thumb_cmc", "thumb_mcp", "thumb_ip", "thumb_tip", "index_mcp", "index_pip",
    "index_dip", "index_tip", "middle_mcp", "middle_pip", "middle_dip", "middle_tip", "ring_mcp",
    "ring_pip", "ring_dip", "ring_tip", "pinky_mcp", "pinky_pip", "pinky_dip", "pinky_tip",
)
# MediaPipe hand topology (local indices 0..20).
HAND_EDGES: tuple[tuple[int, int], ...] = (
    (0, 1), (1, 2), (2, 3), (3, 4), (0, 5), (5, 6), (6, 7), (7, 8), (5, 9), (9, 10), (10, 11),
    (11, 12), (9, 13), (13, 14), (14, 15), (15, 16), (13, 17), (0, 17), (17, 18), (18, 19), (19, 20),
)
# Upper-body pose edges worth drawing for signing (legs and face mesh left out on purpose).
POSE_EDGES: tuple[tuple[int, int], ...] = (
    (11, 12), (11, 13), (13, 15), (12, 14), (14, 16), (11, 23), (12, 24), (23, 24),
    (15, 17), (15, 19), (15, 21), (17, 19), (16, 18), (16, 20), (16, 22), (18, 20),
    (0, 2), (0, 5), (2, 7), (5, 8), (9, 10),
)
# Upper-body pose points every model can rely on: present in both shared datasets.
UPPER_BODY: tuple[int, ...] = (0, 11, 12, 13, 14, 15, 16)

PARTS: tuple[str, ...] = ("pose", "left_hand", "right_hand")


@dataclass(frozen=True)
class Layout:
    """Point order, part slices and drawing edges. Frozen: it is the contract models record."""

    id: str = "slr75-pose33-lh21-rh21/v1"
    n_pose: int = 33
    n_hand: int = 21
    channels: int = 3
    left_shoulder: int = 11
    right_shoulder: int = 12
    left_wrist: int = 15
    right_wrist: int = 16
    names: tuple[str, ...] = field(init=False)
    edges: tuple[tuple[int, int], ...] = field(init=False)

    def __post_init__(self) -> None:
        names = (
            [f"pose.{n}" for n in POSE_NAMES]
            + [f"left_hand.{n}" for n in HAND_NAMES]
            + [f"right_hand.{n}" for n in HAND_NAMES]
        )
        lh, rh = self.left_hand.start, self.right_hand.start
        edges = list(POSE_EDGES)
        edges += [(lh + a, lh + b) for a, b in HAND_EDGES]
        edges += [(rh + a, rh + b) for a, b in HAND_EDGES]
        object.__setattr__(self, "names", tuple(names))
        object.__setattr__(self, "edges", tuple(edges))

    @property
    def n_points(self) -> int:
        return self.n_pose + 2 * self.n_hand

    @property
    def pose(self) -> slice:
        return slice(0, self.n_pose)

    @property
    def left_hand(self) -> slice:
        return slice(self.n_pose, self.n_pose + self.n_hand)

    @property
    def right_hand(self) -> slice:
        return slice(self.n_pose + self.n_hand, self.n_points)

    def part_slices(self) -> tuple[slice, slice, slice]:
        """Slices in the order of `PARTS` (pose, left hand, right hand)."""
        return (self.pose, self.left_hand, self.right_hand)

    def part_of_point(self) -> np.ndarray:
        """(75,) int: part index (0 pose, 1 left, 2 right) of every point."""
        out = np.zeros(self.n_points, dtype=np.int64)
        out[self.left_hand] = 1
        out[self.right_hand] = 2
        return out

    def point_mask(self, present: np.ndarray) -> np.ndarray:
        """Per-part presence (..., 3) -> per-point mask (..., 75) as float32."""
        present = np.asarray(present, dtype=np.float32)
        return np.take(present, self.part_of_point(), axis=-1)

    def edge_array(self) -> np.ndarray:
        """(E, 2) int edges for pyqtgraph's GraphItem `adj`."""
        return np.asarray(self.edges, dtype=np.int64)

    def edge_part(self) -> np.ndarray:
        """(E,) part index of every edge, to colour pose / left / right differently."""
        return self.part_of_point()[self.edge_array()[:, 0]]

    def mirror_permutation(self) -> np.ndarray:
        """Point permutation that swaps body sides (pose left<->right, left<->right hand).

        Used by mirror augmentation: flip x, then reorder points with this permutation.
        """
        perm = np.arange(self.n_points)
        pose_names = list(POSE_NAMES)
        for i, name in enumerate(pose_names):
            if name.startswith("left_"):
                perm[i] = pose_names.index("right_" + name[5:])
            elif name.startswith("right_"):
                perm[i] = pose_names.index("left_" + name[6:])
            elif name.endswith("_left"):
                perm[i] = pose_names.index(name[:-5] + "_right")
            elif name.endswith("_right"):
                perm[i] = pose_names.index(name[:-6] + "_left")
        perm[self.left_hand] = np.arange(self.right_hand.start, self.right_hand.stop)
        perm[self.right_hand] = np.arange(self.left_hand.start, self.left_hand.stop)
        return perm

    def points_for(self, upper_body: tuple[int, ...] = UPPER_BODY) -> tuple[int, ...]:
        """Indices of the given pose points plus both hands: a model's `points_used`."""
        return tuple(upper_body) + tuple(range(self.left_hand.start, self.n_points))


LAYOUT = Layout()
