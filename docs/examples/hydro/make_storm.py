#!/usr/bin/env python3
"""Writes storm.csv: a synthetic 12-hour storm on a stream, logged once a minute as a data logger
exports it (timestamp,distance_mm), for `edge hydro replay` and its tests. The gauge hangs 3000 mm
above the bed (see gauge.json). Deterministic: same file every run.

Curve (minutes after 06:00Z): base flow 200 mm; 360-390 onset to 350 mm; 390-410 flash rise of 1 m
to 1350 mm; peak until 440; exponential recession (tau 60 min) back towards 200 mm. On top: +-8 mm
ripple, birds under the sensor at 120 and 490, the sensor's output frozen 180-240, a dropout 415-425
(empty values), and two malformed rows a logger export might contain.
"""
import math
import random
from datetime import datetime, timedelta, timezone

MOUNT = 3000
START = datetime(2025, 10, 9, 6, 0, tzinfo=timezone.utc)


def level(m):
    if m < 360:
        return 200.0
    if m < 390:
        return 200 + 150 * (m - 360) / 30
    if m < 410:
        return 350 + 1000 * (m - 390) / 20
    if m < 440:
        return 1350.0
    return 200 + 1150 * math.exp(-(m - 440) / 60)


def main():
    rnd = random.Random(20251009)
    rows = ["timestamp,distance_mm"]
    for m in range(0, 721):
        t = START + timedelta(minutes=m)
        # The logger switched to local time (EEST, +03:00) after a firmware update at 09:00Z.
        stamp = t.strftime("%Y-%m-%dT%H:%M:%SZ") if m < 180 else t.astimezone(timezone(timedelta(hours=3))).isoformat()
        if 180 <= m < 240:
            value = str(MOUNT - 200 + 23)
        elif 415 <= m < 425:
            value = ""
        elif m in (120, 490):
            value = "800"
        else:
            value = str(MOUNT - round(level(m)) + rnd.randint(-8, 8))
        rows.append(f"{stamp},{value}")
        if m == 60:
            rows.append(t.strftime("%Y-%m-%dT%H:%M:30") + ",2795")          # no time zone
        if m == 300:
            rows.append(t.strftime("%Y-%m-%dT%H:%M:30Z") + ",err")          # logger error text
    with open("storm.csv", "w", newline="\n") as f:
        f.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
