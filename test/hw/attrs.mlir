// RUN: dnnopt-opt %s | FileCheck %s
// RUN: dnnopt-opt %s | dnnopt-opt | FileCheck %s

// Keys in any order, defaults left out, integers accepted for reals; printed in
// parameter order with the shortest exact reals and without default values.
// CHECK: module attributes {dnnopt.target = #hw.target<name = "board", units = [#hw.unit<name = "cpu", kind = cpu, freq_mhz = 80.5, model = "cortex_m4", precisions = [#hw.precision<a = 8, w = 8>, #hw.precision<a = 32, w = 32>], active_mw = 0.1>, #hw.unit<name = "npu", kind = digital_accelerator, freq_mhz = 200, cores = 4, model = "throughput", precisions = [#hw.precision<a = 8, w = 4, macs_per_cycle = 12.25>], layers = ["conv", "linear"], idle_mw = 1.0e-05>], memories = [#hw.memory<name = "flash", kind = flash, size = 1048576>, #hw.memory<name = "sram", kind = ram, size = 262144, bandwidth = 4, units = ["cpu", "npu"]>], base_mw = 2.5e+20>}
module attributes {dnnopt.target = #hw.target<
    memories = [#hw.memory<size = 1048576, kind = flash, name = "flash">,
                #hw.memory<name = "sram", kind = ram, size = 262144, bandwidth = 4.0, units = ["cpu", "npu"]>],
    base_mw = 2.5e20, name = "board",
    units = [#hw.unit<name = "cpu", kind = cpu, freq_mhz = 80.5, cores = 1, model = "cortex_m4", active_mw = 0.1,
                      precisions = [#hw.precision<a = 8, w = 8, macs_per_cycle = 0>, #hw.precision<w = 32, a = 32>]>,
             #hw.unit<name = "npu", kind = digital_accelerator, freq_mhz = 200, cores = 4, model = "throughput",
                      precisions = [#hw.precision<a = 8, w = 4, macs_per_cycle = 12.25>],
                      layers = ["conv", "linear"], idle_mw = 0.00001>]>} {
}
