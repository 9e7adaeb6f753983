#!/usr/bin/env python3
"""tinygrad (OpenCL backend) anchor: trains Descent's Fashion-MNIST MLP and CNN with tinygrad.

Prints one JSON object per model on stdout. See Benchmarks/anchors/README.md.

tinygrad 0.14 picks its backend with DEV=CL (the older GPU=1 / CL=1 switches are refused by it);
this script sets DEV=CL when DEV is unset and exits with an error unless tinygrad really runs on
its CL device (the OpenCL platform's first GPU, else its default device: PoCL's CPU device here).

Models (as Descent builds them):
  mlp: 784 -> Dense 256 -> BatchNorm -> ReLU -> Dropout 0.3 -> Dense 128 -> BatchNorm -> ReLU
       -> Dropout 0.3 -> Dense 10
  cnn: 1x28x28 -> Conv 3x3 32 same, no bias -> BatchNorm -> ReLU -> MaxPool 2 -> Conv 3x3 64 same,
       no bias -> BatchNorm -> ReLU -> Conv 3x3 64 same,
       no bias -> BatchNorm -> ReLU -> MaxPool 2 -> Flatten 3136 -> Dense 128 -> ReLU
       -> Dropout 0.3 -> Dense 10
Weights: He uniform (sqrt(6 / fan_in)) for every layer followed by ReLU, Glorot uniform for the
output layer (Descent's default rule), zero biases; batch norm with PyTorch's defaults (epsilon
1e-5, momentum 0.1; tinygrad's nn.BatchNorm); softmax cross-entropy; Adam lr 1e-3, betas
0.9/0.999, eps 1e-8. Images are NCHW. No augmentation. One training step is one TinyJit call;
the training set lives on the device and each step gathers its batch there by index.
"""

import argparse
import json
import math
import os
import statistics
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ inside the Swift target's folder
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DEV", "CL")

import numpy as np  # noqa: E402
import tinygrad  # noqa: E402
from tinygrad import Context, Device, Tensor, TinyJit, dtypes, nn  # noqa: E402

import fashion_mnist  # noqa: E402

DROPOUT = 0.3


def he_uniform(*shape, fan_in):
    bound = math.sqrt(6.0 / fan_in)
    return Tensor.uniform(*shape, low=-bound, high=bound)


def glorot_uniform(*shape, fan_in, fan_out):
    bound = math.sqrt(6.0 / (fan_in + fan_out))
    return Tensor.uniform(*shape, low=-bound, high=bound)


def dense(fan_in, fan_out, output=False):
    layer = nn.Linear(fan_in, fan_out)
    layer.weight = (glorot_uniform(fan_out, fan_in, fan_in=fan_in, fan_out=fan_out) if output
                    else he_uniform(fan_out, fan_in, fan_in=fan_in))
    layer.bias = Tensor.zeros(fan_out)
    return layer


def conv(cin, cout):
    layer = nn.Conv2d(cin, cout, 3, padding="same", bias=False)
    layer.weight = he_uniform(cout, cin, 3, 3, fan_in=cin * 9)
    return layer


class MLP:
    def __init__(self):
        self.l1, self.bn1 = dense(784, 256), nn.BatchNorm(256)
        self.l2, self.bn2 = dense(256, 128), nn.BatchNorm(128)
        self.l3 = dense(128, 10, output=True)

    def __call__(self, x):
        x = x.reshape(x.shape[0], 784)
        x = self.bn1(self.l1(x)).relu().dropout(DROPOUT)
        x = self.bn2(self.l2(x)).relu().dropout(DROPOUT)
        return self.l3(x)


class CNN:
    def __init__(self):
        self.c1, self.bn1 = conv(1, 32), nn.BatchNorm2d(32)
        self.c2, self.bn2 = conv(32, 64), nn.BatchNorm2d(64)
        self.c3, self.bn3 = conv(64, 64), nn.BatchNorm2d(64)
        self.l3 = dense(3136, 128)
        self.l4 = dense(128, 10, output=True)

    def __call__(self, x):
        x = self.bn1(self.c1(x)).relu().max_pool2d((2, 2))
        x = self.bn2(self.c2(x)).relu()
        x = self.bn3(self.c3(x)).relu().max_pool2d((2, 2))
        x = self.l3(x.flatten(1)).relu().dropout(DROPOUT)
        return self.l4(x)


def require_opencl():
    device = Device.DEFAULT
    if device.split(":")[0] != "CL":
        sys.exit(f"tinygrad_anchor: tinygrad's device is {device!r}, not OpenCL (CL); "
                 f"run with DEV=CL (DEV is {os.environ.get('DEV')!r})")
    cl = Device[device]
    return f"{device}: {cl.device_name} (OpenCL driver {cl.driver_version})"


def run(model_name, args, data, device_name):
    x_train, y_train, x_test, y_test = data
    Tensor.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    x_all = Tensor(x_train).realize()
    y_all = Tensor(y_train).realize()
    per_epoch = x_train.shape[0] // args.batch  # the last partial batch is dropped

    def build():
        model = MLP() if model_name == "mlp" else CNN()
        params = nn.state.get_parameters(model)
        optimizer = nn.optim.Adam(params, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8)
        Tensor.realize(*params)

        @TinyJit
        def step(idx):
            with Context(TRAINING=1):
                optimizer.zero_grad()
                loss = model(x_all[idx]).sparse_categorical_crossentropy(y_all[idx]).backward()
                optimizer.step()
            return loss.realize()

        return model, params, step

    def batches():
        while True:
            perm = rng.permutation(x_train.shape[0]).astype(np.int32)
            for i in range(per_epoch):
                yield Tensor(perm[i * args.batch:(i + 1) * args.batch], dtype=dtypes.int32).realize()

    def sync(params):
        Device[Device.DEFAULT].synchronize()
        for p in params:
            if p.device.split(":")[0] != "CL":
                sys.exit(f"tinygrad_anchor: a parameter lives on {p.device}, not on OpenCL (CL)")

    # Throughput: warm-up (JIT capture and kernel compilation) then timed windows of --steps steps.
    model, params, step = build()
    feed = batches()
    for _ in range(args.warmup):
        step(next(feed))
    sync(params)
    rates = []
    for _ in range(args.windows):
        start = time.perf_counter()
        for _ in range(args.steps):
            step(next(feed))
        sync(params)
        rates.append(args.steps * args.batch / (time.perf_counter() - start))

    result = {
        "framework": "tinygrad", "version": tinygrad_version(), "device": device_name,
        "model": model_name, "batch": args.batch, "steps": args.steps, "windows": args.windows,
        "samples_per_s": round(statistics.median(rates), 1),
        "window_samples_per_s": [round(r, 1) for r in rates],
        "epochs": args.epochs, "test_accuracy": None,
    }
    if args.epochs > 0:
        # A fresh model (its own jitted step), trained E full epochs, then evaluated.
        model, params, step = build()
        feed = batches()
        start = time.perf_counter()
        for _ in range(args.epochs * per_epoch):
            step(next(feed))
        sync(params)
        result["epoch_seconds"] = round((time.perf_counter() - start) / args.epochs, 2)
        result["test_accuracy"] = round(evaluate(model, x_test, y_test), 4)
    return result


def evaluate(model, x_test, y_test):
    @TinyJit
    def predict(x):
        return model(x).argmax(-1).realize()

    correct, chunk = 0, 1000
    for i in range(0, x_test.shape[0] - chunk + 1, chunk):
        correct += int((predict(Tensor(x_test[i:i + chunk]).realize()).numpy() == y_test[i:i + chunk]).sum())
    return correct / (x_test.shape[0] // chunk * chunk)


def tinygrad_version():
    try:
        from importlib.metadata import version
        return version("tinygrad")
    except Exception:
        return getattr(tinygrad, "__version__", "unknown")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", choices=["mlp", "cnn", "both"], default="both")
    p.add_argument("--steps", type=int, default=300, help="timed steps per window (default 300)")
    p.add_argument("--windows", type=int, default=3, help="timed windows; the median is reported")
    p.add_argument("--warmup", type=int, default=20, help="untimed steps first (JIT, compilation)")
    p.add_argument("--epochs", type=int, default=0, help="also train E full epochs and test")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args(argv)


def main():
    args = parse_args()
    device_name = require_opencl()
    data = fashion_mnist.load("NCHW")
    for model in (["mlp", "cnn"] if args.model == "both" else [args.model]):
        print(json.dumps(run(model, args, data, device_name)), flush=True)


if __name__ == "__main__":
    main()
