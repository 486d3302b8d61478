"""Small media helpers the course notebooks call: show an image, a sample artwork, WAV output."""

from __future__ import annotations

import io
import os
import tempfile
import wave
from pathlib import Path

import numpy as np

from lce_utils.messages import both


def sample_artwork(height: int = 96, width: int = 128) -> np.ndarray:
    """A generated 'sunset over a field' RGB image (uint8) with a few flat colour areas."""
    image = np.zeros((height, width, 3), dtype=np.uint8)
    horizon = height * 2 // 3
    image[:horizon] = (250, 170, 90)                      # evening sky
    image[: horizon // 3] = (230, 110, 80)                # upper sky
    image[horizon:] = (70, 120, 50)                       # field
    image[horizon + (height - horizon) // 2:] = (50, 90, 40)
    yy, xx = np.mgrid[:height, :width]
    sun = (yy - horizon + 4) ** 2 + (xx - width * 0.7) ** 2 < (height // 7) ** 2
    image[sun & (yy < horizon)] = (255, 220, 120)
    return image


def rings(size: int, count: int) -> np.ndarray:
    """A square RGB image of `count` concentric rings, alternating dark blue and sand."""
    if size <= 0 or count <= 0:
        raise ValueError(both("err_rings_size"))
    yy, xx = np.mgrid[:size, :size]
    radius = np.hypot(yy - size / 2, xx - size / 2) / (size / 2)
    band = (radius * count).astype(int) % 2 == 0
    image = np.empty((size, size, 3), dtype=np.uint8)
    image[band] = (30, 50, 110)
    image[~band] = (235, 215, 170)
    return image


def show_image(array: np.ndarray, alt_text: str, scale: int = 2) -> None:
    """Display an RGB/greyscale array as a PNG with alt text (the IPython way, nothing fetched)."""
    import base64

    from IPython.display import HTML, display
    from PIL import Image

    data = np.asarray(array)
    if data.dtype != np.uint8:
        raise ValueError(f"show_image needs uint8 numbers 0-255, got {data.dtype}")
    img = Image.fromarray(data)
    if scale > 1:
        img = img.resize((img.width * scale, img.height * scale), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    encoded = base64.b64encode(buffer.getvalue()).decode()
    safe = alt_text.replace('"', "&quot;").replace("<", "&lt;")
    display(HTML(f'<figure><img src="data:image/png;base64,{encoded}" alt="{safe}">'
                 f"<figcaption>{safe}</figcaption></figure>"))


def output_folder() -> Path:
    """Where lessons write files (WAV, PNG): the notebook's own folder, a temp folder under LCE_TEST.

    Plain names beside the lesson, because the save-work download collects the lesson's folder; tests run the source
    notebooks in place, so there the files go to a temp folder instead of courses/source."""
    if os.environ.get("LCE_TEST"):
        folder = Path(tempfile.gettempdir()) / "lce-course-sounds"
    else:
        folder = Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_wav(path: str | Path, samples: np.ndarray, sample_rate: int = 44100) -> Path:
    """Write samples in -1 … 1 as a 16-bit mono WAV file and return its path."""
    data = np.asarray(samples, dtype=float)
    if data.ndim != 1:
        raise ValueError(f"write_wav needs one row of samples, got shape {data.shape}")
    pcm = (np.clip(data, -1.0, 1.0) * 32767).astype("<i2")
    path = Path(path)
    tmp = path.with_suffix(path.suffix + ".part")
    with wave.open(str(tmp), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm.tobytes())
    tmp.replace(path)
    return path
