/* hr_main.c - heart-rate firmware of the PPG example: runs the compiled network on
 * recorded test windows and reports its error and cost on the device.
 *
 * Built in place of the main.c that `dnnopt compile --name ppg --with-example` writes
 * (same Makefile, port and linker script): the model is ppg_run() from ppg.h.
 * The windows come from a file on the host, read through semihosting (picolibc's
 * stdio with --oslib=semihost; QEMU's -semihosting-config target=native), written by
 * export_windows.py:
 *   uint32 count, uint32 floats per window (4*256), then per window
 *   float32 x[4][256] (normalized as the network expects) and float32 label (BPM).
 * Prints one summary line each for the error and the cost, and (with -DHR_VERBOSE)
 * every prediction. Exit code: 0, or 1 when the file is missing / malformed or the
 * network fails.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "dnn_port.h"
#include "ppg.h"

#ifndef HR_WINDOWS_FILE
#define HR_WINDOWS_FILE "windows.bin"
#endif

static union {
    double align;
    float v[ppg_INPUT0_SIZE];
} x;
static union {
    double align;
    float v[ppg_OUTPUT0_SIZE];
} y;

int main(void)
{
    const void *const inputs[1] = {x.v};
    void *const outputs[1] = {y.v};
    uint32_t header[2], n, i;
    double abs_sum = 0, sq_sum = 0, worst = 0;
    uint64_t ticks = 0, t0;
    float label;
    FILE *f = fopen(HR_WINDOWS_FILE, "rb");

    if (!f) {
        printf("error: cannot open %s (run QEMU from the folder that holds it)\n", HR_WINDOWS_FILE);
        return 1;
    }
    if (fread(header, sizeof header, 1, f) != 1 || header[1] != ppg_INPUT0_SIZE || ppg_OUTPUT0_SIZE != 1) {
        printf("error: %s: expected windows of %u floats and a model with one output\n", HR_WINDOWS_FILE,
               (unsigned)ppg_INPUT0_SIZE);
        fclose(f);
        return 1;
    }
    n = header[0];
    dnn_port_init();
    for (i = 0; i < n; i++) {
        double e;
        int status;
        if (fread(x.v, sizeof x.v, 1, f) != 1 || fread(&label, sizeof label, 1, f) != 1) {
            printf("error: %s: truncated at window %u of %u\n", HR_WINDOWS_FILE, (unsigned)i, (unsigned)n);
            fclose(f);
            return 1;
        }
        t0 = dnn_port_ticks();
        status = ppg_run(inputs, outputs);
        ticks += dnn_port_ticks() - t0;
        if (status != 0) {
            printf("error: ppg_run returned %d on window %u\n", status, (unsigned)i);
            fclose(f);
            return 1;
        }
        e = (double)y.v[0] - (double)label;
#ifdef HR_VERBOSE
        printf("window %u: predicted %.2f BPM, true %.2f BPM\n", (unsigned)i, (double)y.v[0], (double)label);
#endif
        abs_sum += fabs(e);
        sq_sum += e * e;
        if (fabs(e) > worst)
            worst = fabs(e);
    }
    fclose(f);
    if (n == 0) {
        printf("error: %s holds no window\n", HR_WINDOWS_FILE);
        return 1;
    }
    printf("hr: %u windows, MAE %.3f BPM, RMSE %.3f BPM, worst %.2f BPM\n", (unsigned)n, abs_sum / n,
           sqrt(sq_sum / n), worst);
    /* Under QEMU -icount shift=0, ticks x DNN_PORT_QEMU_INSNS_PER_TICK = instructions. */
    printf("cost: %llu instructions per window, arena %lu bytes\n",
           (unsigned long long)(ticks * DNN_PORT_QEMU_INSNS_PER_TICK / n), (unsigned long)ppg_ARENA_BYTES);
    return 0;
}
