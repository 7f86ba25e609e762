//===- Hw.td - the hw dialect, all in one ---------------------------------===//
#ifndef DNNOPT_HW_TD
#define DNNOPT_HW_TD

include "HwDialect.td"
include "HwAttrs.td"

#endif
