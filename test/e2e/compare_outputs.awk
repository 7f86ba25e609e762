# Compares the example firmware's output on QEMU (second file) with the host build's
# (first file, the reference): the same lines in the same order; lines that are one
# number (output values) may differ by tol (-v tol=...) relative to the largest
# magnitude in their output tensor (at least 1e-30); every other line must be equal,
# except `ticks:`, `instructions:` and `stack:` (no counter on the host).
# Exit code 0 when they match, 1 otherwise (the first differences are printed).
function isnum(s) { return s ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/ }
function abs(x) { return x < 0 ? -x : x }
/^(ticks|instructions|stack):/ { next }
NR == FNR { ref[++n] = $0; next }
{ got[++m] = $0 }
END {
  if (n != m) { print "line counts differ: host " n ", QEMU " m; exit 1 }
  # Per output tensor (the value lines after an "output" line): the scale.
  group = 0
  for (i = 1; i <= n; i++) {
    if (ref[i] ~ /^output /) { group++; scale[group] = 1e-30 }
    grp[i] = group
    if (isnum(ref[i]) && abs(ref[i] + 0) > scale[group]) scale[group] = abs(ref[i] + 0)
  }
  bad = 0; worst = 0
  for (i = 1; i <= n; i++) {
    if (isnum(ref[i]) && isnum(got[i])) {
      err = abs(got[i] - ref[i]) / scale[grp[i]]
      if (err > worst) worst = err
      if (err <= tol) continue
    } else if (got[i] == ref[i]) continue
    if (++bad <= 10) print "line " i ": host '" ref[i] "', QEMU '" got[i] "'"
  }
  printf "%d lines compared, max relative difference %.3g (tolerance %g), %d mismatches\n", n, worst, tol, bad
  exit bad > 0
}
