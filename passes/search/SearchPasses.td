//===- Passes.td - dnnopt's training searches as passes -------------------===//
//
// The searches train the network on the user's data inside the pass; they live
// in their own library (DnnSearchPasses) so that the graph passes do not depend
// on the search engine.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_SEARCH_PASSES_TD
#define DNNOPT_SEARCH_PASSES_TD

include "mlir/Pass/PassBase.td"

def DnnSearchPit : Pass<"dnn-search-pit", "::mlir::func::FuncOp"> {
  let summary = "PIT: train the network and prune channels, receptive field and dilation of its convs";
  let description = [{
    Runs the PIT search of docs/search-engine.md on the function, in place:
    warm-up (weights), search (weights + channel / receptive-field / dilation
    masks against `task loss + lambda * cost`, or `+ lambda_eff * max(0, cost -
    target-size)` with a target), export into the physically smaller network
    (checked against the masked one), fine-tune. The result is the found network
    with its trained weights; the function's signature does not change.

    The input must be float dnn IR as imported, *without* the BatchNorm folding of
    `dnn-cleanup` (BatchNorm trains); one input, one output. `data` (and `val`) are
    .npz (`x`, `y` [, `x_val`, `y_val`]) or .csv files (one sample per row: the input
    flattened in C order, then the targets); without `val` and `x_val`, a seeded
    10% of the data validates. A summary remark on the function gives the seed and
    found cost and validation metric and each searched conv's Cout/kernel/dilation;
    `progress` also prints one line per epoch to stderr. Bad options, unreadable
    data or data that does not fit the model are errors located at the function.
  }];
  let options = [
    Option<"data", "data", "std::string", /*default=*/"\"\"", "Training data (.npz or .csv)">,
    Option<"val", "val", "std::string", /*default=*/"\"\"", "Validation data (.npz or .csv)">,
    Option<"cost", "cost", "std::string", /*default=*/"\"params\"", "Hardware cost: params or macs">,
    Option<"lambda", "lambda", "double", /*default=*/"1e-5", "Weight of the cost (fixed-lambda mode)">,
    Option<"targetSize", "target-size", "double", /*default=*/"0",
           "Cost target N (> 0: target mode, lambda derived from the warm-up loss)">,
    Option<"epochs", "epochs", "std::string", /*default=*/"\"5,20,10\"", "Warm-up, search, fine-tune epochs: W,S,F">,
    Option<"lr", "lr", "double", /*default=*/"1e-3", "Adam learning rate of the weights">,
    Option<"archLr", "arch-lr", "double", /*default=*/"1e-2", "Adam learning rate of the masks">,
    Option<"batch", "batch", "int64_t", /*default=*/"32", "Mini-batch size">,
    Option<"seed", "seed", "uint64_t", /*default=*/"0", "Shuffling (and validation split) seed">,
    Option<"loss", "loss", "std::string", /*default=*/"\"mae\"", "Task loss: mae, mse, huber, ce">,
    Option<"progress", "progress", "bool", /*default=*/"false", "Print one line per epoch to stderr">,
  ];
  let dependentDialects = ["::dnnopt::dnn::DnnDialect"];
}

#endif
