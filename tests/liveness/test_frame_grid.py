"""Which decoded frames fill the 15 fps grid verify works on."""

from __future__ import annotations

from liveness.video import on_grid


def kept(times: list[float], fps: float = 15.0) -> list[float]:
    out, next_due = [], None
    for t in times:
        keep, next_due = on_grid(t, next_due, fps)
        if keep:
            out.append(t)
    return out


def test_jittered_15_fps_keeps_every_frame():
    times = [i / 15 - (0.004 if i % 3 == 1 else 0.0) for i in range(60)]
    assert kept(times) == times


def test_30_fps_keeps_every_other_frame():
    times = [i / 30 for i in range(60)]
    assert kept(times) == times[::2]


def test_20_fps_keeps_about_15_a_second():
    times = [i / 20 for i in range(200)]  # 10 s
    assert 145 <= len(kept(times)) <= 155


def test_a_gap_does_not_stall_and_the_grid_resumes():
    times = [0.0, 0.0667, 5.0, 5.0667, 5.1333]
    assert kept(times) == times
