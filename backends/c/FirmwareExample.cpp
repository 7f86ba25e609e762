// PLACEHOLDER written by the emitter author so the backend links; the firmware
// example engineer replaces this whole file with the real generator.
#include "backends/c/FirmwareExample.h"
namespace dnnopt {
void addFirmwareExample(FileSet &, const CCompileOptions &, const std::vector<CTensorInfo> &,
                        const std::vector<CTensorInfo> &) {}
} // namespace dnnopt
