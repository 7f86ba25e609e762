/*
 * dnn_port.h - board support for Cortex-M (MPS2 AN386 under QEMU, or any Cortex-M3/4/7
 * with a SysTick): a 64-bit cycle counter and a semihosting print.
 *
 * Counter: SysTick runs from the processor clock (CLKSOURCE = 1), reloads at 2^24 - 1
 * and its exception counts wraps, so dnn_port_ticks() is a 64-bit count of processor
 * clock ticks since dnn_port_init(). On hardware a tick is a core cycle. Under QEMU
 * with `-icount shift=0` every instruction takes 1 ns of virtual time and the AN386
 * SysTick runs at 25 MHz, so one tick is exactly DNN_PORT_QEMU_INSNS_PER_TICK = 40
 * executed instructions (bench/qemu checks this against an asm loop of known length).
 *
 * The SysTick handler is picolibc's weak `arm_systick_isr`, overridden here. The port
 * keeps its wrap count in a static variable (the kernels themselves have none).
 */
#ifndef DNNOPT_DNN_PORT_H
#define DNNOPT_DNN_PORT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DNN_PORT_QEMU_INSNS_PER_TICK 40u

/* Starts SysTick (free running, interrupt on wrap) and zeroes the count. */
void dnn_port_init(void);

/* Processor clock ticks since dnn_port_init(); monotonic, 64-bit. */
uint64_t dnn_port_ticks(void);

/* Writes a NUL-terminated string to the host through semihosting (SYS_WRITE0).
 * Under QEMU it appears on stderr. Needs a debugger or QEMU's
 * `-semihosting-config enable=on`; on a bare board without one it traps. */
void dnn_port_print(const char *s);

#ifdef __cplusplus
}
#endif

#endif /* DNNOPT_DNN_PORT_H */
