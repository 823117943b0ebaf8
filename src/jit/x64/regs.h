/*
 * The x86-64 register file and the roles compiled code gives each register
 * (docs/JIT.md has the reasoning). Integer registers are numbered as the
 * hardware encodes them; float registers (xmm) separately, 0-15.
 *
 *   rbx  frame pointer: the current Wasm frame's slots (fp[0])
 *   r12  the thread's interpreter state (kint_thread *)
 *   r14  base of memory 0 (NULL without one)
 *   r15  the current instance (kint_instance *)
 *   rsp  native stack
 *   r11  the macro-assembler's scratch: never an operand
 *   rax, rcx, rdx                 the compiler's temporaries
 *   r13, rsi, rdi, r8-r10, rbp    locals kept in registers across a function
 *   xmm15                    the macro-assembler's float scratch
 *   xmm0-xmm2                float temporaries
 *   xmm3-xmm14               float locals kept in registers
 *
 * Compiled code calls compiled code, C helpers and the entry stub with the
 * same rule: rbx, r12, r14, r15 (and rsp) survive a call, nothing else
 * does. That is within the System V ABI's callee-saved set for C helpers
 * (which preserve r13 and rbp too, but compiled callees do not). rbp is
 * no frame pointer: it holds a local like any other register (the entry
 * stub saves the C caller's).
 */
#ifndef KITE_JIT_X64_REGS_H
#define KITE_JIT_X64_REGS_H

enum {
    KJIT_RAX = 0, KJIT_RCX, KJIT_RDX, KJIT_RBX, KJIT_RSP, KJIT_RBP, KJIT_RSI, KJIT_RDI,
    KJIT_R8, KJIT_R9, KJIT_R10, KJIT_R11, KJIT_R12, KJIT_R13, KJIT_R14, KJIT_R15,
};
enum {
    KJIT_X0 = 0, KJIT_X1, KJIT_X2, KJIT_X3, KJIT_X4, KJIT_X5, KJIT_X6, KJIT_X7,
    KJIT_X8, KJIT_X9, KJIT_X10, KJIT_X11, KJIT_X12, KJIT_X13, KJIT_X14, KJIT_X15,
};

#define KJIT_NGPR 16
#define KJIT_NFPR 16

/* Fixed roles. */
#define KJIT_R_FP KJIT_RBX
#define KJIT_R_TH KJIT_R12
#define KJIT_R_MEM KJIT_R14
#define KJIT_R_KI KJIT_R15
#define KJIT_R_SP KJIT_RSP
/* Pushed by every compiled function's prologue (an 8-byte push keeps the
 * native stack 16-byte aligned for calls) and popped by its epilogue. */
#define KJIT_R_NATIVE_FP KJIT_RBP
#define KJIT_MASM_SCRATCH KJIT_R11
#define KJIT_MASM_FSCRATCH KJIT_X15

/* Temporaries and register-cached locals, in order of preference. */
#define KJIT_TMP_GPRS {KJIT_RAX, KJIT_RCX, KJIT_RDX}
#define KJIT_NTMP_GPRS 3
#define KJIT_PIN_GPRS {KJIT_R13, KJIT_RSI, KJIT_RDI, KJIT_R8, KJIT_R9, KJIT_R10, KJIT_RBP}
#define KJIT_NPIN_GPRS 7
#define KJIT_TMP_FPRS {KJIT_X0, KJIT_X1, KJIT_X2}
#define KJIT_NTMP_FPRS 3
#define KJIT_PIN_FPRS {KJIT_X3, KJIT_X4, KJIT_X5, KJIT_X6, KJIT_X7, KJIT_X8, KJIT_X9, \
                       KJIT_X10, KJIT_X11, KJIT_X12, KJIT_X13, KJIT_X14}
#define KJIT_NPIN_FPRS 12

/* The C calling convention (System V). */
#define KJIT_ARG0 KJIT_RDI
#define KJIT_ARG1 KJIT_RSI
#define KJIT_ARG2 KJIT_RDX
#define KJIT_ARG3 KJIT_RCX
#define KJIT_ARG4 KJIT_R8
#define KJIT_ARG5 KJIT_R9
#define KJIT_RET KJIT_RAX
#define KJIT_FARG0 KJIT_X0
#define KJIT_FARG1 KJIT_X1
#define KJIT_FRET KJIT_X0

/* Registers (as masks of integer register numbers) that operations clobber
 * besides their destination; see masm.h. */
#define KJIT_DIV_CLOBBER ((1u << KJIT_RAX) | (1u << KJIT_RDX))
#define KJIT_SHIFT_CLOBBER (1u << KJIT_RCX)
#define KJIT_FCMP_CLOBBER 0u
/* The implicit operand of kjit_atomic_cmpxchg. */
#define KJIT_CMPXCHG_EXPECTED KJIT_RAX

#endif
