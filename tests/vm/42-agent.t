#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 42-agent.t - 40-device.t's watermark and safe-mode tests with telemetry from
# cram-agent, its source the device model's text page, and what is its own at the end.
# Kernel lines: one. The provider paths are cram's own logic; 40-device.t covers the rest.
CRAM_TM_SOURCE=user
. /cram/tests/40-device.t
