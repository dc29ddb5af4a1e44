#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 41-provider.t - 40-device.t's watermark and safe-mode tests with telemetry from
# the example in-kernel provider (cram_example_provider.ko), and what is its own at the end.
# Kernel lines: one. The provider paths are cram's own logic; 40-device.t covers the rest.
CRAM_TM_SOURCE=kernel
. /cram/tests/40-device.t
