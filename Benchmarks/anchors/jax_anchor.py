#!/usr/bin/env python3
"""JAX (CPU, XLA) anchor: trains Descent's Fashion-MNIST MLP and CNN with jax + optax.

Prints one JSON object per model on stdout. See Benchmarks/anchors/README.md.

Models (as Descent builds them):
  mlp: 784 -> Dense 256 -> BatchNorm -> ReLU -> Dropout 0.3 -> Dense 128 -> BatchNorm -> ReLU
       -> Dropout 0.3 -> Dense 10
  cnn: 1x28x28 -> Conv 3x3 32 same, no bias -> BatchNorm -> ReLU -> MaxPool 2 -> Conv 3x3 64 same,
       no bias -> BatchNorm -> ReLU -> Conv 3x3 64 same, no bias -> BatchNorm -> ReLU -> MaxPool 2 -> Flatten 3136 -> Dense 128 -> ReLU
       -> Dropout 0.3 -> Dense 10
Weights: He uniform (sqrt(6 / fan_in)) for every layer followed by ReLU, Glorot uniform for the
output layer (Descent's default rule), zero biases; batch norm with PyTorch's defaults (epsilon
1e-5, momentum 0.1, biased variance in training, unbiased in the running estimate); softmax
cross-entropy; Adam lr 1e-3, betas 0.9/0.999, eps 1e-8. Images are NHWC here (XLA's preferred
convolution layout on the CPU). No augmentation. The training set lives on the device and each
step gathers its batch there by index.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ inside the Swift target's folder
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402
from jax import lax  # noqa: E402

import fashion_mnist  # noqa: E402

EPS, MOMENTUM, DROPOUT = 1e-5, 0.1, 0.3


def he_uniform(key, shape, fan_in):
    bound = (6.0 / fan_in) ** 0.5
    return jax.random.uniform(key, shape, jnp.float32, -bound, bound)


def glorot_uniform(key, shape, fan_in, fan_out):
    bound = (6.0 / (fan_in + fan_out)) ** 0.5
    return jax.random.uniform(key, shape, jnp.float32, -bound, bound)


def init(model, key):
    k = jax.random.split(key, 4)
    if model == "mlp":
        params = {
            "w1": he_uniform(k[0], (784, 256), 784), "b1": jnp.zeros(256),
            "g1": jnp.ones(256), "be1": jnp.zeros(256),
            "w2": he_uniform(k[1], (256, 128), 256), "b2": jnp.zeros(128),
            "g2": jnp.ones(128), "be2": jnp.zeros(128),
            "w3": glorot_uniform(k[2], (128, 10), 128, 10), "b3": jnp.zeros(10),
        }
        state = {"m1": jnp.zeros(256), "v1": jnp.ones(256), "m2": jnp.zeros(128), "v2": jnp.ones(128)}
    else:
        params = {
            "c1": he_uniform(k[0], (3, 3, 1, 32), 9), "g1": jnp.ones(32), "be1": jnp.zeros(32),
            "c2": he_uniform(k[1], (3, 3, 32, 64), 288), "g2": jnp.ones(64), "be2": jnp.zeros(64),
            "c3": he_uniform(k[3], (3, 3, 64, 64), 576), "g3": jnp.ones(64), "be3": jnp.zeros(64),
            "w3": he_uniform(k[2], (3136, 128), 3136), "b3": jnp.zeros(128),
            "w4": glorot_uniform(jax.random.fold_in(key, 4), (128, 10), 128, 10),
            "b4": jnp.zeros(10),
        }
        state = {
            "m1": jnp.zeros(32), "v1": jnp.ones(32), "m2": jnp.zeros(64), "v2": jnp.ones(64),
            "m3": jnp.zeros(64), "v3": jnp.ones(64),
        }
    return params, state


def batch_norm(x, gamma, beta, mean, var, axes, train):
    """Returns (normalized x, new running mean, new running var)."""
    if train:
        batch_mean = x.mean(axes)
        batch_var = x.var(axes)
        n = x.size // batch_mean.size
        mean = (1 - MOMENTUM) * mean + MOMENTUM * batch_mean
        var = (1 - MOMENTUM) * var + MOMENTUM * batch_var * n / (n - 1)
        y = (x - batch_mean) * lax.rsqrt(batch_var + EPS)
    else:
        y = (x - mean) * lax.rsqrt(var + EPS)
    return y * gamma + beta, mean, var


def dropout(x, key, train):
    if not train:
        return x
    keep = jax.random.bernoulli(key, 1.0 - DROPOUT, x.shape)
    return jnp.where(keep, x / (1.0 - DROPOUT), 0.0)


def conv(x, w):
    return lax.conv_general_dilated(x, w, (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"))


def max_pool(x):
    return lax.reduce_window(x, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")


def forward(model, params, state, x, key, train):
    kd = jax.random.split(key, 2)
    new = {}
    if model == "mlp":
        h = x.reshape(x.shape[0], 784)
        for i in (1, 2):
            h = h @ params[f"w{i}"] + params[f"b{i}"]
            h, new[f"m{i}"], new[f"v{i}"] = batch_norm(
                h, params[f"g{i}"], params[f"be{i}"], state[f"m{i}"], state[f"v{i}"], (0,), train)
            h = dropout(jax.nn.relu(h), kd[i - 1], train)
        return h @ params["w3"] + params["b3"], new
    h = x
    for i in (1, 2, 3):
        h = conv(h, params[f"c{i}"])
        h, new[f"m{i}"], new[f"v{i}"] = batch_norm(
            h, params[f"g{i}"], params[f"be{i}"], state[f"m{i}"], state[f"v{i}"], (0, 1, 2), train)
        h = jax.nn.relu(h)
        if i != 2:  # pooling after the first and the third convolution
            h = max_pool(h)
    h = h.reshape(h.shape[0], 3136)
    h = dropout(jax.nn.relu(h @ params["w3"] + params["b3"]), kd[0], train)
    return h @ params["w4"] + params["b4"], new


def make_step(model, optimizer, batch):
    def loss_fn(params, state, x, y, key):
        logits, new_state = forward(model, params, state, x, key, True)
        loss = optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()
        return loss, new_state

    @jax.jit
    def step(params, state, opt_state, key, x_all, y_all, perm, i):
        idx = lax.dynamic_slice_in_dim(perm, i * batch, batch)
        key, sub = jax.random.split(key)
        (loss, state), grads = jax.value_and_grad(loss_fn, has_aux=True)(
            params, state, x_all[idx], y_all[idx], sub)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), state, opt_state, key, loss

    return step


def run(model, args, data):
    x_train, y_train, x_test, y_test = data
    key = jax.random.PRNGKey(args.seed)
    key, init_key = jax.random.split(key)
    params, state = init(model, init_key)
    optimizer = optax.adam(1e-3, b1=0.9, b2=0.999, eps=1e-8)
    opt_state = optimizer.init(params)
    step = make_step(model, optimizer, args.batch)
    x_all, y_all = jax.device_put(x_train), jax.device_put(y_train)
    rng = np.random.default_rng(args.seed)
    per_epoch = x_train.shape[0] // args.batch  # the last partial batch is dropped

    def new_perm():
        return jax.device_put(rng.permutation(x_train.shape[0]).astype(np.int32))

    carry = (params, state, opt_state, key)

    def train_steps(carry, count, perm, start=0):
        for i in range(start, start + count):
            *carry, _ = step(*carry, x_all, y_all, perm, i)
        return tuple(carry)

    # Throughput: warm-up (compilation) then timed windows of --steps steps, from a fresh model.
    perm = new_perm()
    carry = jax.block_until_ready(train_steps(carry, args.warmup, perm))
    rates, position = [], args.warmup
    for _ in range(args.windows):
        remaining = args.steps
        start = time.perf_counter()
        while remaining:
            if position == per_epoch:
                perm, position = new_perm(), 0
            count = min(remaining, per_epoch - position)
            carry = train_steps(carry, count, perm, position)
            position += count
            remaining -= count
        jax.block_until_ready(carry)
        rates.append(args.steps * args.batch / (time.perf_counter() - start))

    result = {
        "framework": "jax", "version": jax.__version__,
        "device": f"{jax.devices()[0]} ({cpu_name()})",
        "model": model, "batch": args.batch, "steps": args.steps, "windows": args.windows,
        "samples_per_s": round(statistics.median(rates), 1),
        "window_samples_per_s": [round(r, 1) for r in rates],
        "epochs": args.epochs, "test_accuracy": None,
    }
    if args.epochs > 0:
        # A fresh model, trained E full epochs, then evaluated (running batch-norm statistics).
        params, state = init(model, init_key)
        carry = (params, state, optimizer.init(params), key)
        start = time.perf_counter()
        for _ in range(args.epochs):
            carry = train_steps(carry, per_epoch, new_perm())
        carry = jax.block_until_ready(carry)
        result["epoch_seconds"] = round((time.perf_counter() - start) / args.epochs, 2)
        result["test_accuracy"] = round(evaluate(model, carry[0], carry[1], x_test, y_test), 4)
    return result


def evaluate(model, params, state, x_test, y_test):
    predict = jax.jit(lambda p, s, x: forward(model, p, s, x, jax.random.PRNGKey(0), False)[0].argmax(-1))
    correct = 0
    for i in range(0, x_test.shape[0], 1000):
        correct += int((np.asarray(predict(params, state, x_test[i:i + 1000])) == y_test[i:i + 1000]).sum())
    return correct / x_test.shape[0]


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return f"{line.split(':', 1)[1].strip()}, {os.cpu_count()} cores"
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", choices=["mlp", "cnn", "both"], default="both")
    p.add_argument("--steps", type=int, default=300, help="timed steps per window (default 300)")
    p.add_argument("--windows", type=int, default=3, help="timed windows; the median is reported")
    p.add_argument("--warmup", type=int, default=20, help="untimed steps first (compilation)")
    p.add_argument("--epochs", type=int, default=0, help="also train E full epochs and test")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args(argv)


def main():
    args = parse_args()
    jax.config.update("jax_platforms", "cpu")
    data = fashion_mnist.load("NHWC")
    for model in (["mlp", "cnn"] if args.model == "both" else [args.model]):
        print(json.dumps(run(model, args, data)), flush=True)


if __name__ == "__main__":
    main()
