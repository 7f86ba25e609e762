// RUN: dnnopt-opt %s -split-input-file -verify-diagnostics

// Every verifier of the hw attributes, each error located at the attribute.

// expected-error @+1 {{activation width must be 1 to 16 bits or 32 (float32), got 24}}
module attributes {p = #hw.precision<a = 24, w = 8>} {}

// -----

// expected-error @+1 {{weight width must be 1 to 16 bits or 32 (float32), got 0}}
module attributes {p = #hw.precision<a = 8, w = 0>} {}

// -----

// expected-error @+1 {{macs_per_cycle must be non-negative, got -1}}
module attributes {p = #hw.precision<a = 8, w = 8, macs_per_cycle = -1>} {}

// -----

// expected-error @+1 {{compute unit needs a non-empty name}}
module attributes {u = #hw.unit<name = "", kind = cpu, freq_mhz = 1, model = "cortex_m4", precisions = [#hw.precision<a = 8, w = 8>]>} {}

// -----

// expected-error @+1 {{unit 'cpu': freq_mhz must be positive, got 0}}
module attributes {u = #hw.unit<name = "cpu", kind = cpu, freq_mhz = 0, model = "cortex_m4", precisions = [#hw.precision<a = 8, w = 8>]>} {}

// -----

// expected-error @+1 {{unit 'cpu': cores must be at least 1, got 0}}
module attributes {u = #hw.unit<name = "cpu", kind = cpu, freq_mhz = 80, cores = 0, model = "cortex_m4", precisions = [#hw.precision<a = 8, w = 8>]>} {}

// -----

// expected-error @+1 {{unit 'cpu': unknown latency model 'cortex_m0' (known: throughput, cortex_m4, cortex_m7, gap8_cluster, diana_digital, diana_analog)}}
module attributes {u = #hw.unit<name = "cpu", kind = cpu, freq_mhz = 80, model = "cortex_m0", precisions = [#hw.precision<a = 8, w = 8>]>} {}

// -----

// expected-error @+1 {{unit 'cpu': needs at least one precision}}
module attributes {u = #hw.unit<name = "cpu", kind = cpu, freq_mhz = 80, model = "cortex_m4", precisions = []>} {}

// -----

// expected-error @+1 {{unit 'cpu': precisions must be #hw.precision attributes, got 8 : i64}}
module attributes {u = #hw.unit<name = "cpu", kind = cpu, freq_mhz = 80, model = "cortex_m4", precisions = [8]>} {}

// -----

// expected-error @+1 {{unit 'cpu': precision a8w8 is listed twice}}
module attributes {u = #hw.unit<name = "cpu", kind = cpu, freq_mhz = 80, model = "cortex_m4", precisions = [#hw.precision<a = 8, w = 8>, #hw.precision<a = 8, w = 8>]>} {}

// -----

// expected-error @+1 {{unit 'cpu': latency model 'cortex_m4' has no constants for a16w8 (a8, a4 or a2 with w8, w4 or w2; a32w32)}}
module attributes {u = #hw.unit<name = "cpu", kind = cpu, freq_mhz = 80, model = "cortex_m4", precisions = [#hw.precision<a = 16, w = 8>]>} {}

// -----

// expected-error @+1 {{unit 'cl': latency model 'gap8_cluster' runs integers of 1 to 8 bits only (no FPU), not a32w32}}
module attributes {u = #hw.unit<name = "cl", kind = multicore, freq_mhz = 175, cores = 8, model = "gap8_cluster", precisions = [#hw.precision<a = 32, w = 32>]>} {}

// -----

// expected-error @+1 {{unit 'd': latency model 'diana_digital' runs a8w8 only, not a8w4}}
module attributes {u = #hw.unit<name = "d", kind = digital_accelerator, freq_mhz = 260, model = "diana_digital", precisions = [#hw.precision<a = 8, w = 4>]>} {}

// -----

// expected-error @+1 {{unit 'a': latency model 'diana_analog' needs ternary weights (w2) and activations of at most 8 bits, not a8w8}}
module attributes {u = #hw.unit<name = "a", kind = analog_imc, freq_mhz = 260, model = "diana_analog", precisions = [#hw.precision<a = 8, w = 8>]>} {}

// -----

// expected-error @+1 {{unit 'npu': precision a8w8 needs macs_per_cycle > 0 (the throughput model divides MACs by it)}}
module attributes {u = #hw.unit<name = "npu", kind = digital_accelerator, freq_mhz = 100, model = "throughput", precisions = [#hw.precision<a = 8, w = 8>]>} {}

// -----

// expected-error @+1 {{unit 'cpu': precision a8w8: macs_per_cycle is only read by the throughput model; 'cortex_m7' computes latency with its own formula}}
module attributes {u = #hw.unit<name = "cpu", kind = cpu, freq_mhz = 480, model = "cortex_m7", precisions = [#hw.precision<a = 8, w = 8, macs_per_cycle = 2>]>} {}

// -----

// expected-error @+1 {{unit 'npu': unknown layer kind "fft" (known: conv, depthwise_conv, conv_transpose, linear, pool, elementwise, nonlinear, reduce, copy)}}
module attributes {u = #hw.unit<name = "npu", kind = digital_accelerator, freq_mhz = 100, model = "throughput", precisions = [#hw.precision<a = 8, w = 8, macs_per_cycle = 4>], layers = ["conv", "fft"]>} {}

// -----

// expected-error @+1 {{unit 'd': latency model 'diana_digital' has no formula for pool layers}}
module attributes {u = #hw.unit<name = "d", kind = digital_accelerator, freq_mhz = 260, model = "diana_digital", precisions = [#hw.precision<a = 8, w = 8>], layers = ["pool"]>} {}

// -----

// expected-error @+1 {{unit 'cpu': active_mw must be a non-negative power in mW, got -3}}
module attributes {u = #hw.unit<name = "cpu", kind = cpu, freq_mhz = 80, model = "cortex_m4", precisions = [#hw.precision<a = 8, w = 8>], active_mw = -3>} {}

// -----

// expected-error @+1 {{memory 'sram': size must be a positive number of bytes, got 0}}
module attributes {m = #hw.memory<name = "sram", kind = ram, size = 0>} {}

// -----

// expected-error @+1 {{memory 'sram': bandwidth must be non-negative, got -4}}
module attributes {m = #hw.memory<name = "sram", kind = ram, size = 1024, bandwidth = -4>} {}

// -----

// expected-error @+1 {{memory 'sram': units must be unit names, got 3 : i64}}
module attributes {m = #hw.memory<name = "sram", kind = ram, size = 1024, units = [3]>} {}

// -----

// expected-error @+1 {{target 't': needs at least one compute unit}}
module attributes {t = #hw.target<name = "t", units = [], memories = [#hw.memory<name = "sram", kind = ram, size = 1024>]>} {}

// -----

// expected-error @+1 {{target 't': units must be #hw.unit attributes, got #hw.memory<name = "sram", kind = ram, size = 1024>}}
module attributes {t = #hw.target<name = "t", units = [#hw.memory<name = "sram", kind = ram, size = 1024>], memories = [#hw.memory<name = "sram", kind = ram, size = 1024>]>} {}

// -----

// expected-error @+1 {{target 't': two compute units are named 'cpu'}}
module attributes {t = #hw.target<name = "t", units = [#hw.unit<name = "cpu", kind = cpu, freq_mhz = 80, model = "cortex_m4", precisions = [#hw.precision<a = 8, w = 8>]>, #hw.unit<name = "cpu", kind = cpu, freq_mhz = 80, model = "cortex_m4", precisions = [#hw.precision<a = 8, w = 8>]>], memories = [#hw.memory<name = "sram", kind = ram, size = 1024>]>} {}

// -----

// expected-error @+1 {{target 't': two memories are named 'sram'}}
module attributes {t = #hw.target<name = "t", units = [#hw.unit<name = "cpu", kind = cpu, freq_mhz = 80, model = "cortex_m4", precisions = [#hw.precision<a = 8, w = 8>]>], memories = [#hw.memory<name = "sram", kind = ram, size = 1024>, #hw.memory<name = "sram", kind = flash, size = 4096>]>} {}

// -----

// expected-error @+1 {{target 't': memory 'l1' is visible to unknown unit "cluster"}}
module attributes {t = #hw.target<name = "t", units = [#hw.unit<name = "cpu", kind = cpu, freq_mhz = 80, model = "cortex_m4", precisions = [#hw.precision<a = 8, w = 8>]>], memories = [#hw.memory<name = "l1", kind = ram, size = 1024, units = ["cluster"]>]>} {}

// -----

// expected-error @+1 {{target 't': needs at least one ram memory (activations live there)}}
module attributes {t = #hw.target<name = "t", units = [#hw.unit<name = "cpu", kind = cpu, freq_mhz = 80, model = "cortex_m4", precisions = [#hw.precision<a = 8, w = 8>]>], memories = [#hw.memory<name = "flash", kind = flash, size = 1024>]>} {}

// -----

// expected-error @+1 {{target 't': base_mw must be a non-negative power in mW, got -1.5}}
module attributes {t = #hw.target<name = "t", base_mw = -1.5, units = [#hw.unit<name = "cpu", kind = cpu, freq_mhz = 80, model = "cortex_m4", precisions = [#hw.precision<a = 8, w = 8>]>], memories = [#hw.memory<name = "sram", kind = ram, size = 1024>]>} {}

// -----

// expected-error @+1 {{target needs a non-empty name}}
module attributes {t = #hw.target<name = "", units = [#hw.unit<name = "cpu", kind = cpu, freq_mhz = 80, model = "cortex_m4", precisions = [#hw.precision<a = 8, w = 8>]>], memories = [#hw.memory<name = "sram", kind = ram, size = 1024>]>} {}

// -----

// A missing required key is a parse error.
// expected-error @+1 {{struct is missing required parameter: model}}
module attributes {u = #hw.unit<name = "cpu", kind = cpu, freq_mhz = 80, precisions = [#hw.precision<a = 8, w = 8>]>} {}

// -----

// expected-error @+2 {{expected ::dnnopt::hw::UnitKind to be one of: cpu, multicore, digital_accelerator, analog_imc}}
// expected-error @+1 {{failed to parse Hw_ComputeUnitAttr parameter 'kind' which is to be a `::dnnopt::hw::UnitKind`}}
module attributes {u = #hw.unit<name = "cpu", kind = gpu, freq_mhz = 80, model = "cortex_m4", precisions = [#hw.precision<a = 8, w = 8>]>} {}
