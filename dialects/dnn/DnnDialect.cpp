//===- DnnDialect.cpp - dnn dialect registration --------------------------===//
#include "dialects/dnn/DnnDialect.h"
#include "dialects/dnn/DnnOps.h"

using namespace mlir;
using namespace dnnopt::dnn;

#include "dialects/dnn/DnnDialect.cpp.inc"
#include "dialects/dnn/DnnEnums.cpp.inc"

void DnnDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/dnn/DnnOps.cpp.inc"
      >();
}

Operation *DnnDialect::materializeConstant(OpBuilder &builder, Attribute value, Type type,
                                           Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, elements);
}

#define GET_OP_CLASSES
#include "dialects/dnn/DnnOps.cpp.inc"
