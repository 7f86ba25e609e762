/*
 * dnn_profile.h - per-op profiling hooks of generated code.
 *
 * A model compiled by dnnopt calls, when built with -DDNN_PROFILE,
 *   dnn_profile_begin(index)              before op number `index` (schedule order)
 *   dnn_profile_end(index, op, node)      after it; `op` is the dnn op name
 *                                         ("dnn.conv"), `node` its ONNX node name
 * around every kernel call of NAME_run. The application provides both functions
 * (e.g. reading a cycle counter); without -DDNN_PROFILE the hooks cost nothing.
 */
#ifndef DNNOPT_DNN_PROFILE_H
#define DNNOPT_DNN_PROFILE_H

#ifdef __cplusplus
extern "C" {
#endif

void dnn_profile_begin(int index);
void dnn_profile_end(int index, const char *op, const char *node);

#ifdef __cplusplus
}
#endif

#endif /* DNNOPT_DNN_PROFILE_H */
