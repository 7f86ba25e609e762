# suite.mk - the build and run rules every runtime kernel test suite shares (included by
# Makefile here, s8/Makefile and s4/Makefile). The including Makefile sets
#   NAME  the program (build/NAME, build/NAME_asan, build/NAME_m4*.elf)
#   RT    the runtime directory;  SRC, HDR  the sources and the headers they depend on
#   QEMU_RULES := 1  for the Cortex-M4 builds under QEMU as well
# before `include`, and adds its own targets after it. Targets:
#   make            host, gcc -O2 (the default goal)
#   make asan       host, AddressSanitizer + UndefinedBehaviorSanitizer
#   make qemu       Cortex-M4 (DSP build: inline assembly) under qemu-system-arm -M mps2-an386
#   make qemu-noasm Cortex-M4, DSP intrinsics without the inline assembly (-DDNN_S8_NO_ASM)
#   make qemu-nodsp Cortex-M4, portable C build (-DDNN_S8_NO_DSP)
#   make SEED=7     another random seed; QFLAGS=-q: fewer random cases under QEMU
CC      ?= gcc
BUILD   := build
WARN    := -std=c99 -Wall -Wextra -Werror -pedantic
SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
SEED    ?= 12345
QFLAGS  ?=
HDR     += $(wildcard $(dir $(lastword $(MAKEFILE_LIST)))*.h) # the shared test headers

test: $(BUILD)/$(NAME)
	./$(BUILD)/$(NAME) $(SEED)

asan: $(BUILD)/$(NAME)_asan
	./$(BUILD)/$(NAME)_asan $(SEED)

$(BUILD)/$(NAME): $(SRC) $(HDR) | $(BUILD)
	$(CC) $(WARN) -O2 -I$(RT) $(SRC) -lm -o $@

$(BUILD)/$(NAME)_asan: $(SRC) $(HDR) | $(BUILD)
	$(CC) $(WARN) -O1 -g $(SAN) -I$(RT) $(SRC) -lm -o $@

$(BUILD):
	mkdir -p $@

clean:
	rm -rf $(BUILD)

.PHONY: test asan clean

ifeq ($(QEMU_RULES),1)
PORT    := $(RT)/ports/cortex-m
ARM_CC  := arm-none-eabi-gcc
ARCH    := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
ARM_FL  := -O2 $(WARN) -ffunction-sections -fdata-sections -I$(RT) -I$(PORT)
ARM_LD  := $(ARCH) --specs=picolibc.specs --oslib=semihost --crt0=semihost -T$(PORT)/mps2_an386.ld -Wl,--gc-sections
QEMU    := qemu-system-arm -M mps2-an386 -nographic -semihosting-config enable=on,target=native \
           -icount shift=0,align=off,sleep=off -kernel

qemu: $(BUILD)/$(NAME)_m4.elf
	$(QEMU) $< -append "$(SEED) $(QFLAGS)"

qemu-noasm: $(BUILD)/$(NAME)_m4_noasm.elf
	$(QEMU) $< -append "$(SEED) $(QFLAGS)"

qemu-nodsp: $(BUILD)/$(NAME)_m4_nodsp.elf
	$(QEMU) $< -append "$(SEED) $(QFLAGS)"

$(BUILD)/$(NAME)_m4.elf: $(SRC) $(HDR) | $(BUILD)
	$(ARM_CC) $(ARM_FL) $(ARM_LD) $(SRC) -lm -o $@

$(BUILD)/$(NAME)_m4_noasm.elf: $(SRC) $(HDR) | $(BUILD)
	$(ARM_CC) $(ARM_FL) -DDNN_S8_NO_ASM $(ARM_LD) $(SRC) -lm -o $@

$(BUILD)/$(NAME)_m4_nodsp.elf: $(SRC) $(HDR) | $(BUILD)
	$(ARM_CC) $(ARM_FL) -DDNN_S8_NO_DSP $(ARM_LD) $(SRC) -lm -o $@

.PHONY: qemu qemu-noasm qemu-nodsp
endif
