"""Where training runs and at what precision: `--device` and `--precision`, "auto" resolved once, up front.

bf16 runs each training step's forward pass and loss under torch.autocast with
bfloat16, where the hardware has fast bfloat16 arithmetic: Intel AMX or
AVX512-BF16 on the CPU (the amx_bf16 / avx512_bf16 flags of /proc/cpuinfo), or a
CUDA GPU that torch.cuda.is_bf16_supported(). Elsewhere "auto" is fp32: emulated
bfloat16 is slower than float32. Autocast casts per operation, so the weights,
their gradients, the optimizer state and every checkpoint stay float32, and the
export is a float32 ONNX model checked for parity as before. Validation runs in
float32 too.

bfloat16 keeps float32's exponent range, so no loss scaling is needed; its
8-bit mantissa is noise next to the augmentation's. fp32 runs on the CPU are
bit-for-bit repeatable (resume included); bf16 ones repeat on the same machine
and thread count, and CUDA runs need not repeat at all.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path

import torch

DEVICES = ("auto", "cpu", "cuda", "mps")
PRECISIONS = ("auto", "fp32", "bf16")
# The x86 feature flags of CPUs with bfloat16 matrix or vector instructions that torch's CPU kernels use.
BF16_CPU_FLAGS = frozenset({"amx_bf16", "avx512_bf16"})
CPUINFO = Path("/proc/cpuinfo")


class DeviceError(ValueError):
    """A device or precision that is unknown, or that this machine does not have."""


def cpu_flags(cpuinfo: str) -> frozenset[str]:
    """The feature flags in /proc/cpuinfo text: its first "flags" line (every core lists the same)."""
    for line in cpuinfo.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() == "flags":
            return frozenset(value.split())
    return frozenset()


def cpu_has_fast_bf16(cpuinfo: str) -> bool:
    """True where the CPU has AMX or AVX512-BF16 (read from /proc/cpuinfo text)."""
    return not cpu_flags(cpuinfo).isdisjoint(BF16_CPU_FLAGS)


def read_cpuinfo(path: Path = CPUINFO) -> str:
    """/proc/cpuinfo's text; "" where there is none (macOS, Windows): no flags, so fp32."""
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""


def resolve_device(name: str) -> str:
    """cpu, cuda or mps; "auto" is a CUDA GPU, else Apple's GPU, else the CPU."""
    if name not in DEVICES:
        raise DeviceError(f"unknown device {name!r} (choose from {', '.join(DEVICES)})")
    cuda, mps = torch.cuda.is_available(), torch.backends.mps.is_available()
    if name == "auto":
        return "cuda" if cuda else "mps" if mps else "cpu"
    if (name == "cuda" and not cuda) or (name == "mps" and not mps):
        raise DeviceError(f"device {name!r} is not available on this machine (this torch sees none)")
    return name


def resolve_precision(name: str, device: str, cpuinfo: str | None = None) -> str:
    """fp32 or bf16 on `device` (resolved); "auto" is bf16 where the hardware does it fast, else fp32."""
    if name not in PRECISIONS:
        raise DeviceError(f"unknown precision {name!r} (choose from {', '.join(PRECISIONS)})")
    if name != "auto":
        return name
    if device == "cpu":
        return "bf16" if cpu_has_fast_bf16(read_cpuinfo() if cpuinfo is None else cpuinfo) else "fp32"
    if device == "cuda":
        return "bf16" if torch.cuda.is_bf16_supported() else "fp32"
    return "fp32"


def resolve(device: str, precision: str) -> tuple[str, str]:
    """(device, precision) with "auto" replaced by what this machine has."""
    resolved = resolve_device(device)
    return resolved, resolve_precision(precision, resolved)


def autocast(device: str, precision: str) -> AbstractContextManager[object]:
    """The context a training step's forward pass and loss run in: bfloat16 autocast for bf16, nothing for fp32."""
    return torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=precision == "bf16")
