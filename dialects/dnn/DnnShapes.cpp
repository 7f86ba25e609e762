//===- DnnShapes.cpp - result type inference of dnn ops -------------------===//
//
// One inferReturnTypes per op. Each checks the operands it depends on and reports
// what is wrong; the verifier (through InferTypeOpInterface) compares the inferred
// type with the op's result type, and the ONNX importer uses the same functions
// to type the ops it creates.
//
//===----------------------------------------------------------------------===//
#include "dialects/dnn/DnnOps.h"
#include "dialects/dnn/DnnShapeUtils.h"

#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"

using namespace mlir;
using namespace dnnopt::dnn;

using namespace dnnopt::dnn::detail;

std::string dnnopt::dnn::detail::shapeStr(ArrayRef<int64_t> s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += ",";
    out += s[i] == ShapedType::kDynamic ? std::string("?") : std::to_string(s[i]);
  }
  return out + "]";
}

/// The ranked, static tensor type of `v`, or an error naming `what`.
FailureOr<RankedTensorType> dnnopt::dnn::detail::staticType(Loc loc, Value v, StringRef what) {
  auto t = v ? dyn_cast<RankedTensorType>(v.getType()) : RankedTensorType();
  if (!t)
    return emitOptionalError(loc, what, " must be a ranked tensor");
  if (!t.hasStaticShape())
    return emitOptionalError(loc, what, " has dynamic shape ", shapeStr(t.getShape()),
                             "; dynamic dimensions must be resolved first (--input-shape)");
  return t;
}

LogicalResult dnnopt::dnn::detail::checkSpatialAttrs(Loc loc, size_t spatial, ArrayRef<int64_t> strides,
                                ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads) {
  if (strides.size() != spatial)
    return emitOptionalError(loc, "expected ", spatial, " strides, got ", strides.size());
  if (dilations.size() != spatial)
    return emitOptionalError(loc, "expected ", spatial, " dilations, got ", dilations.size());
  if (pads.size() != 2 * spatial)
    return emitOptionalError(loc, "expected ", 2 * spatial, " pads, got ", pads.size());
  for (int64_t s : strides)
    if (s < 1) return emitOptionalError(loc, "strides must be >= 1, got ", s);
  for (int64_t d : dilations)
    if (d < 1) return emitOptionalError(loc, "dilations must be >= 1, got ", d);
  for (int64_t p : pads)
    if (p < 0) return emitOptionalError(loc, "pads must be >= 0, got ", p);
  return success();
}

/// Output shape N x M x spatial of a sliding window over `in` (N x C x spatial).
FailureOr<SmallVector<int64_t>> dnnopt::dnn::detail::windowShape(Loc loc, ArrayRef<int64_t> in, int64_t outChannels,
                                            ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                                            ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads,
                                            bool ceilMode) {
  size_t s = in.size() - 2;
  SmallVector<int64_t> out{in[0], outChannels};
  for (size_t i = 0; i < s; ++i) {
    int64_t o = windowOutputSize(in[2 + i], kernel[i], strides[i], dilations[i], pads[i],
                                 pads[s + i], ceilMode);
    if (o < 1)
      return emitOptionalError(loc, "window of size ", kernel[i], " (dilation ", dilations[i],
                               ") does not fit spatial axis ", i, " of size ", in[2 + i],
                               " with pads ", pads[i], ",", pads[s + i]);
    out.push_back(o);
  }
  return out;
}

LogicalResult dnnopt::dnn::detail::checkPerChannel(Loc loc, Value v, int64_t channels, StringRef what) {
  auto t = staticType(loc, v, what);
  if (failed(t)) return failure();
  if (t->getRank() != 1 || t->getDimSize(0) != channels)
    return emitOptionalError(loc, what, " must have shape [", channels, "], got ",
                             shapeStr(t->getShape()));
  return success();
}

/// Shared by conv and qlinear_conv.
FailureOr<SmallVector<int64_t>> dnnopt::dnn::detail::convShape(Loc loc, RankedTensorType x, RankedTensorType w,
                                          Value bias, ArrayRef<int64_t> strides,
                                          ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads,
                                          int64_t group) {
  if (x.getRank() < 3)
    return emitOptionalError(loc, "input must be N x C x spatial (rank >= 3), got rank ",
                             x.getRank());
  if (w.getRank() != x.getRank())
    return emitOptionalError(loc, "weight rank ", w.getRank(), " does not match input rank ",
                             x.getRank());
  size_t s = x.getRank() - 2;
  if (failed(checkSpatialAttrs(loc, s, strides, dilations, pads))) return failure();
  int64_t c = x.getDimSize(1), m = w.getDimSize(0);
  if (group < 1 || c % group != 0 || m % group != 0)
    return emitOptionalError(loc, "group ", group, " must divide input channels ", c,
                             " and output channels ", m);
  if (w.getDimSize(1) * group != c)
    return emitOptionalError(loc, "weight ", shapeStr(w.getShape()), " expects ",
                             w.getDimSize(1) * group, " input channels (group ", group,
                             "), input has ", c);
  if (bias && failed(checkPerChannel(loc, bias, m, "bias"))) return failure();
  return windowShape(loc, x.getShape(), m, w.getShape().drop_front(2), strides, dilations, pads,
                     false);
}

namespace {
/// Numpy matmul shape, shared by matmul and qlinear_matmul.
FailureOr<SmallVector<int64_t>> matmulShape(Loc loc, ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  if (a.empty() || b.empty())
    return emitOptionalError(loc, "matmul operands must have rank >= 1");
  SmallVector<int64_t> as(a), bs(b);
  bool squeezeA = as.size() == 1, squeezeB = bs.size() == 1;
  if (squeezeA) as.insert(as.begin(), 1);
  if (squeezeB) bs.push_back(1);
  int64_t k1 = as.back(), k2 = bs[bs.size() - 2];
  if (k1 != k2)
    return emitOptionalError(loc, "matmul contraction mismatch: ", shapeStr(a), " x ",
                             shapeStr(b));
  auto batch = broadcastShapes(ArrayRef<int64_t>(as).drop_back(2),
                               ArrayRef<int64_t>(bs).drop_back(2));
  if (failed(batch))
    return emitOptionalError(loc, "matmul batch dimensions do not broadcast: ", shapeStr(a),
                             " x ", shapeStr(b));
  SmallVector<int64_t> out(*batch);
  if (!squeezeA) out.push_back(as[as.size() - 2]);
  if (!squeezeB) out.push_back(bs.back());
  return out;
}

LogicalResult sameElementType(Loc loc, Type a, Type b, StringRef what) {
  if (getElementTypeOrSelf(a) != getElementTypeOrSelf(b))
    return emitOptionalError(loc, what, " element types differ: ", getElementTypeOrSelf(a),
                             " vs ", getElementTypeOrSelf(b));
  return success();
}

LogicalResult checkScalarOrAxis(Loc loc, Value v, RankedTensorType x, int64_t axis,
                                StringRef what) {
  auto t = staticType(loc, v, what);
  if (failed(t)) return failure();
  if (t->getNumElements() == 1 && t->getRank() <= 1) return success();
  if (t->getRank() != 1)
    return emitOptionalError(loc, what, " must be a scalar or 1-D, got ", shapeStr(t->getShape()));
  if (axis < 0 || axis >= x.getRank() || x.getDimSize(axis) != t->getDimSize(0))
    return emitOptionalError(loc, "per-axis ", what, " of size ", t->getDimSize(0),
                             " does not match axis ", axis, " of input ",
                             shapeStr(x.getShape()));
  return success();
}

template <typename Adaptor>
LogicalResult inferBinary(Loc loc, Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto l = staticType(loc, adaptor.getLhs(), "lhs");
  auto r = staticType(loc, adaptor.getRhs(), "rhs");
  if (failed(l) || failed(r)) return failure();
  if (failed(sameElementType(loc, *l, *r, "operand"))) return failure();
  auto shape = broadcastShapes(l->getShape(), r->getShape());
  if (failed(shape))
    return emitOptionalError(loc, "shapes ", shapeStr(l->getShape()), " and ",
                             shapeStr(r->getShape()), " do not broadcast");
  types.push_back(RankedTensorType::get(*shape, l->getElementType()));
  return success();
}

template <typename Adaptor>
LogicalResult inferReduce(Loc loc, Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto x = staticType(loc, adaptor.getInput(), "input");
  if (failed(x)) return failure();
  ArrayRef<int64_t> axes = adaptor.getAxes();
  if (axes.empty()) return emitOptionalError(loc, "axes must not be empty");
  for (size_t i = 0; i < axes.size(); ++i) {
    if (axes[i] < 0 || axes[i] >= x->getRank())
      return emitOptionalError(loc, "axis ", axes[i], " out of range for rank ", x->getRank());
    if (i && axes[i] <= axes[i - 1])
      return emitOptionalError(loc, "axes must be strictly increasing");
  }
  SmallVector<int64_t> out;
  for (int64_t d = 0; d < x->getRank(); ++d) {
    if (!llvm::is_contained(axes, d)) out.push_back(x->getDimSize(d));
    else if (adaptor.getKeepdims()) out.push_back(1);
  }
  types.push_back(RankedTensorType::get(out, x->getElementType()));
  return success();
}

template <typename Adaptor>
LogicalResult inferGlobalPool(Loc loc, Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto x = staticType(loc, adaptor.getInput(), "input");
  if (failed(x)) return failure();
  if (x->getRank() < 3)
    return emitOptionalError(loc, "input must be N x C x spatial (rank >= 3), got rank ",
                             x->getRank());
  SmallVector<int64_t> out(x->getShape());
  for (size_t i = 2; i < out.size(); ++i) out[i] = 1;
  types.push_back(RankedTensorType::get(out, x->getElementType()));
  return success();
}
} // namespace

//===----------------------------------------------------------------------===//
// Shared helpers
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<int64_t>> dnnopt::dnn::broadcastShapes(ArrayRef<int64_t> a,
                                                             ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da == db || db == 1) out[i] = da;
    else if (da == 1) out[i] = db;
    else return failure();
  }
  return out;
}

int64_t dnnopt::dnn::broadcastIndex(ArrayRef<int64_t> out, ArrayRef<int64_t> shape, int64_t flat) {
  int64_t idx = 0, stride = 1;
  for (int64_t d = (int64_t)out.size() - 1, s = (int64_t)shape.size() - 1; d >= 0; --d, --s) {
    int64_t coord = flat % out[d];
    flat /= out[d];
    if (s >= 0) {
      if (shape[s] != 1) idx += coord * stride;
      stride *= shape[s];
    }
  }
  return idx;
}

int64_t dnnopt::dnn::windowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                                      int64_t dilation, int64_t padBegin, int64_t padEnd,
                                      bool ceilMode) {
  int64_t effective = (kernel - 1) * dilation + 1;
  int64_t span = in + padBegin + padEnd - effective;
  if (kernel < 1 || span < 0) return 0;
  if (!ceilMode) return span / stride + 1;
  int64_t out = (span + stride - 1) / stride + 1;
  // The last window must start inside the input or the begin padding.
  if ((out - 1) * stride >= in + padBegin) --out;
  return out;
}

//===----------------------------------------------------------------------===//
// Per-op inference
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *, Loc loc, Adaptor adaptor,
                                           SmallVectorImpl<Type> &types) {
  auto value = adaptor.getValueAttr();
  if (!value) return emitOptionalError(loc, "missing value");
  auto t = dyn_cast<RankedTensorType>(value.getType());
  if (!t) return emitOptionalError(loc, "value must be a ranked tensor");
  types.push_back(t);
  return success();
}

LogicalResult ConvOp::inferReturnTypes(MLIRContext *, Loc loc, Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  auto x = staticType(loc, adaptor.getInput(), "input");
  auto w = staticType(loc, adaptor.getWeight(), "weight");
  if (failed(x) || failed(w)) return failure();
  if (failed(sameElementType(loc, *x, *w, "input and weight"))) return failure();
  auto out = convShape(loc, *x, *w, adaptor.getBias(), adaptor.getStrides(),
                       adaptor.getDilations(), adaptor.getPads(), adaptor.getGroup());
  if (failed(out)) return failure();
  types.push_back(RankedTensorType::get(*out, x->getElementType()));
  return success();
}

LogicalResult ConvTransposeOp::inferReturnTypes(MLIRContext *, Loc loc, Adaptor adaptor,
                                                SmallVectorImpl<Type> &types) {
  auto x = staticType(loc, adaptor.getInput(), "input");
  auto w = staticType(loc, adaptor.getWeight(), "weight");
  if (failed(x) || failed(w)) return failure();
  if (failed(sameElementType(loc, *x, *w, "input and weight"))) return failure();
  if (x->getRank() < 3 || w->getRank() != x->getRank())
    return emitOptionalError(loc, "input and weight must have the same rank >= 3");
  size_t s = x->getRank() - 2;
  if (failed(checkSpatialAttrs(loc, s, adaptor.getStrides(), adaptor.getDilations(),
                               adaptor.getPads())))
    return failure();
  ArrayRef<int64_t> outPad = adaptor.getOutputPadding();
  if (outPad.size() != s)
    return emitOptionalError(loc, "expected ", s, " output_padding values");
  int64_t g = adaptor.getGroup(), c = x->getDimSize(1);
  if (g < 1 || w->getDimSize(0) != c || c % g != 0)
    return emitOptionalError(loc, "weight ", shapeStr(w->getShape()),
                             " must have the input's ", c, " channels first, group ", g);
  int64_t m = w->getDimSize(1) * g;
  if (adaptor.getBias() && failed(checkPerChannel(loc, adaptor.getBias(), m, "bias")))
    return failure();
  SmallVector<int64_t> out{x->getDimSize(0), m};
  for (size_t i = 0; i < s; ++i) {
    int64_t o = adaptor.getStrides()[i] * (x->getDimSize(2 + i) - 1) + outPad[i] +
                (w->getDimSize(2 + i) - 1) * adaptor.getDilations()[i] + 1 -
                adaptor.getPads()[i] - adaptor.getPads()[s + i];
    if (o < 1) return emitOptionalError(loc, "output spatial axis ", i, " would be empty");
    out.push_back(o);
  }
  types.push_back(RankedTensorType::get(out, x->getElementType()));
  return success();
}

LogicalResult GemmOp::inferReturnTypes(MLIRContext *, Loc loc, Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  auto a = staticType(loc, adaptor.getA(), "A");
  auto b = staticType(loc, adaptor.getB(), "B");
  if (failed(a) || failed(b)) return failure();
  if (a->getRank() != 2 || b->getRank() != 2)
    return emitOptionalError(loc, "A and B must be 2-D, got ", shapeStr(a->getShape()), " and ",
                             shapeStr(b->getShape()));
  if (failed(sameElementType(loc, *a, *b, "A and B"))) return failure();
  int64_t m = a->getDimSize(adaptor.getTransA() ? 1 : 0);
  int64_t k = a->getDimSize(adaptor.getTransA() ? 0 : 1);
  int64_t k2 = b->getDimSize(adaptor.getTransB() ? 1 : 0);
  int64_t n = b->getDimSize(adaptor.getTransB() ? 0 : 1);
  if (k != k2)
    return emitOptionalError(loc, "inner dimensions differ: A ", shapeStr(a->getShape()),
                             (adaptor.getTransA() ? " (transposed)" : ""), " vs B ",
                             shapeStr(b->getShape()), (adaptor.getTransB() ? " (transposed)" : ""));
  if (Value c = adaptor.getC()) {
    auto ct = staticType(loc, c, "C");
    if (failed(ct)) return failure();
    auto bc = broadcastShapes({m, n}, ct->getShape());
    if (failed(bc) || (*bc)[0] != m || (*bc)[1] != n || ct->getRank() > 2)
      return emitOptionalError(loc, "C ", shapeStr(ct->getShape()),
                               " does not broadcast to [", m, ",", n, "]");
  }
  types.push_back(RankedTensorType::get({m, n}, a->getElementType()));
  return success();
}

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *, Loc loc, Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  auto a = staticType(loc, adaptor.getA(), "A");
  auto b = staticType(loc, adaptor.getB(), "B");
  if (failed(a) || failed(b)) return failure();
  if (failed(sameElementType(loc, *a, *b, "A and B"))) return failure();
  auto out = matmulShape(loc, a->getShape(), b->getShape());
  if (failed(out)) return failure();
  types.push_back(RankedTensorType::get(*out, a->getElementType()));
  return success();
}

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *, Loc loc, Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  auto x = staticType(loc, adaptor.getInput(), "input");
  if (failed(x)) return failure();
  if (x->getRank() < 2) return emitOptionalError(loc, "input must have rank >= 2");
  int64_t c = x->getDimSize(1);
  if (failed(checkPerChannel(loc, adaptor.getScale(), c, "scale")) ||
      failed(checkPerChannel(loc, adaptor.getBias(), c, "bias")) ||
      failed(checkPerChannel(loc, adaptor.getMean(), c, "mean")) ||
      failed(checkPerChannel(loc, adaptor.getVar(), c, "var")))
    return failure();
  types.push_back(*x);
  return success();
}

#define DNN_BINARY_INFER(OP)                                                                   \
  LogicalResult OP::inferReturnTypes(MLIRContext *, Loc loc, Adaptor adaptor,                  \
                                     SmallVectorImpl<Type> &types) {                           \
    return inferBinary(loc, adaptor, types);                                                   \
  }
DNN_BINARY_INFER(AddOp)
DNN_BINARY_INFER(SubOp)
DNN_BINARY_INFER(MulOp)
DNN_BINARY_INFER(DivOp)
DNN_BINARY_INFER(MaxOp)
DNN_BINARY_INFER(MinOp)
DNN_BINARY_INFER(PowOp)
DNN_BINARY_INFER(PReluOp)
#undef DNN_BINARY_INFER

LogicalResult MaxPoolOp::inferReturnTypes(MLIRContext *, Loc loc, Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  auto x = staticType(loc, adaptor.getInput(), "input");
  if (failed(x)) return failure();
  if (x->getRank() < 3) return emitOptionalError(loc, "input must have rank >= 3");
  size_t s = x->getRank() - 2;
  if (adaptor.getKernelShape().size() != s)
    return emitOptionalError(loc, "expected ", s, " kernel_shape values");
  if (failed(checkSpatialAttrs(loc, s, adaptor.getStrides(), adaptor.getDilations(),
                               adaptor.getPads())))
    return failure();
  auto out = windowShape(loc, x->getShape(), x->getDimSize(1), adaptor.getKernelShape(),
                         adaptor.getStrides(), adaptor.getDilations(), adaptor.getPads(),
                         adaptor.getCeilMode());
  if (failed(out)) return failure();
  types.push_back(RankedTensorType::get(*out, x->getElementType()));
  return success();
}

LogicalResult AvgPoolOp::inferReturnTypes(MLIRContext *, Loc loc, Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  auto x = staticType(loc, adaptor.getInput(), "input");
  if (failed(x)) return failure();
  if (x->getRank() < 3) return emitOptionalError(loc, "input must have rank >= 3");
  size_t s = x->getRank() - 2;
  SmallVector<int64_t> ones(s, 1);
  if (adaptor.getKernelShape().size() != s)
    return emitOptionalError(loc, "expected ", s, " kernel_shape values");
  if (failed(checkSpatialAttrs(loc, s, adaptor.getStrides(), ones, adaptor.getPads())))
    return failure();
  auto out = windowShape(loc, x->getShape(), x->getDimSize(1), adaptor.getKernelShape(),
                         adaptor.getStrides(), ones, adaptor.getPads(), adaptor.getCeilMode());
  if (failed(out)) return failure();
  types.push_back(RankedTensorType::get(*out, x->getElementType()));
  return success();
}

LogicalResult GlobalAvgPoolOp::inferReturnTypes(MLIRContext *, Loc loc, Adaptor adaptor,
                                                SmallVectorImpl<Type> &types) {
  return inferGlobalPool(loc, adaptor, types);
}
LogicalResult GlobalMaxPoolOp::inferReturnTypes(MLIRContext *, Loc loc, Adaptor adaptor,
                                                SmallVectorImpl<Type> &types) {
  return inferGlobalPool(loc, adaptor, types);
}

#define DNN_REDUCE_INFER(OP)                                                                   \
  LogicalResult OP::inferReturnTypes(MLIRContext *, Loc loc, Adaptor adaptor,                  \
                                     SmallVectorImpl<Type> &types) {                           \
    return inferReduce(loc, adaptor, types);                                                   \
  }
DNN_REDUCE_INFER(ReduceMeanOp)
DNN_REDUCE_INFER(ReduceMaxOp)
DNN_REDUCE_INFER(ReduceMinOp)
DNN_REDUCE_INFER(ReduceSumOp)
DNN_REDUCE_INFER(ReduceProdOp)
#undef DNN_REDUCE_INFER

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *, Loc loc, Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  auto x = staticType(loc, adaptor.getInput(), "input");
  if (failed(x)) return failure();
  ArrayRef<int64_t> shape = adaptor.getShape();
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) return emitOptionalError(loc, "target shape ", shapeStr(shape), " has a negative dimension");
    n *= d;
  }
  if (n != x->getNumElements())
    return emitOptionalError(loc, "cannot reshape ", shapeStr(x->getShape()), " (",
                             x->getNumElements(), " elements) to ", shapeStr(shape), " (", n,
                             " elements)");
  types.push_back(RankedTensorType::get(shape, x->getElementType()));
  return success();
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *, Loc loc, Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  auto x = staticType(loc, adaptor.getInput(), "input");
  if (failed(x)) return failure();
  ArrayRef<int64_t> perm = adaptor.getPerm();
  if ((int64_t)perm.size() != x->getRank())
    return emitOptionalError(loc, "perm has ", perm.size(), " entries for rank ", x->getRank());
  llvm::SmallSet<int64_t, 8> seen;
  SmallVector<int64_t> out;
  for (int64_t p : perm) {
    if (p < 0 || p >= x->getRank() || !seen.insert(p).second)
      return emitOptionalError(loc, "perm ", shapeStr(perm), " is not a permutation");
    out.push_back(x->getDimSize(p));
  }
  types.push_back(RankedTensorType::get(out, x->getElementType()));
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *, Loc loc, Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  if (adaptor.getInputs().empty()) return emitOptionalError(loc, "needs at least one input");
  auto first = staticType(loc, adaptor.getInputs()[0], "input 0");
  if (failed(first)) return failure();
  int64_t axis = adaptor.getAxis(), rank = first->getRank();
  if (axis < 0 || axis >= rank)
    return emitOptionalError(loc, "axis ", axis, " out of range for rank ", rank);
  SmallVector<int64_t> out(first->getShape());
  out[axis] = 0;
  for (auto [i, v] : llvm::enumerate(adaptor.getInputs())) {
    auto t = staticType(loc, v, "input");
    if (failed(t)) return failure();
    if (t->getElementType() != first->getElementType() || t->getRank() != rank)
      return emitOptionalError(loc, "input ", i, " type ", Type(*t), " does not match ", Type(*first));
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && t->getDimSize(d) != first->getDimSize(d))
        return emitOptionalError(loc, "input ", i, " shape ", shapeStr(t->getShape()),
                                 " differs from ", shapeStr(first->getShape()),
                                 " outside axis ", axis);
    out[axis] += t->getDimSize(axis);
  }
  types.push_back(RankedTensorType::get(out, first->getElementType()));
  return success();
}

LogicalResult SplitOp::inferReturnTypes(MLIRContext *, Loc loc, Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  auto x = staticType(loc, adaptor.getInput(), "input");
  if (failed(x)) return failure();
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= x->getRank())
    return emitOptionalError(loc, "axis ", axis, " out of range for rank ", x->getRank());
  int64_t total = 0;
  for (int64_t s : adaptor.getSizes()) {
    if (s < 0) return emitOptionalError(loc, "split sizes must be >= 0");
    total += s;
    SmallVector<int64_t> shape(x->getShape());
    shape[axis] = s;
    types.push_back(RankedTensorType::get(shape, x->getElementType()));
  }
  if (total != x->getDimSize(axis))
    return emitOptionalError(loc, "split sizes ", shapeStr(adaptor.getSizes()), " sum to ",
                             total, ", axis ", axis, " has ", x->getDimSize(axis));
  return success();
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *, Loc loc, Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  auto x = staticType(loc, adaptor.getInput(), "input");
  if (failed(x)) return failure();
  auto starts = adaptor.getStarts(), ends = adaptor.getEnds(), steps = adaptor.getSteps();
  size_t r = x->getRank();
  if (starts.size() != r || ends.size() != r || steps.size() != r)
    return emitOptionalError(loc, "starts/ends/steps need one entry per axis (", r, ")");
  SmallVector<int64_t> out;
  for (size_t i = 0; i < r; ++i) {
    int64_t d = x->getDimSize(i), st = starts[i], en = ends[i], sp = steps[i];
    if (sp == 0) return emitOptionalError(loc, "step of axis ", i, " is zero");
    int64_t n = sp > 0 ? (en - st + sp - 1) / sp : (st - en + (-sp) - 1) / (-sp);
    n = std::max<int64_t>(n, 0);
    if (n > 0) {
      int64_t last = st + (n - 1) * sp;
      if (st < 0 || st >= d || last < 0 || last >= d)
        return emitOptionalError(loc, "slice [", st, ":", en, ":", sp, ") of axis ", i,
                                 " leaves its extent ", d);
    }
    out.push_back(n);
  }
  types.push_back(RankedTensorType::get(out, x->getElementType()));
  return success();
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *, Loc loc, Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  auto x = staticType(loc, adaptor.getInput(), "input");
  if (failed(x)) return failure();
  ArrayRef<int64_t> pads = adaptor.getPads();
  size_t r = x->getRank();
  if (pads.size() != 2 * r)
    return emitOptionalError(loc, "expected ", 2 * r, " pads, got ", pads.size());
  SmallVector<int64_t> out;
  for (size_t i = 0; i < r; ++i) {
    int64_t d = x->getDimSize(i) + pads[i] + pads[r + i];
    if (d < 0) return emitOptionalError(loc, "pads crop axis ", i, " below zero");
    if (adaptor.getMode() == PadMode::reflect &&
        (pads[i] >= x->getDimSize(i) || pads[r + i] >= x->getDimSize(i)) &&
        (pads[i] > 0 || pads[r + i] > 0))
      return emitOptionalError(loc, "reflect pads must be smaller than axis ", i, " (",
                               x->getDimSize(i), ")");
    if (adaptor.getMode() == PadMode::edge && x->getDimSize(i) == 0 &&
        (pads[i] > 0 || pads[r + i] > 0))
      return emitOptionalError(loc, "edge padding of empty axis ", i);
    out.push_back(d);
  }
  types.push_back(RankedTensorType::get(out, x->getElementType()));
  return success();
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *, Loc loc, Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  auto x = staticType(loc, adaptor.getData(), "data");
  auto idx = staticType(loc, adaptor.getIndices(), "indices");
  if (failed(x) || failed(idx)) return failure();
  if (!idx->getElementType().isInteger())
    return emitOptionalError(loc, "indices must be integers, got ", idx->getElementType());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= x->getRank())
    return emitOptionalError(loc, "axis ", axis, " out of range for rank ", x->getRank());
  SmallVector<int64_t> out(x->getShape().take_front(axis));
  llvm::append_range(out, idx->getShape());
  llvm::append_range(out, x->getShape().drop_front(axis + 1));
  types.push_back(RankedTensorType::get(out, x->getElementType()));
  return success();
}

LogicalResult QuantizeLinearOp::inferReturnTypes(MLIRContext *ctx, Loc loc, Adaptor adaptor,
                                                 SmallVectorImpl<Type> &types) {
  auto x = staticType(loc, adaptor.getInput(), "input");
  if (failed(x)) return failure();
  int64_t axis = adaptor.getAxis(), bits = adaptor.getBits();
  if (bits != 2 && bits != 4 && bits != 8)
    return emitOptionalError(loc, "bits must be 2, 4 or 8, got ", bits);
  if (failed(checkScalarOrAxis(loc, adaptor.getScale(), *x, axis, "scale"))) return failure();
  Type elt = IntegerType::get(ctx, 8, IntegerType::Unsigned);
  if (Value zp = adaptor.getZeroPoint()) {
    if (failed(checkScalarOrAxis(loc, zp, *x, axis, "zero_point"))) return failure();
    elt = getElementTypeOrSelf(zp.getType());
    // i4 / i2 zero points make a sub-byte activation (signed, `bits` = its width).
    bool subByte = (elt.isSignlessInteger(4) || elt.isSignlessInteger(2));
    if (!elt.isInteger(8) && !subByte)
      return emitOptionalError(loc, "zero_point must be int8, uint8, i4 or i2, got ", elt);
    if (subByte && (int64_t)elt.getIntOrFloatBitWidth() != bits)
      return emitOptionalError(loc, "bits ", bits, " differs from the width of the ", elt,
                               " zero_point");
  }
  types.push_back(RankedTensorType::get(x->getShape(), elt));
  return success();
}

LogicalResult DequantizeLinearOp::inferReturnTypes(MLIRContext *, Loc loc, Adaptor adaptor,
                                                   SmallVectorImpl<Type> &types) {
  auto x = staticType(loc, adaptor.getInput(), "input");
  if (failed(x)) return failure();
  int64_t axis = adaptor.getAxis(), bits = adaptor.getBits();
  if (bits != 2 && bits != 4 && bits != 8 && bits != 32)
    return emitOptionalError(loc, "bits must be 2, 4, 8 or 32, got ", bits);
  if (!x->getElementType().isInteger())
    return emitOptionalError(loc, "input must be integer, got ", x->getElementType());
  if (failed(checkScalarOrAxis(loc, adaptor.getScale(), *x, axis, "scale"))) return failure();
  if (Value zp = adaptor.getZeroPoint()) {
    if (failed(checkScalarOrAxis(loc, zp, *x, axis, "zero_point"))) return failure();
    if (failed(sameElementType(loc, *x, zp.getType(), "input and zero_point"))) return failure();
  }
  types.push_back(RankedTensorType::get(x->getShape(),
                                        getElementTypeOrSelf(adaptor.getScale().getType())));
  return success();
}

LogicalResult QLinearConvOp::inferReturnTypes(MLIRContext *, Loc loc, Adaptor adaptor,
                                              SmallVectorImpl<Type> &types) {
  auto x = staticType(loc, adaptor.getX(), "x");
  auto w = staticType(loc, adaptor.getW(), "w");
  auto yzp = staticType(loc, adaptor.getYZeroPoint(), "y_zero_point");
  if (failed(x) || failed(w) || failed(yzp)) return failure();
  auto out = convShape(loc, *x, *w, adaptor.getBias(), adaptor.getStrides(),
                       adaptor.getDilations(), adaptor.getPads(), adaptor.getGroup());
  if (failed(out)) return failure();
  types.push_back(RankedTensorType::get(*out, yzp->getElementType()));
  return success();
}

LogicalResult QLinearMatMulOp::inferReturnTypes(MLIRContext *, Loc loc, Adaptor adaptor,
                                                SmallVectorImpl<Type> &types) {
  auto a = staticType(loc, adaptor.getA(), "a");
  auto b = staticType(loc, adaptor.getB(), "b");
  auto yzp = staticType(loc, adaptor.getYZeroPoint(), "y_zero_point");
  if (failed(a) || failed(b) || failed(yzp)) return failure();
  auto out = matmulShape(loc, a->getShape(), b->getShape());
  if (failed(out)) return failure();
  types.push_back(RankedTensorType::get(*out, yzp->getElementType()));
  return success();
}
