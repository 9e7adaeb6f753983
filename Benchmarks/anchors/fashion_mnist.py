"""Fashion-MNIST for the anchor scripts, from Debian's IDX files (package fashion-mnist).

Pixels are scaled to [0, 1], then standardized with ONE scalar mean and ONE scalar standard
deviation taken over every pixel of the 60,000 training images (about 0.286 and 0.353); the test
images use the training statistics. Descent's `train` standardizes each of the 784 features on its
own: the difference moves accuracy a little and throughput not at all.
"""

import gzip
import os

import numpy as np

DEFAULT_DIR = "/usr/share/datasets/fashion-mnist"


def _read(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def load(layout="NCHW", directory=None):
    """Returns (x_train, y_train, x_test, y_test): float32 images, shaped N x 1 x 28 x 28 for
    layout "NCHW" or N x 28 x 28 x 1 for "NHWC", and int32 labels in 0..9."""
    directory = directory or os.environ.get("FASHION_MNIST_DIR", DEFAULT_DIR)

    def split(name):
        images = _read(os.path.join(directory, f"{name}-images-idx3-ubyte.gz"), 16)
        labels = _read(os.path.join(directory, f"{name}-labels-idx1-ubyte.gz"), 8)
        images = images.reshape(-1, 28, 28).astype(np.float32) / 255.0
        if images.shape[0] != labels.shape[0]:
            raise ValueError(f"{name}: {images.shape[0]} images but {labels.shape[0]} labels")
        return images, labels.astype(np.int32)

    x_train, y_train = split("train")
    x_test, y_test = split("t10k")
    mean, std = float(x_train.mean()), float(x_train.std())
    x_train = (x_train - mean) / std
    x_test = (x_test - mean) / std
    if layout == "NCHW":
        x_train, x_test = x_train[:, None, :, :], x_test[:, None, :, :]
    elif layout == "NHWC":
        x_train, x_test = x_train[:, :, :, None], x_test[:, :, :, None]
    else:
        raise ValueError(f"layout must be NCHW or NHWC, not {layout!r}")
    return (
        np.ascontiguousarray(x_train, dtype=np.float32),
        y_train,
        np.ascontiguousarray(x_test, dtype=np.float32),
        y_test,
    )
