//===- Dnn.td - the dnn dialect, all in one -------------------------------===//
#ifndef DNNOPT_DNN_TD
#define DNNOPT_DNN_TD

include "DnnDialect.td"
include "DnnOps.td"
include "DnnIntOps.td"

#endif
