#!/usr/bin/python3
"""Builds the PPG heart-rate dataset of the ppg-heart-rate example.

    /usr/bin/python3 examples/ppg-heart-rate/make_data.py [OUT_DIR] [--seed 0]

Needs Debian's python3-numpy and python3-scipy (1.10, which still ships scipy.misc.electrocardiogram).

What it does (details in README.md):
  1. Loads the real ECG that scipy ships (MIT-BIH Arrhythmia Database record 208, lead MLII,
     360 Hz, 5 min), detects the R-peaks (band-pass 3-25 Hz, 120 ms moving |.| envelope,
     scipy.signal.find_peaks with a 270 ms refractory distance and a threshold relative to the
     local peak level, refined on the band-passed ECG) and keeps the RR intervals that are
     physiological (0.30-1.50 s) and not inside an electrode-noise burst.
  2. Splits that real beat sequence by time: beats in 0-210 s feed train, 210-255 s val,
     255-300 s test, so no split shares a stretch of real rhythm with another.
  3. Makes 120-second time-warped records (106 train, 18 val, 18 test; each has its own random
     person/sensor/motion parameters): a smooth random tempo curve h(t) (monotone interpolation
     between knots drawn uniformly in 50-175 BPM every 20-90 s) sets the local mean rate and
     each beat keeps the real record's relative RR variation
     (RR' = (RR / local median RR) * 60 / h(t)), so HRV and the record's ectopic beats are
     preserved while the heart rate covers 50-180 BPM.
  4. Synthesizes, directly at 32 Hz, a PPG-like pulse wave on those beats (per beat: an
     asymmetric systolic Gaussian plus a diastolic Gaussian, which leaves a dicrotic notch; pulse
     transit delay 180-280 ms after the R-peak; smaller pulses after short RR intervals;
     respiratory amplitude modulation and baseline wander; white sensor noise) and a 3-axis
     accelerometer (gravity in an orientation that changes at posture changes) with random
     motion episodes (periodic arm swing / steps with harmonics, irregular gestures, bumps)
     that are coupled into the PPG as motion artifacts.
  5. Cuts 8-second windows (256 samples) with a 2-second shift (as PPG-Dalia); the label is the
     mean true instantaneous heart rate (60 / current RR interval, from the ECG beat times) over
     the window, in BPM.
  6. Normalizes per channel: PPG (channel 0) by each window's own mean and standard deviation;
     accelerometer (channels 1-3): each window minus its own per-channel mean (removes gravity),
     divided by a fixed per-channel scale, the train set's standard deviation of that demeaned
     acceleration (written to norm.json; the same constants are used for val and test).

Writes OUT_DIR/{train,val,test}.npz with x float32 [N,4,256] and y float32 [N,1] (BPM), and
OUT_DIR/norm.json. Deterministic for a given --seed.
"""
import argparse
import json
import os
import sys
import time
import warnings

import numpy as np
from scipy import signal
from scipy.interpolate import PchipInterpolator

HERE = os.path.dirname(os.path.abspath(__file__))
FS_ECG = 360.0
FS = 32.0            # output sampling rate (Hz)
WIN = 256            # 8 s
SHIFT = 64           # 2 s
SPLIT_EDGES = {"train": (0.0, 210.0), "val": (210.0, 255.0), "test": (255.0, 301.0)}


# ------------------------------------------------------------------------------------------
# 1. Real beats from the ECG
# ------------------------------------------------------------------------------------------

def load_ecg():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            from scipy.misc import electrocardiogram          # scipy <= 1.11 (Debian 12: 1.10)
        except ImportError:                                    # newer scipy: needs pooch + network
            from scipy.datasets import electrocardiogram
        return np.asarray(electrocardiogram(), dtype=np.float64)


def detect_r_peaks(ecg, fs=FS_ECG):
    """R-peak sample indices. QRS complexes, including the wide ectopic (PVC) beats that are
    frequent in this record, are found as peaks of a 120 ms moving average of the rectified
    3-25 Hz band-passed ECG that exceed 40 % of the local (+-8 s, 75th percentile) peak level,
    at least 270 ms apart; each is then moved to the largest |band-passed ECG| within +-80 ms."""
    bp = signal.sosfiltfilt(signal.butter(2, [3.0, 25.0], "bandpass", fs=fs, output="sos"), ecg)
    n = int(round(0.12 * fs))
    env = np.convolve(np.abs(bp), np.ones(n) / n, mode="same")
    cand, _ = signal.find_peaks(env, distance=int(round(0.27 * fs)))
    h = env[cand]
    win = 8.0 * fs
    local = np.array([np.percentile(h[np.abs(cand - c) < win], 75) for c in cand])
    peaks = cand[h > 0.4 * local]
    w = int(round(0.08 * fs))
    peaks = np.array([max(0, p - w) + int(np.argmax(np.abs(bp[max(0, p - w):p + w]))) for p in peaks])
    return np.unique(peaks)


def noisy_mask(ecg, fs=FS_ECG):
    """True where the ECG has an electrode-noise burst: >40 Hz RMS over 0.5 s above 4x its
    median, widened by 0.5 s on each side."""
    hp = signal.sosfiltfilt(signal.butter(4, 40.0, "highpass", fs=fs, output="sos"), ecg)
    n = int(fs // 2)
    rms = np.sqrt(np.convolve(hp ** 2, np.ones(n) / n, mode="same"))
    bad = rms > 4.0 * np.median(rms)
    return np.convolve(bad.astype(float), np.ones(int(fs)), mode="same") > 0


def real_beats():
    """Returns (beat times s, valid-RR mask per interval, summary dict)."""
    ecg = load_ecg()
    peaks = detect_r_peaks(ecg)
    t = peaks / FS_ECG
    rr = np.diff(t)
    bad = noisy_mask(ecg)
    valid = (rr >= 0.30) & (rr <= 1.50) & ~bad[peaks[:-1]] & ~bad[peaks[1:]]
    hr = 60.0 / rr[valid]
    info = {
        "ecg_seconds": len(ecg) / FS_ECG,
        "beats": int(len(peaks)),
        "rr_valid": int(valid.sum()),
        "rr_rejected": int((~valid).sum()),
        "mean_hr_bpm": float(60.0 * len(peaks) / (t[-1] - t[0])),
        "hr_p5_p50_p95": [float(v) for v in np.percentile(hr, [5, 50, 95])],
    }
    # Sanity checks: record 208 has ~100 BPM incl. frequent PVCs; 5 minutes -> ~500 beats.
    if not (350 <= len(peaks) <= 650):
        sys.exit(f"make_data.py: R-peak detection found {len(peaks)} beats in 5 min, implausible")
    if not (60.0 <= info["hr_p5_p50_p95"][1] <= 130.0) or valid.mean() < 0.9:
        sys.exit(f"make_data.py: implausible R-peak detection: {info}")
    return t, valid, info


def split_relative_rr(t, valid, lo, hi):
    """Relative RR sequence (RR / median of the surrounding 17 valid RRs) of the valid
    intervals that start in [lo, hi) seconds."""
    rr = np.diff(t)
    keep = valid & (t[:-1] >= lo) & (t[:-1] < hi)
    seq = rr[keep]
    ref = np.array([np.median(seq[max(0, i - 8):i + 9]) for i in range(len(seq))])
    return seq / ref


# ------------------------------------------------------------------------------------------
# 2. One time-warped, synthetic record
# ------------------------------------------------------------------------------------------

def smooth_noise(rng, n, fc, fs=FS, order=2):
    """Unit-variance Gaussian noise low-passed at fc Hz."""
    pad = int(3 * fs / fc) if fc < fs / 4 else 16
    w = rng.standard_normal(n + 2 * pad)
    y = signal.sosfiltfilt(signal.butter(order, fc, "lowpass", fs=fs, output="sos"), w)[pad:pad + n]
    return y / (y.std() + 1e-12)


def tempo_curve(rng, duration):
    """Smooth target heart rate h(t) in BPM: knots every 20-90 s (longer when the change is
    large: at most 2 BPM/s), values uniform in 50-175, monotone cubic interpolation."""
    kt, kh = [-5.0], [rng.uniform(50.0, 175.0)]
    while kt[-1] < duration + 5.0:
        h = rng.uniform(50.0, 175.0)
        kt.append(kt[-1] + max(rng.uniform(20.0, 90.0), abs(h - kh[-1]) / 2.0))
        kh.append(h)
    return PchipInterpolator(np.array(kt), np.array(kh))


def warped_beats(rng, rel_rr, h, duration):
    """Beat (R-peak) times covering [-3, duration + 2] s: RR'_j = rel_rr_j * 60 / h(t_j), walking
    through the real relative-RR sequence from a random start (wrapping around)."""
    j = int(rng.integers(len(rel_rr)))
    times = [-3.0 - rng.uniform(0.0, 1.0)]
    while times[-1] < duration + 2.0:
        rr = rel_rr[j % len(rel_rr)] * 60.0 / float(h(times[-1]))
        times.append(times[-1] + float(np.clip(rr, 60.0 / 220.0, 60.0 / 35.0)))
        j += 1
    return np.array(times)


def motion_episodes(rng, h, duration):
    """List of (start, end, kind) motion episodes; rest gets shorter as the heart rate rises
    (a person exercising moves more)."""
    eps, t = [], rng.uniform(0.0, 20.0)
    while t < duration:
        u = np.clip((float(h(t)) - 50.0) / 130.0, 0.0, 1.0)
        t += rng.exponential(45.0 * (1.0 - 0.7 * u))
        d = rng.uniform(8.0, 60.0)
        kind = rng.choice(["periodic", "periodic", "irregular", "bumps"])
        if t < duration:
            eps.append((t, min(t + d, duration + 1.0), str(kind)))
        t += d
    return eps


def gravity(rng, ts, episodes):
    """3 x n gravity in the sensor frame (g): the wrist's orientation changes to a new random
    one at posture changes (every ~40 s on average) and at the start and end of each motion
    episode, turning smoothly over 1-3 s, with a slow wobble."""
    duration = ts[-1]
    changes = [0.0]
    while changes[-1] < duration:
        changes.append(changes[-1] + rng.exponential(40.0))
    changes = np.sort(np.r_[changes, [t for e in episodes for t in e[:2]]])
    d = rng.normal(0.0, 1.0, 3)
    g = np.zeros((3, len(ts)))
    g[:] = d[:, None]
    for c in changes[1:]:
        new = d + rng.normal(0.0, 0.8, 3)
        ramp = np.clip((ts - c) / rng.uniform(1.0, 3.0), 0.0, 1.0)
        ramp = ramp * ramp * (3 - 2 * ramp)                 # smoothstep
        g += np.outer(new - d, ramp)
        d = new
    g = g / np.linalg.norm(g, axis=0, keepdims=True)
    g += 0.1 * np.stack([smooth_noise(rng, len(ts), 0.05) for _ in range(3)])
    return g / np.linalg.norm(g, axis=0, keepdims=True)


def episode_envelope(ts, start, end, ramp):
    env = np.clip(np.minimum(ts - start, end - ts) / ramp, 0.0, 1.0)
    return 0.5 - 0.5 * np.cos(np.pi * env)


def motion_signal(rng, ts, kind):
    """3 x n acceleration (g) of one motion kind, full amplitude (before the episode envelope)."""
    n = len(ts)
    if kind == "periodic":
        # arm swing at f0 (0.6-1.5 Hz: steps at 2*f0 = 72-180 per minute), harmonics, slow drift
        f0 = rng.uniform(0.6, 1.5) * (1.0 + 0.03 * smooth_noise(rng, n, 0.05))
        phase = 2 * np.pi * np.cumsum(f0) / FS
        amp = rng.uniform(0.2, 1.5)
        a = np.zeros((3, n))
        for k in range(3):
            for hmc in range(1, 5):
                c = rng.normal(0.0, 1.0) / hmc ** 0.8 * (1.5 if hmc == 2 else 1.0)
                a[k] += c * np.sin(hmc * phase + rng.uniform(0, 2 * np.pi))
        return amp * a / (a.std() + 1e-12)
    if kind == "irregular":
        # gestures: band-limited 0.3-4 Hz noise, mixed across axes, amplitude-modulated
        sos = signal.butter(2, [0.3, 4.0], "bandpass", fs=FS, output="sos")
        src = signal.sosfiltfilt(sos, rng.standard_normal((3, n + 64)), axis=1)[:, 32:32 + n]
        a = rng.normal(0.0, 1.0, (3, 3)) @ src
        a *= 0.6 + 0.4 * smooth_noise(rng, n, 0.2)
        return rng.uniform(0.1, 0.8) * a / (a.std() + 1e-12)
    # bumps: sparse decaying impulses (taps, knocks)
    a = np.zeros((3, n))
    k = np.arange(int(0.5 * FS))
    for start in np.flatnonzero(rng.random(n) < 0.6 / FS):
        kern = np.exp(-k / rng.uniform(1.0, 4.0)) * np.cos(2 * np.pi * rng.uniform(2, 8) * k / FS)
        m = min(len(k), n - start)
        a[:, start:start + m] += np.outer(rng.normal(0.0, 1.0, 3), kern[:m])
    return rng.uniform(0.3, 1.5) * a


def pulse_wave(rng, ts, beats):
    """PPG pulse wave (arbitrary units, pulse amplitude ~1) sampled at ts for R-peaks `beats`."""
    rr = np.diff(beats)                                    # rr[i]: beat i -> i+1
    nb = len(rr)
    ptt0 = rng.uniform(0.18, 0.28)                         # pulse transit time at 60 BPM
    onset = beats[:-1] + ptt0 + 0.06 * (rr - 1.0) + rng.normal(0.0, 0.005, nb)
    s = np.clip(np.sqrt(rr / 0.8), 0.6, 1.3)               # shape time scale
    rr_prev = np.r_[rr[0], rr[:-1]]
    ref = np.array([np.median(rr[max(0, i - 8):i + 9]) for i in range(nb)])
    # Frank-Starling: a beat after a short interval ejects less blood (ectopic beats)
    amp = np.clip(rr_prev / ref, 0.35, 1.15) ** 1.5 * (1.0 + rng.normal(0.0, 0.04, nb))
    # morphology of this record (person / sensor site)
    sys_mu, sys_l, sys_r = rng.uniform(0.12, 0.16), rng.uniform(0.035, 0.05), rng.uniform(0.06, 0.09)
    dia_mu, dia_sd, dia_a = rng.uniform(0.32, 0.40), rng.uniform(0.07, 0.1), rng.uniform(0.25, 0.6)
    y = np.zeros(len(ts))
    k = np.searchsorted(onset, ts) - 1                    # last pulse that started before t
    for back in range(-1, 4):                              # that pulse, 3 before it, 1 after it
        i = k - back
        ok = (i >= 0) & (i < nb)
        i = np.clip(i, 0, nb - 1)
        tau = (ts - onset[i]) / s[i]
        sd = np.where(tau < sys_mu, sys_l, sys_r)
        p = np.exp(-0.5 * ((tau - sys_mu) / sd) ** 2) + dia_a * np.exp(-0.5 * ((tau - dia_mu) / dia_sd) ** 2)
        y += np.where(ok, amp[i] * p, 0.0)
    return y


def make_record(rng, rel_rr, duration):
    """Returns (signals [4, n] float64: PPG a.u., accel x/y/z in g; true instantaneous HR [n])."""
    n = int(round(duration * FS))
    ts = np.arange(n) / FS
    h = tempo_curve(rng, duration)
    beats = warped_beats(rng, rel_rr, h, duration)
    # true instantaneous heart rate at each sample: 60 / the RR interval that contains it
    idx = np.searchsorted(beats, ts, side="right") - 1
    hr_inst = 60.0 / (beats[idx + 1] - beats[idx])

    # respiration (rate rises with heart rate): amplitude modulation + baseline wander
    u = np.clip((h(ts) - 50.0) / 130.0, 0.0, 1.0)
    f_resp = np.clip(0.2 + 0.25 * u + 0.03 * smooth_noise(rng, n, 0.02), 0.12, 0.6)
    resp = np.sin(2 * np.pi * np.cumsum(f_resp) / FS + rng.uniform(0, 2 * np.pi))
    ppg = pulse_wave(rng, ts, beats) * (1.0 + rng.uniform(0.03, 0.12) * resp)
    ppg += rng.uniform(0.05, 0.3) * resp + rng.uniform(0.1, 0.5) * smooth_noise(rng, n, 0.05)

    # accelerometer: gravity with a slowly turning orientation + motion episodes
    episodes = motion_episodes(rng, h, duration)
    acc = gravity(rng, ts, episodes)
    artifact = np.zeros(n)
    # how motion couples into the PPG depends on the sensor fit: fixed per record (direction,
    # tissue/sensor low-pass, gain), varied a little per episode
    lp = signal.butter(1, rng.uniform(3.0, 8.0), "lowpass", fs=FS, output="sos")
    w_rec = rng.normal(0.0, 1.0, 3)
    gain_rec = rng.uniform(0.1, 0.6) / 0.5                 # PPG units (pulse ~1) per 0.5 g
    for start, end, kind in episodes:
        m = (ts > start - 2.0) & (ts < end + 2.0)
        env = episode_envelope(ts[m], start, end, rng.uniform(0.5, 2.0))
        a = motion_signal(rng, ts[m], kind) * env
        acc[:, m] += a
        if kind != "bumps":   # swinging the arm also rotates gravity in the sensor frame
            acc[:, m] += 0.3 * env * np.stack([smooth_noise(rng, int(m.sum()), 0.5) for _ in range(3)])
        # artifact in the PPG: projection of the motion on the coupling direction, smoothed by
        # the tissue/sensor mechanics, a rectified (nonlinear) part and a contact-pressure shift
        w = w_rec + rng.normal(0.0, 0.3, 3)
        proj = signal.sosfilt(lp, w @ a / np.linalg.norm(w))
        gain = gain_rec * rng.lognormal(0.0, 0.25)
        art = gain * (proj + rng.uniform(0.0, 0.4) * (np.abs(proj) - np.abs(proj).mean()))
        art += rng.normal(0.0, 0.3) * env
        artifact[m] += art
    ppg += artifact
    ppg += rng.normal(0.0, rng.uniform(0.02, 0.08), n)     # sensor noise (pulse amplitude ~1)
    ppg = rng.uniform(0.5, 2.0) * ppg + rng.normal(0.0, 2.0)  # sensor gain and DC level
    acc += rng.normal(0.0, 0.01, acc.shape)                # accelerometer noise (g)
    return np.vstack([ppg[None], acc]), hr_inst


def windows(sig, hr_inst):
    starts = np.arange(0, sig.shape[1] - WIN + 1, SHIFT)
    x = np.stack([sig[:, s:s + WIN] for s in starts])
    y = np.array([[hr_inst[s:s + WIN].mean()] for s in starts])
    return x, y


# ------------------------------------------------------------------------------------------
# 3. Splits, normalization, output
# ------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", nargs="?", default=os.path.join(HERE, "data"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--records", default="106,18,18",
                    help="number of records for train,val,test (a 120-s record gives 57 windows)")
    ap.add_argument("--duration", type=float, default=120.0, help="seconds per record")
    args = ap.parse_args()
    t0 = time.time()
    counts = [int(c) for c in args.records.split(",")]

    beat_t, valid, info = real_beats()
    print(f"ECG: {info['ecg_seconds']:.0f} s, {info['beats']} R-peaks, mean HR "
          f"{info['mean_hr_bpm']:.1f} BPM, beat-to-beat HR p5/p50/p95 = "
          + "/".join(f"{v:.0f}" for v in info["hr_p5_p50_p95"])
          + f" BPM; {info['rr_valid']} RR intervals kept, {info['rr_rejected']} rejected "
          "(outside 0.30-1.50 s or in a noise burst)")

    root = np.random.SeedSequence(args.seed)
    split_seeds = dict(zip(SPLIT_EDGES, root.spawn(3)))
    data = {}
    for (name, (lo, hi)), n_rec in zip(SPLIT_EDGES.items(), counts):
        rel = split_relative_rr(beat_t, valid, lo, hi)
        xs, ys = [], []
        for rec_seed in split_seeds[name].spawn(n_rec):
            sig, hr = make_record(np.random.default_rng(rec_seed), rel, args.duration)
            x, y = windows(sig, hr)
            xs.append(x)
            ys.append(y)
        x, y = np.concatenate(xs), np.concatenate(ys)
        perm = np.random.default_rng(split_seeds[name].spawn(1)[0]).permutation(len(x))
        data[name] = (x[perm], y[perm], len(rel))

    # normalization: PPG per window; accelerometer demeaned per window, train-set scale
    acc_train = data["train"][0][:, 1:]
    acc_std = (acc_train - acc_train.mean(axis=2, keepdims=True)).std(axis=(0, 2))
    os.makedirs(args.out_dir, exist_ok=True)
    train_mean = float(data["train"][1].mean())
    print(f"{'split':6} {'N':>6} {'real RRs':>8} {'HR min':>7} {'mean':>6} {'max':>6} {'std':>5} "
          f"{'MAE(train mean)':>15}")
    for name, (x, y, n_rel) in data.items():
        ppg = x[:, :1]
        ppg = (ppg - ppg.mean(axis=2, keepdims=True)) / (ppg.std(axis=2, keepdims=True) + 1e-6)
        acc = (x[:, 1:] - x[:, 1:].mean(axis=2, keepdims=True)) / acc_std[None, :, None]
        xn = np.concatenate([ppg, acc], axis=1).astype(np.float32)
        yn = y.astype(np.float32)
        np.savez(os.path.join(args.out_dir, f"{name}.npz"), x=xn, y=yn)
        mae = float(np.abs(yn - train_mean).mean())
        print(f"{name:6} {len(xn):6d} {n_rel:8d} {yn.min():7.1f} {yn.mean():6.1f} {yn.max():6.1f} "
              f"{yn.std():5.1f} {mae:15.2f}")
    norm = {
        "channels": ["ppg", "acc_x", "acc_y", "acc_z"],
        "ppg": "per window: (x - mean(window)) / (std(window) + 1e-6)",
        "acc_std_g": [float(v) for v in acc_std],
        "acc": "(a_g - mean(window, channel c)) / acc_std_g[c]; acc_std_g: train-set standard "
               "deviation of the window-demeaned acceleration",
        "label": "mean true instantaneous heart rate over the window, BPM",
        "train_label_mean_bpm": train_mean,
        "fs_hz": FS, "window": WIN, "shift": SHIFT, "seed": args.seed, "ecg": info,
    }
    with open(os.path.join(args.out_dir, "norm.json"), "w") as f:
        json.dump(norm, f, indent=1)
    print(f"predicting the train mean ({train_mean:.1f} BPM) gives the MAE above; "
          f"wrote {args.out_dir}/{{train,val,test}}.npz, norm.json in {time.time() - t0:.1f} s")


if __name__ == "__main__":
    main()
