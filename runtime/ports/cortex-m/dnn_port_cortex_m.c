/* dnn_port_cortex_m.c - SysTick cycle counter and semihosting print (see dnn_port.h). */
#include "dnn_port.h"

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define SYST_RELOAD 0x00FFFFFFu

static volatile uint32_t dnn_port_wraps;

/* Overrides picolibc's weak handler (its vector table points here). */
void arm_systick_isr(void);
void arm_systick_isr(void)
{
    dnn_port_wraps++;
}

void dnn_port_init(void)
{
    SYST_CSR = 0;
    SYST_RVR = SYST_RELOAD;
    SYST_CVR = 0;            /* any write clears the counter; it reloads on the next tick */
    SYST_CSR = 7;            /* ENABLE | TICKINT | CLKSOURCE = processor clock */
    while (SYST_CVR == 0) {  /* wait for the first reload so the count starts at 0 */
    }
    dnn_port_wraps = 0;
}

uint64_t dnn_port_ticks(void)
{
    uint32_t w, v;
    do { /* re-read if a wrap was counted in between */
        w = dnn_port_wraps;
        v = SYST_CVR;
    } while (w != dnn_port_wraps);
    return ((uint64_t)w << 24) + (SYST_RELOAD - v);
}

void dnn_port_print(const char *s)
{
    register uint32_t r0 __asm__("r0") = 0x04; /* SYS_WRITE0 */
    register const char *r1 __asm__("r1") = s;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
}
