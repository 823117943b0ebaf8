/*
 * The x86-64 encodings of the atomic operations (kjit_atomic_*,
 * kjit_fence) against the bytes GNU as made for the same instructions
 * (`as` on the text in each case, then objdump): every width, registers
 * that need a REX prefix for their byte form (sil, dil, bpl), extended
 * registers, index and displacement forms.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "jit/masm.h"
#include "util/alloc.h"

#if KJIT_HAVE_BACKEND

static int g_cases;

static void check_bytes(kjit_masm *m, const char *asm_text, const char *hex)
{
    char got[256];
    size_t n = 0;
    g_cases++;
    CHECK(kjit_masm_finish(m), "%s: unfinished", asm_text);
    for (size_t i = 0; i < m->len && n + 3 < sizeof(got); i++)
        n += (size_t)snprintf(got + n, sizeof(got) - n, "%02x", m->buf[i]);
    got[n] = 0;
    CHECK(strcmp(got, hex) == 0, "%s: got %s, as made %s", asm_text, got, hex);
}

#define CASE(asm_text, hex, ...)        \
    do {                                \
        kjit_masm_reset(&m);            \
        __VA_ARGS__;                    \
        check_bytes(&m, asm_text, hex); \
    } while (0)

int main(void)
{
    kjit_masm m;
    kjit_masm_init(&m, 0, &kutil_libc);
    CASE("lock xadd dword ptr [rcx-4], eax", "f00fc141fc", kjit_atomic_xadd(&m, 32, kjit_m(KJIT_RCX, -4), KJIT_RAX));
    CASE("lock xadd qword ptr [r14+rdx*1+8], r13", "f04d0fc16c1608",
         kjit_atomic_xadd(&m, 64, kjit_mx(KJIT_R14, KJIT_RDX, 1, 8), KJIT_R13));
    CASE("lock xadd byte ptr [rax-1], sil", "f0400fc070ff", kjit_atomic_xadd(&m, 8, kjit_m(KJIT_RAX, -1), KJIT_RSI));
    CASE("lock xadd word ptr [rdx-2], r9w", "66f0440fc14afe", kjit_atomic_xadd(&m, 16, kjit_m(KJIT_RDX, -2), KJIT_R9));
    CASE("xchg qword ptr [rcx-8], rax", "488741f8", kjit_atomic_xchg(&m, 64, kjit_m(KJIT_RCX, -8), KJIT_RAX));
    CASE("xchg byte ptr [rdx-1], dil", "40867aff", kjit_atomic_xchg(&m, 8, kjit_m(KJIT_RDX, -1), KJIT_RDI));
    CASE("xchg word ptr [rax-2], cx", "668748fe", kjit_atomic_xchg(&m, 16, kjit_m(KJIT_RAX, -2), KJIT_RCX));
    CASE("xchg dword ptr [r8], r10d", "458710", kjit_atomic_xchg(&m, 32, kjit_m(KJIT_R8, 0), KJIT_R10));
    CASE("lock cmpxchg qword ptr [rcx-8], rdx", "f0480fb151f8",
         kjit_atomic_cmpxchg(&m, 64, kjit_m(KJIT_RCX, -8), KJIT_RDX));
    CASE("lock cmpxchg byte ptr [rcx-1], bpl", "f0400fb069ff",
         kjit_atomic_cmpxchg(&m, 8, kjit_m(KJIT_RCX, -1), KJIT_RBP));
    CASE("lock cmpxchg word ptr [rdx-2], cx", "66f00fb14afe",
         kjit_atomic_cmpxchg(&m, 16, kjit_m(KJIT_RDX, -2), KJIT_RCX));
    CASE("lock cmpxchg dword ptr [r13+0x100], esi", "f0410fb1b500010000",
         kjit_atomic_cmpxchg(&m, 32, kjit_m(KJIT_R13, 0x100), KJIT_RSI));
    CASE("lock cmpxchg byte ptr [rsp+0x10], r8b", "f0440fb0442410",
         kjit_atomic_cmpxchg(&m, 8, kjit_m(KJIT_RSP, 0x10), KJIT_R8));
    CASE("mfence", "0faef0", kjit_fence(&m));
    CHECK(KJIT_CMPXCHG_EXPECTED == KJIT_RAX, "cmpxchg compares with rax");
    kjit_masm_free(&m);
    printf("%d encodings checked\n", g_cases);
    return g_failures ? 1 : 0;
}

#else

int main(void)
{
    printf("no x86-64 backend on this host: skipped\n");
    return 0;
}

#endif
