//===- CostModelTest.cpp - hardware cost formulas, targets, interface ------===//
//
// The formulas against hand-computed values for one or more layers per built-in
// target, the op interface on dnn ops, one formula differentiated with a dual
// number (checked against finite differences), target parsing and its errors,
// and the calibration fit.
//
//===----------------------------------------------------------------------===//
#include "dialects/dnn/DnnOps.h"
#include "dialects/hw/Calibration.h"
#include "dialects/hw/CostAnalysis.h"
#include "dialects/hw/CostFormulas.h"
#include "dialects/hw/DnnCostModels.h"
#include "dialects/hw/Dual.h"
#include "dialects/hw/HwAttrs.h"
#include "dialects/hw/HwDialect.h"
#include "dialects/hw/HwInterfaces.h"
#include "dialects/hw/TargetModel.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace mlir;
using namespace dnnopt;
using namespace dnnopt::hw;

namespace {
struct Cost : ::testing::Test {
  Cost() {
    DialectRegistry registry;
    registerCostModelInterfaces(registry);
    ctx.appendDialectRegistry(registry);
    ctx.loadDialect<dnn::DnnDialect, HwDialect, func::FuncDialect>();
  }
  TargetModel target(StringRef name) {
    TargetAttr t = getBuiltinTarget(&ctx, name);
    EXPECT_TRUE(t) << name.str();
    return buildTargetModel(t);
  }
  const UnitModel &unit(const TargetModel &t, StringRef name) {
    int i = t.findUnit(name);
    EXPECT_GE(i, 0) << name.str();
    return t.units[i];
  }
  MLIRContext ctx;
};

/// conv 16 -> 32, 3x3, on a 16x16 output (same padding), no bias.
LayerGeometry conv16to32() {
  LayerGeometry g;
  g.kind = LayerKind::Conv;
  g.cin = 16, g.cout = 32;
  g.kx = g.ky = 3;
  g.ix = g.iy = g.ox = g.oy = 16;
  return g;
}
LayerGeometry depthwise32() {
  LayerGeometry g = conv16to32();
  g.kind = LayerKind::DepthwiseConv;
  g.cin = g.cout = g.groups = 32;
  return g;
}
/// fully connected 2048 -> 10 with bias, one row.
LayerGeometry fc2048to10() {
  LayerGeometry g;
  g.kind = LayerKind::Linear;
  g.cin = 2048, g.cout = 10;
  g.bias = true;
  return g;
}

constexpr Precision a8w8{8, 8};
} // namespace

//===----------------------------------------------------------------------===//
// Hand-computed layers, per target
//===----------------------------------------------------------------------===//

TEST_F(Cost, CountsAreTargetIndependent) {
  TargetModel t = target("stm32l4");
  LayerCost<double> c = layerCost(conv16to32(), t.units[0], a8w8);
  EXPECT_EQ(c.macs, 16.0 * 16 * 9 * 16 * 32);      // 1179648
  EXPECT_EQ(c.params, 32.0 * 16 * 9);              // 4608
  EXPECT_EQ(c.paramBytes, 4608.0);                 // 8-bit weights
  EXPECT_EQ(c.actBytes, 16.0 * 256 + 32.0 * 256);  // input + output at 8 bits
  LayerCost<double> f = layerCost(fc2048to10(), t.units[0], Precision{8, 4});
  EXPECT_EQ(f.params, 20480.0 + 10);
  EXPECT_EQ(f.paramBytes, 20480.0 / 2 + 10 * 4); // packed 4-bit weights + 32-bit bias
  EXPECT_EQ(f.actBytes, 2048.0 + 10);
}

TEST_F(Cost, Stm32l4CortexM4) {
  TargetModel t = target("stm32l4");
  const UnitModel &cpu = unit(t, "cpu");
  // conv (calibrated int8 row): 0.923 * 1179648 + 18.22 * 8192 outputs + 0.
  const double convCycles = 0.923 * 1179648 + 18.22 * 8192; // 1238073.344
  LayerCost<double> c = layerCost(conv16to32(), cpu, a8w8);
  EXPECT_DOUBLE_EQ(c.cycles, convCycles);
  EXPECT_DOUBLE_EQ(c.latencyMs, convCycles / 120e3);
  EXPECT_DOUBLE_EQ(c.energyUJ, 12.3 * convCycles / 120e3);
  // depthwise: 2.5 * 73728 + 12 * 8192 + 200; float32 conv (calibrated row):
  // 1.635 * MACs + 10.12 * outputs + 29417.
  EXPECT_DOUBLE_EQ(layerCost(depthwise32(), cpu, a8w8).cycles, 282824.0);
  EXPECT_DOUBLE_EQ(layerCost(conv16to32(), cpu, Precision{32, 32}).cycles,
                   1.635 * 1179648 + 10.12 * 8192 + 29417);
}

TEST_F(Cost, Stm32h7CortexM7) {
  TargetModel t = target("stm32h7");
  const UnitModel &cpu = unit(t, "cpu");
  // fc: 0.6 * 20480 + 6 * 10 + 80.
  EXPECT_DOUBLE_EQ(layerCost(fc2048to10(), cpu, a8w8).cycles, 12428.0);
  // conv with int4 weights: 1.1 * 1179648 + 8 * 8192 + 150.
  EXPECT_DOUBLE_EQ(layerCost(conv16to32(), cpu, Precision{8, 4}).cycles,
                   1.1 * 1179648 + 8 * 8192 + 150);
}

TEST_F(Cost, Gap8Cluster) {
  TargetModel t = target("gap8");
  const UnitModel &cl = unit(t, "cluster");
  // iter = ceil(16/2) ceil(16/8) = 16; 2*9*16 + ceil(32/4) (5 + 14 ceil(144/4) + 10) = 4440.
  EXPECT_DOUBLE_EQ(layerCost(conv16to32(), cl, a8w8).cycles, 16.0 * 4440);
  // Odd sizes: ox 5, oy 3, 3 -> 6 channels: iter = 3 * 1; 54 + ceil(6/4) (5 + 14*7 + 10) = 280.
  LayerGeometry odd = conv16to32();
  odd.ox = odd.ix = 5, odd.oy = odd.iy = 3, odd.cin = 3, odd.cout = 6;
  EXPECT_DOUBLE_EQ(layerCost(odd, cl, a8w8).cycles, 3.0 * 280);
  // depthwise: 4 ceil(32/4) 16*16*9; linear: ceil(2048/2) ceil(10/4).
  EXPECT_DOUBLE_EQ(layerCost(depthwise32(), cl, a8w8).cycles, 73728.0);
  EXPECT_DOUBLE_EQ(layerCost(fc2048to10(), cl, a8w8).cycles, 3072.0);
  // Fabric controller: 2 MAC/cycle at 250 MHz, 10 mW.
  LayerCost<double> fc = layerCost(depthwise32(), unit(t, "fc"), a8w8);
  EXPECT_DOUBLE_EQ(fc.cycles, 36864.0);
  EXPECT_DOUBLE_EQ(fc.energyUJ, 10.0 * 36864.0 / 250e3);
}

TEST_F(Cost, DianaDigitalAndAnalog) {
  TargetModel t = target("diana");
  // ceil(32/16)*16*ceil(16/16)*16*9 + 16*16*(32+16)/8 = 4608 + 1536.
  LayerCost<double> d = layerCost(conv16to32(), unit(t, "digital"), a8w8);
  EXPECT_DOUBLE_EQ(d.cycles, 6144.0);
  // Power while the digital unit runs: base 11.31 + 13.65 = 24.96 mW (published "digital").
  EXPECT_DOUBLE_EQ(d.energyUJ, 24.96 * 6144.0 / 260e3);
  EXPECT_DOUBLE_EQ(layerCost(fc2048to10(), unit(t, "digital"), a8w8).cycles,
                   2048.0 + (10 + 2048) / 8.0);
  // Analog, ternary weights: ceil(144/1152) ceil(32/512) 256 + 8*16*ceil(32/512) = 384.
  LayerCost<double> a = layerCost(conv16to32(), unit(t, "analog"), Precision{8, 2});
  EXPECT_DOUBLE_EQ(a.cycles, 384.0);
  EXPECT_DOUBLE_EQ(a.energyUJ, 28.74 * 384.0 / 260e3); // published "analog" 28.74 mW
  EXPECT_DOUBLE_EQ(a.paramBytes, 4608.0 * 2 / 8);
  // A large layer tiles the array: Cin*k = 2304 -> 2 row tiles, Cout 600 -> 2 column tiles.
  LayerGeometry big = conv16to32();
  big.cin = 256, big.cout = 600, big.ox = big.oy = 4;
  EXPECT_DOUBLE_EQ(layerCost(big, unit(t, "analog"), Precision{8, 2}).cycles,
                   2.0 * 2 * 16 + 8.0 * 256 * 2);
  // Both accelerators together: base + both active = 42.39 mW (published "both").
  EXPECT_NEAR(t.baseMW + unit(t, "digital").activeMW + unit(t, "analog").activeMW, 42.39, 1e-12);
}

TEST_F(Cost, MpicThroughputTable) {
  TargetModel t = target("mpic");
  const UnitModel &cpu = unit(t, "cpu");
  const double table[3][3] = {{6.5, 4.0, 2.2}, {3.9, 3.5, 2.1}, {2.5, 2.3, 2.1}};
  const int bits[3] = {2, 4, 8};
  for (int a = 0; a < 3; ++a)
    for (int w = 0; w < 3; ++w)
      EXPECT_DOUBLE_EQ(layerCost(conv16to32(), cpu, Precision{bits[a], bits[w]}).cycles,
                       1179648.0 / table[a][w])
          << "a" << bits[a] << "w" << bits[w];
  // w0 (pruned) costs nothing.
  LayerCost<double> pruned = layerCost(conv16to32(), cpu, Precision{8, 0});
  EXPECT_EQ(pruned.cycles, 0.0);
  EXPECT_EQ(pruned.paramBytes, 0.0);
}

TEST_F(Cost, UnitsRejectWhatTheyCannotRun) {
  TargetModel diana = target("diana");
  std::string why;
  EXPECT_FALSE(canRun(depthwise32(), unit(diana, "analog"), Precision{8, 2}, &why));
  EXPECT_EQ(why, "unit 'analog' (diana_analog) does not run depthwise_conv layers");
  LayerGeometry pool;
  pool.kind = LayerKind::Pool;
  EXPECT_FALSE(canRun(pool, unit(diana, "digital"), a8w8, &why));
  EXPECT_TRUE(canRun(pool, unit(diana, "host"), Precision{8, 2}, &why)); // activations only
  EXPECT_FALSE(canRun(conv16to32(), unit(target("mpic"), "cpu"), Precision{32, 32}, &why));
  EXPECT_EQ(why, "unit 'cpu' does not run a32w32 (it runs a2w2, a2w4, a2w8, a4w2, a4w4, a4w8, "
                 "a8w2, a8w4, a8w8)");
}

//===----------------------------------------------------------------------===//
// Differentiable evaluation
//===----------------------------------------------------------------------===//

TEST(CostGradient, CeilIsStraightThrough) {
  Dual x = Dual::variable(2.3);
  Dual y = ceilST(x);
  EXPECT_EQ(y.v, 3.0);
  EXPECT_EQ(y.d, 1.0);
  EXPECT_EQ(ceilST(2.3), 3.0);
}

TEST_F(Cost, DualMatchesFiniteDifferences) {
  // The Cortex-M4 latency and energy of the conv as functions of fractional
  // Cout (and then Cin): one formula, evaluated with double and with Dual.
  TargetModel t = target("stm32l4");
  const UnitModel &cpu = unit(t, "cpu");
  LayerGeometry g = conv16to32();
  const double cin = 13.7, cout = 21.3, h = 1e-4;
  auto energy = [&](double ci, double co) {
    return layerCost<double>(g, cpu, a8w8, ci, co).energyUJ;
  };
  LayerCost<Dual> dCout = layerCost<Dual>(g, cpu, a8w8, Dual(cin), Dual::variable(cout));
  double fd = (energy(cin, cout + h) - energy(cin, cout - h)) / (2 * h);
  EXPECT_NEAR(dCout.energyUJ.v, energy(cin, cout), 1e-9);
  EXPECT_NEAR(dCout.energyUJ.d, fd, 1e-6 * std::fabs(fd));
  LayerCost<Dual> dCin = layerCost<Dual>(g, cpu, a8w8, Dual::variable(cin), Dual(cout));
  fd = (energy(cin + h, cout) - energy(cin - h, cout)) / (2 * h);
  EXPECT_NEAR(dCin.energyUJ.d, fd, 1e-6 * std::fabs(fd));
  // Parameter bytes (the size cost of the searches) and MACs: bilinear in Cin, Cout.
  EXPECT_NEAR(dCout.paramBytes.d, cin * 9, 1e-9);
  EXPECT_NEAR(dCout.macs.d, 16.0 * 16 * 9 * cin, 1e-6);
  // MPIC: cycles = MACs / T[a][w] at a4w4.
  const UnitModel &mpic = target("mpic").units[0];
  LayerCost<Dual> m = layerCost<Dual>(g, mpic, Precision{4, 4}, Dual(cin), Dual::variable(cout));
  EXPECT_NEAR(m.cycles.d, 16.0 * 16 * 9 * cin / 3.5, 1e-6);
}

TEST_F(Cost, DualThroughPublishedFormulaUsesStraightThroughCeil) {
  // GAP8 linear: ceil(Cin/2) ceil(Cout/4): d/dCout = ceil(Cin/2) / 4 with the
  // straight-through ceil, and the value is the plain formula's.
  const UnitModel &cl = unit(target("gap8"), "cluster");
  LayerGeometry g = fc2048to10();
  LayerCost<Dual> c = layerCost<Dual>(g, cl, a8w8, Dual(2048.0), Dual::variable(9.5));
  EXPECT_EQ(c.cycles.v, 1024.0 * 3);
  EXPECT_DOUBLE_EQ(c.cycles.d, 1024.0 / 4);
  // The interface's templated entry point gives the same numbers.
  EXPECT_EQ(c.cycles.v, layerCost<double>(g, cl, a8w8, 2048.0, 9.5).cycles);
}

//===----------------------------------------------------------------------===//
// Op interface
//===----------------------------------------------------------------------===//

TEST_F(Cost, InterfaceOnDnnOps) {
  const char *ir = R"(
    func.func @f(%x: tensor<1x16x16x16xf32>) -> tensor<1x32x16x16xf32> {
      %w = dnn.constant dense<0.5> : tensor<32x16x3x3xf32>
      %c = dnn.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x16x16x16xf32>, tensor<32x16x3x3xf32>) -> tensor<1x32x16x16xf32>
      return %c : tensor<1x32x16x16xf32>
    })";
  OwningOpRef<ModuleOp> m = parseSourceString<ModuleOp>(ir, &ctx);
  ASSERT_TRUE(m);
  dnn::ConvOp conv;
  m->walk([&](dnn::ConvOp c) { conv = c; });
  auto iface = dyn_cast<CostModelOpInterface>(conv.getOperation());
  ASSERT_TRUE(iface);
  LayerGeometry g = iface.getLayerGeometry();
  EXPECT_EQ(g.kind, LayerKind::Conv);
  EXPECT_EQ(g.cin, 16);
  EXPECT_EQ(g.cout, 32);
  EXPECT_EQ(g.kx * g.ky, 9);
  EXPECT_EQ(g.ox * g.oy, 256);
  const UnitModel &cl = unit(target("gap8"), "cluster");
  EXPECT_DOUBLE_EQ(iface.cost(cl, a8w8).cycles, 71040.0);
  EXPECT_DOUBLE_EQ(iface.cost<Dual>(cl, a8w8, Dual(16.0), Dual::variable(32.0)).cycles.v, 71040.0);
  // The constant has no cost model.
  EXPECT_FALSE(isa<CostModelOpInterface>(conv.getWeight().getDefiningOp()));
}

TEST_F(Cost, EveryDnnOpButConstantHasACostModel) {
  OpBuilder b(&ctx);
  for (RegisteredOperationName name : ctx.getRegisteredOperations()) {
    if (name.getDialectNamespace() != "dnn") continue;
    bool has = name.hasInterface<CostModelOpInterface>();
    EXPECT_EQ(has, name.getStringRef() != "dnn.constant") << name.getStringRef().str();
  }
}

//===----------------------------------------------------------------------===//
// Targets
//===----------------------------------------------------------------------===//

TEST_F(Cost, BuiltinTargetsParseAndRoundTrip) {
  for (StringRef name : builtinTargetNames()) {
    TargetAttr t = getBuiltinTarget(&ctx, name);
    ASSERT_TRUE(t) << name.str();
    EXPECT_EQ(t.getName(), name);
    std::string text;
    llvm::raw_string_ostream os(text);
    os << t;
    std::string error;
    EXPECT_EQ(parseTargetText(&ctx, text, "roundtrip", error), t) << error;
  }
  EXPECT_FALSE(getBuiltinTarget(&ctx, "stm32f0"));
}

TEST_F(Cost, TargetResolutionErrors) {
  std::string error;
  EXPECT_FALSE(resolveTarget(&ctx, "m4", "", error));
  EXPECT_EQ(error, "unknown target 'm4'; known targets: stm32l4, stm32h7, gap8, diana, mpic (or "
                   "describe your own with --target-file)");
  // Comments and leading blank lines are allowed; errors point into the text.
  const char *bad = "// my board\n\n  #hw.target<name = \"b\", units = [], memories = []>\n";
  EXPECT_FALSE(parseTargetText(&ctx, bad, "board.hwt", error));
  EXPECT_EQ(error, "board.hwt:3:13: target 'b': needs at least one compute unit\n"
                   "  #hw.target<name = \"b\", units = [], memories = []>\n"
                   "            ^");
  EXPECT_FALSE(parseTargetText(&ctx, "#hw.memory<name = \"m\", kind = ram, size = 1>", "m.hwt", error));
  EXPECT_EQ(error, "m.hwt: expected a #hw.target<...> attribute");
  EXPECT_FALSE(parseTargetFile(&ctx, "/nonexistent/board.hwt", error));
  EXPECT_NE(error.find("/nonexistent/board.hwt: cannot read target file"), std::string::npos);
  const char *good = "// c\n#hw.target<name = \"ok\", // the name\n units = [#hw.unit<name = \"c\", "
                     "kind = cpu, freq_mhz = 1, model = \"cortex_m4\", precisions = "
                     "[#hw.precision<a = 8, w = 8>]>], memories = [#hw.memory<name = \"r\", kind = "
                     "ram, size = 10>]>";
  TargetAttr ok = parseTargetText(&ctx, good, "ok.hwt", error);
  ASSERT_TRUE(ok) << error;
  EXPECT_EQ(ok.getName(), "ok");
}

TEST(CostPrecision, Parse) {
  EXPECT_EQ(*parsePrecision("a8w4"), (Precision{8, 4}));
  EXPECT_EQ(*parsePrecision("a32w32"), (Precision{32, 32}));
  EXPECT_EQ(*parsePrecision("a8w0"), (Precision{8, 0}));
  EXPECT_FALSE(parsePrecision("8bit"));
  EXPECT_FALSE(parsePrecision("a0w8"));
  EXPECT_FALSE(parsePrecision("a8w"));
}

TEST(CostReals, ShortestExactForm) {
  EXPECT_EQ(hw::detail::formatReal(120), "120");
  EXPECT_EQ(hw::detail::formatReal(24.96), "24.96");
  EXPECT_EQ(hw::detail::formatReal(1e-5), "1.0e-05");
  EXPECT_EQ(hw::detail::formatReal(0.1 + 0.2), "0.3"); // 12 significant digits at most
}

//===----------------------------------------------------------------------===//
// Analysis and memory fit
//===----------------------------------------------------------------------===//

TEST_F(Cost, MemoryFitNamesTheNumbers) {
  const char *ir = R"(
    func.func @f(%x: tensor<1x2048xf32>) -> tensor<1x10xf32> {
      %w = dnn.constant dense<0.5> : tensor<2048x10xf32>
      %g = dnn.gemm %x, %w : (tensor<1x2048xf32>, tensor<2048x10xf32>) -> tensor<1x10xf32> loc("fc1")
      return %g : tensor<1x10xf32>
    })";
  OwningOpRef<ModuleOp> m = parseSourceString<ModuleOp>(ir, &ctx);
  ASSERT_TRUE(m);
  std::string error;
  TargetAttr t = parseTargetText(&ctx, R"(#hw.target<name = "small",
      units = [#hw.unit<name = "cpu", kind = cpu, freq_mhz = 10, model = "cortex_m4",
                        precisions = [#hw.precision<a = 8, w = 8>]>],
      memories = [#hw.memory<name = "flash", kind = flash, size = 16384>,
                  #hw.memory<name = "sram", kind = ram, size = 4096>]>)",
                                 "small", error);
  ASSERT_TRUE(t) << error;
  std::optional<ModelEstimate> e = estimateModelCost(*m, buildTargetModel(t), {});
  ASSERT_TRUE(e);
  ASSERT_EQ(e->layers.size(), 1u);
  EXPECT_EQ(e->layers[0].name, "fc1");
  EXPECT_DOUBLE_EQ(e->paramBytes, 20480.0);
  MemoryFit fit = checkMemoryFit(*e, 5000, "fc1");
  EXPECT_FALSE(fit.fits);
  ASSERT_EQ(fit.errors.size(), 2u);
  EXPECT_EQ(fit.errors[0], "weights need 20.0 KiB but flash holds 16.0 KiB; the largest layer, "
                           "'fc1', holds 20.0 KiB");
  EXPECT_EQ(fit.errors[1], "peak RAM 4.9 KiB (activation arena, at its peak at layer 'fc1') "
                           "exceeds sram (4.0 KiB)");
  EXPECT_TRUE(checkMemoryFit(*e, 1000, "fc1").errors.size() == 1);
}

//===----------------------------------------------------------------------===//
// Calibration hook
//===----------------------------------------------------------------------===//

TEST(CostCalibration, RecoversKnownConstants) {
  std::vector<CycleSample> s;
  for (double macs : {1e3, 5e4, 2e5, 7e5})
    for (double outs : {64.0, 512.0, 4096.0}) s.push_back({macs, outs, 1.5 * macs + 12 * outs + 200});
  std::optional<CycleFit> fit = fitLinearCycles(s);
  ASSERT_TRUE(fit);
  EXPECT_NEAR(fit->coefficients.perMac, 1.5, 1e-9);
  EXPECT_NEAR(fit->coefficients.perOutput, 12, 1e-6);
  EXPECT_NEAR(fit->coefficients.perCall, 200, 1e-4);
  EXPECT_NEAR(fit->r2, 1.0, 1e-12);
  EXPECT_LT(fit->worstRelativeError, 1e-9);
  // One outlier: R^2 below 1 and the worst layer is the outlier.
  s[0].cycles *= 3;
  fit = fitLinearCycles(s);
  ASSERT_TRUE(fit);
  EXPECT_LT(fit->r2, 1.0);
  EXPECT_GT(fit->worstRelativeError, 0.5);
  EXPECT_EQ(fit->worstSample, 0u);
  // Collinear columns (outputs proportional to MACs) fall back to perMac + perCall.
  std::vector<CycleSample> c = {{100, 10, 350}, {200, 20, 500}, {400, 40, 800}};
  fit = fitLinearCycles(c);
  ASSERT_TRUE(fit);
  EXPECT_NEAR(fit->coefficients.perMac, 1.5, 1e-9);
  EXPECT_EQ(fit->coefficients.perOutput, 0.0);
  EXPECT_NEAR(fit->coefficients.perCall, 200, 1e-6);
  EXPECT_FALSE(fitLinearCycles({}));
}
